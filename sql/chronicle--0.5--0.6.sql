-- chronicle 0.5 -> 0.6: internal functions in their own schema, a comment on every object,
-- error messages in PostgreSQL's style. Ends with exactly the catalog chronicle--0.6.sql
-- creates (tests/tap/012_install_equals_upgrade.pl compares them).
\echo Use "ALTER EXTENSION chronicle UPDATE TO '0.6'" to load this file. \quit

-- ---------------------------------------------------------------------------------------
-- Internal functions out of the user's view: chronicle_internal (see chronicle--0.6.sql for
-- why it is created plainly and why PUBLIC has no USAGE on it)
-- ---------------------------------------------------------------------------------------
CREATE SCHEMA chronicle_internal;
COMMENT ON SCHEMA chronicle_internal IS
    'chronicle''s internal functions: called by chronicle''s own functions, triggers, views and workers, not by users';

-- Triggers, event triggers and views refer to their functions by OID and follow them; the
-- management trampoline and the worker look them up in chronicle_internal (the library
-- falls back to chronicle while a database still runs 0.5 or older).
ALTER FUNCTION chronicle.refuse_event_change() SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle.guard_extension_drop() SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle.aggregates_changed() SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle.aggregate_revised() SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle.aggregate_in_use() SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle.projections_changed() SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._projection_reset_failures() SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle.projection_table_dropped() SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._workers_enabled() SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._waits_for_worker() SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._in_flight_positions() SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._projection_fill(text) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._drop_rebuild_table(text, regclass) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._execute_as(regrole, text, text) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._check_owner(regrole, text, text, regrole) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._projection_not_found(text) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._projection_check_name(text) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._projection_warn_if_no_worker() SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._projection_columns(jsonb) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._projection_for_change(regrole, text) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._create_projection(regrole, text, text, text, text, text, jsonb, text) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._create_handler_projection(regrole, text, text, regprocedure, text, text[]) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._drop_projection(regrole, text, text, boolean) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._pause_projection(regrole, text, text) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._resume_projection(regrole, text, text) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._rebuild_projection(regrole, text, text) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._alter_owner(regrole, text, text, text, regrole) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._alter_projection(regrole, text, text, interval, integer, text) SET SCHEMA chronicle_internal;
ALTER FUNCTION chronicle._replay_parked_events(regrole, text, text) SET SCHEMA chronicle_internal;

-- ---------------------------------------------------------------------------------------
-- The projection feature in one language at run time: the worker and inline appends build a
-- projection table's statements in C++ (src/core/projection_sql.cpp) and swap a rebuild's
-- rows in C++, so nothing asks PL/pgSQL for SQL text any more. The worker and the management
-- functions drop a finished rebuild's table with the same C code (one check: only the
-- rebuild tables chronicle made). OR REPLACE keeps its ACL (nothing for PUBLIC).
-- ---------------------------------------------------------------------------------------
DROP FUNCTION chronicle._projection_statements(regclass, jsonb);
DROP FUNCTION chronicle._projection_swap(regclass, regclass, jsonb);
CREATE OR REPLACE FUNCTION chronicle_internal._drop_rebuild_table(projection_name text, rebuild regclass)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_drop_rebuild_table' LANGUAGE C VOLATILE;

-- create_projection parses its column types as the caller through _column_type, called
-- directly (by OID from PL/pgSQL's plan, as the definer): no role needs to name a function
-- of chronicle_internal in SQL text any more, so PUBLIC gets no USAGE on the schema.
DROP FUNCTION chronicle._parse_type(text);
CREATE FUNCTION chronicle_internal._column_type(caller regrole, caller_path text, type_name text,
                                               OUT type_oid oid, OUT typmod integer, OUT ddl_name text)
    AS 'MODULE_PATHNAME', 'chronicle_column_type' LANGUAGE C STABLE;
REVOKE EXECUTE ON FUNCTION chronicle_internal._column_type(regrole, text, text) FROM PUBLIC;

-- The PL/pgSQL bodies that call a moved function by name, or whose messages changed, as
-- chronicle--0.6.sql has them.
CREATE OR REPLACE FUNCTION chronicle_internal._projection_warn_if_no_worker() RETURNS void
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

CREATE OR REPLACE FUNCTION chronicle_internal._projection_for_change(caller regrole, projection_name text)
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

CREATE OR REPLACE FUNCTION chronicle_internal._create_projection(caller regrole, caller_path text, name text,
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

CREATE OR REPLACE FUNCTION chronicle_internal._create_handler_projection(caller regrole, caller_path text, name text,
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
    INSERT INTO chronicle.projections (name, kind, category, handler, event_types, owner)
    VALUES (name, 'handler', category, handler, event_types, caller);
    PERFORM chronicle_internal._projection_warn_if_no_worker();
END $$;

CREATE OR REPLACE FUNCTION chronicle_internal._drop_projection(caller regrole, caller_path text, name text,
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

CREATE OR REPLACE FUNCTION chronicle_internal._pause_projection(caller regrole, caller_path text, name text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections := chronicle_internal._projection_for_change(caller, name);
BEGIN
    UPDATE chronicle.projections SET state = 'paused' WHERE projections.name = p.name;
END $$;

CREATE OR REPLACE FUNCTION chronicle_internal._resume_projection(caller regrole, caller_path text, name text)
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

CREATE OR REPLACE FUNCTION chronicle_internal._rebuild_projection(caller regrole, caller_path text, name text)
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

CREATE OR REPLACE FUNCTION chronicle_internal._alter_owner(caller regrole, caller_path text, kind text, name text,
                                       new_owner regrole)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections;
    a chronicle.aggregates;
BEGIN
    IF new_owner IS NULL THEN
        RAISE EXCEPTION 'new_owner must not be NULL' USING ERRCODE = 'CH016';
    END IF;
    IF kind IS NULL OR kind NOT IN ('aggregate', 'projection') THEN
        RAISE EXCEPTION 'kind must be ''aggregate'' or ''projection'', not %', coalesce(quote_literal(kind), 'NULL')
            USING ERRCODE = 'CH016';
    END IF;
    IF kind = 'projection' THEN
        p := chronicle_internal._projection_for_change(caller, name);
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
    IF kind = 'aggregate' THEN
        IF a.reducer IS NOT NULL AND NOT has_function_privilege(new_owner::oid, a.reducer::oid, 'EXECUTE') THEN
            RAISE EXCEPTION 'role % has no EXECUTE on reducer %', new_owner, a.reducer
                USING ERRCODE = '42501';
        END IF;
        UPDATE chronicle.aggregates SET owner = new_owner WHERE aggregates.name = a.name;
        RETURN;
    END IF;
    IF p.handler IS NOT NULL AND NOT has_function_privilege(new_owner::oid, p.handler::oid, 'EXECUTE') THEN
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

CREATE OR REPLACE FUNCTION chronicle_internal._alter_projection(caller regrole, caller_path text, name text,
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

CREATE OR REPLACE FUNCTION chronicle_internal._replay_parked_events(caller regrole, caller_path text, name text)
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

-- ---------------------------------------------------------------------------------------
-- Privileges: trigger functions need no EXECUTE to fire, and _workers_enabled is called only
-- by chronicle's definer functions (the list of those PUBLIC keeps is in chronicle--0.6.sql)
-- ---------------------------------------------------------------------------------------
REVOKE EXECUTE ON FUNCTION chronicle_internal.refuse_event_change(),
                           chronicle_internal.guard_extension_drop(),
                           chronicle_internal.aggregates_changed(),
                           chronicle_internal.aggregate_revised(),
                           chronicle_internal.aggregate_in_use(),
                           chronicle_internal.projections_changed(),
                           chronicle_internal.projection_table_dropped(),
                           chronicle_internal._workers_enabled()
    FROM PUBLIC;

-- ---------------------------------------------------------------------------------------
-- Comments: every public object says what it is; every internal function starts "internal:"
-- ---------------------------------------------------------------------------------------
COMMENT ON CONSTRAINT event_log_stream_version_check ON chronicle.event_log IS
    'declared for readers and tools: the append path inserts below the executor, which evaluates no CHECK, and enforces it before the insert';
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
