-- The quickstart walkthrough: run by scripts/quickstart against a fresh database.
\pset footer off
\set ECHO queries

\echo
\echo '--- 1. Install the extension in this database'
CREATE EXTENSION chronicle;

\echo
\echo '--- 2. Append events to order streams; each append returns the stream''s new version'
SELECT chronicle.append('order-1001', 'OrderCreated',
                        '{"customerId": "c-42", "currency": "EUR"}', expected_version => 0);
SELECT chronicle.append('order-1001', 'ItemAdded',
                        '{"item": {"sku": "book-1", "price": 12.50}}', expected_version => 1);
SELECT chronicle.append('order-1001', 'ItemAdded',
                        '{"item": {"sku": "pen-7", "price": 2.20}}', expected_version => 2);
SELECT chronicle.append('order-1002', 'OrderCreated', '{"customerId": "c-7", "currency": "EUR"}');

\echo
\echo '--- 3. A batch: several events of one stream, atomically and in order'
SELECT chronicle.append_batch('order-1002', '[
  {"type": "ItemAdded",   "data": {"item": {"sku": "mug-3", "price": 8.00}}},
  {"type": "OrderPaid",   "data": {"amount": 8.00}, "metadata": {"paymentRef": "p-991"}},
  {"type": "OrderShipped","data": {"tracking": "TRK-5521"}}
]', expected_version => 1);
SELECT chronicle.append('order-1003', 'OrderCreated', '{"customerId": "c-42"}');
SELECT chronicle.append('order-1003', 'OrderCancelled', '{"reason": "changed mind"}');

\echo
\echo '--- 4. A retried append with the same event id is idempotent: same version, nothing written'
SELECT chronicle.append('order-1001', 'OrderPaid', '{"amount": 14.70}', expected_version => 3,
                        event_id => 'b3f4c2a0-6d1e-4c8b-9f1a-2e7d5c9a0b11');
SELECT chronicle.append('order-1001', 'OrderPaid', '{"amount": 14.70}', expected_version => 3,
                        event_id => 'b3f4c2a0-6d1e-4c8b-9f1a-2e7d5c9a0b11');
SELECT count(*) AS paid_events FROM chronicle.events WHERE stream = 'order-1001' AND event_type = 'OrderPaid';

\echo
\echo '--- 5. A conflict: someone decided on version 2, but order-1001 is at version 4'
\set ON_ERROR_STOP 0
SELECT chronicle.append('order-1001', 'OrderCancelled', '{}', expected_version => 2);
\set ON_ERROR_STOP 1
\echo 'SQLSTATE' :LAST_ERROR_SQLSTATE '("wrong expected version"): re-read the stream, decide again, retry.'

\echo
\echo '--- 6. Read one stream, forwards and backwards'
SELECT stream_version, event_type, data FROM chronicle.read_stream('order-1001');
SELECT stream_version, event_type FROM chronicle.read_stream('order-1002', backwards => true, max_count => 2);
SELECT chronicle.stream_version('order-1001') AS v1001, chronicle.stream_version('order-9999') AS v9999;

\echo
\echo '--- 7. Read everything in commit-safe global order (a subscriber passes the last position it saw)'
SELECT global_position, stream, stream_version, event_type FROM chronicle.read_all(after_position => 0, max_count => 100);
SELECT global_position, stream, event_type FROM chronicle.read_all(after_position => 3, category => 'order', event_types => ARRAY['OrderPaid', 'OrderShipped']);

\echo
\echo '--- 8. Plain SQL over the views'
SELECT stream, category, version, updated_at >= created_at AS ok FROM chronicle.streams ORDER BY stream;
SELECT event_type, count(*) FROM chronicle.events GROUP BY event_type ORDER BY count(*) DESC, event_type;

\echo
\echo '--- 9. Stored events are immutable'
\set ON_ERROR_STOP 0
DELETE FROM chronicle.event_log WHERE stream = 'order-1003';
\set ON_ERROR_STOP 1

\echo
\echo '--- 10. An aggregate: the order''s current state, folded natively from its events'
SELECT chronicle.define_aggregate('order', '{
  "initial": {"status": "NEW", "items": [], "total": 0},
  "on": {
    "OrderCreated":   [{"set": "customerId", "from": "customerId"},
                       {"set": "status", "value": "PENDING"}],
    "ItemAdded":      [{"append": "items", "from": "item"},
                       {"add": "total", "from": "item.price"}],
    "OrderPaid":      [{"set": "status", "value": "PAID"}],
    "OrderShipped":   [{"set": "status", "value": "SHIPPED"},
                       {"set": "tracking", "from": "tracking"}],
    "OrderCancelled": [{"set": "status", "value": "CANCELLED"}]
  }}', category => 'order', snapshot_every => 2);
SELECT chronicle.fold('order', 'order-1001');
SELECT chronicle.fold('order', 'order-1002');

\echo
\echo '--- 11. Temporal reads: the state at a version, as of a time, and the whole history'
SELECT chronicle.fold('order', 'order-1001', at_version => 2);
SELECT chronicle.fold('order', 'order-1001',
                      as_of => (SELECT recorded_at FROM chronicle.events
                                 WHERE stream = 'order-1001' AND stream_version = 3)) AS as_of_third_event;
SELECT chronicle.fold('order', 'order-1001', as_of => now() - interval '1 hour') AS an_hour_ago;
SELECT stream_version, event_type, state->>'status' AS status, state->'total' AS total
  FROM chronicle.history('order', 'order-1001');

\echo
\echo '--- 12. Snapshots are taken as streams grow (every 2 events here); fold starts from the newest (types without operations change nothing)'
SELECT chronicle.append_batch('order-1001', '[
  {"type": "OrderShipped",   "data": {"tracking": "TRK-7788"}},
  {"type": "OrderDelivered", "data": {"signedBy": "R. Ng"}}
]');
SELECT stream, stream_version, state->>'status' AS status FROM chronicle.snapshots ORDER BY stream, stream_version;
SELECT chronicle.fold('order', 'order-1001');

\echo
\echo '--- 13. A projection: a plain table with one row per order, kept by a background worker'
SELECT chronicle.create_projection('orders', 'order', columns => '{
  "status":      "text",
  "total":       "numeric(12,2)",
  "customer_id": {"type": "text", "path": "customerId"}
}');
SELECT chronicle.append('order-1004', 'OrderCreated', '{"customerId": "c-7"}');
SELECT chronicle.append_batch('order-1004', '[
  {"type": "ItemAdded", "data": {"item": {"sku": "lamp-2", "price": 30.00}}},
  {"type": "OrderPaid", "data": {"amount": 30.00}}
]');
SELECT chronicle.wait_for_projection('orders');

\echo
\echo '--- 14. Plain SQL over the projection'
SELECT stream, version, status, total, customer_id FROM orders ORDER BY stream;
SELECT status, count(*) AS orders, sum(total) AS total FROM orders GROUP BY status ORDER BY status;
SELECT name, state, position, lag_events FROM chronicle.projection_status;

\echo
\echo '--- 15. An inline projection: the append updates it in its own transaction'
SELECT chronicle.create_projection('orders_now', 'order', mode => 'inline',
                                   columns => '{"status": "text", "total": "numeric(12,2)"}');
BEGIN;
SELECT chronicle.append('order-1005', 'OrderCreated', '{"customerId": "c-9"}');
SELECT chronicle.append('order-1005', 'ItemAdded', '{"item": {"sku": "desk-1", "price": 120.00}}');
SELECT stream, version, status, total FROM orders_now WHERE stream = 'order-1005';
COMMIT;

\echo
\echo '--- 16. Many roles: nothing is PUBLIC''s; a writer appends, a reader reads (docs/security.md)'
DROP ROLE IF EXISTS demo_writer;
DROP ROLE IF EXISTS demo_reader;
CREATE ROLE demo_writer;
CREATE ROLE demo_reader;
GRANT EXECUTE ON FUNCTION chronicle.append(text, text, jsonb, jsonb, bigint, uuid) TO demo_writer;
GRANT EXECUTE ON FUNCTION chronicle.fold(text, text, timestamptz, bigint) TO demo_reader;
\set ON_ERROR_STOP 0
SET ROLE demo_writer;
SELECT chronicle.append('order-1005', 'OrderPaid', '{"amount": 120.00}');  -- 3: the inline projection is written as its owner
SELECT chronicle.fold('order', 'order-1005');                             -- permission denied: a writer does not read
RESET ROLE;
SET ROLE demo_reader;
SELECT chronicle.fold('order', 'order-1005') ->> 'status' AS status;
SELECT chronicle.drop_projection('orders');                               -- permission denied: a reader manages nothing
RESET ROLE;
\set ON_ERROR_STOP 1
SELECT name, owner FROM chronicle.projections ORDER BY name;
