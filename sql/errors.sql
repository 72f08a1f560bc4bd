-- Every documented error: its message and SQLSTATE, and that nothing was written.
\set SHOW_CONTEXT never

SELECT coalesce(max(global_position), 0) AS positions_before FROM chronicle.events \gset
-- Stream names: CH010.
SELECT chronicle.append(NULL, 'E', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('', 'E', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append(repeat('x', 256), 'E', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch(NULL, '[]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.stream_version(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM chronicle.read_stream('');
\echo :LAST_ERROR_SQLSTATE

-- Event types: CH011.
SELECT chronicle.append('err-1', NULL, '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('err-1', '', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('err-1', repeat('t', 256), '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('err-1', '[{"data": {}}]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('err-1', '[{"type": 42, "data": {}}]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('err-1', '[{"type": null, "data": {}}]');
\echo :LAST_ERROR_SQLSTATE

-- Event data: CH012 (must be a JSON object).
SELECT chronicle.append('err-1', 'E', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('err-1', 'E', '[1, 2]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('err-1', 'E', '"text"');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('err-1', 'E', '42');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('err-1', 'E', 'null');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('err-1', 'E', 'true');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('err-1', '[{"type": "E"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('err-1', '[{"type": "E", "data": [1]}]');
\echo :LAST_ERROR_SQLSTATE

-- Metadata: CH013 (a JSON object or null).
SELECT chronicle.append('err-1', 'E', '{}', '[1]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('err-1', 'E', '{}', '"x"');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('err-1', '[{"type": "E", "data": {}, "metadata": 1}]');
\echo :LAST_ERROR_SQLSTATE

-- Batches: CH014 (an array of objects with known keys only).
SELECT chronicle.append_batch('err-1', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('err-1', '{"type": "E", "data": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('err-1', '"[]"');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('err-1', '[{"type": "E", "data": {}}, 7]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('err-1', '[{"type": "E", "data": {}}, [1]]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('err-1', '[{"type": "E", "data": {}, "dta": {}}]');
\echo :LAST_ERROR_SQLSTATE

-- Negative expected version: CH015.
SELECT chronicle.append('err-1', 'E', '{}', expected_version => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('err-1', '[]', -5);
\echo :LAST_ERROR_SQLSTATE

-- Read arguments: CH016.
SELECT * FROM chronicle.read_stream('err-1', from_version => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM chronicle.read_stream('err-1', max_count => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM chronicle.read_all(after_position => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM chronicle.read_all(max_count => -1);
\echo :LAST_ERROR_SQLSTATE

-- Event ids: CH017 in batches; the uuid type itself rejects bad uuids in append (22P02).
SELECT chronicle.append_batch('err-1', '[{"type": "E", "data": {}, "id": "not-a-uuid"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('err-1', '[{"type": "E", "data": {}, "id": "1234"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('err-1', '[{"type": "E", "data": {}, "id": 12345}]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('err-1', '[{"type": "E", "data": {}, "id": "11111111-1111-4111-8111-11111111111g"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('err-1', 'E', '{}', event_id => 'not-a-uuid');
\echo :LAST_ERROR_SQLSTATE

-- Nothing above wrote anything.
SELECT count(*) FROM chronicle.events WHERE stream = 'err-1';
SELECT coalesce(max(global_position), 0) = :positions_before AS no_position_taken FROM chronicle.events;

