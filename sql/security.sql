-- chronicle in a database with many roles (docs/security.md): what a fresh role may do, the
-- three documented roles, owners, catalogs written only by chronicle's functions, and the
-- attacks of issue 9 replayed as an unprivileged role. Every trap an attacker plants records
-- the role it ran as into sec_trap_log; the log must stay empty, and the attacker must never
-- become superuser.
\set SHOW_CONTEXT never
SET client_min_messages = warning;

------------------------------------------------------------------------------------------
-- 1. Every SQL or PL/pgSQL function of the extension pins its search_path
------------------------------------------------------------------------------------------
-- C functions are the exceptions: they run no SQL through the caller's search_path on
-- another role's behalf (internal queries run pinned, as the worker or the owner; the
-- rest read catalogs as the caller, who can only fool themselves).
SELECT p.oid::regprocedure AS unpinned
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'chronicle'
 WHERE p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'c')
   AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)
 ORDER BY 1;
-- The C functions, for the record.
SELECT p.oid::regprocedure AS c_function
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension x ON x.oid = d.refobjid AND x.extname = 'chronicle'
 WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
 ORDER BY p.oid::regprocedure::text;
-- Every internal function that runs as the extension's owner is out of PUBLIC's reach.
SELECT p.oid::regprocedure AS definer_function, has_function_privilege('public', p.oid, 'EXECUTE') AS public_may_call
  FROM pg_proc p
 WHERE p.pronamespace IN ('chronicle'::regnamespace, 'chronicle_internal'::regnamespace) AND p.prosecdef
 ORDER BY p.oid::regprocedure::text;

------------------------------------------------------------------------------------------
-- 2. A fresh role can do nothing with events or objects
------------------------------------------------------------------------------------------
CREATE ROLE sec_fresh;
-- What PUBLIC may execute: nothing that reads, writes or manages.
SELECT p.oid::regprocedure AS public_may_execute
  FROM pg_proc p
 WHERE p.pronamespace IN ('chronicle'::regnamespace, 'chronicle_internal'::regnamespace)
   AND has_function_privilege('sec_fresh', p.oid, 'EXECUTE')
   AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
 ORDER BY p.oid::regprocedure::text;
SELECT c.relname, has_table_privilege('sec_fresh', c.oid, 'SELECT') AS sel,
       has_table_privilege('sec_fresh', c.oid, 'INSERT') AS ins,
       has_table_privilege('sec_fresh', c.oid, 'UPDATE') AS upd,
       has_table_privilege('sec_fresh', c.oid, 'DELETE') AS del,
       has_any_column_privilege('sec_fresh', c.oid, 'SELECT') AS some_columns
  FROM pg_class c
 WHERE c.relnamespace = 'chronicle'::regnamespace AND c.relkind IN ('r', 'v', 'S')
   AND c.relname !~ '^rebuild_[0-9]+$'
 ORDER BY 1;
SELECT chronicle.append('secfresh-1', 'E', '{}');
SELECT chronicle.append_batch('secfresh-1', '[{"type": "E", "data": {}}]');
SET ROLE sec_fresh;
SELECT chronicle.append('secfresh-1', 'E', '{}');
SELECT chronicle.append_batch('secfresh-1', '[{"type": "E", "data": {}}]');
SELECT * FROM chronicle.read_stream('secfresh-1');
SELECT * FROM chronicle.read_all();
SELECT chronicle.stream_version('secfresh-1');
SELECT count(*) FROM chronicle.events;
SELECT count(*) FROM chronicle.streams;
SELECT count(*) FROM chronicle.event_log;
SELECT count(*) FROM chronicle.snapshots;
SELECT count(*) FROM chronicle.projection_status;
SELECT last_error FROM chronicle.projections;
SELECT chronicle.fold('sec_none', 'secfresh-1');
SELECT chronicle.define_aggregate('sec_fresh_agg', '{"initial": {}, "on": {}}');
SELECT chronicle.drop_aggregate('sec_fresh_agg');
SELECT chronicle.create_projection('sec_fresh_p', 'sec_none');
SELECT chronicle.create_handler_projection('sec_fresh_h', 'pg_catalog.now()'::regprocedure);
SELECT chronicle.drop_projection('sec_fresh_p');
SELECT chronicle.pause_projection('sec_fresh_p');
SELECT chronicle.resume_projection('sec_fresh_p');
SELECT chronicle.rebuild_projection('sec_fresh_p');
SELECT chronicle.wait_for_projection('sec_fresh_p');
SELECT chronicle.alter_owner('projection', 'sec_fresh_p', 'sec_fresh');
SELECT chronicle_internal._execute_as('sec_fresh', 'public', 'SELECT 1');
SELECT chronicle_internal._create_projection('postgres', 'public', 'x', 'y', NULL, NULL, NULL, 'async');
-- What stays open: the category of a name.
SELECT chronicle.category('secfresh-1');
-- The internal schema is out of reach as a whole (no USAGE): its functions are called by
-- chronicle itself, by OID.
SELECT has_schema_privilege('chronicle_internal', 'USAGE') AS internal_usage;
RESET ROLE;
-- Behind the schema and the EXECUTE grants, the functions that act as another role check for
-- a superuser themselves: a grant made by mistake still acts as nobody.
GRANT USAGE ON SCHEMA chronicle_internal TO sec_fresh;
GRANT EXECUTE ON FUNCTION chronicle_internal._execute_as(regrole, text, text),
                          chronicle_internal._column_type(regrole, text, text) TO sec_fresh;
SET ROLE sec_fresh;
SELECT chronicle_internal._execute_as('postgres', 'pg_catalog', 'ALTER ROLE sec_fresh SUPERUSER');
SELECT * FROM chronicle_internal._column_type('postgres', 'pg_catalog', 'int4');
RESET ROLE;
REVOKE USAGE ON SCHEMA chronicle_internal FROM sec_fresh;
REVOKE EXECUTE ON FUNCTION chronicle_internal._execute_as(regrole, text, text),
                           chronicle_internal._column_type(regrole, text, text) FROM sec_fresh;
SELECT rolsuper FROM pg_roles WHERE rolname = 'sec_fresh';
-- Nothing was written by the refused calls.
SELECT chronicle.stream_version('secfresh-1');

------------------------------------------------------------------------------------------
-- 3. The three documented roles (docs/security.md), granted exactly as written there
------------------------------------------------------------------------------------------
CREATE ROLE sec_writer;
CREATE ROLE sec_reader;
CREATE ROLE sec_manager;
GRANT EXECUTE ON FUNCTION chronicle.append(text, text, jsonb, jsonb, bigint, uuid),
                          chronicle.append_batch(text, jsonb, bigint)
    TO sec_writer;
GRANT EXECUTE ON FUNCTION chronicle.read_stream(text, bigint, bigint, boolean),
                          chronicle.read_all(bigint, integer, text, text[]),
                          chronicle.stream_version(text),
                          chronicle.fold(text, text, timestamptz, bigint),
                          chronicle.history(text, text),
                          chronicle.load(text, text, timestamptz, bigint),
                          chronicle.fold_events(text, jsonb, jsonb),
                          chronicle.read_correlated(text),
                          chronicle.head_position(),
                          chronicle.wait_for_projection(text, interval)
    TO sec_reader;
GRANT SELECT ON chronicle.events, chronicle.streams, chronicle.projection_status TO sec_reader;
GRANT EXECUTE ON FUNCTION chronicle.define_aggregate(text, jsonb, text, integer),
                          chronicle.drop_aggregate(text),
                          chronicle.create_projection(text, text, text, text, jsonb, text),
                          chronicle.create_handler_projection(text, regprocedure, text, text[]),
                          chronicle.drop_projection(text, boolean),
                          chronicle.pause_projection(text),
                          chronicle.resume_projection(text),
                          chronicle.rebuild_projection(text),
                          chronicle.create_subscription(text, text, text[], text, integer),
                          chronicle.drop_subscription(text),
                          chronicle.grant_subscription(text, regrole),
                          chronicle.revoke_subscription(text, regrole),
                          chronicle.alter_subscription(text, integer),
                          chronicle.replay_parked(text),
                          chronicle.alter_owner(text, text, regrole)
    TO sec_manager;
GRANT sec_reader TO sec_manager;
CREATE SCHEMA sec_app AUTHORIZATION sec_manager;

-- Exactly these rights, each role with the functions it may call.
SELECT r.rolname, string_agg(p.proname, ', ' ORDER BY p.proname) AS may_execute
  FROM pg_roles r
 CROSS JOIN pg_proc p
 WHERE r.rolname IN ('sec_writer', 'sec_reader', 'sec_manager')
   AND p.pronamespace IN ('chronicle'::regnamespace, 'chronicle_internal'::regnamespace)
   AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
   AND has_function_privilege(r.oid, p.oid, 'EXECUTE')
   AND NOT has_function_privilege('sec_fresh', p.oid, 'EXECUTE')
 GROUP BY r.rolname ORDER BY 1;
SELECT r.rolname, string_agg(c.relname, ', ' ORDER BY c.relname) AS may_select
  FROM pg_roles r
 CROSS JOIN pg_class c
 WHERE r.rolname IN ('sec_writer', 'sec_reader', 'sec_manager')
   AND c.relnamespace = 'chronicle'::regnamespace AND c.relkind IN ('r', 'v', 'S')
   AND has_table_privilege(r.oid, c.oid, 'SELECT')
 GROUP BY r.rolname ORDER BY 1;

SET ROLE sec_writer;
SELECT chronicle.append('secrole-1', 'Opened', '{"n": 1}');
SELECT chronicle.append_batch('secrole-1', '[{"type": "Added", "data": {"n": 2}}]');
SELECT * FROM chronicle.read_stream('secrole-1');
RESET ROLE;
SET ROLE sec_reader;
SELECT stream_version, event_type, data FROM chronicle.read_stream('secrole-1');
-- read_all needs no right on the position sequence (it used to: "permission denied for
-- sequence global_position_seq").
SELECT count(*) > 0 AS read_all_works FROM chronicle.read_all();
SELECT chronicle.stream_version('secrole-1');
SELECT count(*) FROM chronicle.events WHERE stream = 'secrole-1';
SELECT chronicle.append('secrole-1', 'Opened', '{}');
SELECT chronicle.define_aggregate('sec_reader_agg', '{"initial": {}, "on": {}}');
RESET ROLE;
SET ROLE sec_manager;
SELECT chronicle.define_aggregate('sec_tally', '{"initial": {"n": 0}, "on": {"*": [{"add": "n", "from": "n"}]}}',
                                  category => 'secrole');
SELECT chronicle.create_projection('sec_tallies', 'sec_tally', table_name => 'sec_app.tallies',
                                   columns => '{"n": "int"}', mode => 'inline');
SELECT stream, version, n FROM sec_app.tallies;
SELECT chronicle.fold('sec_tally', 'secrole-1');
-- A manager cannot append.
SELECT chronicle.append('secrole-1', 'Opened', '{}');
RESET ROLE;
-- The writer needs no right on the inline projection's table: the append writes it as the
-- projection's owner.
SELECT has_table_privilege('sec_writer', 'sec_app.tallies', 'INSERT,UPDATE,SELECT') AS writer_on_table;
SET ROLE sec_writer;
SELECT chronicle.append('secrole-1', 'Added', '{"n": 3}');
RESET ROLE;
SELECT stream, version, n FROM sec_app.tallies;
SELECT name, owner FROM chronicle.projections WHERE name = 'sec_tallies';
SELECT name, owner FROM chronicle.aggregates WHERE name = 'sec_tally';
SELECT c.relname, c.relowner::regrole FROM pg_class c WHERE c.oid = 'sec_app.tallies'::regclass;

------------------------------------------------------------------------------------------
-- 4. Owners: 42501 for every management function on another role's object
------------------------------------------------------------------------------------------
CREATE ROLE sec_alice;
CREATE ROLE sec_mallory;
GRANT sec_manager TO sec_alice, sec_mallory;
CREATE ROLE sec_alice_team;
GRANT sec_alice TO sec_alice_team;
GRANT CREATE ON SCHEMA sec_app TO sec_alice, sec_mallory;
CREATE FUNCTION sec_app.alice_handler(e chronicle.event) RETURNS void LANGUAGE sql AS $$ SELECT $$;
ALTER FUNCTION sec_app.alice_handler(chronicle.event) OWNER TO sec_alice;
SET ROLE sec_alice;
SELECT chronicle.define_aggregate('sec_alice_agg', '{"initial": {"n": 0}, "on": {"*": [{"count": "n"}]}}',
                                  category => 'secrole');
SELECT chronicle.create_projection('sec_alice_p', 'sec_alice_agg', table_name => 'sec_app.alice_p');
SELECT chronicle.create_handler_projection('sec_alice_h', 'sec_app.alice_handler(chronicle.event)',
                                           category => 'secrole');
RESET ROLE;
SET ROLE sec_mallory;
SELECT chronicle.drop_projection('sec_alice_p');
SELECT chronicle.drop_projection('sec_alice_p', drop_table => false);
SELECT chronicle.pause_projection('sec_alice_p');
SELECT chronicle.resume_projection('sec_alice_p');
SELECT chronicle.rebuild_projection('sec_alice_p');
SELECT chronicle.drop_projection('sec_alice_h');
SELECT chronicle.pause_projection('sec_alice_h');
SELECT chronicle.rebuild_projection('sec_alice_h');
SELECT chronicle.alter_owner('projection', 'sec_alice_p', 'sec_mallory');
SELECT chronicle.alter_owner('aggregate', 'sec_alice_agg', 'sec_mallory');
SELECT chronicle.define_aggregate('sec_alice_agg', '{"initial": {"n": 666}, "on": {}}', category => 'secrole');
SELECT chronicle.drop_aggregate('sec_alice_agg');
-- A projection of the same name cannot be taken over either.
SELECT chronicle.create_projection('sec_alice_p', 'sec_alice_agg', table_name => 'sec_app.mallory_p');
-- Mallory cannot drop or write alice's table directly either.
DROP TABLE sec_app.alice_p;
INSERT INTO sec_app.alice_p (stream, version, state, updated_at) VALUES ('x', 1, '{}', now());
RESET ROLE;
-- Nothing changed.
SELECT name, owner, state, rebuild_table FROM chronicle.projections WHERE name LIKE 'sec_alice%' ORDER BY 1;
SELECT name, owner, definition FROM chronicle.aggregates WHERE name = 'sec_alice_agg';
SELECT chronicle.fold('sec_alice_agg', 'secrole-1');

-- A member of alice's role may act for her; so may a superuser.
SET ROLE sec_alice_team;
SELECT chronicle.pause_projection('sec_alice_p');
SELECT chronicle.resume_projection('sec_alice_p');
RESET ROLE;
SELECT chronicle.pause_projection('sec_alice_h');
SELECT chronicle.resume_projection('sec_alice_h');

-- alter_owner: only to a role the caller is a member of, and only to one that can run it.
SET ROLE sec_alice;
SELECT chronicle.alter_owner('projection', 'sec_alice_p', 'sec_mallory');
RESET ROLE;
CREATE ROLE sec_alice_heir;
GRANT sec_alice_heir TO sec_alice;
-- The heir writes the projection's table in sec_app (alice could through sec_manager).
GRANT USAGE ON SCHEMA sec_app TO sec_alice_heir;
SET ROLE sec_alice;
SELECT chronicle.alter_owner('projection', 'sec_alice_p', 'sec_alice_heir');
SELECT chronicle.alter_owner('aggregate', 'sec_alice_agg', 'sec_alice_heir');
-- Alice is a member of the heir: she may still act on what she gave it.
SELECT chronicle.pause_projection('sec_alice_p');
SELECT chronicle.resume_projection('sec_alice_p');
SELECT chronicle.alter_owner('widget', 'sec_alice_p', 'sec_alice_heir');
SELECT chronicle.alter_owner('projection', 'sec_nope', 'sec_alice_heir');
RESET ROLE;
SELECT name, owner, (SELECT relowner::regrole FROM pg_class WHERE oid = table_name) AS table_owner
  FROM chronicle.projections WHERE name = 'sec_alice_p';
SELECT name, owner FROM chronicle.aggregates WHERE name = 'sec_alice_agg';
REVOKE EXECUTE ON FUNCTION sec_app.alice_handler(chronicle.event) FROM PUBLIC;
SELECT chronicle.alter_owner('projection', 'sec_alice_h', 'sec_mallory');
SELECT name, owner FROM chronicle.projections WHERE name = 'sec_alice_h';

------------------------------------------------------------------------------------------
-- 5. Catalogs are written only by chronicle's functions
------------------------------------------------------------------------------------------
SET ROLE sec_mallory;
UPDATE chronicle.projections SET owner = 'postgres' WHERE name = 'sec_alice_h';
UPDATE chronicle.projections SET handler = 'pg_catalog.pg_sleep(double precision)'::regprocedure;
INSERT INTO chronicle.projections (name, kind, handler, owner) VALUES ('sec_evil', 'handler', 'sec_app.alice_handler(chronicle.event)', 'postgres');
DELETE FROM chronicle.projections;
UPDATE chronicle.aggregates SET owner = 'sec_mallory';
INSERT INTO chronicle.aggregates VALUES ('sec_evil', '{"initial": {}, "on": {}}', NULL, 0, 0, NULL, now(), 'postgres');
DELETE FROM chronicle.aggregates;
INSERT INTO chronicle.snapshots VALUES (1, 'secrole-1', 1, now(), '{"n": 666}');
TRUNCATE chronicle.snapshots;
RESET ROLE;
SELECT name, owner, handler FROM chronicle.projections WHERE name LIKE 'sec_%' ORDER BY 1;

------------------------------------------------------------------------------------------
-- 6. search_path attacks on every management function
------------------------------------------------------------------------------------------
CREATE TABLE public.sec_trap_log (role_name name, session_role name, trap text);
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO sec_mallory', current_database()); END $$;
GRANT INSERT, SELECT, DELETE ON public.sec_trap_log TO PUBLIC;
SET ROLE sec_mallory;
CREATE SCHEMA sec_mine;
-- A trap for every comparison chronicle makes: operators on text, name, oid, bigint,
-- integer, regclass, regrole, regprocedure, jsonb; and text overloads of the catalog
-- functions that take a name.
DO $$
DECLARE
    t text;
    op text;
BEGIN
    FOREACH t IN ARRAY ARRAY['text', 'name', 'oid', 'bigint', 'integer', 'regclass', 'regrole',
                             'regprocedure', 'regnamespace', 'jsonb', 'boolean'] LOOP
        EXECUTE format($f$CREATE FUNCTION sec_mine.%1$I(a %2$s, b %2$s) RETURNS boolean LANGUAGE plpgsql
            SET search_path = pg_catalog AS $b$
            BEGIN
                INSERT INTO public.sec_trap_log VALUES (current_user, session_user, %3$L);
                RETURN a::text IS NOT DISTINCT FROM b::text;
            END $b$ $f$, 'trap_' || replace(t, ' ', '_'), t, t);
        FOREACH op IN ARRAY ARRAY['=', '<>'] LOOP
            EXECUTE format('CREATE OPERATOR sec_mine.%s (FUNCTION = sec_mine.%I, LEFTARG = %s, RIGHTARG = %s)',
                           op, 'trap_' || replace(t, ' ', '_'), t, t);
        END LOOP;
    END LOOP;
END $$;
CREATE FUNCTION sec_mine.nextval(text) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.sec_trap_log VALUES (current_user, session_user, 'nextval'); RETURN 1; END $$;
CREATE FUNCTION sec_mine.to_regclass(text) RETURNS regclass LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.sec_trap_log VALUES (current_user, session_user, 'to_regclass'); RETURN NULL; END $$;
CREATE FUNCTION sec_mine.format(text, text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.sec_trap_log VALUES (current_user, session_user, 'format'); RETURN ''; END $$;
CREATE FUNCTION sec_mine.current_setting(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.sec_trap_log VALUES (current_user, session_user, 'current_setting'); RETURN ''; END $$;
CREATE FUNCTION sec_mine.quote_literal(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.sec_trap_log VALUES (current_user, session_user, 'quote_literal'); RETURN ''; END $$;
CREATE FUNCTION sec_mine.pg_has_role(oid, oid, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.sec_trap_log VALUES (current_user, session_user, 'pg_has_role'); RETURN true; END $$;
CREATE FUNCTION sec_mine.has_function_privilege(oid, oid, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.sec_trap_log VALUES (current_user, session_user, 'has_function_privilege'); RETURN true; END $$;
CREATE FUNCTION sec_mine.jsonb_typeof(jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.sec_trap_log VALUES (current_user, session_user, 'jsonb_typeof'); RETURN 'object'; END $$;
CREATE FUNCTION sec_mine.handler(e chronicle.event) RETURNS void LANGUAGE sql AS $$ SELECT $$;
SET search_path = sec_mine, pg_catalog, public;
-- The traps work: mallory's own comparisons call them.
SELECT 'a'::text = 'a'::text AS mallory_compares, format('%s', 'x'::text) AS mallory_formats;
SELECT role_name, trap FROM public.sec_trap_log ORDER BY trap;
DELETE FROM public.sec_trap_log;
SELECT chronicle.define_aggregate('sec_mal_agg', '{"initial": {"n": 0}, "on": {"*": [{"count": "n"}]}}',
                                  category => 'secrole');
SELECT chronicle.define_aggregate('sec_mal_agg', '{"initial": {"n": 1}, "on": {"*": [{"count": "n"}]}}',
                                  category => 'secrole');
SELECT chronicle.create_projection('sec_mal_p', 'sec_mal_agg', table_name => 'sec_app.mal_p',
                                   columns => '{"n": "int"}');
SELECT chronicle.create_projection('sec_mal_i', 'sec_mal_agg', table_name => 'sec_app.mal_i',
                                   columns => '{"n": "int"}', mode => 'inline');
SELECT chronicle.create_handler_projection('sec_mal_h', 'sec_mine.handler(chronicle.event)');
SELECT chronicle.pause_projection('sec_mal_p');
SELECT chronicle.resume_projection('sec_mal_p');
SELECT chronicle.pause_projection('sec_mal_i');
SELECT chronicle.resume_projection('sec_mal_i');
SELECT chronicle.rebuild_projection('sec_mal_p');
SELECT chronicle.rebuild_projection('sec_mal_p');
SELECT chronicle.alter_owner('projection', 'sec_mal_p', 'sec_mallory');
SELECT chronicle.alter_owner('aggregate', 'sec_mal_agg', 'sec_mallory');
SELECT chronicle.drop_projection('sec_mal_p');
SELECT chronicle.drop_projection('sec_mal_i');
SELECT chronicle.drop_projection('sec_mal_h');
SELECT chronicle.drop_aggregate('sec_mal_agg');
SELECT chronicle.fold('sec_alice_agg', 'secrole-1');
SELECT chronicle.wait_for_projection('sec_alice_p', '30 s');
RESET search_path;
RESET ROLE;
-- The superuser, with the attacker's path, appends and folds: no trap runs either.
SET search_path = sec_mine, pg_catalog, public;
SELECT chronicle.append('secrole-1', 'Added', '{"n": 4}') > 0 AS appended;
SELECT chronicle.fold('sec_tally', 'secrole-1');
RESET search_path;
SELECT role_name, session_role, trap FROM public.sec_trap_log;
SELECT rolname, rolsuper FROM pg_roles WHERE rolname LIKE 'sec\_%' AND rolsuper;

------------------------------------------------------------------------------------------
-- 7. Rebuild tables never touch a table chronicle did not create
------------------------------------------------------------------------------------------
-- 0.3 named them <table>_chronicle_rebuild beside the live table and dropped whatever had
-- that name: the user's own table survives now.
CREATE TABLE sec_app.important (id int);
INSERT INTO sec_app.important VALUES (42);
CREATE TABLE sec_app.important_chronicle_rebuild (id int);
INSERT INTO sec_app.important_chronicle_rebuild VALUES (7);
GRANT SELECT ON sec_app.important, sec_app.important_chronicle_rebuild TO sec_alice;
SET ROLE sec_alice;
SELECT chronicle.define_aggregate('sec_important', '{"initial": {"n": 0}, "on": {"*": [{"count": "n"}]}}',
                                  category => 'secimp');
SELECT chronicle.create_projection('sec_important', 'sec_important', table_name => 'sec_app.important_p');
SELECT chronicle.create_projection('sec_important2', 'sec_important', table_name => 'sec_app.important_p2');
SELECT chronicle.pause_projection('sec_important');
SELECT chronicle.pause_projection('sec_important2');
SELECT chronicle.rebuild_projection('sec_important');
SELECT chronicle.rebuild_projection('sec_important2');
-- Two rebuilds, two tables of chronicle's own (owned by chronicle; the projection's owner may write them).
SELECT p.name, n.nspname, c.relname ~ '^rebuild_[0-9]+$' AS chronicle_named,
       c.relowner = (SELECT extowner FROM pg_extension WHERE extname = 'chronicle') AS chronicles,
       has_table_privilege(p.owner, c.oid, 'SELECT,INSERT,UPDATE,DELETE') AS owner_writes
  FROM chronicle.projections p JOIN pg_class c ON c.oid = p.rebuild_table
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE p.name LIKE 'sec_important%' ORDER BY 1;
SELECT count(DISTINCT rebuild_table) FROM chronicle.projections WHERE name LIKE 'sec_important%';
-- Rebuilding one does not drop the other's rebuild table.
SELECT chronicle.rebuild_projection('sec_important');
SELECT count(*) FROM pg_class c JOIN chronicle.projections p ON p.rebuild_table = c.oid
 WHERE p.name LIKE 'sec_important%';
SELECT * FROM sec_app.important;
SELECT * FROM sec_app.important_chronicle_rebuild;
RESET ROLE;
-- A rebuild_table pointing at a user's table (edited by hand) is refused, never dropped.
UPDATE chronicle.projections SET rebuild_table = 'sec_app.important', rebuild_position = 0
 WHERE name = 'sec_important2';
SELECT chronicle.rebuild_projection('sec_important2');
SELECT chronicle.drop_projection('sec_important2');
SELECT * FROM sec_app.important;
UPDATE chronicle.projections SET rebuild_table = NULL, rebuild_position = NULL WHERE name = 'sec_important2';
SELECT chronicle.drop_projection('sec_important');
SELECT chronicle.drop_projection('sec_important2');
SELECT count(*) AS rebuild_tables_left FROM pg_class
 WHERE relnamespace = 'chronicle'::regnamespace AND relname ~ '^rebuild_[0-9]+$';

------------------------------------------------------------------------------------------
-- 8. Found by attacking 0.4 (sql/security_attacks.sql has the rest)
------------------------------------------------------------------------------------------
-- A column type is parsed, never pasted into the DDL: "int4 --" used to comment out the rest
-- of the line, and a column name with a newline then ran SQL whose last SELECT decided
-- which table the projection recorded (a victim's, dropped later by a superuser's
-- drop_projection).
CREATE TABLE sec_app.precious (id int);
ALTER TABLE sec_app.precious OWNER TO sec_alice;
SET ROLE sec_mallory;
SELECT chronicle.create_projection('sec_inject', 'sec_tally', table_name => 'sec_app.inject',
    columns => jsonb_build_object('a', 'int4 --',
        format(E'b\n, z int); SELECT %s; --', 'sec_app.precious'::regclass::oid), 'int4'));
RESET ROLE;
SELECT name, table_name, columns->'a' AS a_type FROM chronicle.projections WHERE name = 'sec_inject';
SELECT replace(attname, 'sec_app.precious'::regclass::oid::text, '<oid>') AS attname,
       format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'sec_app.inject'::regclass AND attnum > 4 ORDER BY attnum;
SELECT chronicle.drop_projection('sec_inject');
SELECT to_regclass('sec_app.precious') IS NOT NULL AS precious_kept;
SET ROLE sec_alice;
DROP TABLE sec_app.precious;
RESET ROLE;

-- chronicle's own columns name pg_catalog's types: a superuser whose search_path an attacker
-- chose (a database owner may set it for the database) gets no domain of the attacker's.
SET ROLE sec_mallory;
CREATE DOMAIN sec_mine.text AS pg_catalog.text;
CREATE DOMAIN sec_mine.jsonb AS pg_catalog.jsonb;
CREATE DOMAIN sec_mine.timestamptz AS pg_catalog.timestamptz;
CREATE DOMAIN sec_mine.int8 AS pg_catalog.int8;
RESET ROLE;
SET search_path = sec_mine, pg_catalog, public;
SELECT chronicle.create_projection('sec_typed', 'sec_tally', table_name => 'sec_app.typed');
RESET search_path;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = 'sec_app.typed'::regclass AND attnum > 0 ORDER BY attnum;
SELECT chronicle.drop_projection('sec_typed');

-- An error that user code raises with the SQLSTATE of a cancel, a shutdown, out of memory
-- or an I/O error fails that projection only: the worker used to exit on it, and restart
-- into the same projection, holding back every other one of the database. Nor can user
-- code set exit_on_error to turn its error into the worker's (or an appender's) exit.
CREATE FUNCTION sec_app.raise_as(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF e.event_type = 'Boom' THEN
        IF e.data ? 'exit' THEN
            PERFORM set_config('exit_on_error', 'on', false);
        END IF;
        RAISE EXCEPTION 'pretending: %', e.data->>'code' USING ERRCODE = e.data->>'code';
    END IF;
END $$;
CREATE TABLE sec_app.counted (n bigint);
INSERT INTO sec_app.counted VALUES (0);
CREATE FUNCTION sec_app.count_it(e chronicle.event) RETURNS void LANGUAGE sql
    AS $$ UPDATE sec_app.counted SET n = n + 1 $$;
ALTER FUNCTION sec_app.raise_as(chronicle.event) OWNER TO sec_mallory;
ALTER TABLE sec_app.counted OWNER TO sec_alice;
ALTER FUNCTION sec_app.count_it(chronicle.event) OWNER TO sec_alice;
SET ROLE sec_mallory;
SELECT chronicle.create_handler_projection('sec_a_57014', 'sec_app.raise_as(chronicle.event)', category => 'secboom');
SELECT chronicle.create_handler_projection('sec_a_57P01', 'sec_app.raise_as(chronicle.event)', category => 'secboomb');
SELECT chronicle.create_handler_projection('sec_a_53200', 'sec_app.raise_as(chronicle.event)', category => 'secboomc');
SELECT chronicle.create_handler_projection('sec_a_58030', 'sec_app.raise_as(chronicle.event)', category => 'secboomd');
SELECT chronicle.create_handler_projection('sec_a_exit', 'sec_app.raise_as(chronicle.event)', category => 'secboome');
RESET ROLE;
SET ROLE sec_alice;
SELECT chronicle.create_handler_projection('sec_z_counter', 'sec_app.count_it(chronicle.event)', category => 'secboom');
RESET ROLE;
SELECT chronicle.append('secboom-1', 'Boom', '{"code": "57014"}');
SELECT chronicle.append('secboomb-1', 'Boom', '{"code": "57P01"}');
SELECT chronicle.append('secboomc-1', 'Boom', '{"code": "53200"}');
SELECT chronicle.append('secboomd-1', 'Boom', '{"code": "58030"}');
SELECT chronicle.append('secboome-1', 'Boom', '{"code": "P0001", "exit": true}');
SELECT chronicle.append('secboom-1', 'Fine', '{}');
SELECT chronicle.wait_for_projection('sec_z_counter', '30 seconds') AS counter_caught_up;
SELECT n AS counted FROM sec_app.counted;
DO $$
BEGIN
    FOR i IN 1..300 LOOP
        EXIT WHEN (SELECT count(*) FROM chronicle.projections WHERE name LIKE 'sec\_a\_%' AND state = 'failed') = 5;
        PERFORM pg_sleep(0.1);
    END LOOP;
END $$;
SELECT name, state, last_error, last_error_sqlstate FROM chronicle.projection_status
 WHERE name LIKE 'sec\_a\_%' OR name = 'sec_z_counter' ORDER BY name;
SELECT count(*) AS one_worker FROM pg_stat_activity
 WHERE application_name = 'chronicle worker' AND datname = current_database();

-- An inline projection's domain check that sets exit_on_error and fails makes the append
-- fail, as any failing inline projection does; the appender's session lives on.
CREATE FUNCTION sec_app.fatal_check(n int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('exit_on_error', 'on', false);
    RETURN n < 0;
END $$;
ALTER FUNCTION sec_app.fatal_check(int) OWNER TO sec_mallory;
CREATE DOMAIN sec_app.fatal_int AS int CHECK (sec_app.fatal_check(VALUE));
ALTER DOMAIN sec_app.fatal_int OWNER TO sec_mallory;
SET ROLE sec_mallory;
SELECT chronicle.define_aggregate('sec_fatal', '{"initial": {"n": 0}, "on": {"*": [{"count": "n"}]}}',
                                  category => 'secfatal');
SELECT chronicle.create_projection('sec_fatal', 'sec_fatal', table_name => 'sec_app.fatal_p',
                                   columns => '{"n": "sec_app.fatal_int"}', mode => 'inline');
RESET ROLE;
SET ROLE sec_writer;
SELECT chronicle.append('secfatal-1', 'E', '{}');
SELECT current_setting('exit_on_error') AS exit_on_error, 'still connected' AS session;
RESET ROLE;
SELECT chronicle.drop_projection('sec_fatal');

------------------------------------------------------------------------------------------
-- Clean up
------------------------------------------------------------------------------------------
SELECT chronicle.drop_projection(name) FROM chronicle.projections WHERE name LIKE 'sec\_%' ORDER BY name;
SELECT chronicle.drop_aggregate(name) FROM chronicle.aggregates WHERE name LIKE 'sec\_%' ORDER BY name;
DROP SCHEMA sec_app CASCADE;
DROP SCHEMA sec_mine CASCADE;
DROP TABLE public.sec_trap_log;
DROP OWNED BY sec_fresh, sec_writer, sec_reader, sec_manager, sec_alice, sec_mallory, sec_alice_team, sec_alice_heir;
DROP ROLE sec_fresh, sec_writer, sec_reader, sec_manager, sec_alice, sec_mallory, sec_alice_team, sec_alice_heir;
