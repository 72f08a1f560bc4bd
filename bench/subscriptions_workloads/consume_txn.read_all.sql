-- Throughput, by hand: the gap-safe read_all after the consumer's checkpoint (kept in the
-- client, starting at -D global_position=0), and the checkpoint saved in its own table, in
-- one transaction per batch.
BEGIN;
SELECT * FROM chronicle.read_all(:global_position, 100, 'order', '{OrderPaid}') \aset
UPDATE bench.my_checkpoint SET position = :global_position WHERE consumer = 'paid';
COMMIT;
