-- DROP EXTENSION chronicle would drop the event log and every event in it: it is refused
-- while the log holds events, unless the session sets chronicle.allow_drop_with_events.
-- The file drops the extension and ends with a fresh install for the next file.
\set SHOW_CONTEXT never

-- Start from an empty log (the earlier files' events are theirs, and go now).
SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle;
RESET chronicle.allow_drop_with_events;
CREATE EXTENSION chronicle;
SHOW chronicle.allow_drop_with_events;

-- An empty event log drops as before.
DROP EXTENSION chronicle;
SELECT count(*) AS installed FROM pg_extension WHERE extname = 'chronicle';
CREATE EXTENSION chronicle;

-- An event appended earlier in the same transaction counts.
BEGIN;
SELECT chronicle.append('guard-0', 'Opened', '{}');
DROP EXTENSION chronicle;
ROLLBACK;

-- With events: refused, with CASCADE and IF EXISTS too, and in a list of extensions.
SELECT chronicle.append('guard-1', 'Opened', '{"n": 1}');
SELECT chronicle.append('guard-1', 'Closed', '{"n": 2}');
DROP EXTENSION chronicle;
\echo :LAST_ERROR_SQLSTATE
DROP EXTENSION chronicle CASCADE;
\echo :LAST_ERROR_SQLSTATE
DROP EXTENSION IF EXISTS chronicle CASCADE;
DROP EXTENSION IF EXISTS chronicle_not_installed, chronicle;
-- Nothing was dropped: the extension, its objects and the events are all there.
SELECT count(*) AS installed FROM pg_extension WHERE extname = 'chronicle';
SELECT stream_version, event_type, data FROM chronicle.read_stream('guard-1');

-- DROP SCHEMA chronicle CASCADE would drop the extension with it (the extension depends on
-- its schema): refused the same way. Without CASCADE PostgreSQL refuses it itself.
DROP SCHEMA chronicle;
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA chronicle CASCADE;
\echo :LAST_ERROR_SQLSTATE
DROP SCHEMA IF EXISTS chronicle_not_there, chronicle CASCADE;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS events FROM chronicle.events;
-- Other schemas drop as before.
CREATE SCHEMA guard_scratch;
DROP SCHEMA guard_scratch CASCADE;

-- A role that may not drop the extension gets PostgreSQL's own error, as before.
CREATE ROLE regress_drop_stranger;
SET ROLE regress_drop_stranger;
DROP EXTENSION chronicle;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE regress_drop_stranger;

-- SET LOCAL is enough, and a rolled back drop keeps everything.
BEGIN;
SET LOCAL chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle;
SELECT to_regclass('chronicle.event_log') AS event_log_in_transaction;
ROLLBACK;
SELECT count(*) AS events FROM chronicle.events;

-- Allowed once the session says it means it.
SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle CASCADE;
RESET chronicle.allow_drop_with_events;
SELECT count(*) AS installed FROM pg_extension WHERE extname = 'chronicle';
SELECT to_regclass('chronicle.event_log') AS event_log;

-- A fresh install for the next file.
CREATE EXTENSION chronicle;
SELECT count(*) AS events FROM chronicle.events;
