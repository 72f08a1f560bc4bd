-- Stored events are immutable, for everyone, owners and superusers included.
\set SHOW_CONTEXT never
SELECT chronicle.append('imm-1', 'E', '{"v": 1}');

UPDATE chronicle.event_log SET data = '{"v": 2}';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM chronicle.event_log;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE chronicle.event_log;
\echo :LAST_ERROR_SQLSTATE
-- An UPDATE that matches no row is refused too: the guard is per statement.
UPDATE chronicle.event_log SET data = '{}' WHERE false;
\echo :LAST_ERROR_SQLSTATE

-- Replication mode does not switch the guard off.
SET session_replication_role = replica;
DELETE FROM chronicle.event_log;
\echo :LAST_ERROR_SQLSTATE
RESET session_replication_role;

-- The views are read-only for plain SQL.
UPDATE chronicle.events SET data = '{}';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM chronicle.streams;
\echo :LAST_ERROR_SQLSTATE

SELECT stream, stream_version, data FROM chronicle.events WHERE stream = 'imm-1';

-- A reader (granted the views, docs/security.md) reads through them but cannot touch the table.
CREATE ROLE chronicle_reader;
GRANT SELECT ON chronicle.events, chronicle.streams TO chronicle_reader;
SET ROLE chronicle_reader;
SELECT count(*) FROM chronicle.events WHERE stream = 'imm-1';
SELECT stream, version FROM chronicle.streams WHERE stream = 'imm-1';
SELECT count(*) FROM chronicle.event_log;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE SELECT ON chronicle.events, chronicle.streams FROM chronicle_reader;
DROP ROLE chronicle_reader;
