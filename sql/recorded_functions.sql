-- Reducers and handlers are recorded by identity (schema-qualified name and argument types)
-- and by the role that owned them, not by OID: pg_upgrade keeps no function OIDs. Found again
-- by that identity, a function is called only while that role still owns it: a function of the
-- same name planted by another role after a drop is never run. Renaming, moving or giving the
-- function away detaches it with a clear error; defining the aggregate again attaches it.
\set SHOW_CONTEXT never
SET client_min_messages = notice;

CREATE ROLE rf_owner;     -- owns the aggregate, the projection and their functions
CREATE ROLE rf_attacker;  -- may create functions in schema rf, and records what it ran
CREATE SCHEMA rf AUTHORIZATION rf_owner;
GRANT USAGE, CREATE ON SCHEMA rf TO rf_attacker;
GRANT EXECUTE ON FUNCTION chronicle.define_aggregate(text, jsonb, text, integer),
                          chronicle.create_handler_projection(text, regprocedure, text, text[])
    TO rf_owner;
CREATE TABLE public.rf_log (what text, as_user text);
GRANT INSERT, SELECT ON public.rf_log TO PUBLIC;

SET ROLE rf_owner;
CREATE FUNCTION rf.count_up(state jsonb, e chronicle.event) RETURNS jsonb LANGUAGE sql AS $$
    SELECT pg_catalog.jsonb_build_object('n', (state->>'n')::int + 1) $$;
CREATE FUNCTION rf.note(e chronicle.event) RETURNS void LANGUAGE sql AS $$
    INSERT INTO public.rf_log VALUES ('handler ' || e.stream_version, current_user) $$;
SELECT chronicle.define_aggregate('rf_counter', '{"initial": {"n": 0}, "reducer": "rf.count_up"}');
RESET ROLE;
SELECT chronicle.append('rf-1', 'Ticked', '{}');
SELECT chronicle.append('rf-1', 'Ticked', '{}');

-- What is recorded: the qualified identity and its owner.
SELECT name, reducer, reducer_owner FROM chronicle.aggregates WHERE name = 'rf_counter';
SELECT chronicle.fold('rf_counter', 'rf-1');

-- Renamed: detached at the next fold (the backend's compiled aggregate follows pg_proc),
-- with the reason. Renamed back: attached again.
ALTER FUNCTION rf.count_up(jsonb, chronicle.event) RENAME TO count_up_renamed;
SELECT chronicle.fold('rf_counter', 'rf-1');
\echo :LAST_ERROR_SQLSTATE
ALTER FUNCTION rf.count_up_renamed(jsonb, chronicle.event) RENAME TO count_up;
SELECT chronicle.fold('rf_counter', 'rf-1');

-- Dropped, and a function of the same name and arguments planted by another role: never run.
-- The owner's fold fails, naming the role that owns the function now.
DROP FUNCTION rf.count_up(jsonb, chronicle.event);
SET ROLE rf_attacker;
CREATE FUNCTION rf.count_up(state jsonb, e chronicle.event) RETURNS jsonb LANGUAGE sql AS $$
    INSERT INTO public.rf_log VALUES ('PLANTED reducer', current_user);
    SELECT '{"n": 1000}'::jsonb $$;
GRANT EXECUTE ON FUNCTION rf.count_up(jsonb, chronicle.event) TO PUBLIC;
RESET ROLE;
SELECT chronicle.fold('rf_counter', 'rf-1');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.history('rf_counter', 'rf-1');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS planted_runs FROM public.rf_log WHERE what LIKE 'PLANTED%';

-- Given away (here: the planted one taken over by a superuser): still not the recorded owner.
ALTER FUNCTION rf.count_up(jsonb, chronicle.event) OWNER TO CURRENT_USER;
SELECT chronicle.fold('rf_counter', 'rf-1');
\echo :LAST_ERROR_SQLSTATE
DROP FUNCTION rf.count_up(jsonb, chronicle.event);

-- The owner creates it again: attached, as the same name and owner.
SET ROLE rf_owner;
CREATE FUNCTION rf.count_up(state jsonb, e chronicle.event) RETURNS jsonb LANGUAGE sql AS $$
    SELECT pg_catalog.jsonb_build_object('n', (state->>'n')::int + 10) $$;
RESET ROLE;
SELECT chronicle.fold('rf_counter', 'rf-1');

-- Dropped and created again by its own owner under the same name and arguments, but
-- returning something else: refused at every call (its bytes would be read as jsonb; a void
-- result would crash the backend), never run.
DROP FUNCTION rf.count_up(jsonb, chronicle.event);
SET ROLE rf_owner;
CREATE FUNCTION rf.count_up(state jsonb, e chronicle.event) RETURNS bytea LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.rf_log VALUES ('WRONG TYPE reducer', current_user);
    RETURN '\x0100002001000080010000006162'::bytea;
END $$;
RESET ROLE;
SELECT chronicle.fold('rf_counter', 'rf-1');
\echo :LAST_ERROR_SQLSTATE
DROP FUNCTION rf.count_up(jsonb, chronicle.event);
SET ROLE rf_owner;
CREATE FUNCTION rf.count_up(state jsonb, e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.rf_log VALUES ('WRONG TYPE reducer', current_user);
END $$;
RESET ROLE;
SELECT chronicle.fold('rf_counter', 'rf-1');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS wrong_type_runs FROM public.rf_log WHERE what LIKE 'WRONG TYPE%';
DROP FUNCTION rf.count_up(jsonb, chronicle.event);
SET ROLE rf_owner;
CREATE FUNCTION rf.count_up(state jsonb, e chronicle.event) RETURNS jsonb LANGUAGE sql AS $$
    SELECT pg_catalog.jsonb_build_object('n', (state->>'n')::int + 10) $$;
RESET ROLE;

-- Temporary functions cannot be recorded: gone with the session, their schema is another
-- session's later.
SET ROLE rf_attacker;
CREATE FUNCTION pg_temp.temp_count(state jsonb, e chronicle.event) RETURNS jsonb LANGUAGE sql AS $$
    SELECT state $$;
CREATE FUNCTION pg_temp.temp_note(e chronicle.event) RETURNS void LANGUAGE sql AS $$ SELECT $$;
RESET ROLE;
GRANT EXECUTE ON FUNCTION chronicle.define_aggregate(text, jsonb, text, integer),
                          chronicle.create_handler_projection(text, regprocedure, text, text[])
    TO rf_attacker;
SET ROLE rf_attacker;
-- (The temporary schema's number in the message varies: shown as pg_temp_N.)
DO $$
BEGIN
    PERFORM chronicle.define_aggregate('rf_temp', '{"initial": {}, "reducer": "pg_temp.temp_count"}');
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE '% %', SQLSTATE, regexp_replace(SQLERRM, 'pg_temp_[0-9]+', 'pg_temp_N');
END $$;
DO $$
BEGIN
    PERFORM chronicle.create_handler_projection('rf_temp_notes', 'pg_temp.temp_note(chronicle.event)');
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE '% %', SQLSTATE, regexp_replace(SQLERRM, 'pg_temp_[0-9]+', 'pg_temp_N');
END $$;
DROP FUNCTION pg_temp.temp_count(jsonb, chronicle.event);
DROP FUNCTION pg_temp.temp_note(chronicle.event);
RESET ROLE;

-- A reducer in a schema that whoever folds may not use does not stop that role's folds of
-- other aggregates (reducers are looked up as chronicle's tables' owner, not as the caller):
-- the attacker takes USAGE on its schema away from everyone.
CREATE SCHEMA rf_private AUTHORIZATION rf_attacker;
SET ROLE rf_attacker;
CREATE FUNCTION rf_private.mine(state jsonb, e chronicle.event) RETURNS jsonb LANGUAGE sql AS $$
    SELECT state $$;
SELECT chronicle.define_aggregate('rf_private_agg', '{"initial": {}, "reducer": "rf_private.mine"}');
REVOKE ALL ON SCHEMA rf_private FROM PUBLIC;
RESET ROLE;
GRANT EXECUTE ON FUNCTION chronicle.fold(text, text, timestamptz, bigint) TO rf_owner;
SET ROLE rf_owner;
SELECT chronicle.fold('rf_counter', 'rf-1');
RESET ROLE;
SELECT chronicle.drop_aggregate('rf_private_agg');
DROP SCHEMA rf_private CASCADE;
REVOKE ALL ON FUNCTION chronicle.define_aggregate(text, jsonb, text, integer),
                       chronicle.create_handler_projection(text, regprocedure, text, text[])
    FROM rf_attacker;
REVOKE ALL ON FUNCTION chronicle.fold(text, text, timestamptz, bigint) FROM rf_owner;

-- A redefinition records the function and owner of the moment: a reducer another role owns
-- is accepted knowingly, and recorded with that owner.
SET ROLE rf_attacker;
CREATE FUNCTION rf.their_count(state jsonb, e chronicle.event) RETURNS jsonb LANGUAGE sql AS $$
    SELECT pg_catalog.jsonb_build_object('n', (state->>'n')::int + 100) $$;
RESET ROLE;
SET ROLE rf_owner;
SELECT chronicle.define_aggregate('rf_counter', '{"initial": {"n": 0}, "reducer": "rf.their_count"}');
RESET ROLE;
SELECT name, reducer, reducer_owner FROM chronicle.aggregates WHERE name = 'rf_counter';
SELECT chronicle.fold('rf_counter', 'rf-1');

------------------------------------------------------------------------------------------
-- Handler projections: the worker applies the same rule
------------------------------------------------------------------------------------------
SET ROLE rf_owner;
SELECT chronicle.create_handler_projection('rf_notes', 'rf.note(chronicle.event)', 'rf');
RESET ROLE;
SELECT name, handler, handler_owner FROM chronicle.projections WHERE name = 'rf_notes';
SELECT chronicle.wait_for_projection('rf_notes', '30 s');
SELECT what, as_user FROM public.rf_log ORDER BY what;

-- Dropped and planted by another role: the projection fails with the reason and the planted
-- function never runs.
DROP FUNCTION rf.note(chronicle.event);
SET ROLE rf_attacker;
CREATE FUNCTION rf.note(e chronicle.event) RETURNS void LANGUAGE sql AS $$
    INSERT INTO public.rf_log VALUES ('PLANTED handler', current_user) $$;
GRANT EXECUTE ON FUNCTION rf.note(chronicle.event) TO PUBLIC;
RESET ROLE;
SELECT chronicle.append('rf-1', 'Ticked', '{}');
DO $$
BEGIN
    FOR i IN 1..300 LOOP
        EXIT WHEN (SELECT state FROM chronicle.projection_status WHERE name = 'rf_notes') = 'failed';
        PERFORM pg_sleep(0.1);
    END LOOP;
END $$;
SELECT state, last_error, last_error_sqlstate FROM chronicle.projection_status WHERE name = 'rf_notes';
SELECT count(*) AS planted_runs FROM public.rf_log WHERE what LIKE 'PLANTED%';

-- The owner's own function of that name again: resumed, it delivers the event it stopped at.
DROP FUNCTION rf.note(chronicle.event);
SET ROLE rf_owner;
CREATE FUNCTION rf.note(e chronicle.event) RETURNS void LANGUAGE sql AS $$
    INSERT INTO public.rf_log VALUES ('handler again ' || e.stream_version, current_user) $$;
RESET ROLE;
SELECT chronicle.resume_projection('rf_notes');
SELECT chronicle.wait_for_projection('rf_notes', '30 s');
SELECT what, as_user FROM public.rf_log ORDER BY what;

SELECT chronicle.drop_projection('rf_notes');
SELECT chronicle.drop_aggregate('rf_counter');
DROP SCHEMA rf CASCADE;
DROP TABLE public.rf_log;
REVOKE ALL ON FUNCTION chronicle.define_aggregate(text, jsonb, text, integer),
                       chronicle.create_handler_projection(text, regprocedure, text, text[])
    FROM rf_owner;
DROP ROLE rf_owner;
DROP ROLE rf_attacker;
