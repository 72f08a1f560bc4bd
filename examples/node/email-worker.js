// One member of the consumer group that sends an email for every paid order: run one process
// per member (0, 1 and 2 of 3), each gets the streams chronicle assigns it, in version order.
// Each email is written to the emails table (an outbox: a relay sends it from there) in the
// transaction that acknowledges its event, so a worker killed at any moment neither loses nor
// repeats one. Stops, between two batches, on SIGINT or SIGTERM.
//
//   node email-worker.js MEMBER MEMBERS      (connection: PGHOST, PGPORT, PGUSER, PGDATABASE)
import pg from 'pg';
import { handleBatch } from './consumer.js';

// The longest a stop waits to be noticed. wait_for_events is one short statement, not a
// session's LISTEN, so the worker also runs behind a transaction-mode pooler.
const WAIT_TIMEOUT = '5 seconds';

const [member, members] = process.argv.slice(2, 4).map(Number);
if (!(Number.isInteger(member) && Number.isInteger(members) && member >= 0 && member < members)) {
  console.error('usage: node email-worker.js MEMBER MEMBERS   (0 <= MEMBER < MEMBERS)');
  process.exit(2);
}
const group = { subscription: 'emails', member, members, maxCount: 50 };
const me = `node worker ${member}/${members} (pid ${process.pid})`;

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { stopping = true; });

async function sendEmail(client, event) {
  await client.query(
    `INSERT INTO emails (position, order_stream, stream_version, body, sent_by)
     VALUES ($1, $2, $3, $4, $5)`,
    [event.global_position, event.stream, event.stream_version,
      `Thank you for your payment of ${event.stream}.`, me]);
}

const client = new pg.Client();
try {
  await client.connect();
  console.log(`${me}: started`);
  while (!stopping) {
    const sent = await handleBatch(client, group, sendEmail);
    if (sent > 0) {
      console.log(`${me}: sent ${sent} emails`);
      continue;
    }
    // Woken only for this member's own streams: another member's events are not its business.
    await client.query('SELECT chronicle.wait_for_events($1, $2, $3, $4)',
      [group.subscription, WAIT_TIMEOUT, member, members]);
  }
  await client.end();
  console.log(`${me}: stopped`);
} catch (err) {
  // CH043: the group's size changed since this worker started; run it again with the new one.
  console.error(`${me}: ${err.code === 'CH043' ? 'the group changed size: ' : ''}${err.message}`);
  process.exit(1);
}
