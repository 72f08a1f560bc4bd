-- Reducers and handlers are recorded by identity (schema-qualified name and argument types)
-- and by the role that owned them, not by OID: pg_upgrade keeps no function OIDs. Found again
-- by that identity, a function is called only while that role still owns it: a function of the
-- same name planted by another role after a drop is never run. Renaming, moving or giving the
-- function away detaches it with a clear error; defining the aggregate again attaches it.
\set SHOW_CONTEXT never
SET client_min_messages = warning;

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
