-- chronicle 0.2 -> 0.3: projections, kept by background workers or inline by appends.
\echo Use "ALTER EXTENSION chronicle UPDATE TO '0.3'" to load this file. \quit

-- Projections: what each one is, and how far it has got. The progress columns are dumped
-- with the definition on purpose: pg_dump takes the projection tables, the event log and
-- this table in one snapshot, so a restored projection goes on exactly where its rows are.
CREATE TABLE chronicle.projections (
    name                text        COLLATE "C" NOT NULL,
    kind                text        NOT NULL,
    mode                text        NOT NULL DEFAULT 'async',
    aggregate           text        COLLATE "C",
    category            text        COLLATE "C",
    table_name          regclass,
    columns             jsonb       NOT NULL DEFAULT '{}',
    handler             regprocedure,
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
    CONSTRAINT projections_pkey PRIMARY KEY (name),
    CONSTRAINT projections_kind_check CHECK (
        (kind = 'aggregate' AND aggregate IS NOT NULL AND category IS NOT NULL
                            AND table_name IS NOT NULL AND handler IS NULL)
        OR (kind = 'handler' AND handler IS NOT NULL AND aggregate IS NULL
                             AND table_name IS NULL AND mode = 'async')),
    CONSTRAINT projections_mode_check CHECK (mode IN ('async', 'inline')),
    CONSTRAINT projections_state_check CHECK (state IN ('running', 'paused', 'failed')),
    CONSTRAINT projections_rebuild_check CHECK ((rebuild_table IS NULL) = (rebuild_position IS NULL))
);
COMMENT ON TABLE chronicle.projections IS
    'chronicle''s projections: manage them with chronicle.create_projection and its siblings; watch them in chronicle.projection_status';

SELECT pg_catalog.pg_extension_config_dump('chronicle.projections', '');

-- Appending backends keep the inline projections of each category in memory; the worker
-- is woken when a projection changes. Both through this trigger, however the table changes,
-- except for the progress columns the worker writes every batch.
CREATE FUNCTION chronicle.projections_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'chronicle_projections_changed' LANGUAGE C;
CREATE TRIGGER projections_changed
    AFTER INSERT OR DELETE OR TRUNCATE
       OR UPDATE OF name, kind, mode, aggregate, category, table_name, columns, handler,
                    event_types, owner, state, rebuild_table
    ON chronicle.projections
    FOR EACH STATEMENT EXECUTE FUNCTION chronicle.projections_changed();
ALTER TABLE chronicle.projections ENABLE ALWAYS TRIGGER projections_changed;

-- The statements that read and write one aggregate projection's table, made from its
-- column spec. Used by the worker (a batch of rows), by inline appends (one row) and by the
-- functions below; the spec was checked by create_projection (chronicle._projection_columns).
CREATE FUNCTION chronicle._projection_statements(target regclass, columns jsonb,
                                                 OUT select_rows text, OUT upsert_rows text,
                                                 OUT select_row text, OUT update_row text,
                                                 OUT insert_row text, OUT column_list text)
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    column_name text;
    spec jsonb;
    op text;           -- #> for json and jsonb columns, #>> (text) for the others
    path text;         -- the path as a quoted text[] literal
    names text := '';
    batch_values text := '';
    row_values text := '';
    batch_updates text := '';
    row_updates text := '';
BEGIN
    FOR column_name, spec IN SELECT key, value FROM jsonb_each(columns) ORDER BY key LOOP
        op := CASE WHEN (spec->>'type')::regtype IN ('jsonb'::regtype, 'json'::regtype)
                   THEN '#>' ELSE '#>>' END;
        path := quote_literal((SELECT array_agg(x) FROM jsonb_array_elements_text(spec->'path') x)::text);
        names := names || format(', %I', column_name);
        batch_values := batch_values || format(', (u.state %s %s)::%s', op, path, spec->>'type');
        row_values := row_values || format(', ($3::jsonb %s %s)::%s', op, path, spec->>'type');
        batch_updates := batch_updates || format(', %1$I = excluded.%1$I', column_name);
        row_updates := row_updates || format(', %I = ($3::jsonb %s %s)::%s', column_name, op, path,
                                             spec->>'type');
    END LOOP;
    -- A batch locks the rows it will overwrite first, so that it never interleaves with an
    -- inline append or a rebuild's swap on one row.
    select_rows := format('SELECT stream, version, state FROM %s WHERE stream = ANY($1) FOR UPDATE',
                          target);
    upsert_rows := format(
        'INSERT INTO %s AS t (stream, version, state, updated_at%s) '
        'SELECT u.stream, u.version, u.state, now()%s '
        'FROM unnest($1::text[], $2::bigint[], $3::jsonb[]) AS u(stream, version, state) '
        'ON CONFLICT (stream) DO UPDATE SET version = excluded.version, state = excluded.state, '
        'updated_at = excluded.updated_at%s',
        target, names, batch_values, batch_updates);
    -- One row, for inline appends: they hold the stream's lock (no other writer of the row)
    -- and the table's (no swap in between), so a plain read, then UPDATE or INSERT.
    select_row := format('SELECT version, state FROM %s WHERE stream = $1', target);
    update_row := format('UPDATE %s SET version = $2, state = $3, updated_at = now()%s '
                         'WHERE stream = $1', target, row_updates);
    insert_row := format('INSERT INTO %s (stream, version, state, updated_at%s) '
                         'VALUES ($1, $2, $3, now()%s)', target, names, row_values);
    column_list := names;
END $$;

-- A column spec, checked and normalized: {"col": "type"} or {"col": {"type", "path"}}
-- becomes {"col": {"type": <the type as written>, "path": [keys]}}.
CREATE FUNCTION chronicle._projection_columns(columns jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    column_name text;
    spec jsonb;
    type_name text;
    type_oid regtype;
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
        BEGIN
            type_oid := type_name::regtype;
        EXCEPTION WHEN OTHERS THEN
            RAISE EXCEPTION 'column "%": type "%" does not exist', column_name, type_name
                USING ERRCODE = 'CH030';
        END;
        -- Kept as written (numeric(12,2) keeps its typmod): the cast above parsed it as a
        -- type name and nothing else, so it is safe to put into the table's DDL.
        result := result || jsonb_build_object(column_name,
                                               jsonb_build_object('type', type_name, 'path', path));
    END LOOP;
    RETURN result;
END $$;

-- Holds appends off until the end of the caller's transaction (in-flight ones are waited
-- for). The event log's owner takes the lock, so that a role allowed to manage projections
-- needs no rights on the log itself.
CREATE FUNCTION chronicle._projection_lock_appends() RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ LOCK TABLE chronicle.event_log IN SHARE MODE $$;

-- Fills an inline projection's table from every stream of its category while no append
-- can run (the lock waits for appends in flight and holds new ones until commit); the
-- appends after it keep it current.
CREATE FUNCTION chronicle._projection_fill(projection_name text) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    p chronicle.projections;
    statements record;
BEGIN
    SELECT * INTO STRICT p FROM chronicle.projections WHERE name = projection_name;
    -- Every statement below must see every event committed before the lock; a snapshot
    -- taken earlier in the transaction would leave streams out for good.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'an inline projection is filled in a read committed transaction only'
            USING ERRCODE = 'CH004',
                  DETAIL = format('This transaction is %s.', current_setting('transaction_isolation')),
                  HINT = 'Run it in a transaction of its own, or SET TRANSACTION ISOLATION LEVEL READ COMMITTED first.';
    END IF;
    PERFORM chronicle._projection_lock_appends();
    statements := chronicle._projection_statements(p.table_name, p.columns);
    EXECUTE format('DELETE FROM %s', p.table_name);
    EXECUTE statements.upsert_rows
        USING (SELECT array_agg(s.stream ORDER BY s.stream) FROM chronicle.streams s
                WHERE s.category = p.category),
              (SELECT array_agg(s.version ORDER BY s.stream) FROM chronicle.streams s
                WHERE s.category = p.category),
              (SELECT array_agg(chronicle.fold(p.aggregate, s.stream) ORDER BY s.stream)
                 FROM chronicle.streams s WHERE s.category = p.category);
END $$;

-- The end of a rebuild, run by the worker as the projection's owner once the rebuilt rows
-- have caught up (and the live table is locked against writers): the live table takes the
-- rebuilt rows in one transaction, keeping its OID, indexes, grants and dependent views;
-- readers see the old rows until it commits.
CREATE FUNCTION chronicle._projection_swap(live regclass, shadow regclass, columns jsonb)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    names text := (chronicle._projection_statements(live, columns)).column_list;
BEGIN
    EXECUTE format('DELETE FROM %s', live);
    EXECUTE format('INSERT INTO %s (stream, version, state, updated_at%s) '
                   'SELECT stream, version, state, updated_at%s FROM %s', live, names, names, shadow);
    EXECUTE format('DROP TABLE %s', shadow);
END $$;

CREATE FUNCTION chronicle._projection_not_found(projection_name text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'projection "%" does not exist', projection_name
        USING ERRCODE = 'CH031',
              HINT = 'SELECT name FROM chronicle.projections lists the projections of this database.';
END $$;

CREATE FUNCTION chronicle._projection_check_name(name text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF name IS NULL OR name = '' OR octet_length(name) > 63 THEN
        RAISE EXCEPTION 'a projection name must be 1 to 63 bytes long'
            USING ERRCODE = 'CH030', DETAIL = format('The name given was %s.', coalesce(quote_literal(name), 'NULL'));
    END IF;
END $$;

CREATE FUNCTION chronicle._workers_enabled() RETURNS boolean
    AS 'MODULE_PATHNAME', 'chronicle_workers_enabled' LANGUAGE C STABLE;

CREATE FUNCTION chronicle._projection_warn_if_no_worker() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF NOT chronicle._workers_enabled() THEN
        RAISE WARNING 'no background worker will run this projection'
            USING DETAIL = 'This server runs no chronicle workers: chronicle is not in shared_preload_libraries, or chronicle.max_workers is 0.',
                  HINT = 'Add chronicle to shared_preload_libraries and restart, or use mode => ''inline''.';
    END IF;
END $$;

CREATE FUNCTION chronicle.create_projection(name text, aggregate text, category text DEFAULT NULL,
                                            table_name text DEFAULT NULL, columns jsonb DEFAULT NULL,
                                            mode text DEFAULT 'async')
    RETURNS regclass LANGUAGE plpgsql AS $$
DECLARE
    agg chronicle.aggregates;
    spec jsonb;
    target regclass;
    qualified text;
    column_defs text := '';
    column_name text;
    column_spec jsonb;
    name_parts text[];
BEGIN
    PERFORM chronicle._projection_check_name(name);
    IF mode IS NULL OR mode NOT IN ('async', 'inline') THEN
        RAISE EXCEPTION 'mode must be ''async'' or ''inline'', not %', coalesce(quote_literal(mode), 'NULL')
            USING ERRCODE = 'CH030';
    END IF;
    SELECT * INTO agg FROM chronicle.aggregates a WHERE a.name = create_projection.aggregate;
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
    IF EXISTS (SELECT 1 FROM chronicle.projections p WHERE p.name = create_projection.name) THEN
        RAISE EXCEPTION 'projection "%" already exists', name USING ERRCODE = 'CH032';
    END IF;
    spec := chronicle._projection_columns(columns);
    FOR column_name, column_spec IN SELECT key, value FROM jsonb_each(spec) ORDER BY key LOOP
        column_defs := column_defs || format(', %I %s', column_name, column_spec->>'type');
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
    EXECUTE format('CREATE TABLE %s (stream text COLLATE "C" PRIMARY KEY, version bigint NOT NULL, '
                   'state jsonb NOT NULL, updated_at timestamptz NOT NULL%s)', qualified, column_defs);
    target := qualified::regclass;
    IF (SELECT relpersistence FROM pg_class WHERE oid = target) = 't' THEN
        RAISE EXCEPTION 'a projection table cannot be temporary' USING ERRCODE = 'CH030',
            DETAIL = 'The worker and other sessions could not see it, and it would vanish with this session.';
    END IF;
    INSERT INTO chronicle.projections (name, kind, mode, aggregate, category, table_name, columns, owner)
    VALUES (name, 'aggregate', mode, agg.name, category, target, spec, current_user::regrole);
    EXECUTE format('COMMENT ON TABLE %s IS %L', target,
                   format('chronicle projection "%s": one row per %s stream, folded by aggregate "%s"',
                          name, category, agg.name));
    IF mode = 'inline' THEN
        PERFORM chronicle._projection_fill(name);
    ELSE
        PERFORM chronicle._projection_warn_if_no_worker();
    END IF;
    RETURN target;
END $$;

CREATE FUNCTION chronicle.create_handler_projection(name text, handler regprocedure,
                                                    category text DEFAULT NULL,
                                                    event_types text[] DEFAULT NULL)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    f pg_proc;
BEGIN
    PERFORM chronicle._projection_check_name(name);
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
    IF EXISTS (SELECT 1 FROM chronicle.projections p WHERE p.name = create_handler_projection.name) THEN
        RAISE EXCEPTION 'projection "%" already exists', name USING ERRCODE = 'CH032';
    END IF;
    IF NOT has_function_privilege(handler, 'EXECUTE') THEN
        RAISE EXCEPTION 'permission denied for function %', handler USING ERRCODE = '42501';
    END IF;
    INSERT INTO chronicle.projections (name, kind, category, handler, event_types, owner)
    VALUES (name, 'handler', category, handler, event_types, current_user::regrole);
    PERFORM chronicle._projection_warn_if_no_worker();
END $$;

CREATE FUNCTION chronicle.drop_projection(name text, drop_table boolean DEFAULT true)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    p chronicle.projections;
BEGIN
    -- Waits for the worker's batch on this projection to commit.
    SELECT * INTO p FROM chronicle.projections WHERE projections.name = drop_projection.name FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM chronicle._projection_not_found(name);
    END IF;
    DELETE FROM chronicle.projections WHERE projections.name = drop_projection.name;
    -- (A table dropped behind chronicle's back leaves only its OID here.)
    IF p.rebuild_table IS NOT NULL AND EXISTS (SELECT 1 FROM pg_class WHERE oid = p.rebuild_table) THEN
        EXECUTE format('DROP TABLE %s', p.rebuild_table);
    END IF;
    IF coalesce(drop_table, true) AND p.table_name IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_class WHERE oid = p.table_name) THEN
        EXECUTE format('DROP TABLE %s', p.table_name);
    END IF;
END $$;

CREATE FUNCTION chronicle.pause_projection(name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE chronicle.projections SET state = 'paused' WHERE projections.name = pause_projection.name;
    IF NOT FOUND THEN
        PERFORM chronicle._projection_not_found(name);
    END IF;
END $$;

CREATE FUNCTION chronicle.resume_projection(name text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    p chronicle.projections;
BEGIN
    SELECT * INTO p FROM chronicle.projections WHERE projections.name = resume_projection.name FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM chronicle._projection_not_found(name);
    END IF;
    UPDATE chronicle.projections SET state = 'running' WHERE projections.name = resume_projection.name;
    -- Appends skipped a paused inline projection: its table is made whole again.
    IF p.mode = 'inline' AND p.state <> 'running' THEN
        PERFORM chronicle._projection_fill(name);
    ELSIF p.mode = 'async' THEN
        PERFORM chronicle._projection_warn_if_no_worker();
    END IF;
END $$;

CREATE FUNCTION chronicle.rebuild_projection(name text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    p chronicle.projections;
    shadow text;
BEGIN
    SELECT * INTO p FROM chronicle.projections WHERE projections.name = rebuild_projection.name FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM chronicle._projection_not_found(name);
    END IF;
    IF p.kind = 'handler' THEN
        -- The handler's tables are the user's: replay every event to it from the start.
        UPDATE chronicle.projections
           SET position = 0, events_applied = 0, state = CASE WHEN state = 'failed' THEN 'running' ELSE state END
         WHERE projections.name = p.name;
    ELSIF p.mode = 'inline' AND NOT chronicle._workers_enabled() THEN
        -- No worker would ever finish a background rebuild: refold every stream now, with
        -- appends held off until this transaction ends.
        RAISE NOTICE 'no chronicle workers run here: projection "%" is rebuilt in this transaction', p.name;
        PERFORM chronicle._projection_fill(p.name);
        RETURN;
    ELSE
        IF p.rebuild_table IS NOT NULL THEN
            EXECUTE format('DROP TABLE IF EXISTS %s', p.rebuild_table);
        END IF;
        -- Built beside the live table, which keeps serving until the worker swaps the rows.
        SELECT format('%I.%I', n.nspname, left(c.relname, 40) || '_chronicle_rebuild')
          INTO shadow
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.oid = p.table_name;
        IF to_regclass(shadow) IS NOT NULL THEN
            EXECUTE format('DROP TABLE %s', shadow);
        END IF;
        EXECUTE format('CREATE TABLE %s (LIKE %s INCLUDING DEFAULTS INCLUDING GENERATED, PRIMARY KEY (stream))',
                       shadow, p.table_name);
        IF p.owner::oid <> current_user::regrole::oid THEN
            EXECUTE format('ALTER TABLE %s OWNER TO %I', shadow, p.owner::text);
        END IF;
        UPDATE chronicle.projections
           SET rebuild_table = shadow::regclass, rebuild_position = 0, rebuild_started_at = now(),
               state = CASE WHEN state = 'failed' THEN 'running' ELSE state END
         WHERE projections.name = p.name;
    END IF;
    PERFORM chronicle._projection_warn_if_no_worker();
END $$;

CREATE FUNCTION chronicle.wait_for_projection(name text, timeout interval DEFAULT '5 seconds')
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'chronicle_wait_for_projection'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION chronicle.wait_for_projection(text, interval) IS
    'waits until the projection has applied every event committed before the call; false after the timeout or when the projection failed';

-- How far each projection is behind: the events it has still to apply and how long the
-- oldest of them has been waiting.
CREATE VIEW chronicle.projection_status AS
    SELECT p.name, p.kind, p.mode,
           CASE WHEN p.state <> 'running' THEN p.state
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
COMMENT ON VIEW chronicle.projection_status IS
    'One row per projection: its state, position, lag, errors and rebuild progress';

-- Projections are administration (a handler runs in the worker as the projection's owner;
-- an inline projection runs in every appending session). Grant these to the roles that may
-- manage projections, with INSERT, UPDATE, DELETE on chronicle.projections (and EXECUTE on
-- chronicle._projection_fill and chronicle._projection_lock_appends for inline ones).
REVOKE EXECUTE ON FUNCTION chronicle.create_projection(text, text, text, text, jsonb, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION chronicle.create_handler_projection(text, regprocedure, text, text[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION chronicle.drop_projection(text, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION chronicle.pause_projection(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION chronicle.resume_projection(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION chronicle.rebuild_projection(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION chronicle._projection_fill(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION chronicle._projection_lock_appends() FROM PUBLIC;
GRANT SELECT ON chronicle.projections TO PUBLIC;
GRANT SELECT ON chronicle.projection_status TO PUBLIC;

-- An aggregate a projection folds with cannot be dropped from under it (an inline one would
-- fail every append to its category).
CREATE FUNCTION chronicle.aggregate_in_use() RETURNS trigger LANGUAGE plpgsql AS $$
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
    FOR EACH ROW EXECUTE FUNCTION chronicle.aggregate_in_use();
ALTER TABLE chronicle.aggregates ENABLE ALWAYS TRIGGER aggregate_in_use;

-- A projection's table cannot be dropped from under it, as a view's table cannot: an inline
-- projection would fail every append to its category, an async one its worker's batches.
CREATE FUNCTION chronicle.projection_table_dropped() RETURNS event_trigger LANGUAGE plpgsql AS $$
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
    EXECUTE FUNCTION chronicle.projection_table_dropped();
