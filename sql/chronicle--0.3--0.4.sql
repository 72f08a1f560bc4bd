-- chronicle 0.3 -> 0.4: safe in a database with many roles (docs/security.md).
--
-- * Every object has an owner: aggregates gain one (projections had it already).
-- * The extension's functions resolve no name through a search_path a user controls.
-- * User code (reducers, handlers, projection tables' casts and domains) runs as its owner,
--   security-restricted, its setting changes undone after each call.
-- * Catalog tables are written only by chronicle's functions; nothing that reads or writes
--   events, or manages objects, is executable by PUBLIC.
\echo Use "ALTER EXTENSION chronicle UPDATE TO '0.4'" to load this file. \quit

-- Owners ---------------------------------------------------------------------------------

-- Aggregates defined before 0.4 belong to the extension's owner (the role that installed
-- it); chronicle.alter_owner gives them to the roles that should own them.
ALTER TABLE chronicle.aggregates ADD COLUMN owner regrole;
UPDATE chronicle.aggregates
   SET owner = (SELECT e.extowner FROM pg_catalog.pg_extension e WHERE e.extname = 'chronicle')::regrole;
ALTER TABLE chronicle.aggregates ALTER COLUMN owner SET NOT NULL;

-- Dropping the extension ---------------------------------------------------------------

-- DROP EXTENSION chronicle [CASCADE] and DROP SCHEMA chronicle CASCADE (which drops the
-- extension with it) would drop the event log with every event in it: refused while it holds
-- events, unless the session SETs chronicle.allow_drop_with_events = on
-- (docs/operations.md). A C function: it resolves no name through search_path.
CREATE FUNCTION chronicle.guard_extension_drop() RETURNS event_trigger
    AS 'MODULE_PATHNAME', 'chronicle_guard_extension_drop' LANGUAGE C;
CREATE EVENT TRIGGER chronicle_guard_extension_drop ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA')
    EXECUTE FUNCTION chronicle.guard_extension_drop();

-- User code as its owner ---------------------------------------------------------------

-- The inline fill in C: the rows are written as the projection's owner (their casts and
-- domain checks are the owner's code), the catalog read and the lock on the event log
-- taken as the caller, with a pinned search_path throughout.
CREATE OR REPLACE FUNCTION chronicle._projection_fill(projection_name text) RETURNS void
    AS 'MODULE_PATHNAME', 'chronicle_projection_fill' LANGUAGE C VOLATILE STRICT;
REVOKE EXECUTE ON FUNCTION chronicle._projection_fill(text) FROM PUBLIC;
-- The fill takes its lock itself now.
DROP FUNCTION chronicle._projection_lock_appends();

-- Management: the caller, owners, rebuild tables ---------------------------------------

-- Running SQL as another role (chronicle._execute_as) and the management trampoline
-- (src/pg/management_call.cpp). Only superusers (the extension's own definer functions)
-- may run SQL as another role.
CREATE FUNCTION chronicle._execute_as(role regrole, search_path text, sql text) RETURNS text
    AS 'MODULE_PATHNAME', 'chronicle_execute_as' LANGUAGE C VOLATILE;
REVOKE ALL ON FUNCTION chronicle._execute_as(regrole, text, text) FROM PUBLIC;
-- Run as the caller by _create_projection (so PUBLIC keeps EXECUTE): it only parses a type
-- name, with the caller's own search_path and rights.
CREATE FUNCTION chronicle._parse_type(type_name text) RETURNS bigint[]
    AS 'MODULE_PATHNAME', 'chronicle_parse_type' LANGUAGE C STABLE STRICT;

-- Only the owner of an object, a role with the owner's privileges, or a superuser may
-- change it (pg_has_role(..., 'USAGE') is PostgreSQL's has_privs_of_role: superusers pass).
CREATE FUNCTION chronicle._check_owner(caller regrole, kind text, object_name text, owner regrole)
    RETURNS void LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT pg_catalog.pg_has_role(caller::oid, owner::oid, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of % "%"', kind, object_name
            USING ERRCODE = '42501',
                  DETAIL = format('%s "%s" belongs to role %s.', initcap(kind), object_name, owner),
                  HINT = 'Only its owner, a member of the owning role or a superuser may change it.';
    END IF;
END $$;
REVOKE ALL ON FUNCTION chronicle._check_owner(regrole, text, text, regrole) FROM PUBLIC;

-- Rebuild tables live in chronicle's own schema, where no other role can create anything,
-- named from this sequence: they cannot collide with each other or with a user's table.
CREATE SEQUENCE chronicle.rebuild_table_seq AS bigint NO CYCLE;
SELECT pg_catalog.pg_extension_config_dump('chronicle.rebuild_table_seq', '');

-- A column spec, checked and normalized: {"col": "type"} or {"col": {"type", "path"}}
-- becomes {"col": {"type": <the type as written>, "path": [keys]}}. Type names are resolved
-- later, as the creating role would (chronicle._create_projection).
CREATE OR REPLACE FUNCTION chronicle._projection_columns(columns jsonb) RETURNS jsonb
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

-- chronicle.create_projection, run by the management trampoline (see _execute_as above).
CREATE FUNCTION chronicle._create_projection(caller regrole, caller_path text, name text,
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
    parsed_type bigint[];
    type_name text;
BEGIN
    PERFORM chronicle._projection_check_name(name);
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
    spec := chronicle._projection_columns(columns);
    -- Type names are the caller's: parsed as the caller, with the caller's search_path, into
    -- a type and a modifier. Only format_type's spelling of them (schema-qualified outside
    -- pg_catalog, as this function's path is pinned) reaches the DDL and the catalog.
    FOR column_name, column_spec IN SELECT key, value FROM jsonb_each(spec) ORDER BY key LOOP
        BEGIN
            parsed_type := chronicle._execute_as(caller, caller_path,
                               format('SELECT chronicle._parse_type(%L)', column_spec->>'type'))::bigint[];
        EXCEPTION WHEN OTHERS THEN
            RAISE EXCEPTION 'column "%": type "%" does not exist', column_name, column_spec->>'type'
                USING ERRCODE = 'CH030';
        END;
        type_name := format_type(parsed_type[1]::oid, parsed_type[2]::integer);
        column_defs := column_defs || format(', %I %s', column_name, type_name);
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
    target := chronicle._execute_as(caller, caller_path, format(
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
        PERFORM chronicle._projection_fill(name);
    ELSE
        PERFORM chronicle._projection_warn_if_no_worker();
    END IF;
    RETURN target;
END $$;

CREATE FUNCTION chronicle._create_handler_projection(caller regrole, caller_path text, name text,
                                                     handler regprocedure, category text,
                                                     event_types text[])
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
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
    IF EXISTS (SELECT 1 FROM chronicle.projections p WHERE p.name = _create_handler_projection.name) THEN
        RAISE EXCEPTION 'projection "%" already exists', name USING ERRCODE = 'CH032';
    END IF;
    IF NOT has_function_privilege(caller::oid, handler::oid, 'EXECUTE') THEN
        RAISE EXCEPTION 'permission denied for function %', handler USING ERRCODE = '42501';
    END IF;
    INSERT INTO chronicle.projections (name, kind, category, handler, event_types, owner)
    VALUES (name, 'handler', category, handler, event_types, caller);
    PERFORM chronicle._projection_warn_if_no_worker();
END $$;

-- A projection's row, locked against the worker and other management calls, after checking
-- that the caller may change it.
CREATE FUNCTION chronicle._projection_for_change(caller regrole, projection_name text)
    RETURNS chronicle.projections LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections;
BEGIN
    -- Waits for the worker's batch on this projection to commit.
    SELECT * INTO p FROM chronicle.projections WHERE name = projection_name FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM chronicle._projection_not_found(projection_name);
    END IF;
    PERFORM chronicle._check_owner(caller, 'projection', projection_name, p.owner);
    RETURN p;
END $$;
REVOKE ALL ON FUNCTION chronicle._projection_for_change(regrole, text) FROM PUBLIC;

-- A rebuild table, dropped only when it is one chronicle made: in chronicle's schema, with
-- a name from chronicle.rebuild_table_seq. Anything else is refused, never dropped.
CREATE FUNCTION chronicle._drop_rebuild_table(projection_name text, rebuild regclass)
    RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rebuild_class pg_class;
BEGIN
    IF rebuild IS NULL THEN
        RETURN;
    END IF;
    SELECT * INTO rebuild_class FROM pg_class WHERE oid = rebuild;
    IF NOT FOUND THEN
        RETURN;  -- dropped behind chronicle's back: only its OID was left
    END IF;
    IF rebuild_class.relnamespace <> 'chronicle'::regnamespace OR rebuild_class.relname !~ '^rebuild_[0-9]+$' THEN
        RAISE EXCEPTION 'projection "%" records % as its rebuild table, which chronicle did not create',
                        projection_name, rebuild
            USING ERRCODE = '42501',
                  HINT = 'chronicle drops only the rebuild tables it made (chronicle.rebuild_<n>).';
    END IF;
    EXECUTE format('DROP TABLE %s', rebuild);
END $$;
REVOKE ALL ON FUNCTION chronicle._drop_rebuild_table(text, regclass) FROM PUBLIC;

CREATE FUNCTION chronicle._drop_projection(caller regrole, caller_path text, name text,
                                           drop_table boolean)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections := chronicle._projection_for_change(caller, name);
BEGIN
    DELETE FROM chronicle.projections WHERE projections.name = p.name;
    PERFORM chronicle._drop_rebuild_table(p.name, p.rebuild_table);
    -- The live table is a user's table: dropped with the caller's own rights. (A table
    -- dropped behind chronicle's back leaves only its OID here.)
    IF coalesce(drop_table, true) AND p.table_name IS NOT NULL
       AND EXISTS (SELECT 1 FROM pg_class WHERE oid = p.table_name) THEN
        PERFORM chronicle._execute_as(caller, 'pg_catalog, pg_temp',
                                      format('DROP TABLE %s', p.table_name));
    END IF;
END $$;

CREATE FUNCTION chronicle._pause_projection(caller regrole, caller_path text, name text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections := chronicle._projection_for_change(caller, name);
BEGIN
    UPDATE chronicle.projections SET state = 'paused' WHERE projections.name = p.name;
END $$;

CREATE FUNCTION chronicle._resume_projection(caller regrole, caller_path text, name text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections := chronicle._projection_for_change(caller, name);
BEGIN
    UPDATE chronicle.projections SET state = 'running' WHERE projections.name = p.name;
    -- Appends skipped a paused inline projection: its table is made whole again.
    IF p.mode = 'inline' AND p.state <> 'running' THEN
        PERFORM chronicle._projection_fill(p.name);
    ELSIF p.mode = 'async' THEN
        PERFORM chronicle._projection_warn_if_no_worker();
    END IF;
END $$;

CREATE FUNCTION chronicle._rebuild_projection(caller regrole, caller_path text, name text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections := chronicle._projection_for_change(caller, name);
    shadow text;
BEGIN
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
        PERFORM chronicle._drop_rebuild_table(p.name, p.rebuild_table);
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
    PERFORM chronicle._projection_warn_if_no_worker();
END $$;

-- chronicle.alter_owner(kind, name, new_owner): as ALTER ... OWNER TO, the caller must be
-- able to change the object and be a member of the new owner (superusers excepted), and the
-- new owner must be able to run it: EXECUTE on its handler or reducer. A projection's table
-- (and rebuild table) that belonged to the old owner goes to the new one with it.
CREATE FUNCTION chronicle._alter_owner(caller regrole, caller_path text, kind text, name text,
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
        p := chronicle._projection_for_change(caller, name);
    ELSE
        SELECT * INTO a FROM chronicle.aggregates WHERE aggregates.name = _alter_owner.name FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'aggregate "%" does not exist', name
                USING ERRCODE = 'CH021', HINT = 'chronicle.aggregates lists the defined aggregates.';
        END IF;
        PERFORM chronicle._check_owner(caller, 'aggregate', name, a.owner);
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

-- The public management functions: each is the trampoline, which calls chronicle._<name>
-- with the calling role (see chronicle._execute_as above). Same names, arguments and
-- privileges as before.
CREATE OR REPLACE FUNCTION chronicle.create_projection(name text, aggregate text, category text DEFAULT NULL,
                                                       table_name text DEFAULT NULL, columns jsonb DEFAULT NULL,
                                                       mode text DEFAULT 'async')
    RETURNS regclass AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION chronicle.create_handler_projection(name text, handler regprocedure,
                                                               category text DEFAULT NULL,
                                                               event_types text[] DEFAULT NULL)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION chronicle.drop_projection(name text, drop_table boolean DEFAULT true)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION chronicle.pause_projection(name text)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION chronicle.resume_projection(name text)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION chronicle.rebuild_projection(name text)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.alter_owner(kind text, name text, new_owner regrole)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION chronicle.alter_owner(text, text, regrole) IS
    'gives an aggregate or a projection (with its table) to another role';
REVOKE ALL ON FUNCTION chronicle.alter_owner(text, text, regrole) FROM PUBLIC;

REVOKE ALL ON FUNCTION chronicle._create_projection(regrole, text, text, text, text, text, jsonb, text),
                       chronicle._create_handler_projection(regrole, text, text, regprocedure, text, text[]),
                       chronicle._drop_projection(regrole, text, text, boolean),
                       chronicle._pause_projection(regrole, text, text),
                       chronicle._resume_projection(regrole, text, text),
                       chronicle._rebuild_projection(regrole, text, text),
                       chronicle._alter_owner(regrole, text, text, text, regrole)
    FROM PUBLIC;

-- Upgrading 0.3's projections, pinned search_paths, privileges -------------------------

-- Projection column types as their tables have them, schema-qualified outside pg_catalog:
-- the statements that fill a table no longer resolve a type through anyone's search_path.
UPDATE chronicle.projections p
   SET columns = (SELECT coalesce(jsonb_object_agg(s.key, jsonb_build_object(
                      'type', pg_catalog.format_type(a.atttypid, a.atttypmod), 'path', s.value->'path')), '{}')
                    FROM jsonb_each(p.columns) s
                    JOIN pg_catalog.pg_attribute a
                      ON a.attrelid = p.table_name AND a.attname = s.key AND NOT a.attisdropped)
 WHERE p.table_name IS NOT NULL AND p.columns <> '{}';

-- A rebuild in progress keeps its table, moved to where 0.4 keeps rebuild tables.
DO $$
DECLARE
    p record;
    moved text;
BEGIN
    FOR p IN SELECT name, rebuild_table FROM chronicle.projections WHERE rebuild_table IS NOT NULL LOOP
        moved := 'rebuild_' || pg_catalog.nextval('chronicle.rebuild_table_seq');
        EXECUTE pg_catalog.format('ALTER TABLE %s RENAME TO %I', p.rebuild_table, moved);
        EXECUTE pg_catalog.format('ALTER TABLE %s SET SCHEMA chronicle', p.rebuild_table);
        EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %s', p.rebuild_table,
                                  (SELECT c.relowner::regrole FROM pg_catalog.pg_class c WHERE c.oid = p.rebuild_table));
        EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO %s', p.rebuild_table,
                                  (SELECT e.extowner::regrole FROM pg_catalog.pg_extension e WHERE e.extname = 'chronicle'));
    END LOOP;
END $$;

-- Every function of the extension that is written in SQL or PL/pgSQL resolves names in
-- pg_catalog only (and pg_temp last); everything of chronicle's is schema-qualified. The C
-- functions run no SQL through the caller's search_path on another role's behalf (see
-- docs/security.md); the regress test "security" checks this list stays complete.
ALTER FUNCTION chronicle._projection_statements(regclass, jsonb) SET search_path = pg_catalog, pg_temp;
-- The swap no longer drops the rebuild table: it belongs to chronicle, and the worker drops
-- it (chronicle._drop_rebuild_table) after the swap, as itself.
CREATE OR REPLACE FUNCTION chronicle._projection_swap(live regclass, shadow regclass, columns jsonb)
    RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    names text := (chronicle._projection_statements(live, columns)).column_list;
BEGIN
    EXECUTE format('DELETE FROM %s', live);
    EXECUTE format('INSERT INTO %s (stream, version, state, updated_at%s) '
                   'SELECT stream, version, state, updated_at%s FROM %s', live, names, names, shadow);
END $$;
ALTER FUNCTION chronicle._projection_not_found(text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION chronicle._projection_check_name(text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION chronicle._projection_warn_if_no_worker() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION chronicle.aggregate_revised() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION chronicle.aggregate_in_use() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION chronicle.projection_table_dropped() SET search_path = pg_catalog, pg_temp;

-- Least privilege: nothing that writes events, reads events or manages objects is PUBLIC's.
-- docs/security.md gives the GRANT lines for a writer, a reader and a manager. The
-- extension's owner may grant all of it on.
REVOKE EXECUTE ON FUNCTION chronicle.append(text, text, jsonb, jsonb, bigint, uuid),
                           chronicle.append_batch(text, jsonb, bigint),
                           chronicle.read_stream(text, bigint, bigint, boolean),
                           chronicle.read_all(bigint, integer, text, text[]),
                           chronicle.stream_version(text),
                           chronicle.fold(text, text, timestamptz, bigint),
                           chronicle.history(text, text),
                           chronicle.wait_for_projection(text, interval)
    FROM PUBLIC;
REVOKE SELECT ON chronicle.events, chronicle.streams, chronicle.projection_status,
                 chronicle.global_position_seq
    FROM PUBLIC;
-- Internal steps of the management functions (which run as the extension's owner).
REVOKE EXECUTE ON FUNCTION chronicle._projection_columns(jsonb),
                           chronicle._projection_not_found(text),
                           chronicle._projection_check_name(text),
                           chronicle._projection_warn_if_no_worker()
    FROM PUBLIC;
-- Kept for PUBLIC: chronicle.category (a pure function of its argument), _workers_enabled
-- (a setting), and the two steps the worker and inline appends run as a projection's owner
-- through SPI: _projection_statements (returns SQL text) and _projection_swap (does only
-- what its caller's own rights on the tables allow).

-- Definitions are readable by everyone, as PostgreSQL's own catalogs are (appends and folds
-- read them as the calling role); a projection's errors are not, as they may quote events.
REVOKE SELECT ON chronicle.projections FROM PUBLIC;
GRANT SELECT (name, kind, mode, aggregate, category, table_name, columns, handler, event_types,
              owner, state, position, events_applied, applied_at, rebuild_table,
              rebuild_position, rebuild_started_at, created_at)
    ON chronicle.projections TO PUBLIC;

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
                          chronicle.alter_owner(text, text, regrole)
    TO @extowner@ WITH GRANT OPTION;
GRANT SELECT ON chronicle.events, chronicle.streams, chronicle.projection_status,
                chronicle.global_position_seq, chronicle.projections
    TO @extowner@ WITH GRANT OPTION;
