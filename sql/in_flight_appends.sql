-- chronicle.in_flight_appends: the open transactions of this database that hold a position,
-- with the pg_stat_activity columns that say who they are. Not readable by PUBLIC.
\set SHOW_CONTEXT never

SELECT count(*) FROM chronicle.in_flight_appends;
BEGIN;
SELECT chronicle.append('inflight-1', 'E', '{}') AS version;
SELECT chronicle.append('inflight-2', 'E', '{}') AS version;
-- one row: this session, at its first position, since its first append
SELECT pid = pg_backend_pid() AS mine,
       position = (SELECT min(global_position) FROM chronicle.event_log
                    WHERE stream IN ('inflight-1', 'inflight-2')) AS lowest_position,
       since >= xact_start AS since_after_start, held_for >= interval '0' AS held,
       usename = current_user AS usename, state, xact_start = now() AS xact_start
  FROM chronicle.in_flight_appends;
COMMIT;
SELECT count(*) FROM chronicle.in_flight_appends;

-- A savepoint rolled back keeps the transaction's position (read_all still stops below it).
BEGIN;
SAVEPOINT s;
SELECT chronicle.append('inflight-3', 'E', '{}') AS version;
ROLLBACK TO SAVEPOINT s;
SELECT count(*) FROM chronicle.in_flight_appends WHERE pid = pg_backend_pid();
ROLLBACK;
SELECT count(*) FROM chronicle.in_flight_appends;

-- Not PUBLIC's: it shows other sessions' roles and activity.
CREATE ROLE inflight_nobody;
SET ROLE inflight_nobody;
SELECT * FROM chronicle.in_flight_appends;
SELECT * FROM chronicle_internal._in_flight_positions();
RESET ROLE;
CREATE ROLE inflight_reader;
GRANT USAGE ON SCHEMA chronicle TO inflight_reader;
GRANT SELECT ON chronicle.in_flight_appends TO inflight_reader;
SET ROLE inflight_reader;
SELECT count(*) FROM chronicle.in_flight_appends;
RESET ROLE;
REVOKE ALL ON chronicle.in_flight_appends FROM inflight_reader;
REVOKE USAGE ON SCHEMA chronicle FROM inflight_reader;
DROP ROLE inflight_nobody, inflight_reader;
