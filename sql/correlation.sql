-- Correlation and causation ids (0.8): append and append_batch record them from the event's
-- metadata keys "correlation_id" / "causation_id" or, when a key is absent, from the settings
-- chronicle.correlation_id / chronicle.causation_id; the events view shows them and
-- read_correlated reads a conversation back in position order.
\set SHOW_CONTEXT never
-- Positions are shown relative to where this file starts (other files appended before).
SELECT coalesce(max(global_position), 0) AS p0 FROM chronicle.events \gset

------------------------------------------------------------------------------------------
-- The settings: user-settable strings, empty (none) by default
------------------------------------------------------------------------------------------
SELECT name, setting, context, vartype, boot_val
  FROM pg_settings WHERE name IN ('chronicle.correlation_id', 'chronicle.causation_id')
 ORDER BY name;

------------------------------------------------------------------------------------------
-- Where the ids come from
------------------------------------------------------------------------------------------
-- From the metadata; the metadata itself is stored unchanged.
SELECT chronicle.append('corr_order-1', 'Placed', '{"n": 1}',
                        '{"correlation_id": "conv-1", "causation_id": "cmd-1", "user": "u-1"}');
-- From the settings, for every event of a transaction (SET LOCAL).
BEGIN;
SET LOCAL chronicle.correlation_id = 'conv-1';
SET LOCAL chronicle.causation_id = 'evt-1';
SELECT chronicle.append('corr_pay-1', 'Charged', '{}');
-- The metadata wins over the setting, key by key.
SELECT chronicle.append('corr_pay-1', 'Receipted', '{}', '{"correlation_id": "conv-2"}');
-- append_batch with mixed events: the settings, one key of its own, both, other keys only.
SELECT chronicle.append_batch('corr_ship-1', '[
  {"type": "Packed", "data": {}},
  {"type": "Labelled", "data": {}, "metadata": {"causation_id": "cmd-9"}},
  {"type": "Sent", "data": {}, "metadata": {"correlation_id": "conv-2", "causation_id": "cmd-10"}},
  {"type": "Noted", "data": {}, "metadata": {"note": "x"}},
  {"type": "Nulled", "data": {}, "metadata": null}]');
COMMIT;
-- The transaction is over: the settings are none again.
SHOW chronicle.correlation_id;
SELECT chronicle.append('corr_pay-1', 'Closed', '{}');
-- An empty setting means none; a session SET lasts beyond the transaction.
SET chronicle.correlation_id = 'conv-1';
SELECT chronicle.append('corr_order-1', 'Shipped', '{}');
SET chronicle.correlation_id = '';
SELECT chronicle.append('corr_pay-1', 'Archived', '{}', '{"causation_id": "cmd-11"}');
RESET chronicle.correlation_id;
-- A rolled-back SET LOCAL leaves nothing behind.
BEGIN;
SET LOCAL chronicle.correlation_id = 'conv-rolled-back';
ROLLBACK;
SELECT chronicle.append('corr_order-1', 'Noted', '{}');

-- The events view: the two columns at its end.
SELECT global_position - :p0 AS pos, stream, stream_version AS v, event_type, correlation_id,
       causation_id, metadata
  FROM chronicle.events WHERE global_position > :p0 ORDER BY global_position;
SELECT attname, format_type(atttypid, atttypmod) AS type, attnum,
       (SELECT collname FROM pg_collation WHERE oid = attcollation) AS collation
  FROM pg_attribute WHERE attrelid = 'chronicle.events'::regclass AND attnum > 9 ORDER BY attnum;

------------------------------------------------------------------------------------------
-- read_correlated: one conversation, in position order, across streams and transactions
------------------------------------------------------------------------------------------
SELECT global_position - :p0 AS pos, stream, stream_version, event_type, metadata
  FROM chronicle.read_correlated('conv-1');
SELECT global_position - :p0 AS pos, stream, event_type FROM chronicle.read_correlated('conv-2');
-- Events of another session and transaction join the conversation, still in position order.
\c
\set SHOW_CONTEXT never
BEGIN;
SET LOCAL chronicle.correlation_id = 'conv-2';
SELECT chronicle.append('corr_order-1', 'Rerouted', '{}');
SELECT chronicle.append('corr_zeta-1', 'Seen', '{}');
COMMIT;
SELECT chronicle.append('corr_alpha-1', 'Seen', '{}', '{"correlation_id": "conv-2"}');
SELECT global_position - :p0 AS pos, stream, event_type FROM chronicle.read_correlated('conv-2');
-- The positions are increasing and every event carries the id (the view agrees).
SELECT array_agg(global_position ORDER BY global_position) =
       (SELECT array_agg(global_position) FROM chronicle.read_correlated('conv-2')) AS same_as_view
  FROM chronicle.events WHERE correlation_id = 'conv-2';
-- Its rows are chronicle.event rows, as every read function returns them.
SELECT pg_typeof(r) FROM chronicle.read_correlated('conv-1') r LIMIT 1;
SELECT count(*) FROM chronicle.read_correlated('conv-1') r
  JOIN chronicle.read_stream('corr_order-1') s USING (global_position)
 WHERE r IS NOT DISTINCT FROM s;
-- An unknown id: no rows. Ids compare byte for byte (COLLATE "C"): case and spaces count.
SELECT count(*) FROM chronicle.read_correlated('conv-404');
SELECT count(*) FROM chronicle.read_correlated('CONV-1');
SELECT count(*) FROM chronicle.read_correlated('conv-1 ');
-- A causation id is not a correlation id.
SELECT count(*) FROM chronicle.read_correlated('cmd-1');
-- Events written in a transaction that rolled back are not part of the conversation.
BEGIN;
SELECT chronicle.append('corr_order-1', 'Lost', '{}', '{"correlation_id": "conv-1"}');
SELECT count(*) AS inside FROM chronicle.read_correlated('conv-1');
ROLLBACK;
SELECT count(*) AS after_rollback FROM chronicle.read_correlated('conv-1');
-- In a query, per row.
SELECT c.id, (SELECT count(*) FROM chronicle.read_correlated(c.id)) AS events
  FROM (VALUES ('conv-1'), ('conv-2'), ('conv-3')) c(id) ORDER BY c.id;

-- read_correlated reads its index, never the whole log: without it (dropped by hand, or
-- replaced by another index of that name) it says so; appends go on.
BEGIN;
DROP INDEX chronicle.event_log_correlation_idx;
SELECT count(*) FROM chronicle.read_correlated('conv-1');
ROLLBACK;
BEGIN;
DROP INDEX chronicle.event_log_correlation_idx;
CREATE INDEX event_log_correlation_idx ON chronicle.event_log (causation_id, global_position);
SELECT count(*) FROM chronicle.read_correlated('conv-1');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
DROP INDEX chronicle.event_log_correlation_idx;
SELECT chronicle.append('corr_noindex-1', 'E', '{}', '{"correlation_id": "conv-noindex"}');
SELECT correlation_id FROM chronicle.events WHERE stream = 'corr_noindex-1';
ROLLBACK;
SELECT count(*) FROM chronicle.read_correlated('conv-1');

------------------------------------------------------------------------------------------
-- The argument of read_correlated: NULL, empty and oversize ids are refused (CH016)
------------------------------------------------------------------------------------------
SELECT * FROM chronicle.read_correlated(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM chronicle.read_correlated('');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM chronicle.read_correlated(repeat('x', 256));
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------------------
-- Invalid ids in metadata: CH013, and nothing is written
------------------------------------------------------------------------------------------
SELECT chronicle.append('corr_bad-1', 'E', '{}', '{"correlation_id": 42}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('corr_bad-1', 'E', '{}', '{"correlation_id": null}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('corr_bad-1', 'E', '{}', '{"correlation_id": true}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('corr_bad-1', 'E', '{}', '{"correlation_id": {"id": "conv-1"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('corr_bad-1', 'E', '{}', '{"causation_id": ["cmd-1"]}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('corr_bad-1', 'E', '{}', '{"causation_id": ""}');
\echo :LAST_ERROR_SQLSTATE
-- At most 255 bytes, not characters: 128 two-byte characters are 256 bytes.
SELECT chronicle.append('corr_bad-1', 'E', '{}',
                        jsonb_build_object('correlation_id', repeat('é', 128)));
\echo :LAST_ERROR_SQLSTATE
-- A setting does not make an invalid key acceptable: the key is what the caller said.
BEGIN;
SET LOCAL chronicle.correlation_id = 'conv-1';
SELECT chronicle.append('corr_bad-1', 'E', '{}', '{"correlation_id": 7}');
ROLLBACK;
-- In a batch, the event is named, and no event of the batch is written.
SELECT chronicle.append_batch('corr_bad-1', '[{"type": "E", "data": {}, "metadata": {"correlation_id": "ok"}},
                                              {"type": "E", "data": {}, "metadata": {"causation_id": 1.5}}]');
\echo :LAST_ERROR_SQLSTATE
-- Metadata that is not an object is the older error, as before.
SELECT chronicle.append('corr_bad-1', 'E', '{}', '["correlation_id"]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.stream_version('corr_bad-1');
-- 255 bytes are accepted, multi-byte characters included.
SELECT chronicle.append('corr_long-1', 'E', '{}',
                        jsonb_build_object('correlation_id', repeat('é', 127) || 'x'));
SELECT octet_length(correlation_id) FROM chronicle.events WHERE stream = 'corr_long-1';
SELECT count(*) FROM chronicle.read_correlated(repeat('é', 127) || 'x');

------------------------------------------------------------------------------------------
-- Invalid settings: refused when set (22023), so that no append meets one
------------------------------------------------------------------------------------------
SELECT repeat('x', 256) AS too_long, repeat('x', 255) AS longest \gset
SET chronicle.correlation_id = :'too_long';
\echo :LAST_ERROR_SQLSTATE
SELECT set_config('chronicle.causation_id', repeat('é', 128), false);
\echo :LAST_ERROR_SQLSTATE
SHOW chronicle.correlation_id;
SET chronicle.correlation_id = :'longest';
SELECT chronicle.append('corr_long-2', 'E', '{}');
SELECT octet_length(correlation_id) FROM chronicle.events WHERE stream = 'corr_long-2';
RESET chronicle.correlation_id;

------------------------------------------------------------------------------------------
-- Idempotent retries: the ids resolved now must be the stored ones
------------------------------------------------------------------------------------------
-- First attempt, with the id from the setting.
BEGIN;
SET LOCAL chronicle.correlation_id = 'conv-retry';
SELECT chronicle.append('corr_retry-1', 'E', '{"n": 1}', '{"k": 1}',
                        event_id => '00000000-0000-7000-8000-00000000c001');
COMMIT;
-- The same retry under the same setting: the stored version, nothing written again.
BEGIN;
SET LOCAL chronicle.correlation_id = 'conv-retry';
SELECT chronicle.append('corr_retry-1', 'E', '{"n": 1}', '{"k": 1}',
                        event_id => '00000000-0000-7000-8000-00000000c001');
COMMIT;
-- A retry without the setting (it would record no id) or under another one is no retry.
SELECT chronicle.append('corr_retry-1', 'E', '{"n": 1}', '{"k": 1}',
                        event_id => '00000000-0000-7000-8000-00000000c001');
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SET LOCAL chronicle.correlation_id = 'conv-other';
SELECT chronicle.append('corr_retry-1', 'E', '{"n": 1}', '{"k": 1}',
                        event_id => '00000000-0000-7000-8000-00000000c001');
ROLLBACK;
-- A causation id set now that the first attempt did not have differs too.
BEGIN;
SET LOCAL chronicle.correlation_id = 'conv-retry';
SET LOCAL chronicle.causation_id = 'cause-new';
SELECT chronicle.append('corr_retry-1', 'E', '{"n": 1}', '{"k": 1}',
                        event_id => '00000000-0000-7000-8000-00000000c001');
ROLLBACK;
-- Ids carried by the metadata make the retry independent of the settings.
SELECT chronicle.append_batch('corr_retry-2', '[
  {"type": "E", "data": {}, "id": "00000000-0000-7000-8000-00000000c002",
   "metadata": {"correlation_id": "conv-retry", "causation_id": "c-2"}},
  {"type": "E", "data": {}, "id": "00000000-0000-7000-8000-00000000c003",
   "metadata": {"correlation_id": "conv-retry", "causation_id": "c-3"}}]', expected_version => 0);
BEGIN;
SET LOCAL chronicle.correlation_id = 'conv-other';
SET LOCAL chronicle.causation_id = 'cause-other';
SELECT chronicle.append_batch('corr_retry-2', '[
  {"type": "E", "data": {}, "id": "00000000-0000-7000-8000-00000000c002",
   "metadata": {"correlation_id": "conv-retry", "causation_id": "c-2"}},
  {"type": "E", "data": {}, "id": "00000000-0000-7000-8000-00000000c003",
   "metadata": {"correlation_id": "conv-retry", "causation_id": "c-3"}}]', expected_version => 0);
COMMIT;
SELECT stream, stream_version, event_id, correlation_id, causation_id
  FROM chronicle.events WHERE stream LIKE 'corr_retry-%' ORDER BY global_position;

------------------------------------------------------------------------------------------
-- Privileges: read_correlated is not PUBLIC's; the settings are any role's
------------------------------------------------------------------------------------------
CREATE ROLE corr_nobody;
CREATE ROLE corr_reader;
CREATE ROLE corr_writer LOGIN;
GRANT EXECUTE ON FUNCTION chronicle.read_correlated(text) TO corr_reader;
GRANT EXECUTE ON FUNCTION chronicle.append(text, text, jsonb, jsonb, bigint, uuid) TO corr_writer;
SET ROLE corr_nobody;
SELECT count(*) FROM chronicle.read_correlated('conv-1');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE corr_reader;
SELECT count(*) FROM chronicle.read_correlated('conv-1');
RESET ROLE;
-- A role's own default, as any user-settable setting.
ALTER ROLE corr_writer SET chronicle.correlation_id = 'conv-writer';
\c - corr_writer
SHOW chronicle.correlation_id;
SELECT chronicle.append('corr_role-1', 'E', '{}');
\c - postgres
SELECT stream, correlation_id FROM chronicle.events WHERE stream = 'corr_role-1';

REVOKE ALL ON FUNCTION chronicle.read_correlated(text) FROM corr_reader;
REVOKE ALL ON FUNCTION chronicle.append(text, text, jsonb, jsonb, bigint, uuid) FROM corr_writer;
ALTER ROLE corr_writer RESET ALL;
DROP ROLE corr_nobody;
DROP ROLE corr_reader;
DROP ROLE corr_writer;
