// Several writers change one order at the same time, through the repository: every writer
// adds its items, then every writer tries to pay. Shows that each command is applied exactly
// once, in an order every reader agrees on (the stream's versions), and that the order is
// paid once. Exits 1 when anything is off.
//
//   node concurrent-writers.js [STREAM]      (connection: PGHOST, PGPORT, PGUSER, PGDATABASE)
import pg from 'pg';
import { OrderRefused } from './order.js';
import { OrderRepository } from './repository.js';

const WRITERS = 4;
const ITEMS_PER_WRITER = 5;

const stream = process.argv[2] ?? `order-demo-${Date.now()}`;
const pool = new pg.Pool({ max: WRITERS });
const repository = new OrderRepository(pool);
const writers = [...Array(WRITERS).keys()];
let retries = 0;

async function run(command) {
  const result = await repository.execute(stream, command);
  retries += result.attempts - 1;
  return result;
}

await run({ type: 'create', customerId: 'c-7' });

// The writers add their items concurrently, each its own items one after the other.
await Promise.all(writers.map(async (writer) => {
  for (let item = 0; item < ITEMS_PER_WRITER; item++) {
    await run({ type: 'addItem', sku: `w${writer}-${item}`, priceCents: 100 * (writer + 1) + item });
  }
}));

// Every writer tries to pay: one succeeds, the others find the order paid.
const payments = await Promise.allSettled(writers.map(() => run({ type: 'pay' })));

const { rows: events } = await pool.query(
  'SELECT stream_version, event_type, data FROM chronicle.read_stream($1)', [stream]);
const { state, version } = await repository.load(stream);
await pool.end();

const failures = [];
const check = (ok, message) => { if (!ok) failures.push(message); };

const paid = payments.filter((p) => p.status === 'fulfilled').length;
const refused = payments.filter((p) => p.reason instanceof OrderRefused).length;
check(paid === 1 && refused === WRITERS - 1,
  `expected 1 payment and ${WRITERS - 1} refusals, got ${paid} and ${refused}: ` +
  payments.filter((p) => p.status === 'rejected' && !(p.reason instanceof OrderRefused))
    .map((p) => p.reason.message).join('; '));

const items = events.filter((e) => e.event_type === 'ItemAdded').map((e) => e.data.sku);
for (const writer of writers) {
  const own = items.filter((sku) => sku.startsWith(`w${writer}-`));
  const issued = [...Array(ITEMS_PER_WRITER).keys()].map((item) => `w${writer}-${item}`);
  check(own.join() === issued.join(),
    `writer ${writer}'s items in the stream are [${own}], expected each once in order: [${issued}]`);
}

const expectedVersion = 1 + WRITERS * ITEMS_PER_WRITER + 1;
const expectedTotal = writers.reduce((sum, writer) => sum + [...Array(ITEMS_PER_WRITER).keys()]
  .reduce((s, item) => s + 100 * (writer + 1) + item, 0), 0);
check(events.every((e, i) => Number(e.stream_version) === i + 1), 'the versions have a gap');
check(version === expectedVersion, `version ${version}, expected ${expectedVersion}`);
check(state?.status === 'PAID' && state.payments === 1, `state ${JSON.stringify(state)} is not paid once`);
check(state?.items.length === WRITERS * ITEMS_PER_WRITER && state.total_cents === expectedTotal,
  `state has ${state?.items.length} items for ${state?.total_cents} cents, ` +
  `expected ${WRITERS * ITEMS_PER_WRITER} for ${expectedTotal}`);

for (const e of events) console.log(`  v${e.stream_version} ${e.event_type} ${JSON.stringify(e.data)}`);
console.log(`${stream}: version ${version}, ${state?.items.length} items, ${state?.total_cents} cents, ` +
  `${state?.status} once (${refused} second payments refused), ${retries} version conflicts retried`);
if (failures.length > 0) {
  for (const failure of failures) console.error(`FAILED: ${failure}`);
  process.exit(1);
}
