-- chronicle.append: versions, expected versions, idempotent retries, ids, recorded_at.
\set SHOW_CONTEXT never

-- A new stream starts at version 1; each append returns the stream's new version.
SELECT chronicle.append('order-1', 'OrderCreated', '{"customerId": "c-7", "total": 0}');
SELECT chronicle.append('order-1', 'ItemAdded', '{"sku": "apple", "price": 3}');
SELECT chronicle.append('order-1', 'ItemAdded', '{"sku": "pear", "price": 4}', '{"by": "test"}');
SELECT chronicle.stream_version('order-1');

-- expected_version 0: the stream must not exist yet.
SELECT chronicle.append('order-2', 'OrderCreated', '{}', expected_version => 0);
SELECT chronicle.append('order-2', 'OrderCreated', '{}', expected_version => 0);
\echo :LAST_ERROR_SQLSTATE
-- expected_version N: the stream must be at exactly N.
SELECT chronicle.append('order-2', 'OrderPaid', '{}', expected_version => 1);
SELECT chronicle.append('order-2', 'OrderShipped', '{}', expected_version => 1);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('order-2', 'OrderShipped', '{}', expected_version => 3);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('order-404', 'OrderShipped', '{}', expected_version => 5);
\echo :LAST_ERROR_SQLSTATE
-- NULL: any version.
SELECT chronicle.append('order-2', 'OrderShipped', '{"tracking": "T1"}', expected_version => NULL);

-- A failed append writes nothing and burns no position (this is the first test file).
SELECT count(*) AS events, max(global_position) AS last_position FROM chronicle.events;

-- Idempotent retries: the same event id at the same position returns the same version.
SELECT chronicle.append('order-3', 'OrderCreated', '{}', expected_version => 0,
                        event_id => '11111111-1111-4111-8111-111111111111');
SELECT chronicle.append('order-3', 'OrderCreated', '{}', expected_version => 0,
                        event_id => '11111111-1111-4111-8111-111111111111');
SELECT chronicle.append('order-3', 'OrderPaid', '{}',
                        event_id => '22222222-2222-4222-8222-222222222222');
-- With expected_version NULL, a retry is recognised wherever the id is in the stream.
SELECT chronicle.append('order-3', 'OrderCreated', '{}',
                        event_id => '11111111-1111-4111-8111-111111111111');
SELECT chronicle.append('order-3', 'OrderPaid', '{}',
                        event_id => '22222222-2222-4222-8222-222222222222');
SELECT count(*) FROM chronicle.events WHERE stream = 'order-3';
-- The same id at another position of the stream, or in another stream, is an error.
SELECT chronicle.append('order-3', 'OrderPaid', '{}', expected_version => 0,
                        event_id => '22222222-2222-4222-8222-222222222222');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('order-4', 'OrderCreated', '{}',
                        event_id => '11111111-1111-4111-8111-111111111111');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM chronicle.events WHERE stream IN ('order-3', 'order-4');

-- Generated ids are distinct version 7 uuids (time-ordered).
SELECT count(DISTINCT event_id) = count(*) AS distinct_ids,
       bool_and(substr(event_id::text, 15, 1) = '7') AS all_v7
  FROM chronicle.events
 WHERE event_id NOT IN ('11111111-1111-4111-8111-111111111111',
                        '22222222-2222-4222-8222-222222222222');

-- Category: the part before the first '-'.
SELECT DISTINCT stream, category FROM chronicle.events ORDER BY stream;

-- Several appends in one statement and one transaction see each other.
BEGIN;
SELECT chronicle.append('counter-1', 'Incremented', jsonb_build_object('n', g)) AS version
  FROM generate_series(1, 5) AS g;
SELECT chronicle.append('counter-1', 'Incremented', '{"n": 6}', expected_version => 5);
COMMIT;
SELECT stream_version, data FROM chronicle.read_stream('counter-1');

-- An aborted append leaves nothing behind; the stream's version is unchanged.
BEGIN;
SELECT chronicle.append('counter-1', 'Incremented', '{"n": 7}');
ROLLBACK;
SELECT chronicle.stream_version('counter-1');

-- A savepoint rolled back undoes the append inside it only.
BEGIN;
SELECT chronicle.append('counter-2', 'Incremented', '{"n": 1}');
SAVEPOINT s;
SELECT chronicle.append('counter-2', 'Incremented', '{"n": 2}');
ROLLBACK TO SAVEPOINT s;
SELECT chronicle.append('counter-2', 'Incremented', '{"n": 3}');
COMMIT;
SELECT stream_version, data FROM chronicle.read_stream('counter-2');

-- recorded_at never decreases within a stream; all events of one transaction share it.
SELECT bool_and(recorded_at >= lag) AS non_decreasing
  FROM (SELECT recorded_at, lag(recorded_at, 1, '-infinity') OVER w
          FROM chronicle.events WINDOW w AS (PARTITION BY stream ORDER BY stream_version)) s;
SELECT count(DISTINCT recorded_at) FROM chronicle.events WHERE stream = 'counter-1' AND stream_version <= 6;

-- Metadata: NULL, JSON null (stored as NULL) or an object.
SELECT chronicle.append('meta-1', 'E', '{}', NULL);
SELECT chronicle.append('meta-1', 'E', '{}', 'null');
SELECT chronicle.append('meta-1', 'E', '{}', '{"correlationId": "abc"}');
SELECT stream_version, metadata FROM chronicle.read_stream('meta-1');

-- Unicode and the 255-byte limit counts bytes.
SELECT chronicle.append('заказ-1', 'Создан', '{"имя": "Иван", "emoji": "🎉"}');
SELECT stream, chronicle.category(stream), event_type, data FROM chronicle.read_stream('заказ-1');
SELECT chronicle.append(repeat('a', 255), 'E', '{}');
SELECT chronicle.append(repeat('é', 127) || 'a', 'E', '{}');  -- 255 bytes
SELECT chronicle.append(repeat('é', 128), 'E', '{}');         -- 256 bytes
\echo :LAST_ERROR_SQLSTATE

-- Large payloads (TOASTed) round-trip intact.
SELECT chronicle.append('big-1', 'Blob',
       jsonb_build_object('items', (SELECT jsonb_agg(jsonb_build_object('i', g, 'pad', md5(g::text) || md5((g + 1)::text)))
                                      FROM generate_series(1, 20000) g)));
SELECT jsonb_array_length(data->'items') AS items, pg_column_size(data) > 100000 AS large
  FROM chronicle.read_stream('big-1');

-- In a read-only transaction appends are refused.
BEGIN READ ONLY;
SELECT chronicle.append('ro-1', 'E', '{}');
ROLLBACK;
SELECT chronicle.stream_version('ro-1');

-- A transaction that appended cannot be prepared (its positions would stay in flight).
BEGIN;
SELECT chronicle.append('prep-1', 'E', '{}');
PREPARE TRANSACTION 'chronicle_prep';
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.stream_version('prep-1');

-- A retry must be the same event: same id, stream and position, and the same type, data and
-- metadata (jsonb equality: key order and whitespace do not matter; NULL metadata matches
-- only NULL). Whoever learned an id cannot make the owner's retry report success.
SELECT chronicle.append('order-5', 'OrderCreated', '{"a": 1, "b": [1, 2]}', '{"by": "web"}',
                        expected_version => 0,
                        event_id => '77777777-7777-4777-8777-777777777771');
SELECT max(global_position) AS order5_last FROM chronicle.events \gset
SELECT chronicle.append('order-5', 'OrderCreated', '{"b": [1,2],   "a": 1}', '{"by":"web"}',
                        expected_version => 0,
                        event_id => '77777777-7777-4777-8777-777777777771');
SELECT chronicle.append('order-5', 'OrderCreated', '{"a": 1, "b": [1, 2]}', '{"by": "web"}',
                        event_id => '77777777-7777-4777-8777-777777777771');
-- Another type, data or metadata under the same id: CH002, never a success.
SELECT chronicle.append('order-5', 'OrderCancelled', '{"a": 1, "b": [1, 2]}', '{"by": "web"}',
                        expected_version => 0,
                        event_id => '77777777-7777-4777-8777-777777777771');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('order-5', 'OrderCreated', '{"a": 2, "b": [1, 2]}', '{"by": "web"}',
                        expected_version => 0,
                        event_id => '77777777-7777-4777-8777-777777777771');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('order-5', 'OrderCreated', '{"a": 1, "b": [2, 1]}', '{"by": "web"}',
                        event_id => '77777777-7777-4777-8777-777777777771');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('order-5', 'OrderCreated', '{"a": 1, "b": [1, 2]}', '{"by": "app"}',
                        event_id => '77777777-7777-4777-8777-777777777771');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('order-5', 'OrderCreated', '{"a": 1, "b": [1, 2]}',
                        event_id => '77777777-7777-4777-8777-777777777771');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('order-5', 'OrderCreated', '{"a": 9}', '{}',
                        event_id => '77777777-7777-4777-8777-777777777771');
\echo :LAST_ERROR_SQLSTATE
-- Metadata: NULL and JSON null are both stored as NULL and match each other, not '{}'.
SELECT chronicle.append('order-6', 'OrderCreated', '{}',
                        event_id => '77777777-7777-4777-8777-777777777772');
SELECT chronicle.append('order-6', 'OrderCreated', '{}', 'null',
                        event_id => '77777777-7777-4777-8777-777777777772');
SELECT chronicle.append('order-6', 'OrderCreated', '{}', '{}',
                        event_id => '77777777-7777-4777-8777-777777777772');
\echo :LAST_ERROR_SQLSTATE
-- The type is compared exactly.
SELECT chronicle.append('order-6', 'ordercreated', '{}',
                        event_id => '77777777-7777-4777-8777-777777777772');
\echo :LAST_ERROR_SQLSTATE
-- Nothing was written by the retries or the refused appends: since order-5's event, only
-- order-6's first event took a position.
SELECT stream, stream_version, event_type, data, metadata
  FROM chronicle.events WHERE stream IN ('order-5', 'order-6') ORDER BY global_position;
SELECT max(global_position) - :order5_last AS positions_taken_since FROM chronicle.events;
