-- Upgrading 0.7 -> 0.8 with the 0.8 library loaded: until ALTER EXTENSION ... UPDATE the
-- event log has 0.7's 9 columns, and appends, reads and retries work as under 0.7 (the ids
-- are neither recorded nor checked); after it, appends record the ids and read_correlated
-- reads them, in the session that upgraded as well as in a new one. Events appended before
-- the upgrade keep no ids. The file ends with a fresh install for the next file.
\set SHOW_CONTEXT never

SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle CASCADE;
RESET chronicle.allow_drop_with_events;
CREATE EXTENSION chronicle VERSION '0.7';
SELECT extversion FROM pg_extension WHERE extname = 'chronicle';
SELECT count(*) AS event_log_columns
  FROM pg_attribute WHERE attrelid = 'chronicle.event_log'::regclass AND attnum > 0;
SELECT to_regclass('chronicle.event_log_correlation_idx') IS NULL AS no_correlation_index,
       to_regprocedure('chronicle.read_correlated(text)') IS NULL AS no_read_correlated;

------------------------------------------------------------------------------------------
-- At 0.7: appends as before; metadata kept as given, settings unused
------------------------------------------------------------------------------------------
SET chronicle.correlation_id = 'conv-setting';
SELECT chronicle.append('corru-1', 'Placed', '{}', '{"correlation_id": "conv-a"}');
-- Not refused at 0.7: the rules on the keys start with the columns.
SELECT chronicle.append('corru-1', 'Noted', '{}', '{"correlation_id": 42}');
SELECT chronicle.append_batch('corru-1', '[{"type": "Paid", "data": {}},
  {"type": "Sent", "data": {}, "metadata": {"causation_id": ""}}]');
SELECT chronicle.append('corru-2', 'Placed', '{}', event_id => '00000000-0000-7000-8000-00000000c0a1');
-- An idempotent retry still is one.
SELECT chronicle.append('corru-2', 'Placed', '{}', event_id => '00000000-0000-7000-8000-00000000c0a1');
RESET chronicle.correlation_id;
SELECT global_position, stream, stream_version, event_type, metadata
  FROM chronicle.events ORDER BY global_position;
SELECT event_type, stream_version FROM chronicle.read_stream('corru-1');
SELECT count(*) FROM chronicle.read_all();

-- read_correlated's C function, bound by hand at 0.7, says what to do.
CREATE FUNCTION pg_temp.read_correlated_c(text) RETURNS SETOF chronicle.event
    AS '$libdir/chronicle', 'chronicle_read_correlated' LANGUAGE C;
SELECT * FROM pg_temp.read_correlated_c('conv-a');
\echo :LAST_ERROR_SQLSTATE

-- Columns of those names but not text COLLATE "C" are not the 0.8 layout: refused, not
-- written (rolled back: ALTER EXTENSION UPDATE adds the real ones below).
BEGIN;
ALTER TABLE chronicle.event_log ADD COLUMN correlation_id text COLLATE "default",
                                ADD COLUMN causation_id text COLLATE "C";
SELECT chronicle.append('corru-1', 'Lost', '{}');
ROLLBACK;
BEGIN;
ALTER TABLE chronicle.event_log ADD COLUMN correlation_id text COLLATE "C",
                                ADD COLUMN causation_id varchar COLLATE "C";
SELECT chronicle.append('corru-1', 'Lost', '{}');
ROLLBACK;
SELECT chronicle.stream_version('corru-1');

------------------------------------------------------------------------------------------
-- The upgrade, and the session that ran it
------------------------------------------------------------------------------------------
ALTER EXTENSION chronicle UPDATE TO '0.8';
SELECT extversion FROM pg_extension WHERE extname = 'chronicle';
-- Events of 0.7 have no ids: their metadata is not read back into the new columns.
SELECT global_position, stream, stream_version, correlation_id, causation_id
  FROM chronicle.events ORDER BY global_position;
BEGIN;
SET LOCAL chronicle.correlation_id = 'conv-a';
SET LOCAL chronicle.causation_id = 'cmd-1';
SELECT chronicle.append('corru-1', 'Closed', '{}');
COMMIT;
SELECT chronicle.append('corru-3', 'Placed', '{}', '{"correlation_id": "conv-a"}');
SELECT global_position, stream, stream_version, event_type FROM chronicle.read_correlated('conv-a');
SELECT global_position, stream, stream_version, event_type FROM pg_temp.read_correlated_c('conv-a');
SELECT stream, stream_version, correlation_id, causation_id
  FROM chronicle.events WHERE correlation_id IS NOT NULL ORDER BY global_position;
-- The rules on the keys apply now.
SELECT chronicle.append('corru-1', 'Noted', '{}', '{"correlation_id": 42}');
\echo :LAST_ERROR_SQLSTATE
-- A retry of an event stored at 0.7 (no ids) is one when it resolves to no ids, and not one
-- when a setting would now give it one.
SELECT chronicle.append('corru-2', 'Placed', '{}', event_id => '00000000-0000-7000-8000-00000000c0a1');
BEGIN;
SET LOCAL chronicle.correlation_id = 'conv-a';
SELECT chronicle.append('corru-2', 'Placed', '{}', event_id => '00000000-0000-7000-8000-00000000c0a1');
ROLLBACK;

------------------------------------------------------------------------------------------
-- In a new session
------------------------------------------------------------------------------------------
\c
\set SHOW_CONTEXT never
SELECT chronicle.append_batch('corru-4', '[{"type": "A", "data": {}, "metadata": {"correlation_id": "conv-a"}},
                                           {"type": "B", "data": {}}]');
SELECT stream, stream_version, event_type FROM chronicle.read_correlated('conv-a');
SELECT count(*) AS without_ids FROM chronicle.events WHERE correlation_id IS NULL;

-- A fresh install for the next file.
SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle;
RESET chronicle.allow_drop_with_events;
CREATE EXTENSION chronicle;
