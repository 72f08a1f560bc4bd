-- Throughput, chronicle consumer group: pgbench client i is member i of a group of
-- :members (subscription paid_group<members>), one batch per transaction.
BEGIN;
SELECT * FROM chronicle.poll('paid_group' || :members, 100, member => :client_id, members => :members) \aset
SELECT chronicle.ack('paid_group' || :members, :global_position, member => :client_id, members => :members);
COMMIT;
