-- User code runs as its owner: a reducer as its aggregate's owner whoever folds (a fold, a
-- snapshot taken by another role's append, an inline projection); an inline projection's
-- statements, casts and domain checks as the projection's owner; all of it with
-- search_path pinned to pg_catalog, pg_temp and its setting changes undone after each call.
-- Until the 0.4 management functions land, the objects are created by the superuser and
-- handed to their owners by hand.
\set SHOW_CONTEXT never
SET client_min_messages = warning;

CREATE ROLE su_owner;     -- owns the aggregates and their reducers
CREATE ROLE su_proj;      -- owns the inline projection and its table's domain
CREATE ROLE su_caller;    -- folds and appends; no right on anything of the others
-- A writer and a reader (docs/security.md): the rights to append and fold, nothing else.
GRANT EXECUTE ON FUNCTION chronicle.append(text, text, jsonb, jsonb, bigint, uuid),
                          chronicle.fold(text, text, timestamptz, bigint),
                          chronicle.history(text, text) TO su_caller;
CREATE ROLE su_attacker;  -- plants traps in schema evil

-- What ran, as whom, with which search_path. Anyone may write it (the traps too), so that
-- a call as the wrong role is recorded rather than failing.
CREATE TABLE public.su_log (n serial, what text, as_user text, superuser_session boolean,
                            path text);
GRANT INSERT, SELECT ON public.su_log TO PUBLIC;
GRANT USAGE ON SEQUENCE public.su_log_n_seq TO PUBLIC;
CREATE FUNCTION public.su_record(what text) RETURNS boolean LANGUAGE sql AS $$
    INSERT INTO public.su_log (what, as_user, superuser_session, path)
    SELECT what, current_user,
           (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = session_user),
           pg_catalog.current_setting('search_path');
    SELECT true $$;

-- The attacker's traps: a jsonb_build_object(text, integer) that a call with a literal and
-- an integer prefers to pg_catalog's variadic one, when schema evil is in the search_path.
CREATE SCHEMA evil AUTHORIZATION su_attacker;
SET ROLE su_attacker;
CREATE FUNCTION evil.jsonb_build_object(k text, v integer) RETURNS jsonb
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.su_record('TRAP jsonb_build_object');
    RETURN pg_catalog.jsonb_build_object(k, v + 1000);
END $$;
GRANT USAGE ON SCHEMA evil TO PUBLIC;
RESET ROLE;
-- The trap works: a caller with evil first in the search_path calls it.
SET search_path = evil, public;
SELECT jsonb_build_object('n', 1);
RESET search_path;
SELECT what, as_user = session_user AS as_the_caller FROM public.su_log ORDER BY n;
TRUNCATE public.su_log;

-- The owner's schema, reducers and domain.
CREATE SCHEMA su_app AUTHORIZATION su_owner;
GRANT USAGE ON SCHEMA su_app TO PUBLIC;
SET ROLE su_owner;
-- A SQL reducer (inlined into the call): the call of jsonb_build_object('n', <integer>)
-- resolves to pg_catalog's, never to the trap, whatever the folding session's search_path.
CREATE FUNCTION su_app.count_sql(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
    SELECT state || jsonb_build_object('n', coalesce((state->>'n')::integer, 0) + 1) $$;
-- A PL/pgSQL reducer that records who runs it, then tries to leave settings behind.
CREATE FUNCTION su_app.count_plpgsql(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.su_record('reducer ' || e.stream || '@' || e.stream_version);
    PERFORM pg_catalog.set_config('search_path', 'evil, public', false);
    PERFORM pg_catalog.set_config('work_mem', '1234kB', false);
    RETURN state || pg_catalog.jsonb_build_object('n', coalesce((state->>'n')::integer, 0) + 1);
END $$;
-- A SQL reducer that sets work_mem after reading it: inlined, it is still an expression
-- that changes a setting, so every call gets a nest level of its own.
CREATE FUNCTION su_app.setter(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE sql AS $$
    SELECT state || jsonb_build_object('before', current_setting('work_mem'),
                                       'set', set_config('work_mem', '1234kB', false)) $$;
RESET ROLE;

SELECT chronicle.define_aggregate('su_setter', '{"initial": {}, "reducer": "su_app.setter"}',
                                  category => 'sua', snapshot_every => 0);
UPDATE chronicle.aggregates SET owner = 'su_owner' WHERE name = 'su_setter';
SELECT chronicle.define_aggregate('su_sql', '{"initial": {}, "reducer": "su_app.count_sql"}',
                                  category => 'sua', snapshot_every => 0);
SELECT chronicle.define_aggregate('su_plpgsql', '{"initial": {}, "reducer": "su_app.count_plpgsql"}',
                                  category => 'sub', snapshot_every => 2);
UPDATE chronicle.aggregates SET owner = 'su_owner' WHERE name IN ('su_sql', 'su_plpgsql');
SELECT name, owner FROM chronicle.aggregates WHERE name LIKE 'su\_%' ORDER BY name;

SELECT count(*) FROM (SELECT chronicle.append('sua-1', 'Counted', '{}') FROM generate_series(1, 3)) a;

------------------------------------------------------------------------------------------
-- A fold by another role, with the attacker's schema first in its search_path
------------------------------------------------------------------------------------------
SET ROLE su_caller;
SET search_path = evil, public;
SET work_mem = '4MB';
SELECT chronicle.fold('su_sql', 'sua-1');  -- {"n": 3}: pg_catalog's jsonb_build_object
-- The third call read the caller's work_mem, not what the second set.
SELECT chronicle.fold('su_setter', 'sua-1');
SELECT current_setting('work_mem') AS work_mem;
RESET ROLE;
SELECT count(*) AS trap_calls FROM public.su_log WHERE what LIKE 'TRAP%';

-- The PL/pgSQL reducer runs as su_owner, with the pinned search_path at every call.
SET ROLE su_caller;
SELECT chronicle.append('sub-1', 'Counted', '{}');  -- no snapshot due yet
SELECT chronicle.fold('su_plpgsql', 'sub-1');
SELECT chronicle.fold('su_plpgsql', 'sub-1');
-- Nothing the reducer set outlived its call.
SELECT current_setting('search_path') AS search_path, current_setting('work_mem') AS work_mem;
RESET ROLE;
SELECT what, as_user, path FROM public.su_log ORDER BY n;
TRUNCATE public.su_log;

------------------------------------------------------------------------------------------
-- A snapshot taken by another role's append
------------------------------------------------------------------------------------------
SET ROLE su_caller;
SELECT chronicle.append('sub-1', 'Counted', '{}');  -- version 2: a snapshot is due
SELECT current_setting('search_path') AS search_path, current_setting('work_mem') AS work_mem;
RESET ROLE;
-- One fold, two calls: the set_config of the first did not reach the second.
SELECT what, as_user, path FROM public.su_log ORDER BY n;
SELECT stream, stream_version, state FROM chronicle.snapshots s
  JOIN chronicle.aggregates a ON a.revision = s.revision WHERE a.name = 'su_plpgsql';
TRUNCATE public.su_log;
RESET search_path;
RESET work_mem;

------------------------------------------------------------------------------------------
-- An inline projection owned by su_proj: the appender needs no right on its table, and its
-- domain check (su_proj's function) runs as su_proj, never as the appender
------------------------------------------------------------------------------------------
CREATE SCHEMA su_proj_schema AUTHORIZATION su_proj;
SET ROLE su_proj;
CREATE FUNCTION su_proj_schema.audited(n integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.su_record('domain check ' || n);
    RETURN n > 0;
END $$;
CREATE DOMAIN su_proj_schema.positive AS integer CHECK (su_proj_schema.audited(VALUE));
RESET ROLE;
SELECT chronicle.create_projection('su_counts', 'su_plpgsql', table_name => 'su_proj_schema.counts',
                                   columns => '{"n": "su_proj_schema.positive"}', mode => 'inline');
ALTER TABLE su_proj_schema.counts OWNER TO su_proj;
UPDATE chronicle.projections SET owner = 'su_proj' WHERE name = 'su_counts';
TRUNCATE public.su_log;

-- su_caller has no right on su_proj_schema.counts at all, and appends.
SELECT has_table_privilege('su_caller', 'su_proj_schema.counts', 'SELECT, INSERT, UPDATE') AS caller_may_write;
SET ROLE su_caller;
SET search_path = evil, public;
SELECT chronicle.append('sub-2', 'Counted', '{}');
SELECT chronicle.append('sub-1', 'Counted', '{}');
SELECT current_setting('search_path') AS search_path, current_setting('work_mem') AS work_mem;
RESET search_path;
RESET ROLE;
-- As the superuser, too: the domain check still runs as su_proj, the reducer as su_owner.
SELECT chronicle.append('sub-2', 'Counted', '{}');
SELECT what, as_user, superuser_session, path FROM public.su_log ORDER BY n;
SELECT stream, version, n FROM su_proj_schema.counts ORDER BY stream;
TRUNCATE public.su_log;

-- The fill (create, resume) writes as su_proj as well.
SELECT chronicle.pause_projection('su_counts');
SELECT chronicle.append('sub-3', 'Counted', '{}');
SELECT chronicle.resume_projection('su_counts');
SELECT what, as_user, superuser_session FROM public.su_log ORDER BY n;
SELECT stream, version, n FROM su_proj_schema.counts ORDER BY stream;
TRUNCATE public.su_log;
SELECT chronicle.drop_projection('su_counts');

------------------------------------------------------------------------------------------
-- A reducer whose owner lost EXECUTE fails with 42501, though the folding role has it
------------------------------------------------------------------------------------------
REVOKE EXECUTE ON FUNCTION su_app.count_sql(jsonb, chronicle.event) FROM PUBLIC, su_owner;
GRANT EXECUTE ON FUNCTION su_app.count_sql(jsonb, chronicle.event) TO su_caller;
SET ROLE su_caller;
DO $$
DECLARE
    state text;
    message text;
BEGIN
    PERFORM chronicle.fold('su_sql', 'sua-1');
    RAISE NOTICE 'folded';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
    RAISE WARNING '% %', state, message;
END $$;
RESET ROLE;
GRANT EXECUTE ON FUNCTION su_app.count_sql(jsonb, chronicle.event) TO su_owner;
SET ROLE su_caller;
SELECT chronicle.fold('su_sql', 'sua-1');
RESET ROLE;

------------------------------------------------------------------------------------------
-- An aggregate whose owner was dropped: an error naming the aggregate
------------------------------------------------------------------------------------------
CREATE ROLE su_gone;
UPDATE chronicle.aggregates SET owner = 'su_gone' WHERE name = 'su_sql';
DROP ROLE su_gone;
\set VERBOSITY terse
SELECT chronicle.fold('su_sql', 'sua-1');
\set VERBOSITY default

------------------------------------------------------------------------------------------
-- Clean up
------------------------------------------------------------------------------------------
DROP SCHEMA su_proj_schema CASCADE;
SELECT chronicle.drop_aggregate('su_sql');
SELECT chronicle.drop_aggregate('su_plpgsql');
SELECT chronicle.drop_aggregate('su_setter');
DROP SCHEMA su_app CASCADE;
DROP SCHEMA evil CASCADE;
DROP TABLE public.su_log;
DROP FUNCTION public.su_record(text);
REVOKE ALL ON FUNCTION chronicle.append(text, text, jsonb, jsonb, bigint, uuid),
                       chronicle.fold(text, text, timestamptz, bigint),
                       chronicle.history(text, text) FROM su_caller;
DROP ROLE su_owner, su_proj, su_caller, su_attacker;
