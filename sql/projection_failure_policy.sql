-- chronicle.alter_projection and chronicle.replay_parked_events (issue 10): only the owner
-- (or a member, or a superuser) may change a projection's time limit, retries and on_error,
-- or replay its parked events; PUBLIC may call neither; invalid values and parking for an
-- aggregate projection are CH030; the parked events are not PUBLIC's to read.
CREATE ROLE pfp_owner;
CREATE ROLE pfp_other;
GRANT EXECUTE ON FUNCTION chronicle.create_handler_projection(text, regprocedure, text, text[]),
                          chronicle.alter_projection(text, interval, integer, text),
                          chronicle.replay_parked_events(text),
                          chronicle.drop_projection(text, boolean)
    TO pfp_owner, pfp_other;
CREATE SCHEMA pfp AUTHORIZATION pfp_owner;
SET ROLE pfp_owner;
CREATE FUNCTION pfp.handle(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$ BEGIN END $$;
SELECT chronicle.create_handler_projection('pfp_h', 'pfp.handle(chronicle.event)', 'pfp');
SELECT chronicle.alter_projection('pfp_h', time_limit => '5 seconds', retries => 7, on_error => 'park');
SELECT name, time_limit, retries, on_error FROM chronicle.projections WHERE name = 'pfp_h';
-- NULL keeps a value.
SELECT chronicle.alter_projection('pfp_h', retries => 1);
SELECT name, time_limit, retries, on_error FROM chronicle.projections WHERE name = 'pfp_h';
SELECT chronicle.replay_parked_events('pfp_h') AS asked;
-- Invalid values.
\set VERBOSITY terse
SELECT chronicle.alter_projection('pfp_h', time_limit => '0 seconds');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.alter_projection('pfp_h', time_limit => '-1 seconds');
SELECT chronicle.alter_projection('pfp_h', retries => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.alter_projection('pfp_h', on_error => 'ignore');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.alter_projection('pfp_nope', retries => 1);
\echo :LAST_ERROR_SQLSTATE
-- The parked events are not readable without a grant.
SELECT count(*) FROM chronicle.projection_parked_events;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- Another role may not change it or replay its events.
SET ROLE pfp_other;
SELECT chronicle.alter_projection('pfp_h', time_limit => '1 hour');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.replay_parked_events('pfp_h');
\echo :LAST_ERROR_SQLSTATE
-- Nor write the catalog by hand.
UPDATE chronicle.projections SET time_limit = '1 hour', on_error = 'stop' WHERE name = 'pfp_h';
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- PUBLIC may call neither.
CREATE ROLE pfp_fresh;
SELECT has_function_privilege('pfp_fresh', 'chronicle.alter_projection(text, interval, integer, text)', 'EXECUTE') AS fresh_may_alter,
       has_function_privilege('pfp_fresh', 'chronicle.replay_parked_events(text)', 'EXECUTE') AS fresh_may_replay,
       has_table_privilege('pfp_fresh', 'chronicle.projection_parked_events', 'SELECT') AS fresh_may_read_parked;
SELECT name, time_limit, retries, on_error FROM chronicle.projections WHERE name = 'pfp_h';
\set VERBOSITY default
-- Aggregate projections cannot park.
SELECT chronicle.define_aggregate('pfp_agg', '{"initial": {"n": 0}, "on": {"*": [{"count": "n"}]}}', category => 'pfpa');
SELECT chronicle.create_projection('pfp_agg', 'pfp_agg', table_name => 'pfp.agg');
SELECT chronicle.alter_projection('pfp_agg', on_error => 'park');
SELECT chronicle.alter_projection('pfp_agg', time_limit => '2 minutes');
SELECT name, time_limit, on_error FROM chronicle.projection_status WHERE name = 'pfp_agg';
-- Clean up.
SELECT chronicle.drop_projection('pfp_agg');
SELECT chronicle.drop_aggregate('pfp_agg');
SELECT chronicle.drop_projection('pfp_h');
DROP SCHEMA pfp CASCADE;
REVOKE ALL ON FUNCTION chronicle.create_handler_projection(text, regprocedure, text, text[]),
                       chronicle.alter_projection(text, interval, integer, text),
                       chronicle.replay_parked_events(text),
                       chronicle.drop_projection(text, boolean)
    FROM pfp_owner, pfp_other;
DROP ROLE pfp_owner, pfp_other, pfp_fresh;
