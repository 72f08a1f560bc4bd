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
-- and the rebuilds of such a database. projection_status is redefined with that state in the next section.
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

-- Projection failures: time limits, retries with back-off, parking ----------------------

-- Per projection: a time limit for each batch (NULL: chronicle.projection_time_limit), how
-- often a timed-out batch is retried (NULL: chronicle.projection_retries), and what giving
-- up means: 'stop' (the projection turns failed) or 'park' (handler projections only: the
-- failing event is set aside in chronicle.projection_parked_events and the projection goes
-- on). attempts and retry_at are the worker's bookkeeping of a batch being retried.
ALTER TABLE chronicle.projections
    ADD COLUMN time_limit interval,
    ADD COLUMN retries integer,
    ADD COLUMN on_error text NOT NULL DEFAULT 'stop',
    ADD COLUMN attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN retry_at timestamptz,
    ADD CONSTRAINT projections_on_error_check CHECK (on_error IN ('stop', 'park')),
    ADD CONSTRAINT projections_park_check CHECK (on_error = 'stop' OR kind = 'handler'),
    ADD CONSTRAINT projections_time_limit_check CHECK (time_limit > interval '0'),
    ADD CONSTRAINT projections_retries_check CHECK (retries >= 0);
GRANT SELECT (time_limit, retries, on_error, attempts, retry_at) ON chronicle.projections TO PUBLIC;

-- Events a projection gave up on (on_error 'park'), with the error; dropped with the
-- projection. chronicle.replay_parked_events asks the worker to deliver them again.
CREATE TABLE chronicle.projection_parked_events (
    projection          text        COLLATE "C" NOT NULL
                        REFERENCES chronicle.projections (name) ON DELETE CASCADE ON UPDATE CASCADE,
    global_position     bigint      NOT NULL,
    stream              text        COLLATE "C" NOT NULL,
    stream_version      bigint      NOT NULL,
    event_type          text        COLLATE "C" NOT NULL,
    error               text,
    error_sqlstate      text,
    parked_at           timestamptz NOT NULL DEFAULT now(),
    attempts            integer     NOT NULL DEFAULT 1,
    replay_requested_at timestamptz,
    CONSTRAINT projection_parked_events_pkey PRIMARY KEY (projection, global_position)
);
COMMENT ON TABLE chronicle.projection_parked_events IS
    'Events a projection with on_error ''park'' gave up on, with the error; chronicle.replay_parked_events delivers them again';
SELECT pg_catalog.pg_extension_config_dump('chronicle.projection_parked_events', '');
-- The errors may quote events: not PUBLIC's, as chronicle.projections.last_error is not.
REVOKE ALL ON chronicle.projection_parked_events FROM PUBLIC;
GRANT SELECT ON chronicle.projection_parked_events TO @extowner@ WITH GRANT OPTION;

CREATE FUNCTION chronicle._alter_projection(caller regrole, caller_path text, name text,
                                            time_limit interval, retries integer, on_error text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections := chronicle._projection_for_change(caller, name);
BEGIN
    IF time_limit IS NOT NULL AND time_limit <= interval '0' THEN
        RAISE EXCEPTION 'invalid time_limit for projection "%": %', p.name, time_limit
            USING ERRCODE = 'CH030', HINT = 'A time limit is a positive interval, such as ''30 seconds''.';
    END IF;
    IF retries IS NOT NULL AND retries < 0 THEN
        RAISE EXCEPTION 'invalid retries for projection "%": %', p.name, retries
            USING ERRCODE = 'CH030', HINT = 'retries is 0 or more.';
    END IF;
    IF on_error IS NOT NULL AND on_error NOT IN ('stop', 'park') THEN
        RAISE EXCEPTION 'invalid on_error for projection "%": "%"', p.name, on_error
            USING ERRCODE = 'CH030', HINT = 'on_error is ''stop'' or ''park''.';
    END IF;
    IF on_error = 'park' AND p.kind <> 'handler' THEN
        RAISE EXCEPTION 'projection "%" cannot park events: it is an aggregate projection', p.name
            USING ERRCODE = 'CH030',
                  DETAIL = 'A row folded without one of its stream''s events would be a state the aggregate never had.',
                  HINT = 'Parking is for handler projections; an aggregate projection stops at an event it cannot fold.';
    END IF;
    UPDATE chronicle.projections
       SET time_limit = coalesce(_alter_projection.time_limit, projections.time_limit),
           retries = coalesce(_alter_projection.retries, projections.retries),
           on_error = coalesce(_alter_projection.on_error, projections.on_error)
     WHERE projections.name = p.name;
END $$;

CREATE FUNCTION chronicle.alter_projection(name text, time_limit interval DEFAULT NULL,
                                           retries integer DEFAULT NULL, on_error text DEFAULT NULL)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION chronicle.alter_projection(text, interval, integer, text) IS
    'sets a projection''s time limit per batch, its retries, and on_error (''stop'' or ''park'')';

CREATE FUNCTION chronicle._replay_parked_events(caller regrole, caller_path text, name text)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections := chronicle._projection_for_change(caller, name);
    asked bigint;
BEGIN
    UPDATE chronicle.projection_parked_events
       SET replay_requested_at = now()
     WHERE projection = p.name AND replay_requested_at IS NULL;
    GET DIAGNOSTICS asked = ROW_COUNT;
    RETURN asked;
END $$;

CREATE FUNCTION chronicle.replay_parked_events(name text) RETURNS bigint
    AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION chronicle.replay_parked_events(text) IS
    'asks the worker to deliver a projection''s parked events again, in position order; returns how many';

REVOKE ALL ON FUNCTION chronicle._alter_projection(regrole, text, text, interval, integer, text),
                       chronicle._replay_parked_events(regrole, text, text)
    FROM PUBLIC;
REVOKE ALL ON FUNCTION chronicle.alter_projection(text, interval, integer, text),
                       chronicle.replay_parked_events(text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chronicle.alter_projection(text, interval, integer, text),
                          chronicle.replay_parked_events(text)
    TO @extowner@ WITH GRANT OPTION;

-- Resuming or rebuilding starts the retry count again; a handler rebuild replays every
-- event, the parked ones too.
CREATE OR REPLACE FUNCTION chronicle._resume_projection(caller regrole, caller_path text, name text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections := chronicle._projection_for_change(caller, name);
BEGIN
    UPDATE chronicle.projections SET state = 'running', attempts = 0, retry_at = NULL
     WHERE projections.name = p.name;
    -- Appends skipped a paused inline projection: its table is made whole again.
    IF p.mode = 'inline' AND p.state <> 'running' THEN
        PERFORM chronicle._projection_fill(p.name);
    ELSIF p.mode = 'async' THEN
        PERFORM chronicle._projection_warn_if_no_worker();
    END IF;
END $$;

CREATE FUNCTION chronicle._projection_reset_failures() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- A handler projection sent back to position 0 (rebuild_projection) replays everything.
    IF NEW.kind = 'handler' AND NEW.position = 0 AND OLD.position > 0 THEN
        NEW.attempts := 0;
        NEW.retry_at := NULL;
        DELETE FROM chronicle.projection_parked_events WHERE projection = NEW.name;
    ELSIF NEW.rebuild_table IS DISTINCT FROM OLD.rebuild_table AND NEW.rebuild_table IS NOT NULL THEN
        NEW.attempts := 0;
        NEW.retry_at := NULL;
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION chronicle._projection_reset_failures() FROM PUBLIC;
-- The WHEN clause keeps the worker's progress updates (every batch) from calling PL/pgSQL.
CREATE TRIGGER projections_reset_failures
    BEFORE UPDATE OF position, rebuild_table ON chronicle.projections
    FOR EACH ROW
    WHEN ((NEW.kind = 'handler' AND NEW.position = 0 AND OLD.position > 0)
          OR (NEW.rebuild_table IS NOT NULL AND NEW.rebuild_table IS DISTINCT FROM OLD.rebuild_table))
    EXECUTE FUNCTION chronicle._projection_reset_failures();
ALTER TABLE chronicle.projections ENABLE ALWAYS TRIGGER projections_reset_failures;

-- projection_status shows a database waiting for a worker slot ('waiting_for_worker'), a
-- projection waiting to retry its batch ('retrying'), its retry bookkeeping, its time limit
-- and how many events it parked.
CREATE OR REPLACE VIEW chronicle.projection_status AS
    SELECT p.name, p.kind, p.mode,
           CASE WHEN p.state <> 'running' THEN p.state
                WHEN (p.mode = 'async' OR p.rebuild_table IS NOT NULL)
                     AND chronicle._waits_for_worker() THEN 'waiting_for_worker'
                WHEN p.retry_at IS NOT NULL THEN 'retrying'
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
           coalesce(p.table_name::text, p.handler::text) AS target,
           p.attempts, p.retry_at,
           coalesce(p.time_limit, current_setting('chronicle.projection_time_limit', true)::interval) AS time_limit,
           p.on_error,
           (SELECT count(*) FROM chronicle.projection_parked_events pe WHERE pe.projection = p.name) AS parked_events
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
