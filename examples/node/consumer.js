// One delivery of a subscription, in one transaction: poll, handle every event, ack the last.
// The handler's writes commit together with the ack or not at all, so each event changes this
// database exactly once; a crash before COMMIT delivers the same events again.

// client: a pg.Client (or a client checked out of a Pool) that is not inside a transaction.
// handle(client, event) is awaited for each event in order, inside the transaction.
// Resolves to the number of events handled: 0 when there was nothing to deliver.
export async function handleBatch(client, { subscription, member = 0, members = 1, maxCount = 100 }, handle) {
  await client.query('BEGIN');
  try {
    const { rows: events } = await client.query(
      'SELECT * FROM chronicle.poll($1, max_count => $2, member => $3, members => $4)',
      [subscription, maxCount, member, members]);
    for (const event of events) await handle(client, event);
    if (events.length > 0) {
      // global_position is an int8, a string in node-postgres: passed back untouched, exactly.
      await client.query('SELECT chronicle.ack($1, $2, member => $3, members => $4)',
        [subscription, events.at(-1).global_position, member, members]);
    }
    await client.query('COMMIT');
    return events.length;
  } catch (err) {
    // The connection may be gone as well: report the error that started it, not ROLLBACK's.
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
