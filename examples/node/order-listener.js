// Handles the events of the 'order_feed' subscription as soon as they are committed: LISTEN on
// the category's channel, and on each notification poll and ack until nothing is left. It also
// polls once at start and then on a timer, because notifications are not a queue: several
// commits may come as one, and those sent while the listener was disconnected are lost.
// LISTEN needs a session of its own: not behind a transaction-mode pooler (use
// wait_for_events there, as email-worker.js does). Stops on SIGINT or SIGTERM.
//
//   node order-listener.js          (connection: PGHOST, PGPORT, PGUSER, PGDATABASE)
import pg from 'pg';
import { handleBatch } from './consumer.js';

const FEED = { subscription: 'order_feed' };
const FALLBACK_POLL_MS = 30_000;

const client = new pg.Client();

function fail(err) {
  console.error(`order listener: ${err.message}`);
  process.exit(1);
}

async function handle(_client, event) {
  console.log(`${event.stream} v${event.stream_version} ${event.event_type} ` +
    `(position ${event.global_position})`);
}

// At most one drain runs, and at most one more waits behind it: a notification that arrives
// while one waits is covered by it, since it polls until empty after starting.
let drains = Promise.resolve();
let drainQueued = false;
function scheduleDrain() {
  if (drainQueued) return drains;
  drainQueued = true;
  drains = drains.then(async () => {
    drainQueued = false;
    while (await handleBatch(client, FEED, handle) > 0);
  }).catch(fail);
  return drains;
}

try {
  await client.connect();
  // A lost connection loses notifications too: exit, and let whoever restarts the listener
  // rely on its poll at start.
  client.on('error', fail);
  client.on('notification', scheduleDrain);
  // LISTEN before the first poll: an event committed in between is notified, not missed.
  await client.query('LISTEN chronicle_order');
  await scheduleDrain();
  console.log('order listener: caught up, listening on chronicle_order');
} catch (err) {
  fail(err);
}
const fallback = setInterval(scheduleDrain, FALLBACK_POLL_MS);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    clearInterval(fallback);
    client.removeListener('notification', scheduleDrain);
    await drains;
    await client.end();
    console.log('order listener: stopped');
  });
}
