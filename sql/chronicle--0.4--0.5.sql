-- chronicle 0.4 -> 0.5: one projection never holds back another; bounded stalls made visible.
--
-- Sections are added by topic below; each says what it is for.
\echo Use "ALTER EXTENSION chronicle UPDATE TO '0.5'" to load this file. \quit

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
CREATE TRIGGER projections_reset_failures
    BEFORE UPDATE OF position, rebuild_table ON chronicle.projections
    FOR EACH ROW EXECUTE FUNCTION chronicle._projection_reset_failures();
ALTER TABLE chronicle.projections ENABLE ALWAYS TRIGGER projections_reset_failures;

-- projection_status shows a projection waiting to retry its batch ('retrying'), its retry
-- bookkeeping, its time limit and how many events it parked.
CREATE OR REPLACE VIEW chronicle.projection_status AS
    SELECT p.name, p.kind, p.mode,
           CASE WHEN p.state <> 'running' THEN p.state
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
