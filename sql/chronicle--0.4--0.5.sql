-- chronicle 0.4 -> 0.5: one projection never holds back another; bounded stalls made visible.
--
-- Sections are added by topic below; each says what it is for.
\echo Use "ALTER EXTENSION chronicle UPDATE TO '0.5'" to load this file. \quit


-- ---------------------------------------------------------------------------------------
-- Section (issue 10, visible stalls): chronicle.in_flight_appends, the open transactions
-- that hold an in-flight position. Until such a transaction ends, read_all, every async
-- projection of the database and wait_for_projection stop below its position.
-- Not PUBLIC's: it shows other sessions' roles and activity (docs/security.md grants it to
-- the reader role).
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION chronicle._in_flight_positions(OUT pid integer, OUT "position" bigint,
                                               OUT since timestamptz)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'chronicle_in_flight_positions' LANGUAGE C VOLATILE STRICT;
-- Callable by PUBLIC, but it answers only roles that may SELECT the view (it checks).

CREATE VIEW chronicle.in_flight_appends AS
    SELECT f.pid, f.position, f.since,
           pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) f.since AS held_for,
           a.usename, a.application_name, a.client_addr, a.state, a.xact_start,
           a.state_change, a.wait_event_type, a.wait_event
      FROM chronicle._in_flight_positions() f
      LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) f.pid
     ORDER BY f.position;
COMMENT ON VIEW chronicle.in_flight_appends IS
    'Open transactions that appended and hold back read_all, async projections and wait_for_projection below their position';
REVOKE ALL ON chronicle.in_flight_appends FROM PUBLIC;
GRANT SELECT ON chronicle.in_flight_appends TO @extowner@ WITH GRANT OPTION;

-- ---------------------------------------------------------------------------------------
-- Section (issue 10, defect 6: a database beyond chronicle.max_workers): _waits_for_worker()
-- says whether this database waits for a worker slot; create_projection, resume_projection
-- and rebuild_projection warn then (through _projection_warn_if_no_worker), and
-- projection_status shows the state 'waiting_for_worker' for the running async projections
-- and the rebuilds of such a database. The projection_status below is 0.3's with only that
-- state added (the CASE's second branch); a later section may redefine the view again: keep
-- that branch.
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION chronicle._waits_for_worker() RETURNS boolean
    AS 'MODULE_PATHNAME', 'chronicle_waits_for_worker' LANGUAGE C VOLATILE;
-- Kept for PUBLIC, like _workers_enabled: it tells only what the server log says anyway.

CREATE OR REPLACE FUNCTION chronicle._projection_warn_if_no_worker() RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT chronicle._workers_enabled() THEN
        RAISE WARNING 'no background worker will run this projection'
            USING DETAIL = 'This server runs no chronicle workers: chronicle is not in shared_preload_libraries, or chronicle.max_workers is 0.',
                  HINT = 'Add chronicle to shared_preload_libraries and restart, or use mode => ''inline''.';
    ELSIF chronicle._waits_for_worker() THEN
        RAISE WARNING 'this database waits for a chronicle worker: its async projections and rebuilds do not advance'
            USING DETAIL = format('All %s of chronicle.max_workers are serving other databases.',
                                  current_setting('chronicle.max_workers')),
                  HINT = 'Raise chronicle.max_workers (and max_worker_processes) and restart, or drop chronicle from a database that does not need it.';
    END IF;
END $$;

CREATE OR REPLACE VIEW chronicle.projection_status AS
    SELECT p.name, p.kind, p.mode,
           CASE WHEN p.state <> 'running' THEN p.state
                WHEN (p.mode = 'async' OR p.rebuild_table IS NOT NULL)
                     AND chronicle._waits_for_worker() THEN 'waiting_for_worker'
                WHEN p.rebuild_table IS NOT NULL THEN 'rebuilding'
                WHEN lag.events >= coalesce(current_setting('chronicle.worker_batch_size', true), '1000')::bigint THEN 'catching_up'
                ELSE 'running' END AS state,
           CASE WHEN p.mode = 'inline' THEN head.position ELSE p.position END AS position,
           lag.events AS lag_events,
           coalesce(extract(epoch FROM now() - lag.oldest), 0)::double precision AS lag_seconds,
           p.events_applied, p.applied_at,
           p.last_error, p.last_error_sqlstate, p.last_error_at, p.last_error_position,
           p.rebuild_position,
           CASE WHEN p.rebuild_table IS NULL THEN NULL
                WHEN head.position = 0 THEN 1.0
                ELSE round(least(p.rebuild_position::numeric / head.position, 1), 3) END AS rebuild_progress,
           p.rebuild_started_at,
           coalesce(p.table_name::text, p.handler::text) AS target
      FROM chronicle.projections p
     CROSS JOIN LATERAL (SELECT coalesce(max(global_position), 0) AS position FROM chronicle.event_log) head
     CROSS JOIN LATERAL (
           SELECT count(*) AS events, min(e.recorded_at) AS oldest
             FROM chronicle.event_log e
            WHERE p.mode = 'async'
              AND e.global_position > p.position
              AND (p.category IS NULL OR e.category = p.category)
              AND (p.event_types IS NULL OR e.event_type = ANY (p.event_types))) lag
     ORDER BY p.name;
