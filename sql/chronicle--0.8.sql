-- chronicle 0.8, complete: the whole catalog of the current version, created directly.
-- Existing databases reach the same catalog through chronicle--0.1.sql and the upgrade
-- scripts (tests/tap/012_install_equals_upgrade.pl checks that both give the same objects).
--
-- Two schemas: chronicle holds what users call and read (the public API); chronicle_internal
-- holds the functions that implement it (management steps, trigger functions, helpers the
-- worker and the views call), out of the user's view and, mostly, out of PUBLIC's reach.
\echo Use "CREATE EXTENSION chronicle" to load this file. \quit

-- =======================================================================================
-- Schemas
-- =======================================================================================

-- Plain CREATE SCHEMA: if another role made a schema of this name first, CREATE EXTENSION
-- fails instead of putting chronicle's functions into a schema someone else owns.
CREATE SCHEMA chronicle_internal;
COMMENT ON SCHEMA chronicle_internal IS
    'chronicle''s internal functions: called by chronicle''s own functions, triggers, views and workers, not by users';
-- No USAGE for PUBLIC: nothing calls these functions by name as another role. Views,
-- triggers and the management functions reach them by OID, and EXECUTE is revoked from
-- PUBLIC on every function that does not need it (see the end).

-- =======================================================================================
-- The event log: append-only storage, written only by append/append_batch, and its reads
-- =======================================================================================

-- Rows are written only by chronicle.append/append_batch (which insert directly, below the
-- executor, under the stream's lock) and never change afterwards.
CREATE SEQUENCE chronicle.global_position_seq AS bigint NO CYCLE;

CREATE TABLE chronicle.event_log (
    global_position bigint      NOT NULL,
    stream          text        COLLATE "C" NOT NULL,
    category        text        COLLATE "C" NOT NULL,
    stream_version  bigint      NOT NULL,
    event_id        uuid        NOT NULL,
    event_type      text        COLLATE "C" NOT NULL,
    data            jsonb       NOT NULL,
    metadata        jsonb,
    recorded_at     timestamptz NOT NULL,
    correlation_id  text        COLLATE "C",
    causation_id    text        COLLATE "C",
    CONSTRAINT event_log_pkey PRIMARY KEY (global_position),
    CONSTRAINT event_log_stream_version_key UNIQUE (stream, stream_version),
    CONSTRAINT event_log_event_id_key UNIQUE (event_id),
    CONSTRAINT event_log_stream_version_check CHECK (stream_version > 0)
);
-- read_all(category => ...) and the projections scan a category in order.
CREATE INDEX event_log_category_position_idx ON chronicle.event_log (category, global_position);
-- chronicle.read_correlated reads a conversation in position order from this index.
CREATE INDEX event_log_correlation_idx ON chronicle.event_log (correlation_id, global_position)
    WHERE correlation_id IS NOT NULL;
ALTER SEQUENCE chronicle.global_position_seq OWNED BY chronicle.event_log.global_position;
COMMENT ON CONSTRAINT event_log_stream_version_check ON chronicle.event_log IS
    'declared for readers and tools: the append path inserts below the executor, which evaluates no CHECK, and enforces it before the insert';

-- pg_dump keeps the events (and the position sequence) of an extension's table.
SELECT pg_catalog.pg_extension_config_dump('chronicle.event_log', '');
SELECT pg_catalog.pg_extension_config_dump('chronicle.global_position_seq', '');

-- Immutability: UPDATE, DELETE and TRUNCATE fail for everyone, owners included. ENABLE ALWAYS
-- so that session_replication_role = replica does not switch the guard off.
CREATE FUNCTION chronicle_internal.refuse_event_change() RETURNS trigger
    AS 'MODULE_PATHNAME', 'chronicle_refuse_event_change' LANGUAGE C;
CREATE TRIGGER event_log_immutable
    BEFORE UPDATE OR DELETE OR TRUNCATE ON chronicle.event_log
    FOR EACH STATEMENT EXECUTE FUNCTION chronicle_internal.refuse_event_change();
ALTER TABLE chronicle.event_log ENABLE ALWAYS TRIGGER event_log_immutable;

-- DROP EXTENSION chronicle [CASCADE] and DROP SCHEMA chronicle CASCADE would drop the event
-- log with every event in it: refused while it holds events, unless the session SETs
-- chronicle.allow_drop_with_events = on (docs/operations.md).
CREATE FUNCTION chronicle_internal.guard_extension_drop() RETURNS event_trigger
    AS 'MODULE_PATHNAME', 'chronicle_guard_extension_drop' LANGUAGE C;
CREATE EVENT TRIGGER chronicle_guard_extension_drop ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA')
    EXECUTE FUNCTION chronicle_internal.guard_extension_drop();

-- The row type of every read function.
CREATE TYPE chronicle.event AS (
    global_position bigint,
    stream          text,
    stream_version  bigint,
    event_id        uuid,
    event_type      text,
    data            jsonb,
    metadata        jsonb,
    recorded_at     timestamptz
);

CREATE FUNCTION chronicle.append(stream text, event_type text, data jsonb,
                                 metadata jsonb DEFAULT NULL,
                                 expected_version bigint DEFAULT NULL,
                                 event_id uuid DEFAULT NULL)
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'chronicle_append'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
CREATE FUNCTION chronicle.append_batch(stream text, events jsonb,
                                       expected_version bigint DEFAULT NULL)
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'chronicle_append_batch'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
CREATE FUNCTION chronicle.category(stream text) RETURNS text
    AS 'MODULE_PATHNAME', 'chronicle_category'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION chronicle.stream_version(stream text) RETURNS bigint
    AS 'MODULE_PATHNAME', 'chronicle_stream_version'
    LANGUAGE C STABLE PARALLEL SAFE;
-- from_version NULL (the default) starts where the direction of reading starts: version 1
-- forwards, the last version backwards.
CREATE FUNCTION chronicle.read_stream(stream text, from_version bigint DEFAULT NULL,
                                      max_count bigint DEFAULT NULL,
                                      backwards boolean DEFAULT false)
    RETURNS SETOF chronicle.event
    AS 'MODULE_PATHNAME', 'chronicle_read_stream'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 100;
CREATE FUNCTION chronicle.read_all(after_position bigint DEFAULT 0,
                                   max_count integer DEFAULT 1000,
                                   category text DEFAULT NULL,
                                   event_types text[] DEFAULT NULL)
    RETURNS SETOF chronicle.event
    AS 'MODULE_PATHNAME', 'chronicle_read_all'
    LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 1000;

-- Every event of one conversation (correlation_id), in position order.
CREATE FUNCTION chronicle.read_correlated(correlation_id text) RETURNS SETOF chronicle.event
    AS 'MODULE_PATHNAME', 'chronicle_read_correlated'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 100;

CREATE VIEW chronicle.events AS
    SELECT global_position, stream, stream_version, event_id, event_type, data, metadata,
           recorded_at, category, correlation_id, causation_id
      FROM chronicle.event_log;

-- Grouping by category as well (it follows from the stream) lets a filter on either column
-- reach the event log's indexes.
CREATE VIEW chronicle.streams AS
    SELECT stream, category, max(stream_version) AS version,
           min(recorded_at) AS created_at, max(recorded_at) AS updated_at
      FROM chronicle.event_log
     GROUP BY stream, category;

-- =======================================================================================
-- Aggregates and snapshots: definitions every backend keeps compiled, and the folded
-- states appends write as a cache
-- =======================================================================================

-- `revision` names one exact definition: snapshots carry it, and a redefinition takes a new
-- one, so that no snapshot of an older definition is ever used again.
CREATE SEQUENCE chronicle.aggregate_revision_seq AS bigint NO CYCLE;

CREATE TABLE chronicle.aggregates (
    name           text        COLLATE "C" NOT NULL,
    definition     jsonb       NOT NULL,
    category       text        COLLATE "C",
    snapshot_every integer     NOT NULL,
    revision       bigint      NOT NULL,
    reducer        text,
    defined_at     timestamptz NOT NULL DEFAULT now(),
    owner          regrole     NOT NULL,
    reducer_owner  regrole,
    CONSTRAINT aggregates_pkey PRIMARY KEY (name),
    CONSTRAINT aggregates_reducer_owner_check CHECK ((reducer IS NULL) = (reducer_owner IS NULL)),
    CONSTRAINT aggregates_revision_key UNIQUE (revision),
    CONSTRAINT aggregates_snapshot_every_check CHECK (snapshot_every >= 0)
);
SELECT pg_catalog.pg_extension_config_dump('chronicle.aggregates', '');
SELECT pg_catalog.pg_extension_config_dump('chronicle.aggregate_revision_seq', '');

-- The state of a stream after version k * snapshot_every, folded by the definition
-- `revision`. Written by appends and never by folds; not dumped (rebuilt as streams grow).
CREATE TABLE chronicle.snapshots (
    revision       bigint      NOT NULL,
    stream         text        COLLATE "C" NOT NULL,
    stream_version bigint      NOT NULL,
    recorded_at    timestamptz NOT NULL,
    state          jsonb       NOT NULL,
    CONSTRAINT snapshots_pkey PRIMARY KEY (revision, stream, stream_version)
);
-- fold(as_of => t): the newest snapshot recorded at or before t.
CREATE INDEX snapshots_recorded_at_idx
    ON chronicle.snapshots (revision, stream, recorded_at, stream_version);

-- Every backend's compiled definitions are dropped when the definitions change, however
-- they change (define_aggregate, pg_restore, a DBA's UPDATE).
CREATE FUNCTION chronicle_internal.aggregates_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'chronicle_aggregates_changed' LANGUAGE C;
CREATE TRIGGER aggregates_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON chronicle.aggregates
    FOR EACH STATEMENT EXECUTE FUNCTION chronicle_internal.aggregates_changed();
ALTER TABLE chronicle.aggregates ENABLE ALWAYS TRIGGER aggregates_changed;

-- A definition changed by hand (not by define_aggregate, which takes a new revision itself)
-- gets a new revision too: snapshots of the old definition are never used for the new one.
CREATE FUNCTION chronicle_internal.aggregate_revised() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NEW.revision = OLD.revision AND (NEW.definition IS DISTINCT FROM OLD.definition
                                        OR NEW.reducer IS DISTINCT FROM OLD.reducer) THEN
        NEW.revision := nextval('chronicle.aggregate_revision_seq');
        DELETE FROM chronicle.snapshots WHERE revision = OLD.revision;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER aggregate_revised
    BEFORE UPDATE ON chronicle.aggregates
    FOR EACH ROW EXECUTE FUNCTION chronicle_internal.aggregate_revised();
ALTER TABLE chronicle.aggregates ENABLE ALWAYS TRIGGER aggregate_revised;

CREATE FUNCTION chronicle.define_aggregate(name text, definition jsonb,
                                           category text DEFAULT NULL,
                                           snapshot_every integer DEFAULT 100)
    RETURNS void
    AS 'MODULE_PATHNAME', 'chronicle_define_aggregate'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
CREATE FUNCTION chronicle.drop_aggregate(name text) RETURNS void
    AS 'MODULE_PATHNAME', 'chronicle_drop_aggregate'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
CREATE FUNCTION chronicle.fold(aggregate text, stream text,
                               as_of timestamptz DEFAULT NULL, at_version bigint DEFAULT NULL)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'chronicle_fold'
    LANGUAGE C STABLE PARALLEL RESTRICTED;
CREATE FUNCTION chronicle.history(aggregate text, stream text)
    RETURNS TABLE (stream_version bigint, recorded_at timestamptz, event_type text, state jsonb)
    AS 'MODULE_PATHNAME', 'chronicle_history'
    LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 100;

-- A repository's load: the folded state and the version it is at, from one snapshot.
CREATE FUNCTION chronicle.load(aggregate text, stream text,
                               as_of timestamptz DEFAULT NULL, at_version bigint DEFAULT NULL)
    RETURNS TABLE (state jsonb, version bigint)
    AS 'MODULE_PATHNAME', 'chronicle_load'
    LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 1;
-- Given these events, then this state: folds append_batch-shaped events without the store.
CREATE FUNCTION chronicle.fold_events(aggregate text, events jsonb, state jsonb DEFAULT NULL)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'chronicle_fold_events'
    LANGUAGE C STABLE PARALLEL RESTRICTED;

-- =======================================================================================
-- Workers and monitoring: whether this server and database get a projection worker, and
-- the open transactions that hold readers back
-- =======================================================================================

CREATE FUNCTION chronicle_internal._workers_enabled() RETURNS boolean
    AS 'MODULE_PATHNAME', 'chronicle_workers_enabled' LANGUAGE C STABLE;
CREATE FUNCTION chronicle_internal._waits_for_worker() RETURNS boolean
    AS 'MODULE_PATHNAME', 'chronicle_waits_for_worker' LANGUAGE C VOLATILE;

-- Until a transaction holding an in-flight position ends, read_all, every async projection
-- of the database and wait_for_projection stop below its position.
CREATE FUNCTION chronicle_internal._in_flight_positions(OUT pid integer, OUT "position" bigint,
                                               OUT since timestamptz)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'chronicle_in_flight_positions' LANGUAGE C VOLATILE STRICT;

CREATE VIEW chronicle.in_flight_appends AS
    SELECT f.pid, f.position, f.since,
           pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) f.since AS held_for,
           a.usename, a.application_name, a.client_addr, a.state, a.xact_start,
           a.state_change, a.wait_event_type, a.wait_event
      FROM chronicle_internal._in_flight_positions() f
      LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) f.pid
     ORDER BY f.position;

-- =======================================================================================
-- Projections: what each one is and how far it has got, the statements that write its
-- table, and the guards that keep its aggregate and table from being dropped under it
-- =======================================================================================

-- The progress columns are dumped with the definition on purpose: pg_dump takes the
-- projection tables, the event log and this table in one snapshot, so a restored projection
-- goes on exactly where its rows are. time_limit, retries and on_error say how a failing
-- batch is retried and given up ('stop': failed; 'park': the event is set aside, handler
-- projections only); attempts and retry_at are the worker's bookkeeping of a retry.
CREATE TABLE chronicle.projections (
    name                text        COLLATE "C" NOT NULL,
    kind                text        NOT NULL,
    mode                text        NOT NULL DEFAULT 'async',
    aggregate           text        COLLATE "C",
    category            text        COLLATE "C",
    table_name          regclass,
    columns             jsonb       NOT NULL DEFAULT '{}',
    handler             text,
    event_types         text[]      COLLATE "C",
    owner               regrole     NOT NULL,
    state               text        NOT NULL DEFAULT 'running',
    position            bigint      NOT NULL DEFAULT 0,
    events_applied      bigint      NOT NULL DEFAULT 0,
    applied_at          timestamptz,
    last_error          text,
    last_error_sqlstate text,
    last_error_at       timestamptz,
    last_error_position bigint,
    rebuild_table       regclass,
    rebuild_position    bigint,
    rebuild_started_at  timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    time_limit          interval,
    retries             integer,
    on_error            text        NOT NULL DEFAULT 'stop',
    attempts            integer     NOT NULL DEFAULT 0,
    retry_at            timestamptz,
    handler_owner       regrole,
    CONSTRAINT projections_pkey PRIMARY KEY (name),
    CONSTRAINT projections_handler_owner_check CHECK ((handler IS NULL) = (handler_owner IS NULL)),
    CONSTRAINT projections_kind_check CHECK (
        (kind = 'aggregate' AND aggregate IS NOT NULL AND category IS NOT NULL
                            AND table_name IS NOT NULL AND handler IS NULL)
        OR (kind = 'handler' AND handler IS NOT NULL AND aggregate IS NULL
                             AND table_name IS NULL AND mode = 'async')),
    CONSTRAINT projections_mode_check CHECK (mode IN ('async', 'inline')),
    CONSTRAINT projections_state_check CHECK (state IN ('running', 'paused', 'failed')),
    CONSTRAINT projections_rebuild_check CHECK ((rebuild_table IS NULL) = (rebuild_position IS NULL)),
    CONSTRAINT projections_on_error_check CHECK (on_error IN ('stop', 'park')),
    CONSTRAINT projections_park_check CHECK (on_error = 'stop' OR kind = 'handler'),
    CONSTRAINT projections_time_limit_check CHECK (time_limit > interval '0'),
    CONSTRAINT projections_retries_check CHECK (retries >= 0)
);
SELECT pg_catalog.pg_extension_config_dump('chronicle.projections', '');

-- Rebuild tables live in chronicle's own schema, where no other role can create anything,
-- named from this sequence: they cannot collide with each other or with a user's table.
CREATE SEQUENCE chronicle.rebuild_table_seq AS bigint NO CYCLE;
SELECT pg_catalog.pg_extension_config_dump('chronicle.rebuild_table_seq', '');

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
SELECT pg_catalog.pg_extension_config_dump('chronicle.projection_parked_events', '');

-- Appending backends keep the inline projections of each category in memory; the worker
-- is woken when a projection changes. Both through this trigger, however the table changes,
-- except for the progress columns the worker writes every batch.
CREATE FUNCTION chronicle_internal.projections_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'chronicle_projections_changed' LANGUAGE C;
CREATE TRIGGER projections_changed
    AFTER INSERT OR DELETE OR TRUNCATE
       OR UPDATE OF name, kind, mode, aggregate, category, table_name, columns, handler,
                    handler_owner, event_types, owner, state, rebuild_table
    ON chronicle.projections
    FOR EACH STATEMENT EXECUTE FUNCTION chronicle_internal.projections_changed();
ALTER TABLE chronicle.projections ENABLE ALWAYS TRIGGER projections_changed;

-- Resuming or rebuilding starts the retry count again; a handler rebuild replays every
-- event, the parked ones too. The WHEN clause keeps the worker's progress updates (every
-- batch) from calling PL/pgSQL.
CREATE FUNCTION chronicle_internal._projection_reset_failures() RETURNS trigger
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
CREATE TRIGGER projections_reset_failures
    BEFORE UPDATE OF position, rebuild_table ON chronicle.projections
    FOR EACH ROW
    WHEN ((NEW.kind = 'handler' AND NEW.position = 0 AND OLD.position > 0)
          OR (NEW.rebuild_table IS NOT NULL AND NEW.rebuild_table IS DISTINCT FROM OLD.rebuild_table))
    EXECUTE FUNCTION chronicle_internal._projection_reset_failures();
ALTER TABLE chronicle.projections ENABLE ALWAYS TRIGGER projections_reset_failures;

-- An aggregate a projection folds with cannot be dropped from under it (an inline one would
-- fail every append to its category).
CREATE FUNCTION chronicle_internal.aggregate_in_use() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    user_name text;
BEGIN
    SELECT name INTO user_name FROM chronicle.projections WHERE aggregate = OLD.name ORDER BY name LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'aggregate "%" is used by projection "%"', OLD.name, user_name
            USING ERRCODE = 'dependent_objects_still_exist',
                  HINT = 'Drop the projection first with chronicle.drop_projection.';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER aggregate_in_use
    BEFORE DELETE ON chronicle.aggregates
    FOR EACH ROW EXECUTE FUNCTION chronicle_internal.aggregate_in_use();
ALTER TABLE chronicle.aggregates ENABLE ALWAYS TRIGGER aggregate_in_use;

-- A projection's table cannot be dropped from under it, as a view's table cannot: an inline
-- projection would fail every append to its category, an async one its worker's batches.
CREATE FUNCTION chronicle_internal.projection_table_dropped() RETURNS event_trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    victim record;
BEGIN
    IF to_regclass('chronicle.projections') IS NULL THEN
        RETURN;  -- DROP EXTENSION chronicle
    END IF;
    FOR victim IN
        SELECT p.name, d.object_identity
          FROM pg_event_trigger_dropped_objects() d
          JOIN chronicle.projections p ON p.table_name = d.objid
         WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0
    LOOP
        RAISE EXCEPTION 'cannot drop table % because projection "%" writes it',
                        victim.object_identity, victim.name
            USING ERRCODE = 'dependent_objects_still_exist',
                  HINT = format('Drop the projection (and its table) with chronicle.drop_projection(%L).', victim.name);
    END LOOP;
END $$;
CREATE EVENT TRIGGER chronicle_projection_table_dropped ON sql_drop
    EXECUTE FUNCTION chronicle_internal.projection_table_dropped();

-- The inline fill in C: the rows are written as the projection's owner (their casts and
-- domain checks are the owner's code), the catalog read and the lock on the event log
-- taken as the caller, with a pinned search_path throughout.
CREATE FUNCTION chronicle_internal._projection_fill(projection_name text) RETURNS void
    AS 'MODULE_PATHNAME', 'chronicle_projection_fill' LANGUAGE C VOLATILE STRICT;

-- A rebuild table, dropped only when it is one chronicle made: in chronicle's schema, with
-- a name from chronicle.rebuild_table_seq. Anything else is refused (42501), never dropped.
-- In C, shared with the worker, which drops a finished rebuild's table after the swap.
-- (The swap itself, and the statements that read and write a projection's rows, are built
-- in C++ at run time: src/core/projection_sql.cpp.)
CREATE FUNCTION chronicle_internal._drop_rebuild_table(projection_name text, rebuild regclass)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_drop_rebuild_table' LANGUAGE C VOLATILE;

CREATE FUNCTION chronicle.wait_for_projection(name text, timeout interval DEFAULT '5 seconds')
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'chronicle_wait_for_projection'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- How far each projection is behind: the events it has still to apply and how long the
-- oldest of them has been waiting; a database waiting for a worker slot, a batch waiting to
-- retry, and how many events a projection parked.
CREATE VIEW chronicle.projection_status AS
    SELECT p.name, p.kind, p.mode,
           CASE WHEN p.state <> 'running' THEN p.state
                WHEN (p.mode = 'async' OR p.rebuild_table IS NOT NULL)
                     AND chronicle_internal._waits_for_worker() THEN 'waiting_for_worker'
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
           coalesce(p.table_name::text, p.handler) AS target,
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

-- =======================================================================================
-- Management: the public functions that create and change projections and owners, and the
-- internal definer functions they call with the calling role
-- =======================================================================================

-- Each public management function is one C entry point (src/pg/roles/management_call.cpp):
-- it runs as its caller and calls chronicle_internal._<name>(caller, caller's search_path,
-- <the same arguments>), a SECURITY DEFINER function owned by the extension's owner, through
-- fmgr. _execute_as runs one piece of SQL as a given role (the caller, or an object's owner);
-- only superusers (the extension's own definer functions) may call it.
CREATE FUNCTION chronicle_internal._execute_as(role regrole, search_path text, sql text) RETURNS text
    AS 'MODULE_PATHNAME', 'chronicle_execute_as' LANGUAGE C VOLATILE;
-- A projection column's type as the caller names it: parsed as the caller, with the
-- caller's search_path and rights, into a type and a modifier, plus format_type's spelling
-- under that path for the caller's CREATE TABLE. Only these reach the DDL and the catalog.
CREATE FUNCTION chronicle_internal._column_type(caller regrole, caller_path text, type_name text,
                                               OUT type_oid oid, OUT typmod integer, OUT ddl_name text)
    AS 'MODULE_PATHNAME', 'chronicle_column_type' LANGUAGE C STABLE;
-- How chronicle records a reducer or a handler: every name quoted and schema-qualified, so
-- that to_regprocedure reads it back under any search_path. Not an OID: pg_upgrade keeps
-- relations', types' and roles' OIDs but not functions'.
CREATE FUNCTION chronicle_internal._function_identity(function regprocedure) RETURNS text
    AS 'MODULE_PATHNAME', 'chronicle_function_identity' LANGUAGE C STABLE STRICT;

-- Only the owner of an object, a role with the owner's privileges, or a superuser may
-- change it (pg_has_role(..., 'USAGE') is PostgreSQL's has_privs_of_role: superusers pass).
CREATE FUNCTION chronicle_internal._check_owner(caller regrole, kind text, object_name text, owner regrole)
    RETURNS void LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT pg_catalog.pg_has_role(caller::oid, owner::oid, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of % "%"', kind, object_name
            USING ERRCODE = '42501',
                  DETAIL = format('%s "%s" belongs to role %s.', initcap(kind), object_name, owner),
                  HINT = 'Only its owner, a member of the owning role or a superuser may change it.';
    END IF;
END $$;
CREATE FUNCTION chronicle_internal._projection_not_found(projection_name text) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'projection "%" does not exist', projection_name
        USING ERRCODE = 'CH031',
              HINT = 'SELECT name FROM chronicle.projections lists the projections of this database.';
END $$;
CREATE FUNCTION chronicle_internal._projection_check_name(name text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF name IS NULL OR name = '' OR octet_length(name) > 63 THEN
        RAISE EXCEPTION 'a projection name must be 1 to 63 bytes long'
            USING ERRCODE = 'CH030', DETAIL = format('The name given was %s.', coalesce(quote_literal(name), 'NULL'));
    END IF;
END $$;
CREATE FUNCTION chronicle_internal._projection_warn_if_no_worker() RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT chronicle_internal._workers_enabled() THEN
        RAISE WARNING 'no background worker will run this projection'
            USING DETAIL = 'This server runs no chronicle workers: chronicle is not in shared_preload_libraries, or chronicle.max_workers is 0.',
                  HINT = 'Add chronicle to shared_preload_libraries and restart, or use mode => ''inline''.';
    ELSIF chronicle_internal._waits_for_worker() THEN
        RAISE WARNING 'this database waits for a chronicle worker: its async projections and rebuilds do not advance'
            USING DETAIL = format('All %s of chronicle.max_workers are serving other databases.',
                                  current_setting('chronicle.max_workers')),
                  HINT = 'Raise chronicle.max_workers (and max_worker_processes) and restart, or drop chronicle from a database that does not need it.';
    END IF;
END $$;

-- A column spec, checked and normalized: {"col": "type"} or {"col": {"type", "path"}}
-- becomes {"col": {"type": <the type as written>, "path": [keys]}}. Type names are resolved
-- later, as the creating role would (_create_projection).
CREATE FUNCTION chronicle_internal._projection_columns(columns jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    column_name text;
    spec jsonb;
    type_name text;
    path jsonb;
    result jsonb := '{}';
BEGIN
    IF columns IS NULL OR columns = 'null' THEN
        RETURN result;
    END IF;
    IF jsonb_typeof(columns) <> 'object' THEN
        RAISE EXCEPTION 'columns must be a JSON object, not %', jsonb_typeof(columns)
            USING ERRCODE = 'CH030',
                  HINT = 'For example {"status": "text", "customer_id": {"type": "text", "path": "customer.id"}}.';
    END IF;
    FOR column_name, spec IN SELECT key, value FROM jsonb_each(columns) LOOP
        IF column_name IN ('stream', 'version', 'state', 'updated_at') THEN
            RAISE EXCEPTION 'column "%" is one of the projection''s own columns', column_name
                USING ERRCODE = 'CH030',
                      DETAIL = 'Every projection table has stream, version, state and updated_at.';
        END IF;
        IF column_name = '' OR octet_length(column_name) > 63 THEN
            RAISE EXCEPTION 'column name "%" must be 1 to 63 bytes long', column_name
                USING ERRCODE = 'CH030';
        END IF;
        IF jsonb_typeof(spec) = 'string' THEN
            type_name := spec #>> '{}';
            path := jsonb_build_array(column_name);
        ELSIF jsonb_typeof(spec) = 'object' THEN
            IF EXISTS (SELECT 1 FROM jsonb_object_keys(spec) k WHERE k NOT IN ('type', 'path')) THEN
                RAISE EXCEPTION 'column "%": unknown key in its spec %', column_name, spec
                    USING ERRCODE = 'CH030', HINT = 'A column spec has "type" and optionally "path".';
            END IF;
            IF jsonb_typeof(spec->'type') IS DISTINCT FROM 'string' THEN
                RAISE EXCEPTION 'column "%" needs a "type" string', column_name
                    USING ERRCODE = 'CH030';
            END IF;
            type_name := spec->>'type';
            CASE jsonb_typeof(spec->'path')
                WHEN 'string' THEN
                    IF spec->>'path' = '' THEN
                        RAISE EXCEPTION 'column "%": empty path', column_name USING ERRCODE = 'CH030';
                    END IF;
                    IF '' = ANY (string_to_array(spec->>'path', '.')) THEN
                        RAISE EXCEPTION 'column "%": empty key in path "%"', column_name, spec->>'path'
                            USING ERRCODE = 'CH030';
                    END IF;
                    path := to_jsonb(string_to_array(spec->>'path', '.'));
                WHEN 'array' THEN
                    path := spec->'path';
                    IF jsonb_array_length(path) = 0 OR EXISTS (
                           SELECT 1 FROM jsonb_array_elements(path) e
                            WHERE jsonb_typeof(e) <> 'string' OR e #>> '{}' = '') THEN
                        RAISE EXCEPTION 'column "%": a path array needs non-empty strings', column_name
                            USING ERRCODE = 'CH030';
                    END IF;
                ELSE
                    IF spec ? 'path' THEN
                        RAISE EXCEPTION 'column "%": "path" must be a string or an array of strings',
                            column_name USING ERRCODE = 'CH030';
                    END IF;
                    path := jsonb_build_array(column_name);
            END CASE;
        ELSE
            RAISE EXCEPTION 'column "%" needs a type name or {"type", "path"}, not %',
                column_name, jsonb_typeof(spec) USING ERRCODE = 'CH030';
        END IF;
        result := result || jsonb_build_object(column_name,
                                               jsonb_build_object('type', type_name, 'path', path));
    END LOOP;
    RETURN result;
END $$;

-- A projection's row, locked against the worker and other management calls, after checking
-- that the caller may change it.
CREATE FUNCTION chronicle_internal._projection_for_change(caller regrole, projection_name text)
    RETURNS chronicle.projections LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections;
BEGIN
    -- Waits for the worker's batch on this projection to commit.
    SELECT * INTO p FROM chronicle.projections WHERE name = projection_name FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM chronicle_internal._projection_not_found(projection_name);
    END IF;
    PERFORM chronicle_internal._check_owner(caller, 'projection', projection_name, p.owner);
    RETURN p;
END $$;

CREATE FUNCTION chronicle_internal._create_projection(caller regrole, caller_path text, name text,
                                             aggregate text, category text, table_name text,
                                             columns jsonb, mode text)
    RETURNS regclass LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agg chronicle.aggregates;
    spec jsonb;
    target regclass;
    qualified text;
    column_defs text := '';
    column_name text;
    column_spec jsonb;
    name_parts text[];
    parsed_oid oid;
    parsed_typmod integer;
    type_name text;
    ddl_type text;
BEGIN
    PERFORM chronicle_internal._projection_check_name(name);
    IF mode IS NULL OR mode NOT IN ('async', 'inline') THEN
        RAISE EXCEPTION 'mode must be ''async'' or ''inline'', not %', coalesce(quote_literal(mode), 'NULL')
            USING ERRCODE = 'CH030';
    END IF;
    SELECT * INTO agg FROM chronicle.aggregates a WHERE a.name = _create_projection.aggregate;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'aggregate "%" does not exist', aggregate
            USING ERRCODE = 'CH021', HINT = 'Define it first with chronicle.define_aggregate.';
    END IF;
    category := coalesce(category, agg.category);
    IF category IS NULL THEN
        RAISE EXCEPTION 'projection "%" needs a category', name
            USING ERRCODE = 'CH030',
                  DETAIL = format('Aggregate "%s" has no category of its own.', agg.name),
                  HINT = 'Pass category => ''...'' (the part of the stream names before the first "-").';
    END IF;
    IF category = '' OR strpos(category, '-') > 0 THEN
        RAISE EXCEPTION 'invalid category "%"', category
            USING ERRCODE = 'CH030', DETAIL = 'A category is the part of a stream name before its first "-".';
    END IF;
    IF EXISTS (SELECT 1 FROM chronicle.projections p WHERE p.name = _create_projection.name) THEN
        RAISE EXCEPTION 'projection "%" already exists', name USING ERRCODE = 'CH032';
    END IF;
    spec := chronicle_internal._projection_columns(columns);
    -- Type names are the caller's: parsed as the caller, with the caller's search_path, into
    -- a type and a modifier. Only format_type's spelling of them (schema-qualified outside
    -- pg_catalog, as this function's path is pinned) reaches the DDL and the catalog.
    FOR column_name, column_spec IN SELECT key, value FROM jsonb_each(spec) ORDER BY key LOOP
        BEGIN
            SELECT t.type_oid, t.typmod, t.ddl_name INTO parsed_oid, parsed_typmod, ddl_type
              FROM chronicle_internal._column_type(caller, caller_path, column_spec->>'type') t;
        EXCEPTION WHEN OTHERS THEN
            RAISE EXCEPTION 'column "%": type "%" does not exist', column_name, column_spec->>'type'
                USING ERRCODE = 'CH030';
        END;
        -- The catalog records the spelling under chronicle's pinned search_path; the DDL,
        -- run as the caller with the caller's search_path, gets the spelling that names the
        -- same type there (a caller's own "text" domain ahead of pg_catalog cannot swap it).
        type_name := format_type(parsed_oid, parsed_typmod);
        column_defs := column_defs || format(', %I %s', column_name, ddl_type);
        spec := jsonb_set(spec, ARRAY[column_name, 'type'], to_jsonb(type_name));
    END LOOP;
    -- The name is parsed as a (qualified) identifier and quoted again: nothing but a name
    -- reaches the DDL.
    IF table_name IS NULL THEN
        qualified := format('public.%I', name);
    ELSE
        BEGIN
            name_parts := parse_ident(table_name);
        EXCEPTION WHEN OTHERS THEN
            name_parts := NULL;
        END;
        IF name_parts IS NULL OR cardinality(name_parts) NOT IN (1, 2)
           OR EXISTS (SELECT 1 FROM unnest(name_parts) part WHERE part = '' OR octet_length(part) > 63) THEN
            RAISE EXCEPTION 'invalid table name %', quote_literal(table_name)
                USING ERRCODE = 'CH030', HINT = 'Give a name as in SQL: orders, app.orders or "My Orders".';
        END IF;
        IF cardinality(name_parts) = 2 AND (name_parts[1] = 'pg_temp' OR name_parts[1] LIKE 'pg\_temp\_%') THEN
            RAISE EXCEPTION 'a projection table cannot be temporary' USING ERRCODE = 'CH030',
                DETAIL = 'The worker and other sessions could not see it, and it would vanish with this session.';
        END IF;
        qualified := (SELECT string_agg(format('%I', part), '.' ORDER BY n)
                        FROM unnest(name_parts) WITH ORDINALITY AS u(part, n));
    END IF;
    -- The table is the caller's: created as the caller, with the caller's rights (CREATE on
    -- the schema, USAGE on the column types) and search_path, and owned by the caller.
    -- chronicle's own columns name their types in pg_catalog: the caller's path (which a
    -- database owner may set for a superuser) must not turn them into someone's domains.
    target := chronicle_internal._execute_as(caller, caller_path, format(
        'CREATE TABLE %1$s (stream pg_catalog.text COLLATE pg_catalog."C" PRIMARY KEY, '
        'version pg_catalog.int8 NOT NULL, state pg_catalog.jsonb NOT NULL, '
        'updated_at pg_catalog.timestamptz NOT NULL%2$s); '
        'COMMENT ON TABLE %1$s IS %3$L; '
        'SELECT %4$L::pg_catalog.regclass::pg_catalog.oid',
        qualified, column_defs,
        format('chronicle projection "%s": one row per %s stream, folded by aggregate "%s"',
               name, category, agg.name),
        qualified))::oid::regclass;
    IF (SELECT relpersistence FROM pg_class WHERE oid = target) = 't' THEN
        RAISE EXCEPTION 'a projection table cannot be temporary' USING ERRCODE = 'CH030',
            DETAIL = 'The worker and other sessions could not see it, and it would vanish with this session.';
    END IF;
    -- The table recorded is the one just made, by the caller: never another role's.
    IF NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = target AND c.relowner = caller::oid
                      AND c.relkind = 'r') THEN
        RAISE EXCEPTION 'table % was not created by this call', target USING ERRCODE = 'CH030';
    END IF;
    INSERT INTO chronicle.projections (name, kind, mode, aggregate, category, table_name, columns, owner)
    VALUES (name, 'aggregate', mode, agg.name, category, target, spec, caller);
    IF mode = 'inline' THEN
        PERFORM chronicle_internal._projection_fill(name);
    ELSE
        PERFORM chronicle_internal._projection_warn_if_no_worker();
    END IF;
    RETURN target;
END $$;

CREATE FUNCTION chronicle_internal._create_handler_projection(caller regrole, caller_path text, name text,
                                                     handler regprocedure, category text,
                                                     event_types text[])
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    f pg_proc;
BEGIN
    PERFORM chronicle_internal._projection_check_name(name);
    IF handler IS NULL THEN
        RAISE EXCEPTION 'a handler projection needs a handler function' USING ERRCODE = 'CH030';
    END IF;
    SELECT * INTO f FROM pg_proc WHERE oid = handler;
    IF f.pronargs <> 1 OR f.proargtypes[0] <> 'chronicle.event'::regtype OR f.prokind <> 'f'
       OR f.proretset OR f.prorettype <> 'void'::regtype THEN
        RAISE EXCEPTION 'handler % must be a function (e chronicle.event) returning void', handler
            USING ERRCODE = 'CH030',
                  HINT = 'For example: CREATE FUNCTION count_order(e chronicle.event) RETURNS void ...';
    END IF;
    -- A temporary function is gone with its session, and its schema (pg_temp_N) is another
    -- session's later: the projection would outlive it and then name somebody else's function.
    IF f.pronamespace = pg_my_temp_schema() OR pg_is_other_temp_schema(f.pronamespace) THEN
        RAISE EXCEPTION 'handler % is a temporary function', handler
            USING ERRCODE = 'CH030', HINT = 'Create the handler in a permanent schema.';
    END IF;
    IF category IS NOT NULL AND (category = '' OR strpos(category, '-') > 0) THEN
        RAISE EXCEPTION 'invalid category "%"', category
            USING ERRCODE = 'CH030', DETAIL = 'A category is the part of a stream name before its first "-".';
    END IF;
    IF event_types IS NOT NULL AND (cardinality(event_types) = 0 OR array_position(event_types, NULL) IS NOT NULL
                                    OR '' = ANY (event_types)) THEN
        RAISE EXCEPTION 'event_types must be NULL (every type) or a list of non-empty type names'
            USING ERRCODE = 'CH030';
    END IF;
    IF EXISTS (SELECT 1 FROM chronicle.projections p WHERE p.name = _create_handler_projection.name) THEN
        RAISE EXCEPTION 'projection "%" already exists', name USING ERRCODE = 'CH032';
    END IF;
    IF NOT has_function_privilege(caller::oid, handler::oid, 'EXECUTE') THEN
        RAISE EXCEPTION 'permission denied for function %', handler USING ERRCODE = '42501';
    END IF;
    -- Recorded by identity and owner, not OID: pg_upgrade does not keep functions' OIDs.
    INSERT INTO chronicle.projections (name, kind, category, handler, handler_owner, event_types, owner)
    VALUES (name, 'handler', category, chronicle_internal._function_identity(handler), f.proowner,
            event_types, caller);
    PERFORM chronicle_internal._projection_warn_if_no_worker();
END $$;

CREATE FUNCTION chronicle_internal._drop_projection(caller regrole, caller_path text, name text,
                                           drop_table boolean)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections := chronicle_internal._projection_for_change(caller, name);
BEGIN
    DELETE FROM chronicle.projections WHERE projections.name = p.name;
    PERFORM chronicle_internal._drop_rebuild_table(p.name, p.rebuild_table);
    -- The live table is a user's table: dropped with the caller's own rights. (A table
    -- dropped behind chronicle's back leaves only its OID here.)
    IF coalesce(drop_table, true) AND p.table_name IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_class WHERE oid = p.table_name) THEN
        PERFORM chronicle_internal._execute_as(caller, 'pg_catalog, pg_temp',
                                      format('DROP TABLE %s', p.table_name));
    END IF;
END $$;

CREATE FUNCTION chronicle_internal._pause_projection(caller regrole, caller_path text, name text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections := chronicle_internal._projection_for_change(caller, name);
BEGIN
    UPDATE chronicle.projections SET state = 'paused' WHERE projections.name = p.name;
END $$;

CREATE FUNCTION chronicle_internal._resume_projection(caller regrole, caller_path text, name text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections := chronicle_internal._projection_for_change(caller, name);
BEGIN
    UPDATE chronicle.projections SET state = 'running', attempts = 0, retry_at = NULL
     WHERE projections.name = p.name;
    -- Appends skipped a paused inline projection: its table is made whole again.
    IF p.mode = 'inline' AND p.state <> 'running' THEN
        PERFORM chronicle_internal._projection_fill(p.name);
    ELSIF p.mode = 'async' THEN
        PERFORM chronicle_internal._projection_warn_if_no_worker();
    END IF;
END $$;

CREATE FUNCTION chronicle_internal._rebuild_projection(caller regrole, caller_path text, name text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections := chronicle_internal._projection_for_change(caller, name);
    shadow text;
BEGIN
    IF p.kind = 'handler' THEN
        -- The handler's tables are the user's: replay every event to it from the start.
        UPDATE chronicle.projections
           SET position = 0, events_applied = 0, state = CASE WHEN state = 'failed' THEN 'running' ELSE state END
         WHERE projections.name = p.name;
    ELSIF p.mode = 'inline' AND NOT chronicle_internal._workers_enabled() THEN
        -- No worker would ever finish a background rebuild: refold every stream now, with
        -- appends held off until this transaction ends.
        RAISE NOTICE 'no chronicle workers run here: projection "%" is rebuilt in this transaction', p.name;
        PERFORM chronicle_internal._projection_fill(p.name);
        RETURN;
    ELSE
        PERFORM chronicle_internal._drop_rebuild_table(p.name, p.rebuild_table);
        -- Built beside the live table, which keeps serving until the worker swaps the rows;
        -- in chronicle's schema, where nothing else can be called that.
        shadow := format('chronicle.%I', 'rebuild_' || nextval('chronicle.rebuild_table_seq'));
        EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING GENERATED, PRIMARY KEY (stream))',
                       shadow, p.table_name);
        -- Owned by chronicle, not by the projection's owner: an owner could rename its
        -- constraints (which renames an index in chronicle's schema, squatting the next
        -- rebuild's name) or SET SCHEMA it elsewhere. The owner gets what the rebuild needs.
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %s', shadow, p.owner);
        UPDATE chronicle.projections
           SET rebuild_table = shadow::regclass, rebuild_position = 0, rebuild_started_at = now(),
               state = CASE WHEN state = 'failed' THEN 'running' ELSE state END
         WHERE projections.name = p.name;
    END IF;
    PERFORM chronicle_internal._projection_warn_if_no_worker();
END $$;

-- chronicle.alter_owner(kind, name, new_owner): as ALTER ... OWNER TO, the caller must be
-- able to change the object and be a member of the new owner (superusers excepted), and the
-- new owner must be able to run it: EXECUTE on its handler or reducer. A projection's table
-- (and rebuild table) that belonged to the old owner goes to the new one with it. A
-- subscription keeps its checkpoints and consumers.
CREATE FUNCTION chronicle_internal._alter_owner(caller regrole, caller_path text, kind text, name text,
                                       new_owner regrole)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections;
    a chronicle.aggregates;
    s chronicle.subscriptions;
BEGIN
    IF new_owner IS NULL THEN
        RAISE EXCEPTION 'new_owner must not be NULL' USING ERRCODE = 'CH016';
    END IF;
    IF kind IS NULL OR kind NOT IN ('aggregate', 'projection', 'subscription') THEN
        RAISE EXCEPTION 'kind must be ''aggregate'', ''projection'' or ''subscription'', not %',
                        coalesce(quote_literal(kind), 'NULL')
            USING ERRCODE = 'CH016';
    END IF;
    IF kind = 'projection' THEN
        p := chronicle_internal._projection_for_change(caller, name);
    ELSIF kind = 'subscription' THEN
        s := chronicle_internal._subscription_for_change(caller, name);
    ELSE
        SELECT * INTO a FROM chronicle.aggregates WHERE aggregates.name = _alter_owner.name FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'aggregate "%" does not exist', name
                USING ERRCODE = 'CH021', HINT = 'The table chronicle.aggregates lists the defined aggregates.';
        END IF;
        PERFORM chronicle_internal._check_owner(caller, 'aggregate', name, a.owner);
    END IF;
    IF NOT pg_has_role(caller::oid, new_owner::oid, 'MEMBER') THEN
        RAISE EXCEPTION 'must be able to SET ROLE %', new_owner
            USING ERRCODE = '42501',
                  DETAIL = format('Only a member of role %s may give it a %s.', new_owner, kind);
    END IF;
    IF kind = 'subscription' THEN
        UPDATE chronicle.subscriptions SET owner = new_owner WHERE subscriptions.name = s.name;
        RETURN;
    END IF;
    IF kind = 'aggregate' THEN
        IF a.reducer IS NOT NULL
           AND NOT has_function_privilege(new_owner::oid, to_regprocedure(a.reducer)::oid, 'EXECUTE') THEN
            RAISE EXCEPTION 'role % has no EXECUTE on reducer %', new_owner, a.reducer
                USING ERRCODE = '42501';
        END IF;
        UPDATE chronicle.aggregates SET owner = new_owner WHERE aggregates.name = a.name;
        RETURN;
    END IF;
    IF p.handler IS NOT NULL
       AND NOT has_function_privilege(new_owner::oid, to_regprocedure(p.handler)::oid, 'EXECUTE') THEN
        RAISE EXCEPTION 'role % has no EXECUTE on handler %', new_owner, p.handler
            USING ERRCODE = '42501';
    END IF;
    IF p.table_name IS NOT NULL
       AND (SELECT relowner FROM pg_class WHERE oid = p.table_name) = p.owner::oid THEN
        EXECUTE format('ALTER TABLE %s OWNER TO %s', p.table_name, new_owner);
    END IF;
    IF p.rebuild_table IS NOT NULL AND EXISTS (SELECT 1 FROM pg_class WHERE oid = p.rebuild_table) THEN
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %s', p.rebuild_table, new_owner);
    END IF;
    UPDATE chronicle.projections SET owner = new_owner WHERE projections.name = p.name;
END $$;

CREATE FUNCTION chronicle_internal._alter_projection(caller regrole, caller_path text, name text,
                                            time_limit interval, retries integer, on_error text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections := chronicle_internal._projection_for_change(caller, name);
BEGIN
    IF time_limit IS NOT NULL AND time_limit <= interval '0' THEN
        RAISE EXCEPTION 'invalid time_limit for projection "%": %', p.name, time_limit
            USING ERRCODE = 'CH030', HINT = 'A time limit is a positive interval, such as ''30 seconds''.';
    END IF;
    IF retries IS NOT NULL AND retries < 0 THEN
        RAISE EXCEPTION 'invalid retries for projection "%": %', p.name, retries
            USING ERRCODE = 'CH030', HINT = 'Give 0 or more retries.';
    END IF;
    IF on_error IS NOT NULL AND on_error NOT IN ('stop', 'park') THEN
        RAISE EXCEPTION 'invalid on_error for projection "%": "%"', p.name, on_error
            USING ERRCODE = 'CH030', HINT = 'Give on_error as ''stop'' or ''park''.';
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

CREATE FUNCTION chronicle_internal._replay_parked_events(caller regrole, caller_path text, name text)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections := chronicle_internal._projection_for_change(caller, name);
    asked bigint;
BEGIN
    UPDATE chronicle.projection_parked_events
       SET replay_requested_at = now()
     WHERE projection = p.name AND replay_requested_at IS NULL;
    GET DIAGNOSTICS asked = ROW_COUNT;
    RETURN asked;
END $$;

-- The public management functions: the trampoline, each.
CREATE FUNCTION chronicle.create_projection(name text, aggregate text, category text DEFAULT NULL,
                                                       table_name text DEFAULT NULL, columns jsonb DEFAULT NULL,
                                                       mode text DEFAULT 'async')
    RETURNS regclass AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.create_handler_projection(name text, handler regprocedure,
                                                               category text DEFAULT NULL,
                                                               event_types text[] DEFAULT NULL)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.drop_projection(name text, drop_table boolean DEFAULT true)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.pause_projection(name text)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.resume_projection(name text)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.rebuild_projection(name text)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.alter_owner(kind text, name text, new_owner regrole)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.alter_projection(name text, time_limit interval DEFAULT NULL,
                                           retries integer DEFAULT NULL, on_error text DEFAULT NULL)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.replay_parked_events(name text) RETURNS bigint
    AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;

-- =======================================================================================
-- Subscriptions: services outside the database read events with server-side checkpoints,
-- in consumer groups, woken by NOTIFY or wait_for_events (docs/subscriptions.md)
-- =======================================================================================

-- A subscription delivers the events of `category` (every category when NULL) and of
-- `event_types` (every type when NULL) with a position after `start_position`, to a group of
-- `members` consumers: member i gets the streams whose chronicle.stream_member(stream,
-- members) is i. Owned by the role that created it; `consumers` may poll, ack, park and wait.
CREATE TABLE chronicle.subscriptions (
    name             text        COLLATE "C" NOT NULL,
    owner            regrole     NOT NULL,
    category         text        COLLATE "C",
    event_types      text[]      COLLATE "C",
    start_position   bigint      NOT NULL,
    members          integer     NOT NULL DEFAULT 1,
    consumers        regrole[]   NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now(),
    group_changed_at timestamptz,
    -- The group before the last change: its size and its members' checkpoints. An event its
    -- member had acknowledged is not delivered again by the new group.
    previous_members     integer,
    previous_checkpoints bigint[],
    CONSTRAINT subscriptions_pkey PRIMARY KEY (name),
    CONSTRAINT subscriptions_members_check CHECK (members BETWEEN 1 AND 1024),
    CONSTRAINT subscriptions_start_position_check CHECK (start_position >= 0)
);
-- One row per member of the current group (of `members` members: a poll or ack of an older
-- group does not find its row). `position`: every event of the member's streams at or below
-- it is done (acknowledged, parked, or not the member's). `delivered`: the highest position a
-- poll returned; an ack beyond it acknowledges what nobody received. A poll or ack locks its
-- member's row: two consumers of one member take turns, and a change of the group (which
-- deletes the rows) waits for the polls and acks in flight.
CREATE TABLE chronicle.subscription_checkpoints (
    subscription text        COLLATE "C" NOT NULL,
    member       integer     NOT NULL,
    members      integer     NOT NULL,
    position     bigint      NOT NULL,
    delivered    bigint      NOT NULL,
    last_poll_at timestamptz,
    last_ack_at  timestamptz,
    CONSTRAINT subscription_checkpoints_pkey PRIMARY KEY (subscription, member)
);
-- Events a consumer gave up on (chronicle.park): polls pass them by, checkpoints may pass
-- them. replay_parked marks them `replay`: the member owning the stream receives them again,
-- before new events, until it acknowledges them.
CREATE TABLE chronicle.subscription_parked_events (
    subscription    text        COLLATE "C" NOT NULL,
    global_position bigint      NOT NULL,
    reason          text        NOT NULL,
    parked_at       timestamptz NOT NULL DEFAULT now(),
    parked_by       regrole     NOT NULL,
    replay          boolean     NOT NULL DEFAULT false,
    replayed_at     timestamptz,
    CONSTRAINT subscription_parked_events_pkey PRIMARY KEY (subscription, global_position)
);
-- No foreign keys to chronicle.subscriptions: only chronicle's functions write these tables
-- (drop_subscription deletes a subscription's rows), and a foreign key check would lock the
-- subscription's row at every poll and ack, where a change of the group waits.
SELECT pg_catalog.pg_extension_config_dump('chronicle.subscriptions', '');
SELECT pg_catalog.pg_extension_config_dump('chronicle.subscription_checkpoints', '');
SELECT pg_catalog.pg_extension_config_dump('chronicle.subscription_parked_events', '');

-- The member of a group of `members` that receives `stream`: FNV-1a (64 bit) of the stream
-- name's bytes, modulo members. Stable across servers, versions and pg_upgrade; a client can
-- compute it too (docs/subscriptions.md).
CREATE FUNCTION chronicle.stream_member(stream text, members integer) RETURNS integer
    AS 'MODULE_PATHNAME', 'chronicle_stream_member'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION chronicle.head_position() RETURNS bigint
    AS 'MODULE_PATHNAME', 'chronicle_head_position'
    LANGUAGE C VOLATILE PARALLEL RESTRICTED;


CREATE FUNCTION chronicle_internal._subscription_check_name(name text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF name IS NULL OR name = '' OR octet_length(name) > 63 THEN
        RAISE EXCEPTION 'a subscription name must be 1 to 63 bytes long'
            USING ERRCODE = 'CH040', DETAIL = format('The name given was %s.', coalesce(quote_literal(name), 'NULL'));
    END IF;
END $$;

CREATE FUNCTION chronicle_internal._subscription_not_found(subscription text) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'subscription "%" does not exist', subscription
        USING ERRCODE = 'CH041',
              HINT = 'SELECT name FROM chronicle.subscription_status lists the subscriptions of this database.';
END $$;

-- The subscription, locked for a change by its owner (or a member of the owning role): FOR NO
-- KEY UPDATE, which two changes take in turn; a drop's DELETE then takes the row itself.
CREATE FUNCTION chronicle_internal._subscription_for_change(caller regrole, subscription text)
    RETURNS chronicle.subscriptions LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions;
BEGIN
    PERFORM chronicle_internal._subscription_check_name(subscription);
    SELECT * INTO s FROM chronicle.subscriptions WHERE name = subscription FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM chronicle_internal._subscription_not_found(subscription);
    END IF;
    PERFORM chronicle_internal._check_owner(caller, 'subscription', s.name, s.owner);
    RETURN s;
END $$;

-- The subscription, for one of its consumers: its owner, a member of the owning role, a role
-- it was granted to (or a member of one), or a superuser. Read without a lock: a consumer in
-- the middle of its transaction never holds its owner's grant, revoke or alter_owner back.
CREATE FUNCTION chronicle_internal._subscription_for_consumer(caller regrole, subscription text,
                                                             members integer)
    RETURNS chronicle.subscriptions LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions;
BEGIN
    PERFORM chronicle_internal._subscription_check_name(subscription);
    IF members IS NULL OR members < 1 OR members > 1024 THEN
        RAISE EXCEPTION 'members must be between 1 and 1024, not %', coalesce(members::text, 'NULL')
            USING ERRCODE = 'CH016';
    END IF;
    SELECT * INTO s FROM chronicle.subscriptions WHERE name = subscription;
    IF NOT FOUND THEN
        PERFORM chronicle_internal._subscription_not_found(subscription);
    END IF;
    IF NOT pg_has_role(caller::oid, s.owner::oid, 'USAGE')
       AND NOT EXISTS (SELECT 1 FROM unnest(s.consumers) AS c(role)
                        WHERE pg_has_role(caller::oid, c.role::oid, 'USAGE')) THEN
        RAISE EXCEPTION 'permission denied for subscription "%"', s.name
            USING ERRCODE = '42501',
                  HINT = format('Its owner (%s) may grant it: SELECT chronicle.grant_subscription(%L, %L).',
                                s.owner, s.name, caller);
    END IF;
    RETURN s;
END $$;

-- The group of `subscription` becomes `members` members (nothing changes if it has that
-- size already). The hand-over: every new member starts at the lowest checkpoint of the old
-- group, so that no stream's events are lost or reordered, and passes by the events the old
-- group's member of their stream had acknowledged (_subscription_passed), so that none is
-- delivered twice. Old members' later polls and acks fail (CH043) and roll back their
-- transactions. (Only the last old group is remembered: after two changes in quick
-- succession, events the group before had acknowledged may come again, in order.)
CREATE FUNCTION chronicle_internal._subscription_regroup(subscription text, members integer,
                                                        first_use boolean)
    RETURNS chronicle.subscriptions LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions;
    handover bigint;
BEGIN
    SELECT * INTO s FROM chronicle.subscriptions WHERE name = subscription FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM chronicle_internal._subscription_not_found(subscription);
    END IF;
    IF s.members = members THEN
        RETURN s;  -- another poll changed it first
    END IF;
    -- The first poll sets the size only of a group nobody has used: another first poll with
    -- another size may have set it meanwhile (the caller then refuses, CH043).
    IF first_use AND (s.group_changed_at IS NOT NULL
                      OR EXISTS (SELECT 1 FROM chronicle.subscription_checkpoints cp
                                  WHERE cp.subscription = s.name
                                    AND (cp.last_poll_at IS NOT NULL OR cp.last_ack_at IS NOT NULL))) THEN
        RETURN s;
    END IF;
    -- The old group's polls and acks in flight end first (they hold their rows): the statements
    -- below then read their acknowledgements.
    PERFORM 1 FROM chronicle.subscription_checkpoints c WHERE c.subscription = s.name FOR UPDATE;
    SELECT min(c.position) INTO handover FROM chronicle.subscription_checkpoints c
     WHERE c.subscription = s.name;
    handover := coalesce(handover, s.start_position);
    UPDATE chronicle.subscriptions
       SET previous_members = s.members,
           previous_checkpoints = ARRAY(SELECT c.position FROM chronicle.subscription_checkpoints c
                                         WHERE c.subscription = s.name ORDER BY c.member)
     WHERE name = s.name;
    DELETE FROM chronicle.subscription_checkpoints c WHERE c.subscription = s.name;
    INSERT INTO chronicle.subscription_checkpoints (subscription, member, members, position, delivered)
    SELECT s.name, m, members, handover, handover FROM generate_series(0, members - 1) AS m;
    -- Replays under way restart with the new members.
    UPDATE chronicle.subscription_parked_events p SET replayed_at = NULL
     WHERE p.subscription = s.name AND p.replay;
    UPDATE chronicle.subscriptions SET members = _subscription_regroup.members, group_changed_at = now()
     WHERE name = s.name
    RETURNING * INTO s;
    RETURN s;
END $$;

-- A poll's or an ack's subscription and member: checked (a consumer of it; the member in the
-- group), and the member's checkpoint locked for this transaction (two consumers of one member
-- take turns; a change of the group, which deletes the rows, waits for the polls and acks in
-- flight). The group's size changes only by chronicle.alter_subscription, or with the first
-- poll of a new subscription nobody has polled or acknowledged yet (`regroup`, so that the
-- first consumers decide it): a member of an old group that still polls must not take the
-- group back, and its polls and acks are refused (CH043). One function, run at every poll and
-- ack: it does in a few statements what _subscription_for_consumer does for the others.
CREATE FUNCTION chronicle_internal._subscription_member(caller regrole, subscription text,
                                                        member integer, members integer,
                                                        regroup boolean,
                                                        OUT s chronicle.subscriptions,
                                                        OUT c chronicle.subscription_checkpoints)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF members IS NULL OR members < 1 OR members > 1024 THEN
        RAISE EXCEPTION 'members must be between 1 and 1024, not %', coalesce(members::text, 'NULL')
            USING ERRCODE = 'CH016';
    END IF;
    IF member IS NULL OR member < 0 OR member >= members THEN
        RAISE EXCEPTION 'member must be between 0 and % for a group of % members, not %',
                        members - 1, members, coalesce(member::text, 'NULL')
            USING ERRCODE = 'CH016';
    END IF;
    SELECT * INTO s FROM chronicle.subscriptions x WHERE x.name = subscription;
    IF NOT FOUND THEN
        PERFORM chronicle_internal._subscription_not_found(subscription);
    END IF;
    -- The owner first, as a simple expression (no query): the common case costs nothing more.
    IF NOT pg_has_role(caller::oid, s.owner::oid, 'USAGE') THEN
      IF NOT EXISTS (SELECT 1 FROM unnest(s.consumers) AS k(role)
                      WHERE pg_has_role(caller::oid, k.role::oid, 'USAGE')) THEN
        RAISE EXCEPTION 'permission denied for subscription "%"', s.name
            USING ERRCODE = '42501',
                  HINT = format('Its owner (%s) may grant it: SELECT chronicle.grant_subscription(%L, %L).',
                                s.owner, s.name, caller);
      END IF;
    END IF;
    IF s.members <> members THEN
        IF regroup AND s.group_changed_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM chronicle.subscription_checkpoints cp
                            WHERE cp.subscription = s.name
                              AND (cp.last_poll_at IS NOT NULL OR cp.last_ack_at IS NOT NULL)) THEN
            s := chronicle_internal._subscription_regroup(s.name, members, true);
        END IF;
        IF s.members <> members THEN
            RAISE EXCEPTION 'subscription "%" has a group of % members, not %', s.name, s.members, members
                USING ERRCODE = 'CH043',
                      DETAIL = CASE WHEN s.group_changed_at IS NULL THEN 'The group is in use with that size.'
                                    ELSE 'The group changed: this member''s unacknowledged events go to the new group.' END,
                      HINT = format('Run the consumers with members => %s, or change the group with chronicle.alter_subscription(%L, members => %s).',
                                    s.members, s.name, members);
        END IF;
    END IF;
    SELECT * INTO c FROM chronicle.subscription_checkpoints cp
     WHERE cp.subscription = s.name AND cp.member = _subscription_member.member
       AND cp.members = s.members
       FOR UPDATE;
    IF NOT FOUND THEN
        -- The group changed (or the subscription was dropped) after `s` was read.
        SELECT * INTO s FROM chronicle.subscriptions x WHERE x.name = s.name;
        IF NOT FOUND THEN
            PERFORM chronicle_internal._subscription_not_found(subscription);
        END IF;
        RAISE EXCEPTION 'subscription "%" has a group of % members, not %', s.name, s.members, members
            USING ERRCODE = 'CH043',
                  DETAIL = 'The group changed: this member''s unacknowledged events go to the new group.',
                  HINT = 'Run the consumers with the new number of members.';
    END IF;
END $$;


-- chronicle.alter_subscription(name, members): a new size for the consumer group. Waits for
-- the polls and acks of the old group in flight; its members' later acks fail (CH043).
CREATE FUNCTION chronicle_internal._alter_subscription(caller regrole, caller_path text, name text,
                                                       members integer)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions := chronicle_internal._subscription_for_consumer(caller, name, coalesce(members, 1));
BEGIN
    IF members IS NULL THEN
        RAISE EXCEPTION 'members must not be NULL' USING ERRCODE = 'CH016';
    END IF;
    PERFORM chronicle_internal._subscription_regroup(s.name, members, false);
END $$;

CREATE FUNCTION chronicle_internal._create_subscription(caller regrole, caller_path text, name text,
                                                        category text, event_types text[], start_at text,
                                                        members integer)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    start bigint;
BEGIN
    PERFORM chronicle_internal._subscription_check_name(name);
    IF category IS NOT NULL AND (category = '' OR octet_length(category) > 255 OR strpos(category, '-') > 0) THEN
        RAISE EXCEPTION 'invalid category for subscription "%": %', name, quote_literal(category)
            USING ERRCODE = 'CH040',
                  DETAIL = 'A category is the part of a stream name before its first "-": 1 to 255 bytes without "-".';
    END IF;
    IF event_types IS NOT NULL AND array_ndims(event_types) > 1 THEN
        RAISE EXCEPTION 'event_types of subscription "%" must be a one-dimensional array', name
            USING ERRCODE = 'CH040';
    END IF;
    IF event_types IS NOT NULL AND array_position(event_types, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'event_types of subscription "%" must not contain NULL', name
            USING ERRCODE = 'CH040';
    END IF;
    IF start_at IS NULL OR start_at = 'beginning' THEN
        start := 0;
    ELSIF start_at = 'end' THEN
        start := chronicle.head_position();
    ELSIF start_at ~ '^\s*[0-9]{1,19}\s*$' AND start_at::numeric < 9223372036854775807 THEN
        start := start_at::bigint;
    ELSE
        RAISE EXCEPTION 'invalid start_at for subscription "%": %', name, quote_literal(start_at)
            USING ERRCODE = 'CH040',
                  HINT = 'Give ''beginning'', ''end'', or a global position: the subscription delivers the events after it.';
    END IF;
    IF members IS NULL OR members < 1 OR members > 1024 THEN
        RAISE EXCEPTION 'members must be between 1 and 1024, not %', coalesce(members::text, 'NULL')
            USING ERRCODE = 'CH040';
    END IF;
    BEGIN
        INSERT INTO chronicle.subscriptions (name, owner, category, event_types, start_position, members)
        VALUES (name, caller, category, event_types, start, members);
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'subscription "%" already exists', name USING ERRCODE = 'CH042';
    END;
    -- Rows a park left behind, racing a drop of an older subscription of this name.
    DELETE FROM chronicle.subscription_parked_events p WHERE p.subscription = name;
    INSERT INTO chronicle.subscription_checkpoints (subscription, member, members, position, delivered)
    SELECT name, m, members, start, start FROM generate_series(0, members - 1) AS m;
END $$;

CREATE FUNCTION chronicle_internal._drop_subscription(caller regrole, caller_path text, name text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions := chronicle_internal._subscription_for_change(caller, name);
BEGIN
    DELETE FROM chronicle.subscription_checkpoints c WHERE c.subscription = s.name;
    DELETE FROM chronicle.subscription_parked_events p WHERE p.subscription = s.name;
    DELETE FROM chronicle.subscriptions WHERE subscriptions.name = s.name;
END $$;

CREATE FUNCTION chronicle_internal._grant_subscription(caller regrole, caller_path text, name text,
                                                       consumer regrole)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions := chronicle_internal._subscription_for_change(caller, name);
BEGIN
    IF consumer IS NULL THEN
        RAISE EXCEPTION 'consumer must not be NULL' USING ERRCODE = 'CH016';
    END IF;
    IF consumer::oid = 0 THEN
        RAISE EXCEPTION 'a subscription cannot be granted to PUBLIC' USING ERRCODE = 'CH016';
    END IF;
    UPDATE chronicle.subscriptions
       SET consumers = array_append(array_remove(consumers, consumer), consumer)
     WHERE subscriptions.name = s.name;
END $$;

CREATE FUNCTION chronicle_internal._revoke_subscription(caller regrole, caller_path text, name text,
                                                        consumer regrole)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions := chronicle_internal._subscription_for_change(caller, name);
BEGIN
    UPDATE chronicle.subscriptions SET consumers = array_remove(consumers, consumer)
     WHERE subscriptions.name = s.name;
END $$;

-- The positions after `after` that a member of the subscription's group passes by, sorted:
-- parked events, and events the previous group's member of their stream had acknowledged.
CREATE FUNCTION chronicle_internal._subscription_passed(s chronicle.subscriptions, after bigint)
    RETURNS bigint[] LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    previous_end bigint;
BEGIN
    IF s.previous_members IS NOT NULL THEN
        previous_end := (SELECT max(x) FROM unnest(s.previous_checkpoints) AS x);
    END IF;
    IF previous_end IS NULL OR previous_end <= after THEN
        RETURN ARRAY(SELECT p.global_position FROM chronicle.subscription_parked_events p
                      WHERE p.subscription = s.name AND NOT p.replay AND p.global_position > after
                      ORDER BY 1);
    END IF;
    RETURN ARRAY(
        SELECT p.global_position FROM chronicle.subscription_parked_events p
         WHERE p.subscription = s.name AND NOT p.replay AND p.global_position > after
        UNION
        SELECT l.global_position FROM chronicle.event_log l
         WHERE l.global_position > after AND l.global_position <= previous_end
           AND (s.category IS NULL OR l.category = s.category)
           AND l.global_position <= s.previous_checkpoints[chronicle.stream_member(l.stream, s.previous_members) + 1]
         ORDER BY 1);
END $$;

-- chronicle.poll's first step (src/pg/subscriptions/poll.cpp): the consumer checked, its
-- member's checkpoint locked, the parked events to deliver again chosen (and marked), and what
-- the read that follows (in C) must pass by.
CREATE FUNCTION chronicle_internal._poll_begin(caller regrole, caller_path text, subscription text,
                                               max_count integer, member integer, members integer,
                                               OUT category text, OUT event_types text[],
                                               OUT after bigint, OUT wanted integer,
                                               OUT member_number integer, OUT group_size integer,
                                               OUT passed bigint[], OUT replayed bigint[])
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    sc record;
    s chronicle.subscriptions;
    c chronicle.subscription_checkpoints;
BEGIN
    wanted := coalesce(max_count, 100);
    IF wanted < 0 THEN
        RAISE EXCEPTION 'max_count must not be negative, not %', wanted USING ERRCODE = 'CH016';
    END IF;
    sc := chronicle_internal._subscription_member(caller, subscription, coalesce(member, 0),
                                                  coalesce(members, 1), true);
    s := sc.s;
    c := sc.c;
    category := s.category;
    event_types := s.event_types;
    after := c.position;
    member_number := c.member;
    group_size := s.members;
    IF EXISTS (SELECT 1 FROM chronicle.subscription_parked_events p WHERE p.subscription = s.name) THEN
        -- Parked events asked for again come first, in position order.
        replayed := ARRAY(
            SELECT p.global_position
              FROM chronicle.subscription_parked_events p
              JOIN chronicle.event_log l ON l.global_position = p.global_position
             WHERE p.subscription = s.name AND p.replay
               AND chronicle.stream_member(l.stream, s.members) = c.member
               AND (s.category IS NULL OR l.category = s.category)
               AND (s.event_types IS NULL OR l.event_type = ANY (s.event_types))
             ORDER BY p.global_position LIMIT wanted);
        UPDATE chronicle.subscription_parked_events p SET replayed_at = now()
         WHERE p.subscription = s.name AND p.global_position = ANY (replayed);
        passed := chronicle_internal._subscription_passed(s, c.position);
    ELSIF s.previous_members IS NOT NULL THEN
        passed := chronicle_internal._subscription_passed(s, c.position);
    END IF;
END $$;

-- chronicle.poll's last step: the member's checkpoint after the read. `examined`: every event
-- at or below it was examined; `last_returned`: the last position returned (NULL: none). When
-- nothing was returned and nothing delivered waits for an ack, the checkpoint moves to
-- `examined`, so that the next poll does not examine the same events again.
CREATE FUNCTION chronicle_internal._poll_end(subscription text, member integer, examined bigint,
                                             last_returned bigint)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE chronicle.subscription_checkpoints cp
       SET position = CASE WHEN last_returned IS NULL AND cp.delivered <= cp.position
                                AND examined > cp.position
                           THEN examined ELSE cp.position END,
           delivered = CASE WHEN last_returned IS NULL AND cp.delivered <= cp.position
                                 AND examined > cp.position
                            THEN examined ELSE greatest(cp.delivered, last_returned) END,
           last_poll_at = now()
     WHERE cp.subscription = _poll_end.subscription AND cp.member = _poll_end.member;
END $$;

CREATE FUNCTION chronicle_internal._ack(caller regrole, caller_path text, subscription text,
                                        "position" bigint, member integer, members integer)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    sc record;
    s chronicle.subscriptions;
    c chronicle.subscription_checkpoints;
BEGIN
    IF _ack.position IS NULL OR _ack.position < 0 THEN
        RAISE EXCEPTION 'position must be a global position, not %', coalesce(_ack.position::text, 'NULL')
            USING ERRCODE = 'CH016';
    END IF;
    sc := chronicle_internal._subscription_member(caller, subscription, coalesce(member, 0),
                                                  coalesce(members, 1), false);
    s := sc.s;
    c := sc.c;
    -- Replayed parked events delivered up to the position are done.
    IF EXISTS (SELECT 1 FROM chronicle.subscription_parked_events p
                WHERE p.subscription = s.name AND p.replay) THEN
        DELETE FROM chronicle.subscription_parked_events p
         WHERE p.subscription = s.name AND p.replay AND p.replayed_at IS NOT NULL
           AND p.global_position <= _ack.position
           AND chronicle.stream_member((SELECT l.stream FROM chronicle.event_log l
                                         WHERE l.global_position = p.global_position), s.members) = c.member;
    END IF;
    IF _ack.position > c.delivered THEN
        RAISE EXCEPTION 'position % was not delivered to member % of subscription "%"', _ack.position, c.member, s.name
            USING ERRCODE = 'CH044',
                  DETAIL = format('The highest position delivered to it is %s.', c.delivered),
                  HINT = 'Acknowledge the global_position of an event that chronicle.poll returned.';
    END IF;
    UPDATE chronicle.subscription_checkpoints cp
       SET position = greatest(cp.position, _ack.position), last_ack_at = now()
     WHERE cp.subscription = s.name AND cp.member = c.member;
END $$;

CREATE FUNCTION chronicle_internal._park(caller regrole, caller_path text, subscription text,
                                         "position" bigint, reason text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions := chronicle_internal._subscription_for_consumer(caller, subscription, 1);
    stream text;
    owner_member integer;
BEGIN
    IF _park.position IS NULL OR _park.position < 1 THEN
        RAISE EXCEPTION 'position must be a global position, not %', coalesce(_park.position::text, 'NULL')
            USING ERRCODE = 'CH016';
    END IF;
    -- Only an event of the subscription: one its consumers could have received.
    SELECT l.stream INTO stream FROM chronicle.event_log l
     WHERE l.global_position = _park.position AND l.global_position > s.start_position
       AND (s.category IS NULL OR l.category = s.category)
       AND (s.event_types IS NULL OR l.event_type = ANY (s.event_types));
    IF NOT FOUND THEN
        RAISE EXCEPTION 'position % was not delivered by subscription "%"', _park.position, s.name
            USING ERRCODE = 'CH044', DETAIL = 'No event of the subscription has that position.',
                  HINT = 'Park an event that chronicle.poll returned.';
    END IF;
    owner_member := chronicle.stream_member(stream, s.members);
    IF NOT EXISTS (SELECT 1 FROM chronicle.subscription_checkpoints cp
                    WHERE cp.subscription = s.name AND cp.member = owner_member
                      AND cp.delivered >= _park.position)
       AND NOT EXISTS (SELECT 1 FROM chronicle.subscription_parked_events p
                        WHERE p.subscription = s.name AND p.global_position = _park.position) THEN
        RAISE EXCEPTION 'position % was not delivered by subscription "%"', _park.position, s.name
            USING ERRCODE = 'CH044', HINT = 'Park an event that chronicle.poll returned.';
    END IF;
    INSERT INTO chronicle.subscription_parked_events (subscription, global_position, reason, parked_by)
    VALUES (s.name, _park.position, coalesce(reason, ''), caller)
    ON CONFLICT ON CONSTRAINT subscription_parked_events_pkey DO UPDATE
       SET reason = excluded.reason, parked_at = now(), parked_by = excluded.parked_by,
           replay = false, replayed_at = NULL;
END $$;

CREATE FUNCTION chronicle_internal._replay_parked(caller regrole, caller_path text, subscription text)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions := chronicle_internal._subscription_for_consumer(caller, subscription, 1);
    ahead bigint;
    behind bigint;
BEGIN
    -- Parked events the owning member's checkpoint has not passed come with its next polls:
    -- they are simply no longer parked.
    DELETE FROM chronicle.subscription_parked_events p
     USING chronicle.event_log l, chronicle.subscription_checkpoints cp
     WHERE p.subscription = s.name AND NOT p.replay AND l.global_position = p.global_position
       AND cp.subscription = s.name AND cp.member = chronicle.stream_member(l.stream, s.members)
       AND p.global_position > cp.position;
    GET DIAGNOSTICS ahead = ROW_COUNT;
    UPDATE chronicle.subscription_parked_events p SET replay = true, replayed_at = NULL
     WHERE p.subscription = s.name AND NOT p.replay;
    GET DIAGNOSTICS behind = ROW_COUNT;
    RETURN ahead + behind;
END $$;

-- wait_for_events' view of a subscription: its filter, the checkpoint of each member, whether
-- parked events wait to be delivered again (to `member`, when given), and the positions the
-- polls pass by. Reads without locking: the wait must not hold alter_subscription back.
CREATE FUNCTION chronicle_internal._subscription_wait_target(caller regrole, subscription text,
    member integer, members integer,
    OUT category text, OUT event_types text[], OUT group_size integer, OUT positions bigint[],
    OUT replays boolean, OUT parked bigint[])
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions :=
        chronicle_internal._subscription_for_consumer(caller, subscription, coalesce(members, 1));
BEGIN
    IF member IS NOT NULL OR members IS NOT NULL THEN
        IF member IS NULL OR members IS NULL THEN
            RAISE EXCEPTION 'member and members go together'
                USING ERRCODE = 'CH016', HINT = 'Give both, or neither to wait for any member''s events.';
        END IF;
        IF member < 0 OR member >= members THEN
            RAISE EXCEPTION 'member must be between 0 and % for a group of % members, not %',
                            members - 1, members, member
                USING ERRCODE = 'CH016';
        END IF;
        IF s.members <> members THEN
            RAISE EXCEPTION 'subscription "%" has a group of % members, not %', s.name, s.members, members
                USING ERRCODE = 'CH043';
        END IF;
    END IF;
    category := s.category;
    event_types := s.event_types;
    group_size := s.members;
    positions := ARRAY(SELECT cp.position FROM chronicle.subscription_checkpoints cp
                        WHERE cp.subscription = s.name ORDER BY cp.member);
    replays := EXISTS (SELECT 1 FROM chronicle.subscription_parked_events p
                         JOIN chronicle.event_log l ON l.global_position = p.global_position
                        WHERE p.subscription = s.name AND p.replay
                          AND (member IS NULL OR chronicle.stream_member(l.stream, s.members) = member));
    parked := chronicle_internal._subscription_passed(s, (SELECT min(x) FROM unnest(positions) AS x));
END $$;
-- Definer: it reads the subscription through _subscription_wait_target, which the caller may
-- not execute; the caller's rights are checked there, with the caller passed in.
CREATE FUNCTION chronicle_internal._wait_for_events(caller regrole, caller_path text, subscription text,
                                                    timeout interval, member integer, members integer)
    RETURNS boolean AS 'MODULE_PATHNAME', 'chronicle_wait_for_events'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE VIEW chronicle.subscription_status AS
    SELECT s.name, s.owner, s.category, s.event_types, s.members,
           (SELECT array_agg(cp.position ORDER BY cp.member) FROM chronicle.subscription_checkpoints cp
             WHERE cp.subscription = s.name) AS checkpoints,
           lag.lag_events,
           coalesce(extract(epoch FROM now() - lag.oldest_recorded_at), 0)::double precision AS lag_seconds,
           (SELECT count(*) FROM chronicle.subscription_parked_events p
             WHERE p.subscription = s.name AND NOT p.replay) AS parked,
           (SELECT count(*) FROM chronicle.subscription_parked_events p
             WHERE p.subscription = s.name AND p.replay) AS replaying,
           (SELECT max(cp.last_poll_at) FROM chronicle.subscription_checkpoints cp
             WHERE cp.subscription = s.name) AS last_poll_at,
           (SELECT max(cp.last_ack_at) FROM chronicle.subscription_checkpoints cp
             WHERE cp.subscription = s.name) AS last_ack_at,
           s.consumers, s.created_at, s.group_changed_at
      FROM chronicle.subscriptions s
      -- What is left to deliver: each member's committed events after its checkpoint, parked
      -- ones aside; and how long the oldest of them has waited.
      CROSS JOIN LATERAL (
          SELECT count(*) AS lag_events, min(l.recorded_at) AS oldest_recorded_at
            FROM chronicle.subscription_checkpoints cp
            JOIN chronicle.event_log l
              ON l.global_position > cp.position
             AND (s.category IS NULL OR l.category = s.category)
           WHERE cp.subscription = s.name
             AND (s.event_types IS NULL OR l.event_type = ANY (s.event_types))
             AND chronicle.stream_member(l.stream, s.members) = cp.member
             AND NOT EXISTS (SELECT 1 FROM chronicle.subscription_parked_events p
                              WHERE p.subscription = s.name AND p.global_position = l.global_position
                                AND NOT p.replay)) AS lag;
-- The parked events of every subscription, with their reasons.
CREATE VIEW chronicle.subscription_parked AS
    SELECT p.subscription, p.global_position, l.stream, l.stream_version, l.event_type,
           p.reason, p.parked_at, p.parked_by, p.replay, p.replayed_at
      FROM chronicle.subscription_parked_events p
      JOIN chronicle.event_log l ON l.global_position = p.global_position;

CREATE FUNCTION chronicle.create_subscription(name text, category text DEFAULT NULL,
                                              event_types text[] DEFAULT NULL,
                                              start_at text DEFAULT 'beginning',
                                              members integer DEFAULT 1)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.drop_subscription(name text)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.grant_subscription(name text, consumer regrole)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.revoke_subscription(name text, consumer regrole)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.alter_subscription(name text, members integer)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.poll(subscription text, max_count integer DEFAULT 100,
                               member integer DEFAULT 0, members integer DEFAULT 1)
    RETURNS SETOF chronicle.event AS 'MODULE_PATHNAME', 'chronicle_poll'
    LANGUAGE C VOLATILE ROWS 100;
CREATE FUNCTION chronicle.ack(subscription text, "position" bigint,
                              member integer DEFAULT 0, members integer DEFAULT 1)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.park(subscription text, "position" bigint, reason text)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.replay_parked(subscription text)
    RETURNS bigint AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.wait_for_events(subscription text, timeout interval DEFAULT '30 seconds',
                                          member integer DEFAULT NULL, members integer DEFAULT NULL)
    RETURNS boolean AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;

-- =======================================================================================
-- Comments: every public object says what it is; every internal function starts "internal:"
-- =======================================================================================

-- The public API.
COMMENT ON TABLE chronicle.event_log IS
    'chronicle''s event storage, append-only: write with chronicle.append, read with chronicle.read_all, chronicle.read_stream or the view chronicle.events';
COMMENT ON SEQUENCE chronicle.global_position_seq IS
    'source of the event log''s global positions';
COMMENT ON TYPE chronicle.event IS
    'one event as the read functions return it and projection handlers receive it';
COMMENT ON FUNCTION chronicle.append(text, text, jsonb, jsonb, bigint, uuid) IS
    'append one event to a stream and return the stream''s new version';
COMMENT ON FUNCTION chronicle.append_batch(text, jsonb, bigint) IS
    'append a JSON array of {type, data, metadata?, id?} events to a stream atomically, in order, and return its new version';
COMMENT ON FUNCTION chronicle.category(text) IS
    'the category of a stream: the part of its name before the first "-"';
COMMENT ON FUNCTION chronicle.stream_version(text) IS
    'the number of events in a stream, 0 when it does not exist';
COMMENT ON FUNCTION chronicle.read_stream(text, bigint, bigint, boolean) IS
    'the events of one stream in version order (or reversed), from a version, at most max_count';
COMMENT ON FUNCTION chronicle.read_all(bigint, integer, text, text[]) IS
    'committed events after a global position, in position order, never passing an uncommitted one';
COMMENT ON VIEW chronicle.events IS
    'every event of the log, for plain SQL';
COMMENT ON COLUMN chronicle.events.global_position IS
    'position of the event in the whole log, unique and increasing in commit order of appends';
COMMENT ON COLUMN chronicle.events.stream IS
    'the stream the event belongs to';
COMMENT ON COLUMN chronicle.events.stream_version IS
    'position of the event in its stream, from 1 without gaps';
COMMENT ON COLUMN chronicle.events.event_id IS
    'the event''s unique id, given by the appender or generated';
COMMENT ON COLUMN chronicle.events.event_type IS
    'the event''s type name';
COMMENT ON COLUMN chronicle.events.data IS
    'the event''s payload';
COMMENT ON COLUMN chronicle.events.metadata IS
    'the event''s metadata, NULL when none was given';
COMMENT ON COLUMN chronicle.events.recorded_at IS
    'when the event was appended';
COMMENT ON COLUMN chronicle.events.category IS
    'the stream''s category, the part of its name before the first "-"';
COMMENT ON VIEW chronicle.streams IS
    'one row per stream: its category, version and first and last append times';
COMMENT ON VIEW chronicle.in_flight_appends IS
    'open transactions that appended and hold back read_all, async projections and wait_for_projection below their position';
COMMENT ON TABLE chronicle.aggregates IS
    'chronicle''s aggregate definitions: write them with chronicle.define_aggregate and chronicle.drop_aggregate';
COMMENT ON COLUMN chronicle.aggregates.reducer IS
    'a reducer aggregate''s function, by schema-qualified name and argument types (not OID: pg_upgrade keeps no function OIDs)';
COMMENT ON COLUMN chronicle.aggregates.reducer_owner IS
    'the role that owned the reducer when the aggregate was defined: a function of that name is called only while it still owns it';
COMMENT ON SEQUENCE chronicle.aggregate_revision_seq IS
    'source of aggregate definition revisions, which snapshots carry';
COMMENT ON TABLE chronicle.snapshots IS
    'chronicle''s aggregate snapshots: a cache of folded states, written at append time';
COMMENT ON FUNCTION chronicle.define_aggregate(text, jsonb, text, integer) IS
    'define or redefine an aggregate: declarative {"initial", "on"} or {"initial", "reducer"}';
COMMENT ON FUNCTION chronicle.drop_aggregate(text) IS
    'drop an aggregate and its snapshots';
COMMENT ON FUNCTION chronicle.fold(text, text, timestamptz, bigint) IS
    'the state of a stream folded by an aggregate now, as of a time or at a version, NULL before its first event';
COMMENT ON FUNCTION chronicle.history(text, text) IS
    'the state of a stream folded by an aggregate after each of its events, in version order';
COMMENT ON TABLE chronicle.projections IS
    'chronicle''s projections: manage them with chronicle.create_projection and its siblings, watch them in chronicle.projection_status';
COMMENT ON COLUMN chronicle.projections.handler IS
    'a handler projection''s function, by schema-qualified name and argument types (not OID: pg_upgrade keeps no function OIDs)';
COMMENT ON COLUMN chronicle.projections.handler_owner IS
    'the role that owned the handler when the projection was created: a function of that name is called only while it still owns it';
COMMENT ON SEQUENCE chronicle.rebuild_table_seq IS
    'source of the names of rebuild tables (chronicle.rebuild_<n>)';
COMMENT ON TABLE chronicle.projection_parked_events IS
    'events a projection with on_error ''park'' gave up on, with the error; chronicle.replay_parked_events delivers them again';
COMMENT ON VIEW chronicle.projection_status IS
    'one row per projection: its state, position, lag, errors, retries and rebuild progress';
COMMENT ON COLUMN chronicle.projection_status.state IS
    'running, catching_up, rebuilding, retrying, waiting_for_worker, paused or failed';
COMMENT ON COLUMN chronicle.projection_status.position IS
    'global position of the last event the projection has applied';
COMMENT ON COLUMN chronicle.projection_status.lag_events IS
    'events of the projection''s category and types still to apply (0 for inline projections)';
COMMENT ON COLUMN chronicle.projection_status.lag_seconds IS
    'how long the oldest event still to apply has been waiting';
COMMENT ON COLUMN chronicle.projection_status.last_error IS
    'the message of the error that failed or last retried the projection';
COMMENT ON COLUMN chronicle.projection_status.rebuild_progress IS
    'fraction of the log a rebuild in progress has applied, NULL when none runs';
COMMENT ON COLUMN chronicle.projection_status.target IS
    'the projection''s table or handler function';
COMMENT ON COLUMN chronicle.projection_status.time_limit IS
    'time limit of one batch: the projection''s own or chronicle.projection_time_limit';
COMMENT ON COLUMN chronicle.projection_status.parked_events IS
    'events the projection set aside (on_error ''park'')';
COMMENT ON FUNCTION chronicle.wait_for_projection(text, interval) IS
    'wait until a projection has applied every event committed before the call, false after the timeout or when it failed';
COMMENT ON FUNCTION chronicle.create_projection(text, text, text, text, jsonb, text) IS
    'create an aggregate projection: a table with one row per stream of a category, folded by an aggregate';
COMMENT ON FUNCTION chronicle.create_handler_projection(text, regprocedure, text, text[]) IS
    'create a handler projection: a function the worker calls with each event of a category and types';
COMMENT ON FUNCTION chronicle.drop_projection(text, boolean) IS
    'drop a projection and, unless drop_table is false, its table';
COMMENT ON FUNCTION chronicle.pause_projection(text) IS
    'stop applying events to a projection until it is resumed';
COMMENT ON FUNCTION chronicle.resume_projection(text) IS
    'apply events to a paused or failed projection again';
COMMENT ON FUNCTION chronicle.rebuild_projection(text) IS
    'refold a projection''s table from the first event beside the live one, or replay every event to its handler';
COMMENT ON FUNCTION chronicle.alter_owner(text, text, regrole) IS
    'give an aggregate or a projection (with its table) to another role';
COMMENT ON FUNCTION chronicle.alter_projection(text, interval, integer, text) IS
    'set a projection''s time limit per batch, its retries, and on_error (''stop'' or ''park'')';
COMMENT ON FUNCTION chronicle.replay_parked_events(text) IS
    'ask the worker to deliver a projection''s parked events again, in position order, and return how many';

COMMENT ON INDEX chronicle.event_log_correlation_idx IS
    'chronicle.read_correlated: the events of one correlation_id in position order';
COMMENT ON COLUMN chronicle.events.correlation_id IS
    'the conversation the event belongs to: its metadata''s correlation_id, or the setting chronicle.correlation_id when it appended';
COMMENT ON COLUMN chronicle.events.causation_id IS
    'what caused the event: its metadata''s causation_id, or the setting chronicle.causation_id when it appended';
COMMENT ON FUNCTION chronicle.read_correlated(text) IS
    'every event with this correlation_id, in position order';
COMMENT ON FUNCTION chronicle.load(text, text, timestamptz, bigint) IS
    'a stream''s folded state and the version it is at, from one snapshot: load, decide, append with expected_version';
COMMENT ON FUNCTION chronicle.fold_events(text, jsonb, jsonb) IS
    'fold a JSON array of append_batch-shaped events with an aggregate''s definition, without reading or writing the store';
COMMENT ON TABLE chronicle.subscriptions IS
    'subscriptions of services outside the database: filter, group size, owner and consumers; create with chronicle.create_subscription';
COMMENT ON TABLE chronicle.subscription_checkpoints IS
    'per member of each subscription''s group: the acknowledged position and the highest delivered one';
COMMENT ON TABLE chronicle.subscription_parked_events IS
    'events the consumers of a subscription parked (gave up on), with their reasons';
COMMENT ON VIEW chronicle.subscription_status IS
    'one row per subscription: filter, members, checkpoints, lag, parked events, last poll and ack';
COMMENT ON VIEW chronicle.subscription_parked IS
    'the parked events of every subscription, with their streams and reasons';
COMMENT ON FUNCTION chronicle.stream_member(text, integer) IS
    'the member of a consumer group of this size that receives the stream (FNV-1a of its name, modulo members)';
COMMENT ON FUNCTION chronicle.head_position() IS
    'the highest global position a gap-safe reader can pass now: every event at or below it is committed, or never will be';
COMMENT ON FUNCTION chronicle.create_subscription(text, text, text[], text, integer) IS
    'create a subscription of the events of a category and types, from the beginning, the end, or after a position, for a group of consumers';
COMMENT ON FUNCTION chronicle.drop_subscription(text) IS
    'drop a subscription with its checkpoints and parked events';
COMMENT ON FUNCTION chronicle.grant_subscription(text, regrole) IS
    'let a role (and its members) poll, acknowledge, park, replay and wait on a subscription';
COMMENT ON FUNCTION chronicle.revoke_subscription(text, regrole) IS
    'take back what chronicle.grant_subscription gave';
COMMENT ON FUNCTION chronicle.alter_subscription(text, integer) IS
    'change the size of a subscription''s consumer group: every new member starts at the old group''s lowest checkpoint';
COMMENT ON FUNCTION chronicle.poll(text, integer, integer, integer) IS
    'the next events of a subscription (or of one member of its group) after the acknowledged position, gap-safe, in position order';
COMMENT ON FUNCTION chronicle.ack(text, bigint, integer, integer) IS
    'acknowledge every delivered event of a subscription member up to a position';
COMMENT ON FUNCTION chronicle.park(text, bigint, text) IS
    'set an event a consumer gives up on aside, with a reason: polls pass it by';
COMMENT ON FUNCTION chronicle.replay_parked(text) IS
    'deliver a subscription''s parked events again; returns how many';
COMMENT ON FUNCTION chronicle.wait_for_events(text, interval, integer, integer) IS
    'wait until a subscription (or one member of its group) has events to deliver (true) or the timeout passes (false), holding no snapshot of its own';
COMMENT ON FUNCTION chronicle_internal._subscription_check_name(text) IS
    'internal: refuses a subscription name that is empty or longer than 63 bytes';
COMMENT ON FUNCTION chronicle_internal._subscription_not_found(text) IS
    'internal: raises "subscription does not exist"';
COMMENT ON FUNCTION chronicle_internal._subscription_for_change(regrole, text) IS
    'internal: a subscription, locked, for a change by its owner';
COMMENT ON FUNCTION chronicle_internal._subscription_for_consumer(regrole, text, integer) IS
    'internal: a subscription, for one of its consumers';
COMMENT ON FUNCTION chronicle_internal._subscription_regroup(text, integer, boolean) IS
    'internal: changes the size of a subscription''s group, every new member starting at the old group''s lowest checkpoint';
COMMENT ON FUNCTION chronicle_internal._subscription_member(regrole, text, integer, integer, boolean) IS
    'internal: a poll''s or ack''s subscription and member, checked, with the member''s checkpoint locked';
COMMENT ON FUNCTION chronicle_internal._alter_subscription(regrole, text, text, integer) IS
    'internal: chronicle.alter_subscription, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._create_subscription(regrole, text, text, text, text[], text, integer) IS
    'internal: chronicle.create_subscription, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._drop_subscription(regrole, text, text) IS
    'internal: chronicle.drop_subscription, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._grant_subscription(regrole, text, text, regrole) IS
    'internal: chronicle.grant_subscription, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._revoke_subscription(regrole, text, text, regrole) IS
    'internal: chronicle.revoke_subscription, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._subscription_passed(chronicle.subscriptions, bigint) IS
    'internal: the positions a member of a subscription''s group passes by: parked, or acknowledged by the previous group';
COMMENT ON FUNCTION chronicle_internal._poll_begin(regrole, text, text, integer, integer, integer) IS
    'internal: chronicle.poll''s checks and locks, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._poll_end(text, integer, bigint, bigint) IS
    'internal: chronicle.poll''s update of the member''s checkpoint';
COMMENT ON FUNCTION chronicle_internal._ack(regrole, text, text, bigint, integer, integer) IS
    'internal: chronicle.ack, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._park(regrole, text, text, bigint, text) IS
    'internal: chronicle.park, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._replay_parked(regrole, text, text) IS
    'internal: chronicle.replay_parked, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._subscription_wait_target(regrole, text, integer, integer) IS
    'internal: a subscription''s filter and checkpoints, for wait_for_events';
COMMENT ON FUNCTION chronicle_internal._wait_for_events(regrole, text, text, interval, integer, integer) IS
    'internal: chronicle.wait_for_events, called with the calling role';

-- The internal functions.
COMMENT ON FUNCTION chronicle_internal.refuse_event_change() IS
    'internal: trigger that refuses UPDATE, DELETE and TRUNCATE on the event log';
COMMENT ON FUNCTION chronicle_internal.guard_extension_drop() IS
    'internal: event trigger that refuses to drop the extension while its event log holds events';
COMMENT ON FUNCTION chronicle_internal.aggregates_changed() IS
    'internal: trigger that drops every backend''s compiled aggregate definitions';
COMMENT ON FUNCTION chronicle_internal.aggregate_revised() IS
    'internal: trigger that gives a definition changed by hand a new revision';
COMMENT ON FUNCTION chronicle_internal.aggregate_in_use() IS
    'internal: trigger that refuses to drop an aggregate a projection folds with';
COMMENT ON FUNCTION chronicle_internal.projections_changed() IS
    'internal: trigger that refreshes the inline projections of appending backends and wakes the worker';
COMMENT ON FUNCTION chronicle_internal._projection_reset_failures() IS
    'internal: trigger that starts a projection''s retry count again when it is rebuilt';
COMMENT ON FUNCTION chronicle_internal.projection_table_dropped() IS
    'internal: event trigger that refuses to drop a projection''s table';
COMMENT ON FUNCTION chronicle_internal._workers_enabled() IS
    'internal: whether this server runs projection workers';
COMMENT ON FUNCTION chronicle_internal._waits_for_worker() IS
    'internal: whether this database waits for a worker slot';
COMMENT ON FUNCTION chronicle_internal._in_flight_positions() IS
    'internal: the open transactions of this database that hold an in-flight position, for chronicle.in_flight_appends';
COMMENT ON FUNCTION chronicle_internal._projection_fill(text) IS
    'internal: refold an inline projection''s table from every stream, with appends held off';
COMMENT ON FUNCTION chronicle_internal._drop_rebuild_table(text, regclass) IS
    'internal: drop a projection''s rebuild table if chronicle made it';
COMMENT ON FUNCTION chronicle_internal._execute_as(regrole, text, text) IS
    'internal: run SQL as a role, security-restricted, with a given search_path';
COMMENT ON FUNCTION chronicle_internal._column_type(regrole, text, text) IS
    'internal: a projection column''s type as the calling role names it, and its spelling for that role''s DDL';
COMMENT ON FUNCTION chronicle_internal._function_identity(regprocedure) IS
    'internal: a function''s schema-qualified name and argument types, as chronicle records reducers and handlers';
COMMENT ON FUNCTION chronicle_internal._check_owner(regrole, text, text, regrole) IS
    'internal: fail unless a role may change an object of a given owner';
COMMENT ON FUNCTION chronicle_internal._projection_not_found(text) IS
    'internal: raise the error for a projection that does not exist';
COMMENT ON FUNCTION chronicle_internal._projection_check_name(text) IS
    'internal: fail unless a projection name is 1 to 63 bytes long';
COMMENT ON FUNCTION chronicle_internal._projection_warn_if_no_worker() IS
    'internal: warn when no worker will run this database''s async projections';
COMMENT ON FUNCTION chronicle_internal._projection_columns(jsonb) IS
    'internal: a projection''s column spec, checked and normalized';
COMMENT ON FUNCTION chronicle_internal._projection_for_change(regrole, text) IS
    'internal: a projection''s row, locked, after checking that a role may change it';
COMMENT ON FUNCTION chronicle_internal._create_projection(regrole, text, text, text, text, text, jsonb, text) IS
    'internal: chronicle.create_projection, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._create_handler_projection(regrole, text, text, regprocedure, text, text[]) IS
    'internal: chronicle.create_handler_projection, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._drop_projection(regrole, text, text, boolean) IS
    'internal: chronicle.drop_projection, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._pause_projection(regrole, text, text) IS
    'internal: chronicle.pause_projection, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._resume_projection(regrole, text, text) IS
    'internal: chronicle.resume_projection, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._rebuild_projection(regrole, text, text) IS
    'internal: chronicle.rebuild_projection, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._alter_owner(regrole, text, text, text, regrole) IS
    'internal: chronicle.alter_owner, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._alter_projection(regrole, text, text, interval, integer, text) IS
    'internal: chronicle.alter_projection, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._replay_parked_events(regrole, text, text) IS
    'internal: chronicle.replay_parked_events, called with the calling role';

-- =======================================================================================
-- Privileges (docs/security.md): nothing that writes events, reads events or manages
-- objects is PUBLIC's; the extension's owner may grant all of it on. Definitions are
-- readable by everyone, as PostgreSQL's own catalogs are; a projection's errors are not, as
-- they may quote events.
-- =======================================================================================

GRANT USAGE ON SCHEMA chronicle TO PUBLIC;

-- Writing, reading and managing: the extension's owner's, to grant on.
REVOKE EXECUTE ON FUNCTION chronicle.append(text, text, jsonb, jsonb, bigint, uuid),
                           chronicle.append_batch(text, jsonb, bigint),
                           chronicle.read_stream(text, bigint, bigint, boolean),
                           chronicle.read_all(bigint, integer, text, text[]),
                           chronicle.stream_version(text),
                           chronicle.fold(text, text, timestamptz, bigint),
                           chronicle.history(text, text),
                           chronicle.wait_for_projection(text, interval),
                           chronicle.define_aggregate(text, jsonb, text, integer),
                           chronicle.drop_aggregate(text),
                           chronicle.create_projection(text, text, text, text, jsonb, text),
                           chronicle.create_handler_projection(text, regprocedure, text, text[]),
                           chronicle.drop_projection(text, boolean),
                           chronicle.pause_projection(text),
                           chronicle.resume_projection(text),
                           chronicle.rebuild_projection(text),
                           chronicle.alter_owner(text, text, regrole),
                           chronicle.alter_projection(text, interval, integer, text),
                           chronicle.replay_parked_events(text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chronicle.append(text, text, jsonb, jsonb, bigint, uuid),
                          chronicle.append_batch(text, jsonb, bigint),
                          chronicle.read_stream(text, bigint, bigint, boolean),
                          chronicle.read_all(bigint, integer, text, text[]),
                          chronicle.stream_version(text),
                          chronicle.fold(text, text, timestamptz, bigint),
                          chronicle.history(text, text),
                          chronicle.wait_for_projection(text, interval),
                          chronicle.define_aggregate(text, jsonb, text, integer),
                          chronicle.drop_aggregate(text),
                          chronicle.create_projection(text, text, text, text, jsonb, text),
                          chronicle.create_handler_projection(text, regprocedure, text, text[]),
                          chronicle.drop_projection(text, boolean),
                          chronicle.pause_projection(text),
                          chronicle.resume_projection(text),
                          chronicle.rebuild_projection(text),
                          chronicle.alter_owner(text, text, regrole),
                          chronicle.alter_projection(text, interval, integer, text),
                          chronicle.replay_parked_events(text)
    TO @extowner@ WITH GRANT OPTION;
-- chronicle.category stays PUBLIC's: a pure function of its argument.

REVOKE ALL ON chronicle.in_flight_appends, chronicle.projection_parked_events FROM PUBLIC;
GRANT SELECT ON chronicle.events, chronicle.streams, chronicle.projection_status,
                chronicle.global_position_seq, chronicle.projections,
                chronicle.in_flight_appends, chronicle.projection_parked_events
    TO @extowner@ WITH GRANT OPTION;
GRANT SELECT ON chronicle.aggregates TO PUBLIC;
GRANT SELECT (name, kind, mode, aggregate, category, table_name, columns, handler, handler_owner,
              event_types, owner, state, position, events_applied, applied_at, rebuild_table,
              rebuild_position, rebuild_started_at, created_at,
              time_limit, retries, on_error, attempts, retry_at)
    ON chronicle.projections TO PUBLIC;

-- Internal functions: PUBLIC's EXECUTE is revoked from all but these, which keep it:
-- * _in_flight_positions and _waits_for_worker: the views chronicle.in_flight_appends and
--   chronicle.projection_status call them, and PostgreSQL checks EXECUTE on a function in a
--   view as the reader. _in_flight_positions answers only roles that may read its view;
--   _waits_for_worker tells only what the server log says anyway.
-- Trigger functions need no EXECUTE to fire; they are revoked too.
REVOKE EXECUTE ON FUNCTION chronicle_internal.refuse_event_change(),
                           chronicle_internal.guard_extension_drop(),
                           chronicle_internal.aggregates_changed(),
                           chronicle_internal.aggregate_revised(),
                           chronicle_internal.aggregate_in_use(),
                           chronicle_internal.projections_changed(),
                           chronicle_internal._projection_reset_failures(),
                           chronicle_internal.projection_table_dropped(),
                           chronicle_internal._workers_enabled(),
                           chronicle_internal._projection_fill(text),
                           chronicle_internal._drop_rebuild_table(text, regclass),
                           chronicle_internal._execute_as(regrole, text, text),
                           chronicle_internal._column_type(regrole, text, text),
                           chronicle_internal._function_identity(regprocedure),
                           chronicle_internal._check_owner(regrole, text, text, regrole),
                           chronicle_internal._projection_not_found(text),
                           chronicle_internal._projection_check_name(text),
                           chronicle_internal._projection_warn_if_no_worker(),
                           chronicle_internal._projection_columns(jsonb),
                           chronicle_internal._projection_for_change(regrole, text),
                           chronicle_internal._create_projection(regrole, text, text, text, text, text, jsonb, text),
                           chronicle_internal._create_handler_projection(regrole, text, text, regprocedure, text, text[]),
                           chronicle_internal._drop_projection(regrole, text, text, boolean),
                           chronicle_internal._pause_projection(regrole, text, text),
                           chronicle_internal._resume_projection(regrole, text, text),
                           chronicle_internal._rebuild_projection(regrole, text, text),
                           chronicle_internal._alter_owner(regrole, text, text, text, regrole),
                           chronicle_internal._alter_projection(regrole, text, text, interval, integer, text),
                           chronicle_internal._replay_parked_events(regrole, text, text)
    FROM PUBLIC;

-- 0.8: reading conversations, loading, subscriptions.
REVOKE EXECUTE ON FUNCTION chronicle.read_correlated(text),
                           chronicle.load(text, text, timestamptz, bigint),
                           chronicle.fold_events(text, jsonb, jsonb),
                           chronicle.head_position(),
                           chronicle.create_subscription(text, text, text[], text, integer),
                           chronicle.drop_subscription(text),
                           chronicle.grant_subscription(text, regrole),
                           chronicle.revoke_subscription(text, regrole),
                           chronicle.alter_subscription(text, integer),
                           chronicle.alter_subscription(text, integer),
                          chronicle.poll(text, integer, integer, integer),
                           chronicle.ack(text, bigint, integer, integer),
                           chronicle.park(text, bigint, text),
                           chronicle.replay_parked(text),
                           chronicle.wait_for_events(text, interval, integer, integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chronicle.read_correlated(text),
                          chronicle.load(text, text, timestamptz, bigint),
                          chronicle.fold_events(text, jsonb, jsonb),
                          chronicle.head_position(),
                          chronicle.create_subscription(text, text, text[], text, integer),
                          chronicle.drop_subscription(text),
                          chronicle.grant_subscription(text, regrole),
                          chronicle.revoke_subscription(text, regrole),
                          chronicle.alter_subscription(text, integer),
                          chronicle.poll(text, integer, integer, integer),
                          chronicle.ack(text, bigint, integer, integer),
                          chronicle.park(text, bigint, text),
                          chronicle.replay_parked(text),
                          chronicle.wait_for_events(text, interval, integer, integer)
    TO @extowner@ WITH GRANT OPTION;
-- chronicle.stream_member stays PUBLIC's: a pure function of its arguments.
-- Definitions are readable by everyone; checkpoints, parked events (whose reasons may quote
-- events) and the status views are the extension owner's to grant on.
REVOKE ALL ON chronicle.subscription_checkpoints, chronicle.subscription_parked_events,
              chronicle.subscription_status, chronicle.subscription_parked FROM PUBLIC;
GRANT SELECT ON chronicle.subscriptions, chronicle.subscription_checkpoints,
                chronicle.subscription_parked_events, chronicle.subscription_status,
                chronicle.subscription_parked
    TO @extowner@ WITH GRANT OPTION;
GRANT SELECT ON chronicle.subscriptions TO PUBLIC;
REVOKE EXECUTE ON FUNCTION chronicle_internal._subscription_check_name(text),
                           chronicle_internal._subscription_not_found(text),
                           chronicle_internal._subscription_for_change(regrole, text),
                           chronicle_internal._subscription_for_consumer(regrole, text, integer),
                           chronicle_internal._subscription_regroup(text, integer, boolean),
                           chronicle_internal._subscription_member(regrole, text, integer, integer, boolean),
                           chronicle_internal._alter_subscription(regrole, text, text, integer),
                           chronicle_internal._create_subscription(regrole, text, text, text, text[], text, integer),
                           chronicle_internal._drop_subscription(regrole, text, text),
                           chronicle_internal._grant_subscription(regrole, text, text, regrole),
                           chronicle_internal._revoke_subscription(regrole, text, text, regrole),
                           chronicle_internal._subscription_passed(chronicle.subscriptions, bigint),
                           chronicle_internal._poll_begin(regrole, text, text, integer, integer, integer),
                           chronicle_internal._poll_end(text, integer, bigint, bigint),
                           chronicle_internal._ack(regrole, text, text, bigint, integer, integer),
                           chronicle_internal._park(regrole, text, text, bigint, text),
                           chronicle_internal._replay_parked(regrole, text, text),
                           chronicle_internal._subscription_wait_target(regrole, text, integer, integer),
                           chronicle_internal._wait_for_events(regrole, text, text, interval, integer, integer)
    FROM PUBLIC;
