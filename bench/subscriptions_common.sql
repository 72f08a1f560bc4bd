-- bench/subscriptions: what the throughput template holds besides the extension, loaded with
-- psql -v events=N -v streams=S: the pre-filled log, the subscriptions the consumers poll
-- (one member, a group of 2, a group of 4), and the hand-written consumer's checkpoint table.
CREATE SCHEMA IF NOT EXISTS bench;

-- The log: N events the subscriptions want (category order, type OrderPaid) and N/4 they do
-- not, interleaved as a live system writes them: of every 10 positions, 8 are OrderPaid, one
-- an OrderShipped of the same category (skipped by the type filter) and one a CartUpdated of
-- another category (skipped by the category). Order streams order-<n> and cart streams
-- cart-<n>, round-robin over S of each, so that a consumer group's members share the load.
SELECT count(chronicle.append(
           CASE WHEN i % 10 = 9 THEN 'cart-' ELSE 'order-' END || (1 + (i / 10) % :streams),
           CASE i % 10 WHEN 4 THEN 'OrderShipped' WHEN 9 THEN 'CartUpdated' ELSE 'OrderPaid' END,
           jsonb_build_object('orderId', 'order-' || (1 + (i / 10) % :streams), 'amount', 10 + i % 90,
                              'currency', 'EUR', 'reference', 'payment ' || i)))
  FROM generate_series(0, :events * 10 / 8 - 1) AS i;

-- The events every consumer has to deliver, and the members' shares in the groups.
CREATE TABLE bench.wanted AS
SELECT global_position, stream, chronicle.stream_member(stream, 2) AS member2,
       chronicle.stream_member(stream, 4) AS member4
  FROM chronicle.event_log WHERE category = 'order' AND event_type = 'OrderPaid';

SELECT chronicle.create_subscription('paid', category => 'order', event_types => '{OrderPaid}',
                                     start_at => 'beginning');
SELECT chronicle.create_subscription('paid_group2', category => 'order', event_types => '{OrderPaid}',
                                     start_at => 'beginning', members => 2);
SELECT chronicle.create_subscription('paid_group4', category => 'order', event_types => '{OrderPaid}',
                                     start_at => 'beginning', members => 4);

-- What a user writes by hand instead: a checkpoint of their own, read_all after it.
CREATE TABLE bench.my_checkpoint (consumer text PRIMARY KEY, position bigint NOT NULL);
INSERT INTO bench.my_checkpoint VALUES ('paid', 0);
