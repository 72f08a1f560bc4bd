-- Attacks on the 0.4 many-roles model (docs/security.md) by an unprivileged manager,
-- atk_mallory, against atk_victim. Only attacks that are blocked are kept here; each shows
-- the refusal and why. Traps record the role they ran as into atk_trap_log, which must stay
-- empty of anything but the attacker's own role, and no atk_ role may become superuser.
-- Attacks that succeeded (defects) are in the report, not here: a column type spec that
-- injects SQL into create_projection's DDL, a handler raising SQLSTATE class 57/53/58,
-- exit_on_error set by user code, ALTER DATABASE ... SET session_authorization.
\set SHOW_CONTEXT never
SET client_min_messages = warning;

------------------------------------------------------------------------------------------
-- Setup: a victim and an attacker, both managers (and writers) as documented
------------------------------------------------------------------------------------------
CREATE ROLE atk_victim;
CREATE ROLE atk_mallory;
CREATE ROLE atk_nobody;
GRANT EXECUTE ON FUNCTION chronicle.append(text, text, jsonb, jsonb, bigint, uuid),
                          chronicle.read_stream(text, bigint, bigint, boolean),
                          chronicle.fold(text, text, timestamptz, bigint),
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
    TO atk_victim, atk_mallory;
GRANT SELECT ON chronicle.events, chronicle.streams, chronicle.projection_status
    TO atk_victim, atk_mallory;
CREATE SCHEMA atk_v AUTHORIZATION atk_victim;
CREATE SCHEMA atk_m AUTHORIZATION atk_mallory;
CREATE TABLE public.atk_trap_log (role_name name, trap text);
GRANT INSERT, SELECT ON public.atk_trap_log TO PUBLIC;

SET ROLE atk_victim;
SELECT chronicle.define_aggregate('atk_v_agg', '{"initial": {"n": 0}, "on": {"*": [{"count": "n"}]}}',
                                  category => 'atkv');
SELECT chronicle.create_projection('atk_v_p', 'atk_v_agg', table_name => 'atk_v.counts');
CREATE TABLE atk_v.precious (stream text PRIMARY KEY, version bigint, state jsonb, updated_at timestamptz);
CREATE TABLE atk_v.handled (n int);
CREATE FUNCTION atk_v.handle(e chronicle.event) RETURNS void LANGUAGE sql
    AS 'INSERT INTO atk_v.handled VALUES (1)';
-- Named to come last in the worker's round (projections are applied in name order).
SELECT chronicle.create_handler_projection('zz_atk_victim_h', 'atk_v.handle(chronicle.event)', 'atkv');
SELECT chronicle.append('atkv-1', 'Added', '{}', event_id => 'a0000000-0000-0000-0000-000000000001') > 0 AS appended;
RESET ROLE;

SET ROLE atk_mallory;
SELECT chronicle.define_aggregate('atk_m_agg', '{"initial": {"n": 0}, "on": {"*": [{"count": "n"}]}}',
                                  category => 'atkm');
RESET ROLE;

------------------------------------------------------------------------------------------
-- 1. chronicle's internals called directly, with a forged caller
------------------------------------------------------------------------------------------
SET ROLE atk_mallory;
SELECT chronicle_internal._create_projection('postgres', 'pg_catalog', 'atk_forged', 'atk_m_agg', NULL, NULL, NULL, 'async');
SELECT chronicle_internal._create_handler_projection('atk_victim', 'pg_catalog', 'atk_forged', NULL, NULL, NULL);
SELECT chronicle_internal._drop_projection('atk_victim', 'pg_catalog', 'atk_v_p', true);
SELECT chronicle_internal._pause_projection('atk_victim', 'pg_catalog', 'atk_v_p');
SELECT chronicle_internal._resume_projection('atk_victim', 'pg_catalog', 'atk_v_p');
SELECT chronicle_internal._rebuild_projection('atk_victim', 'pg_catalog', 'atk_v_p');
SELECT chronicle_internal._alter_owner('atk_victim', 'pg_catalog', 'aggregate', 'atk_v_agg', 'atk_mallory');
SELECT chronicle_internal._execute_as('postgres', 'pg_catalog', 'ALTER ROLE atk_mallory SUPERUSER');
SELECT chronicle_internal._check_owner('atk_mallory', 'projection', 'atk_v_p', 'atk_mallory');
SELECT chronicle_internal._projection_for_change('atk_victim', 'atk_v_p');
SELECT chronicle_internal._projection_fill('atk_v_p');
SELECT chronicle_internal._projection_columns('{}');
-- The rebuild's swap is C++ inside the worker now, with no SQL entry point; dropping a
-- rebuild table is not PUBLIC's (tables given by OID, as the attacker cannot name them in
-- atk_v).
SELECT chronicle_internal._drop_rebuild_table('atk_v_p',
    (SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'atk_v'::regnamespace AND c.relname = 'precious')::regclass);
RESET ROLE;

------------------------------------------------------------------------------------------
-- 2. alter_owner tricks
------------------------------------------------------------------------------------------
SET ROLE atk_mallory;
SELECT chronicle.alter_owner('aggregate', 'atk_m_agg', 0::oid::regrole);
SELECT chronicle.alter_owner('aggregate', 'atk_m_agg', '-');
SELECT chronicle.alter_owner('aggregate', 'atk_m_agg', 'public');
SELECT chronicle.alter_owner('aggregate', 'atk_m_agg', 'postgres');
SELECT chronicle.alter_owner('aggregate', 'atk_m_agg', 'pg_database_owner');
SELECT chronicle.alter_owner('aggregate', 'atk_m_agg', 'atk_victim');
SELECT chronicle.alter_owner('aggregate', 'atk_m_agg', 4000000000::oid::regrole);
SELECT chronicle.alter_owner('aggregate', 'atk_m_agg', NULL);
SELECT chronicle.alter_owner(NULL, 'atk_m_agg', 'atk_mallory');
SELECT chronicle.alter_owner('table', 'atk_m_agg', 'atk_mallory');
SELECT chronicle.alter_owner('aggregate', NULL, 'atk_mallory');
-- Taking the victim's objects.
SELECT chronicle.alter_owner('aggregate', 'atk_v_agg', 'atk_mallory');
SELECT chronicle.alter_owner('projection', 'atk_v_p', 'atk_mallory');
SELECT chronicle.alter_owner('projection', 'zz_atk_victim_h', 'atk_mallory');
RESET ROLE;
SELECT name, owner FROM chronicle.aggregates WHERE name LIKE 'atk\_%' ORDER BY 1;

------------------------------------------------------------------------------------------
-- 3. table_name tricks in create_projection (the table is created as the caller)
------------------------------------------------------------------------------------------
SET ROLE atk_mallory;
SET search_path = atk_m;
-- An existing table of the victim's, with or without its schema.
SELECT chronicle.create_projection('atk_t1', 'atk_m_agg', table_name => 'atk_v.precious');
SELECT chronicle.create_projection('atk_t2', 'atk_m_agg', table_name => 'atk_v.counts');
-- Names in chronicle's schema and in pg_catalog.
SELECT chronicle.create_projection('atk_t3', 'atk_m_agg', table_name => 'chronicle.rebuild_999999');
SELECT chronicle.create_projection('atk_t4', 'atk_m_agg', table_name => 'chronicle.projections');
SELECT chronicle.create_projection('atk_t5', 'atk_m_agg', table_name => 'pg_catalog.pg_atk');
-- Unqualified pg_class: created in atk_m, but the name then resolves to pg_catalog's.
SELECT chronicle.create_projection('atk_t6', 'atk_m_agg', table_name => 'pg_class');
-- Temporary, three-part, empty, too long, and SQL in the name.
SELECT chronicle.create_projection('atk_t7', 'atk_m_agg', table_name => 'pg_temp.atk_tmp');
SELECT chronicle.create_projection('atk_t8', 'atk_m_agg', table_name => 'atk.m.t');
SELECT chronicle.create_projection('atk_t9', 'atk_m_agg', table_name => '');
SELECT chronicle.create_projection('atk_t10', 'atk_m_agg', table_name => repeat('x', 64));
SELECT chronicle.create_projection('atk_t11', 'atk_m_agg', table_name => 'x; DROP TABLE atk_v.precious');
SELECT chronicle.create_projection('atk_t12', 'atk_m_agg', table_name => 'x (a int); DROP TABLE atk_v.precious; --');
-- A temporary table shadowing the name that is created.
CREATE TEMP TABLE atk_shadow (stream text PRIMARY KEY, version bigint, state jsonb, updated_at timestamptz);
SELECT chronicle.create_projection('atk_t13', 'atk_m_agg', table_name => 'atk_shadow');
-- A type that is SQL rather than a type name.
SELECT chronicle.create_projection('atk_t14', 'atk_m_agg', table_name => 'atk_m.t14',
                                   columns => '{"a": "int); DROP TABLE atk_v.precious; --"}');
SELECT chronicle.create_projection('atk_t15', 'atk_m_agg', table_name => 'atk_m.t15',
                                   columns => '{"a": "int DEFAULT atk_m.f()"}');
-- A type in the victim's schema (no USAGE there).
SELECT chronicle.create_projection('atk_t16', 'atk_m_agg', table_name => 'atk_m.t16',
                                   columns => '{"a": "atk_v.nope"}');
RESET search_path;
RESET ROLE;
SELECT name, table_name FROM chronicle.projections WHERE name LIKE 'atk\_t%' ORDER BY 1;
SELECT to_regclass('atk_v.precious') AS precious_still_there;

------------------------------------------------------------------------------------------
-- 4. The victim's tables and objects by SQL, and the extension's schema
------------------------------------------------------------------------------------------
SET ROLE atk_mallory;
DROP TABLE atk_v.counts;
ALTER TABLE atk_v.counts RENAME TO x;
DROP OWNED BY atk_victim;
REASSIGN OWNED BY atk_victim TO atk_mallory;
DROP SCHEMA chronicle CASCADE;
DROP EXTENSION chronicle;
ALTER EXTENSION chronicle UPDATE;
CREATE TABLE chronicle.atk_squat (x int);
CREATE FUNCTION atk_m.et() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END';
CREATE EVENT TRIGGER atk_et ON ddl_command_start EXECUTE FUNCTION atk_m.et();
SET chronicle.allow_drop_with_events = on;
DROP SCHEMA chronicle CASCADE;
RESET chronicle.allow_drop_with_events;
-- Catalog DML.
UPDATE chronicle.projections SET owner = 'atk_mallory' WHERE name = 'atk_v_p';
UPDATE chronicle.aggregates SET owner = 'atk_mallory' WHERE name = 'atk_v_agg';
DELETE FROM chronicle.snapshots;
SELECT nextval('chronicle.rebuild_table_seq');
-- A rebuild table of the attacker's own, in chronicle's schema: it cannot be renamed to
-- squat the names of later rebuild tables, nor moved out.
SELECT chronicle.create_projection('atk_rb', 'atk_m_agg', table_name => 'atk_m.rb');
-- (paused, so that the worker does not finish the rebuild before the attack)
SELECT chronicle.pause_projection('atk_rb');
SELECT chronicle.rebuild_projection('atk_rb');
SELECT (SELECT relowner FROM pg_class WHERE oid = rebuild_table)::regrole AS rebuild_owner
  FROM chronicle.projections WHERE name = 'atk_rb';
DO $$
DECLARE
    r regclass := (SELECT rebuild_table FROM chronicle.projections WHERE name = 'atk_rb');
BEGIN
    EXECUTE format('ALTER TABLE %s RENAME TO rebuild_999999', r);
END $$;
-- Its own projection table cannot be dropped from under the worker either.
DROP TABLE atk_m.rb;
RESET ROLE;

------------------------------------------------------------------------------------------
-- 5. Idempotent retries: the same id with other content is a conflict
------------------------------------------------------------------------------------------
SET ROLE atk_mallory;
SELECT chronicle.append('atkv-1', 'Added', '{"evil": true}', event_id => 'a0000000-0000-0000-0000-000000000001');
SELECT chronicle.append('atkv-1', 'Removed', '{}', event_id => 'a0000000-0000-0000-0000-000000000001');
SELECT chronicle.append('atkv-1', 'Added', '{}', '{"evil": true}', event_id => 'a0000000-0000-0000-0000-000000000001');
SELECT chronicle.append('atkm-1', 'Added', '{}', event_id => 'a0000000-0000-0000-0000-000000000001');
RESET ROLE;
SELECT stream, event_type, data, metadata FROM chronicle.events
 WHERE event_id = 'a0000000-0000-0000-0000-000000000001';

------------------------------------------------------------------------------------------
-- 6. A role without the documented grants
------------------------------------------------------------------------------------------
SET ROLE atk_nobody;
SELECT chronicle.wait_for_projection('atk_v_p', '0');
SELECT chronicle.fold('atk_v_agg', 'atkv-1');
SELECT count(*) FROM chronicle.events;
SELECT * FROM chronicle.read_stream('atkv-1');
SELECT chronicle.append('atkv-1', 'Added', '{}');
SELECT last_error FROM chronicle.projections;
SELECT count(*) FROM chronicle.projection_status;
RESET ROLE;

------------------------------------------------------------------------------------------
-- 7. Handlers in the worker, run as their owner: they cannot act as anyone else
------------------------------------------------------------------------------------------
SET ROLE atk_mallory;
CREATE FUNCTION atk_m.h_drop(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.atk_trap_log VALUES (current_user, 'h_drop');
      PERFORM chronicle.drop_projection('zz_atk_victim_h'); END $$;
CREATE FUNCTION atk_m.h_give(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN PERFORM chronicle.alter_owner('projection', 'atk_v_p', 'atk_mallory'); END $$;
CREATE FUNCTION atk_m.h_role(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN PERFORM set_config('role', 'postgres', false);
      INSERT INTO public.atk_trap_log VALUES (current_user, 'h_role'); END $$;
CREATE FUNCTION atk_m.h_auth(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN PERFORM set_config('session_authorization', 'postgres', false);
      INSERT INTO public.atk_trap_log VALUES (current_user, 'h_auth'); END $$;
CREATE FUNCTION atk_m.h_setrole(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN SET ROLE postgres; INSERT INTO public.atk_trap_log VALUES (current_user, 'h_setrole'); END $$;
CREATE FUNCTION atk_m.h_kill(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); END $$;
CREATE FUNCTION atk_m.h_cancel(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_cancel_backend(pg_backend_pid()); END $$;
CREATE FUNCTION atk_m.h_temp(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN CREATE TEMP TABLE atk_tmp (x int); END $$;
CREATE FUNCTION atk_m.h_table(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN DROP TABLE atk_v.precious; END $$;
CREATE FUNCTION atk_m.h_catalog(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN UPDATE chronicle.projections SET owner = 'atk_mallory' WHERE name = 'atk_v_p'; END $$;
CREATE FUNCTION atk_m.h_super(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN ALTER ROLE atk_mallory SUPERUSER; END $$;
CREATE FUNCTION atk_m.h_xx(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'internal-looking' USING ERRCODE = 'XX000'; END $$;
-- Settings left behind do not reach the next call or the worker's own queries.
CREATE FUNCTION atk_m.h_settings(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.atk_trap_log VALUES (current_user, 'h_settings path=' || current_setting('search_path'));
      PERFORM set_config('search_path', 'atk_m, public', false);
      PERFORM set_config('lock_timeout', '1ms', false);
      PERFORM set_config('statement_timeout', '1ms', false);
      PERFORM set_config('default_transaction_read_only', 'on', false); END $$;
SELECT chronicle.create_handler_projection('atk_h_' || h, format('atk_m.h_%s(chronicle.event)', h)::regprocedure, 'atkv')
  FROM unnest(ARRAY['drop', 'give', 'role', 'auth', 'setrole', 'kill', 'cancel', 'temp', 'table',
                    'catalog', 'super', 'xx', 'settings']) h;
RESET ROLE;
SELECT chronicle.append('atkv-1', 'Added', '{}') > 0 AS appended;
SELECT chronicle.append('atkv-1', 'Added', '{}') > 0 AS appended;
-- The victim's handler runs last in the round: once it caught up, every handler above ran.
SELECT chronicle.wait_for_projection('zz_atk_victim_h', '10 seconds');
SELECT name, state, last_error_sqlstate, last_error
  FROM chronicle.projection_status WHERE name LIKE 'atk\_h\_%' ORDER BY 1;
SELECT count(*) AS victim_handled FROM atk_v.handled;
SELECT name, owner FROM chronicle.projections WHERE name IN ('atk_v_p', 'zz_atk_victim_h') ORDER BY 1;
SELECT to_regclass('atk_v.precious') AS precious_still_there;
-- A resume does not help them either.
SET ROLE atk_mallory;
SELECT chronicle.resume_projection('atk_h_drop');
RESET ROLE;
SELECT chronicle.append('atkv-1', 'Added', '{}') > 0 AS appended;
SELECT chronicle.wait_for_projection('zz_atk_victim_h', '10 seconds');
SELECT name, state, last_error_sqlstate FROM chronicle.projection_status WHERE name = 'atk_h_drop';

------------------------------------------------------------------------------------------
-- 8. Results: nothing ran as another role, nobody became superuser
------------------------------------------------------------------------------------------
SELECT role_name, trap FROM public.atk_trap_log WHERE role_name <> 'atk_mallory' ORDER BY 1, 2;
-- The settings handler ran more than once, and every call saw the pinned path again.
SELECT role_name, count(*) > 1 AS called_again, bool_and(trap = 'h_settings path=pg_catalog, pg_temp') AS pinned
  FROM public.atk_trap_log GROUP BY role_name ORDER BY 1;
SELECT rolname FROM pg_roles WHERE rolname LIKE 'atk\_%' AND rolsuper;
SELECT name, owner FROM chronicle.aggregates WHERE name LIKE 'atk\_%' ORDER BY 1;

------------------------------------------------------------------------------------------
-- Clean up
------------------------------------------------------------------------------------------
SELECT chronicle.drop_projection(name) FROM chronicle.projections
 WHERE owner::text LIKE 'atk\_%' ORDER BY name;
SELECT chronicle.drop_aggregate(name) FROM chronicle.aggregates
 WHERE owner::text LIKE 'atk\_%' ORDER BY name;
DROP TABLE public.atk_trap_log;
DROP SCHEMA atk_v CASCADE;
DROP SCHEMA atk_m CASCADE;
DROP OWNED BY atk_victim, atk_mallory, atk_nobody;
DROP ROLE atk_victim, atk_mallory, atk_nobody;
SELECT count(*) AS rebuild_tables_left FROM pg_class
 WHERE relnamespace = 'chronicle'::regnamespace AND relname ~ '^rebuild_[0-9]+$';
