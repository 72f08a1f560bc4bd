-- chronicle 0.6 -> 0.7: reducers and handlers recorded by identity and owner instead of as
-- regprocedure, which pg_upgrade refuses in any table (it does not keep functions' OIDs). Ends
-- with exactly the catalog chronicle--0.7.sql creates (tests/tap/012_install_equals_upgrade.pl).
\echo Use "ALTER EXTENSION chronicle UPDATE TO '0.7'" to load this file. \quit

CREATE FUNCTION chronicle_internal._function_identity(function regprocedure) RETURNS text
    AS 'MODULE_PATHNAME', 'chronicle_function_identity' LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION chronicle_internal._function_identity(regprocedure) IS
    'internal: a function''s schema-qualified name and argument types, as chronicle records reducers and handlers';
REVOKE EXECUTE ON FUNCTION chronicle_internal._function_identity(regprocedure) FROM PUBLIC;


-- ---------------------------------------------------------------------------------------
-- chronicle.aggregates.reducer
-- ---------------------------------------------------------------------------------------
ALTER TABLE chronicle.aggregates ADD COLUMN reducer_owner regrole;
-- A dangling reducer keeps the aggregate's owner as its recorded owner (any role would do:
-- nothing resolves).
UPDATE chronicle.aggregates a
   SET reducer_owner = coalesce((SELECT f.proowner FROM pg_catalog.pg_proc f WHERE f.oid = a.reducer),
                                a.owner::pg_catalog.oid)
 WHERE a.reducer IS NOT NULL;
ALTER TABLE chronicle.aggregates ALTER COLUMN reducer TYPE text USING
        -- A reducer dropped since it was recorded (its regprocedure dangles) gets an identity no
        -- function can have: its owner goes on failing, saying so, rather than working without it.
        CASE WHEN reducer IS NOT NULL
             THEN coalesce(chronicle_internal._function_identity(reducer),
                           pg_catalog.format('chronicle_internal.%I()',
                                             'dropped function ' || reducer::pg_catalog.oid)) END,
    ADD CONSTRAINT aggregates_reducer_owner_check CHECK ((reducer IS NULL) = (reducer_owner IS NULL));
COMMENT ON COLUMN chronicle.aggregates.reducer IS
    'a reducer aggregate''s function, by schema-qualified name and argument types (not OID: pg_upgrade keeps no function OIDs)';
COMMENT ON COLUMN chronicle.aggregates.reducer_owner IS
    'the role that owned the reducer when the aggregate was defined: a function of that name is called only while it still owns it';

-- ---------------------------------------------------------------------------------------
-- chronicle.projections.handler. The view and the trigger that name the column are taken off
-- it while its type changes: CREATE OR REPLACE keeps the view's OID, grants and comments.
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE VIEW chronicle.projection_status AS
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
           p.table_name::text AS target,
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
DROP TRIGGER projections_changed ON chronicle.projections;
ALTER TABLE chronicle.projections ADD COLUMN handler_owner regrole;
UPDATE chronicle.projections p
   SET handler_owner = coalesce((SELECT f.proowner FROM pg_catalog.pg_proc f WHERE f.oid = p.handler),
                                p.owner::pg_catalog.oid)
 WHERE p.handler IS NOT NULL;
ALTER TABLE chronicle.projections ALTER COLUMN handler TYPE text USING
        -- A handler dropped since it was recorded (its regprocedure dangles) gets an identity no
        -- function can have: its owner goes on failing, saying so, rather than working without it.
        CASE WHEN handler IS NOT NULL
             THEN coalesce(chronicle_internal._function_identity(handler),
                           pg_catalog.format('chronicle_internal.%I()',
                                             'dropped function ' || handler::pg_catalog.oid)) END,
    ADD CONSTRAINT projections_handler_owner_check CHECK ((handler IS NULL) = (handler_owner IS NULL));
CREATE TRIGGER projections_changed
    AFTER INSERT OR DELETE OR TRUNCATE
       OR UPDATE OF name, kind, mode, aggregate, category, table_name, columns, handler,
                    handler_owner, event_types, owner, state, rebuild_table
    ON chronicle.projections
    FOR EACH STATEMENT EXECUTE FUNCTION chronicle_internal.projections_changed();
ALTER TABLE chronicle.projections ENABLE ALWAYS TRIGGER projections_changed;
CREATE OR REPLACE VIEW chronicle.projection_status AS
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
COMMENT ON COLUMN chronicle.projections.handler IS
    'a handler projection''s function, by schema-qualified name and argument types (not OID: pg_upgrade keeps no function OIDs)';
COMMENT ON COLUMN chronicle.projections.handler_owner IS
    'the role that owned the handler when the projection was created: a function of that name is called only while it still owns it';
GRANT SELECT (handler_owner) ON chronicle.projections TO PUBLIC;

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
