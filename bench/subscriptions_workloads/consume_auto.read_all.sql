-- Throughput, by hand: read_all and the checkpoint's UPDATE each in its own transaction.
SELECT * FROM chronicle.read_all(:global_position, 100, 'order', '{OrderPaid}') \aset
UPDATE bench.my_checkpoint SET position = :global_position WHERE consumer = 'paid';
