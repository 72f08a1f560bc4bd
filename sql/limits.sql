-- The limits on what a definition, an event and a state may be (docs/aggregates.md, "Limits";
-- include/chronicle/core/limits.hpp): values nest at most 1,000 levels, paths have at most
-- 256 segments, a definition is at most 1 MiB of JSON. Every check here crashed the server
-- (SIGSEGV, every backend restarted) before the limits existed, or checks the exact edge.
\set SHOW_CONTEXT never

-- Helpers: a dotted path of n segments, its array form, and a value nested n levels.
CREATE FUNCTION pg_temp.dotted(n int) RETURNS text LANGUAGE sql
    AS $$ SELECT string_agg('a', '.') FROM generate_series(1, n) $$;
CREATE FUNCTION pg_temp.segments(n int) RETURNS jsonb LANGUAGE sql
    AS $$ SELECT jsonb_agg('a'::text) FROM generate_series(1, n) $$;
CREATE FUNCTION pg_temp.nested(n int) RETURNS jsonb LANGUAGE sql
    AS $$ SELECT (repeat('[', n) || repeat(']', n))::jsonb $$;

------------------------------------------------------------------------------------------
-- Paths: at most 256 segments (CH020). A path of 100,000 segments was defect 4.
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('lim_path',
    jsonb_build_object('on', jsonb_build_object('E', jsonb_build_array(
        jsonb_build_object('set', pg_temp.dotted(100000), 'value', 1)))));
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('lim_path',
    jsonb_build_object('on', jsonb_build_object('E', jsonb_build_array(
        jsonb_build_object('set', pg_temp.segments(100000), 'value', 1)))));
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('lim_path',
    jsonb_build_object('on', jsonb_build_object('E', jsonb_build_array(
        jsonb_build_object('set', 'x', 'from', pg_temp.dotted(257))))));
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('lim_path',
    jsonb_build_object('on', jsonb_build_object('E', jsonb_build_array(
        jsonb_build_object('set', 'x', 'event', 'metadata.' || pg_temp.dotted(257))))));
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('lim_path',
    jsonb_build_object('on', jsonb_build_object('E', jsonb_build_array(
        jsonb_build_object('set', pg_temp.dotted(257), 'value', 1)))));
\echo :LAST_ERROR_SQLSTATE
-- 256 segments are fine, and the fold builds the state they name.
SELECT chronicle.define_aggregate('lim_path',
    jsonb_build_object('on', jsonb_build_object('E', jsonb_build_array(
        jsonb_build_object('set', pg_temp.dotted(256), 'value', 1)))));
SELECT chronicle.append('limpath-1', 'E', '{}');
SELECT chronicle.fold('lim_path', 'limpath-1') #> string_to_array(pg_temp.dotted(256), '.') AS deepest;

------------------------------------------------------------------------------------------
-- Nesting of the definition and of the values it writes (CH020)
------------------------------------------------------------------------------------------
-- PostgreSQL's jsonb nests 5,000 levels at the default max_stack_depth.
SELECT chronicle.define_aggregate('lim_nest',
    jsonb_build_object('initial', pg_temp.nested(5000), 'on', '{}'::jsonb));
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('lim_nest',
    jsonb_build_object('initial', pg_temp.nested(1000), 'on', '{}'::jsonb));
\echo :LAST_ERROR_SQLSTATE
-- The definition itself at 1,000 levels: the initial state at 999.
SELECT chronicle.define_aggregate('lim_nest',
    jsonb_build_object('initial', pg_temp.nested(999), 'on', '{}'::jsonb));
-- A literal the state cannot hold where it goes: 10 + 995 levels (the definition itself
-- nests 999).
SELECT chronicle.define_aggregate('lim_literal',
    jsonb_build_object('on', jsonb_build_object('E', jsonb_build_array(
        jsonb_build_object('set', pg_temp.dotted(10), 'value', pg_temp.nested(995))))));
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('lim_literal',
    jsonb_build_object('on', jsonb_build_object('E', jsonb_build_array(
        jsonb_build_object('append', pg_temp.dotted(10), 'from', 'x', 'default', pg_temp.nested(990))))));
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('lim_literal',
    jsonb_build_object('on', jsonb_build_object('E', jsonb_build_array(
        jsonb_build_object('set', pg_temp.dotted(10), 'value', pg_temp.nested(990))))));
SELECT chronicle.append('limliteral-1', 'E', '{}');
SELECT length(chronicle.fold('lim_literal', 'limliteral-1')::text) AS literal_written;

------------------------------------------------------------------------------------------
-- Size: at most 1 MiB of JSON (CH020)
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('lim_size',
    jsonb_build_object('initial', jsonb_build_object('s', repeat('x', 1048576)), 'on', '{}'::jsonb));
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('lim_size',
    jsonb_build_object('initial', jsonb_build_object('s', repeat('x', 1000000)), 'on', '{}'::jsonb));
SELECT length(chronicle.fold('lim_size', 'none-1')::text) IS NULL AS no_events_no_state;
-- None of the failed definitions was stored.
SELECT name FROM chronicle.aggregates WHERE name LIKE 'lim\_%' ORDER BY name;

------------------------------------------------------------------------------------------
-- Folding events whose data nests deeply: an error of the fold (CH022), never a crash
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('lim_data', $${"on": {"E": [{"set": "d", "from": "x"}],
                                                       "M": [{"set": "m", "event": "metadata.x"}],
                                                       "W": [{"set": "w", "from": ""}]}}$$);
-- Appending is as before: jsonb as deep as PostgreSQL takes it is stored.
SELECT chronicle.append('limdata-1', 'W', jsonb_build_object('x', pg_temp.nested(5000)));
SELECT chronicle.fold('lim_data', 'limdata-1');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('limdata-2', jsonb_build_array(
    jsonb_build_object('type', 'M', 'data', '{}'::jsonb,
                       'metadata', jsonb_build_object('x', pg_temp.nested(3000)))));
SELECT chronicle.fold('lim_data', 'limdata-2');
\echo :LAST_ERROR_SQLSTATE
-- The edge: "d" (1 level) holding 999 levels is a state of 1,000; 1,000 more is too deep.
SELECT chronicle.append('limdata-3', 'E', jsonb_build_object('x', pg_temp.nested(999)));
SELECT jsonb_path_query_first(chronicle.fold('lim_data', 'limdata-3'), 'strict $.d.size()') AS d_size;
SELECT chronicle.append('limdata-4', 'E', jsonb_build_object('x', pg_temp.nested(1000)));
SELECT chronicle.fold('lim_data', 'limdata-4');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------------------
-- A state that grows one level per event stops at 1,000 (CH022); snapshots at the edge
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('lim_grow', '{"on": {"E": [{"set": "a", "state": ""}]}}');
SELECT chronicle.append_batch('limgrow-1',
    (SELECT jsonb_agg('{"type": "E", "data": {}}'::jsonb) FROM generate_series(1, 1000)));
SELECT chronicle.fold('lim_grow', 'limgrow-1');
\echo :LAST_ERROR_SQLSTATE
SELECT length(chronicle.fold('lim_grow', 'limgrow-1', at_version => 999)::text) AS depth_1000;
-- With snapshots: a state of 1,000 levels is written at version 999 and read back.
SELECT chronicle.define_aggregate('lim_snap', '{"on": {"E": [{"set": "a", "state": ""}]}}',
                                  category => 'limsnap', snapshot_every => 999);
SELECT chronicle.append_batch('limsnap-1',
    (SELECT jsonb_agg('{"type": "E", "data": {}}'::jsonb) FROM generate_series(1, 999)));
SELECT s.stream_version, length(s.state::text) AS state_length
  FROM chronicle.snapshots s JOIN chronicle.aggregates a USING (revision)
 WHERE a.name = 'lim_snap' AND s.stream = 'limsnap-1';
SELECT length(chronicle.fold('lim_snap', 'limsnap-1')::text) AS from_snapshot;
-- The next event is one level too many.
SELECT chronicle.append('limsnap-1', 'E', '{}');
SELECT chronicle.fold('lim_snap', 'limsnap-1');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------------------
-- A definition stored before the limits (written here by hand): only its folds fail
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('lim_old', '{"on": {"E": [{"set": "x", "value": 1}]}}');
UPDATE chronicle.aggregates
   SET definition = jsonb_build_object('on', jsonb_build_object('E', jsonb_build_array(
                        jsonb_build_object('set', pg_temp.dotted(100000), 'value', 1))))
 WHERE name = 'lim_old';
SELECT chronicle.append('limold-1', 'E', '{}');
SELECT chronicle.fold('lim_old', 'limold-1');
\echo :LAST_ERROR_SQLSTATE
UPDATE chronicle.aggregates
   SET definition = jsonb_build_object('initial', pg_temp.nested(5000), 'on', '{}'::jsonb)
 WHERE name = 'lim_old';
SELECT chronicle.fold('lim_old', 'limold-1');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold('lim_path', 'limpath-1') IS NOT NULL AS others_fold;

------------------------------------------------------------------------------------------
-- Projections on an aggregate whose fold fails on deep data: the worker fails the
-- projection and lives on; an inline projection fails the append
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('lim_proj', '{"on": {"E": [{"set": "w", "from": ""}]}}',
                                  category => 'limproj');
SELECT chronicle.create_projection('lim_proj_async', 'lim_proj') IS NOT NULL AS created;
SELECT chronicle.create_projection('lim_proj_inline', 'lim_proj', mode => 'inline') IS NOT NULL AS created;
SELECT chronicle.append('limproj-1', 'E', jsonb_build_object('x', pg_temp.nested(5000)));
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.drop_projection('lim_proj_inline');
SELECT chronicle.append('limproj-1', 'E', jsonb_build_object('x', pg_temp.nested(5000)));
SELECT chronicle.append('limproj-2', 'E', '{"fine": true}');
DO $$
BEGIN
    FOR i IN 1..300 LOOP
        EXIT WHEN (SELECT state FROM chronicle.projections WHERE name = 'lim_proj_async') = 'failed';
        PERFORM pg_sleep(0.1);
    END LOOP;
END $$;
SELECT name, state, last_error, last_error_sqlstate FROM chronicle.projection_status
 WHERE name = 'lim_proj_async';
SELECT count(*) AS one_worker FROM pg_stat_activity
 WHERE application_name = 'chronicle worker' AND datname = current_database();
SELECT chronicle.drop_projection('lim_proj_async');

------------------------------------------------------------------------------------------
-- Size: what the fuzzer found (docs/development.md). A state that doubles with every event
-- and numbers that are a few bytes of jsonb but 100,000 digits: the fold fails at 64 MiB
-- (CH022) instead of exhausting the backend's memory.
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('lim_double',
    '{"on": {"E": [{"set": "a", "state": ""}, {"append": "l", "state": "a"}]}}');
SELECT chronicle.append_batch('limdouble-1',
    (SELECT jsonb_agg('{"type": "E", "data": {}}'::jsonb) FROM generate_series(1, 40)));
SELECT chronicle.fold('lim_double', 'limdouble-1');
\echo :LAST_ERROR_SQLSTATE
SELECT length(chronicle.fold('lim_double', 'limdouble-1', at_version => 10)::text) AS ten_events;
SELECT chronicle.append('limdata-5', 'W',
    jsonb_build_object('n', (SELECT jsonb_agg('1e99999'::jsonb) FROM generate_series(1, 1000))));
SELECT chronicle.fold('lim_data', 'limdata-5');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('lim_size',
    jsonb_build_object('initial', (SELECT jsonb_agg('1e99999'::jsonb) FROM generate_series(1, 1000)),
                       'on', '{}'::jsonb));
\echo :LAST_ERROR_SQLSTATE
