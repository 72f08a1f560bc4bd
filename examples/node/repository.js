// Load an order, decide, append with the version that was loaded: optimistic concurrency.
// When another writer appended in between, chronicle refuses the append with SQLSTATE CH001,
// and the command is decided again on the new state, a bounded number of times.
import { setTimeout as sleep } from 'node:timers/promises';
import { decide } from './order.js';

const WRONG_EXPECTED_VERSION = 'CH001';

export class OrderRepository {
  // pool: a pg.Pool (or Client). Every statement here stands alone, so any connection will do,
  // also one from a transaction-mode pooler.
  constructor(pool, { maxAttempts = 20 } = {}) {
    this.pool = pool;
    this.maxAttempts = maxAttempts;
  }

  // The state and the version it was folded from, from one snapshot: append with that version.
  async load(stream) {
    const { rows } = await this.pool.query(
      'SELECT state, version FROM chronicle.load($1, $2)', ['order', stream]);
    const row = rows[0];
    // version is a bigint, which node-postgres returns as a string; a stream's version stays
    // far below 2^53, so Number is exact.
    return { state: row?.state ?? null, version: row ? Number(row.version) : 0 };
  }

  // Applies a command to an order. Resolves to the appended event, the stream's new version and
  // how many attempts it took; rejects with OrderRefused when the order's state forbids it.
  async execute(stream, command) {
    for (let attempt = 1; ; attempt++) {
      const { state, version } = await this.load(stream);
      const event = decide(state, command);
      try {
        const { rows } = await this.pool.query(
          'SELECT chronicle.append($1, $2, $3, expected_version => $4) AS version',
          // jsonb parameters are passed as JSON text: node-postgres would turn a JS array into
          // a PostgreSQL array literal, not into JSON.
          [stream, event.type, JSON.stringify(event.data), version]);
        return { event, version: Number(rows[0].version), attempts: attempt };
      } catch (err) {
        if (err.code !== WRONG_EXPECTED_VERSION || attempt >= this.maxAttempts) throw err;
        // Someone else appended first. A random pause spreads the writers that lost, so that
        // they do not collide again on their next attempt.
        await sleep(Math.random() * Math.min(50, 2 ** attempt));
      }
    }
  }
}
