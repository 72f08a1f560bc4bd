-- The life of a projection: pause and resume (async and inline), failure on a poison event
-- and recovery, rebuilds (aggregate async and inline, handler), drop, and the states and
-- columns of chronicle.projection_status (running, paused, failed, rebuilding, catching_up).
-- The worker is held still where a state must be caught, by a reducer that waits for an
-- advisory lock this session holds: no sleeping on luck.
\set SHOW_CONTEXT never

-- As in projections.sql: the rows of a projection table that disagree with a fresh fold of
-- every stream of the category. No rows means the table is exact.
CREATE FUNCTION pg_temp.mismatches(projection regclass, aggregate text, category text)
    RETURNS TABLE (stream text, problem text) LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        SELECT coalesce(p.stream, s.stream),
               CASE WHEN p.stream IS NULL THEN 'no row'
                    WHEN s.stream IS NULL THEN 'no such stream in the category'
                    WHEN p.version <> s.version THEN format('version %%s, stream at %%s', p.version, s.version)
                    ELSE format('state %%s, fold %%s', p.state, chronicle.fold(%L, s.stream)) END
          FROM %s p
          FULL JOIN (SELECT stream, version FROM chronicle.streams WHERE category = %L) s
            ON s.stream = p.stream
         WHERE p.stream IS NULL OR s.stream IS NULL OR p.version <> s.version
            OR p.state::text IS DISTINCT FROM chronicle.fold(%L, s.stream)::text
         ORDER BY 1 $q$, aggregate, projection, category, aggregate);
END $$;
-- wait_for_projection waits for the live table only, not for a rebuild (documented): this
-- polls until the rebuild has been swapped in, for at most 10 seconds.
CREATE FUNCTION pg_temp.wait_for_rebuild(projection text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..1000 LOOP
        IF NOT EXISTS (SELECT FROM chronicle.projections WHERE name = projection AND rebuild_table IS NOT NULL) THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.01);
    END LOOP;
    RETURN false;
END $$;
-- True once another backend waits for the advisory lock `key` (the worker, held in the
-- reducer below), polled for at most 10 seconds.
CREATE FUNCTION pg_temp.someone_waits_for(key bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..1000 LOOP
        IF EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                                          AND ((classid::bigint << 32) | objid::bigint) = key) THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.01);
    END LOOP;
    RETURN false;
END $$;

SELECT chronicle.define_aggregate('plife', '{"initial": {"n": 0, "total": 0}, "on": {"E": [{"count": "n"}, {"add": "total", "from": "v"}]}}',
                                  category => 'plife', snapshot_every => 0);
SELECT chronicle.append_batch('plife-1', '[{"type": "E", "data": {"v": 1}}, {"type": "E", "data": {"v": 2}}]');
SELECT chronicle.append('plife-2', 'E', '{"v": 10}');

-- A handler that counts, and fails on a poison event.
CREATE TABLE public.plife_counts (stream text PRIMARY KEY, n bigint NOT NULL);
CREATE FUNCTION public.plife_count(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF e.data ? 'poison' THEN
        RAISE EXCEPTION 'poisoned event % of %', e.stream_version, e.stream USING ERRCODE = 'P0099';
    END IF;
    INSERT INTO public.plife_counts AS c VALUES (e.stream, 1)
    ON CONFLICT (stream) DO UPDATE SET n = c.n + 1;
END $$;

SELECT chronicle.create_projection('plife_async', 'plife', columns => '{"n": "integer", "total": "numeric"}');
SELECT chronicle.create_projection('plife_inline', 'plife', mode => 'inline', columns => '{"n": "integer", "total": "numeric"}');
SELECT chronicle.create_handler_projection('plife_count', 'public.plife_count(chronicle.event)', category => 'plife');
SELECT chronicle.wait_for_projection('plife_async');
SELECT chronicle.wait_for_projection('plife_inline');
SELECT chronicle.wait_for_projection('plife_count');

-- The status view's columns.
\d chronicle.projection_status
SELECT name, kind, mode, state, lag_events, lag_seconds, events_applied, applied_at IS NOT NULL AS applied,
       last_error, last_error_sqlstate, last_error_at, last_error_position,
       rebuild_position, rebuild_progress, rebuild_started_at, target
  FROM chronicle.projection_status WHERE name LIKE 'plife%' ORDER BY name;
-- position: how far the worker has got; for an inline projection the log's head.
SELECT name, position = (SELECT max(global_position) FROM chronicle.events) AS at_head
  FROM chronicle.projection_status WHERE name LIKE 'plife%' ORDER BY name;

------------------------------------------------------------------------------------------
-- Pause and resume (async)
------------------------------------------------------------------------------------------
SELECT chronicle.pause_projection('plife_async');
SELECT chronicle.pause_projection('plife_count');
SELECT name, state FROM chronicle.projection_status WHERE name LIKE 'plife%' ORDER BY name;
-- Pausing twice is fine.
SELECT chronicle.pause_projection('plife_async');
SELECT chronicle.append('plife-1', 'E', '{"v": 100}');
SELECT chronicle.append('plife-3', 'E', '{"v": 1000}');
-- The events wait: the rows are as they were, and waiting gives up.
SELECT chronicle.wait_for_projection('plife_async', '100ms');
SELECT chronicle.wait_for_projection('plife_count', '100ms');
SELECT stream, version, n, total FROM public.plife_async ORDER BY stream;
SELECT * FROM public.plife_counts ORDER BY stream;
SELECT name, state, lag_events, position < (SELECT max(global_position) FROM chronicle.events) AS behind
  FROM chronicle.projection_status WHERE name IN ('plife_async', 'plife_count') ORDER BY name;
-- The inline projection was not paused: it has them.
SELECT stream, version, n, total FROM public.plife_inline ORDER BY stream;
-- Resumed, they catch up with what arrived meanwhile.
SELECT chronicle.resume_projection('plife_async');
SELECT chronicle.resume_projection('plife_count');
SELECT chronicle.wait_for_projection('plife_async');
SELECT chronicle.wait_for_projection('plife_count');
SELECT name, state, lag_events FROM chronicle.projection_status WHERE name IN ('plife_async', 'plife_count') ORDER BY name;
SELECT stream, version, n, total FROM public.plife_async ORDER BY stream;
SELECT * FROM pg_temp.mismatches('public.plife_async', 'plife', 'plife');
SELECT * FROM public.plife_counts ORDER BY stream;
-- Resuming a running projection changes nothing.
SELECT chronicle.resume_projection('plife_async');
SELECT chronicle.wait_for_projection('plife_async');

------------------------------------------------------------------------------------------
-- Pause and resume (inline): appends skip it; resuming refills it
------------------------------------------------------------------------------------------
SELECT chronicle.pause_projection('plife_inline');
SELECT chronicle.append('plife-1', 'E', '{"v": 5}');
SELECT chronicle.append('plife-4', 'E', '{"v": 7}');
SELECT chronicle.wait_for_projection('plife_inline', '100ms');
SELECT name, state FROM chronicle.projection_status WHERE name = 'plife_inline';
SELECT stream, version, n, total FROM public.plife_inline ORDER BY stream;
SELECT chronicle.resume_projection('plife_inline');
SELECT chronicle.wait_for_projection('plife_inline', '0');
SELECT stream, version, n, total FROM public.plife_inline ORDER BY stream;
SELECT * FROM pg_temp.mismatches('public.plife_inline', 'plife', 'plife');

------------------------------------------------------------------------------------------
-- Failure: a handler that raises on a poison event
------------------------------------------------------------------------------------------
SELECT chronicle.wait_for_projection('plife_count');
SELECT position AS count_position_before FROM chronicle.projections WHERE name = 'plife_count' \gset
-- One transaction: the worker gets the three events in one batch.
BEGIN;
SELECT chronicle.append('plife-2', 'E', '{"v": 1}');
SELECT chronicle.append('plife-5', 'E', '{"poison": true}');
SELECT chronicle.append('plife-2', 'E', '{"v": 2}');
COMMIT;
SELECT global_position AS poison_position FROM chronicle.events WHERE stream = 'plife-5' \gset
-- It fails: wait_for_projection says so (false, without waiting for the timeout).
SELECT chronicle.wait_for_projection('plife_count', '1 minute');
SELECT name, state, last_error, last_error_sqlstate, last_error_at IS NOT NULL AS error_time,
       last_error_position = :poison_position AS at_the_poison,
       position < :poison_position AS position_before_it,
       position = :count_position_before AS position_kept,
       lag_events
  FROM chronicle.projection_status WHERE name = 'plife_count';
SELECT chronicle.wait_for_projection('plife_count');
SELECT chronicle.wait_for_projection('plife_count', '0');
-- Nothing of the failed batch was written, not even the event before the poison: the counts
-- are as they were.
SELECT (SELECT sum(n) FROM public.plife_counts)
     = (SELECT count(*) FROM chronicle.events WHERE category = 'plife'
                                               AND global_position <= (SELECT position FROM chronicle.projections
                                                                        WHERE name = 'plife_count')) AS counts_match_position;
-- The other projections of the category keep up.
SELECT chronicle.wait_for_projection('plife_async');
SELECT stream, version, n, total FROM public.plife_async WHERE stream IN ('plife-2', 'plife-5') ORDER BY stream;
SELECT name, state FROM chronicle.projection_status WHERE name LIKE 'plife%' ORDER BY name;
-- Resuming without a fix fails again, at the same event.
SELECT chronicle.resume_projection('plife_count');
SELECT chronicle.wait_for_projection('plife_count');
SELECT state, last_error_position = :poison_position AS at_the_poison FROM chronicle.projection_status WHERE name = 'plife_count';
-- Fixed, and resumed: it catches up, every event counted exactly once.
CREATE OR REPLACE FUNCTION public.plife_count(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.plife_counts AS c VALUES (e.stream, 1)
    ON CONFLICT (stream) DO UPDATE SET n = c.n + 1;
END $$;
SELECT chronicle.resume_projection('plife_count');
SELECT chronicle.wait_for_projection('plife_count');
SELECT name, state, lag_events, last_error_position = :poison_position AS last_error_kept
  FROM chronicle.projection_status WHERE name = 'plife_count';
SELECT * FROM public.plife_counts ORDER BY stream;
(SELECT stream, n FROM public.plife_counts
 EXCEPT SELECT stream, count(*) FROM chronicle.events WHERE category = 'plife' GROUP BY stream)
UNION ALL
(SELECT stream, count(*) FROM chronicle.events WHERE category = 'plife' GROUP BY stream
 EXCEPT SELECT stream, n FROM public.plife_counts);
SELECT events_applied = (SELECT count(*) FROM chronicle.events WHERE category = 'plife') AS applied_once
  FROM chronicle.projections WHERE name = 'plife_count';

------------------------------------------------------------------------------------------
-- Rebuild of an aggregate projection, caught while it runs
------------------------------------------------------------------------------------------
-- A reducer that waits for an advisory lock this session can hold: the worker stops in it.
CREATE FUNCTION public.plife_gate(state jsonb, e chronicle.event) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(74201);
    RETURN jsonb_build_object('n', (state->>'n')::int + 1);
END $$;
SELECT chronicle.define_aggregate('plife_gated', '{"initial": {"n": 0}, "reducer": "public.plife_gate"}',
                                  category => 'plifegate', snapshot_every => 0);
SELECT chronicle.append('plifegate-1', 'E', '{}');
SELECT chronicle.append('plifegate-1', 'F', '{}');
SELECT chronicle.append('plifegate-2', 'E', '{}');
SELECT chronicle.create_projection('plife_gated', 'plife_gated', columns => '{"n": "integer"}');
SELECT chronicle.wait_for_projection('plife_gated');
SELECT stream, version, state, n FROM public.plife_gated ORDER BY stream;
-- What the user adds to the table: an index, a grant, a view.
CREATE INDEX plife_gated_n ON public.plife_gated (n);
CREATE ROLE regress_plife_reader;
GRANT SELECT ON public.plife_gated TO regress_plife_reader;
CREATE VIEW public.plife_gated_view AS SELECT stream, n FROM public.plife_gated;
SELECT 'public.plife_gated'::regclass::oid AS gated_oid \gset
-- The reducer changes (a new field): the rows are now stale, until a rebuild.
CREATE OR REPLACE FUNCTION public.plife_gate(state jsonb, e chronicle.event) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(74201);
    RETURN jsonb_build_object('n', (state->>'n')::int + 1, 'last', e.event_type);
END $$;
SELECT * FROM pg_temp.mismatches('public.plife_gated', 'plife_gated', 'plifegate');
-- Hold the worker in the reducer: it can start the rebuild, not finish it.
SELECT pg_advisory_lock(74201);
SELECT chronicle.rebuild_projection('plife_gated');
SELECT pg_temp.someone_waits_for(74201) AS worker_held;
SELECT name, state, rebuild_position, rebuild_progress, rebuild_started_at IS NOT NULL AS started
  FROM chronicle.projection_status WHERE name = 'plife_gated';
SELECT rebuild_table FROM chronicle.projections WHERE name = 'plife_gated';
-- The live table keeps serving, with its old rows, and waiting for it does not wait for the
-- rebuild.
SELECT stream, version, state, n FROM public.plife_gated ORDER BY stream;
SELECT * FROM public.plife_gated_view ORDER BY stream;
SELECT chronicle.wait_for_projection('plife_gated');
-- Events keep coming meanwhile.
SELECT chronicle.append('plifegate-2', 'G', '{}');
SELECT chronicle.append('plifegate-3', 'E', '{}');

-- While the worker is held, a projection with at least chronicle.worker_batch_size events
-- to go (1000 by default) is catching_up.
SELECT chronicle.define_aggregate('plife_bulk', '{"initial": {"n": 0}, "on": {"*": [{"count": "n"}]}}',
                                  category => 'plifebulk', snapshot_every => 0);
SELECT chronicle.create_projection('plife_bulk', 'plife_bulk', columns => '{"n": "integer"}');
SELECT current_setting('chronicle.worker_batch_size') AS batch_size;
SELECT chronicle.append_batch('plifebulk-1', (SELECT jsonb_agg(jsonb_build_object('type', 'B', 'data', '{}'::jsonb))
                                                FROM generate_series(1, 1000)));
SELECT name, state, lag_events FROM chronicle.projection_status WHERE name = 'plife_bulk';

-- Let the worker go: the rebuild finishes and is swapped in; the bulk catches up.
SELECT pg_advisory_unlock(74201);
SELECT pg_temp.wait_for_rebuild('plife_gated');
SELECT chronicle.wait_for_projection('plife_gated');
SELECT chronicle.wait_for_projection('plife_bulk');
SELECT name, state, lag_events, rebuild_position, rebuild_progress, rebuild_started_at
  FROM chronicle.projection_status WHERE name IN ('plife_gated', 'plife_bulk') ORDER BY name;
SELECT stream, version, n FROM public.plife_bulk;
-- The table is a fresh fold of every stream, the events that came during the rebuild included.
SELECT stream, version, state, n FROM public.plife_gated ORDER BY stream;
SELECT * FROM pg_temp.mismatches('public.plife_gated', 'plife_gated', 'plifegate');
-- The same table: OID, index, grant and view kept; the rebuild's table is gone.
SELECT 'public.plife_gated'::regclass::oid = :gated_oid AS same_table;
SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'plife_gated' ORDER BY 1;
SELECT has_table_privilege('regress_plife_reader', 'public.plife_gated', 'SELECT') AS grant_kept;
SELECT * FROM public.plife_gated_view ORDER BY stream;
SELECT count(*) AS rebuild_tables_left FROM pg_class WHERE relname LIKE '%chronicle_rebuild%';
SELECT rebuild_table, rebuild_position FROM chronicle.projections WHERE name = 'plife_gated';
-- It goes on as usual.
SELECT chronicle.append('plifegate-1', 'H', '{}');
SELECT chronicle.wait_for_projection('plife_gated');
SELECT * FROM pg_temp.mismatches('public.plife_gated', 'plife_gated', 'plifegate');

------------------------------------------------------------------------------------------
-- Rebuild of an inline projection (by the worker), and of the async one beside it
------------------------------------------------------------------------------------------
-- A new definition: the rows of both are stale.
SELECT chronicle.define_aggregate('plife', '{"initial": {"n": 0, "total": 0}, "on": {"E": [{"count": "n"}, {"add": "total", "from": "v"}, {"set": "last", "from": "v"}]}}',
                                  category => 'plife', snapshot_every => 0);
SELECT count(*) > 0 AS inline_stale FROM pg_temp.mismatches('public.plife_inline', 'plife', 'plife');
SELECT count(*) > 0 AS async_stale FROM pg_temp.mismatches('public.plife_async', 'plife', 'plife');
SELECT chronicle.rebuild_projection('plife_inline');
SELECT chronicle.rebuild_projection('plife_async');
-- Appends during a rebuild keep the inline table current.
SELECT chronicle.append('plife-6', 'E', '{"v": 3}');
SELECT stream, version, state FROM public.plife_inline WHERE stream = 'plife-6';
SELECT pg_temp.wait_for_rebuild('plife_inline');
SELECT pg_temp.wait_for_rebuild('plife_async');
SELECT chronicle.wait_for_projection('plife_async');
SELECT name, mode, state, rebuild_position FROM chronicle.projection_status WHERE name IN ('plife_async', 'plife_inline') ORDER BY name;
SELECT * FROM pg_temp.mismatches('public.plife_inline', 'plife', 'plife');
SELECT * FROM pg_temp.mismatches('public.plife_async', 'plife', 'plife');
SELECT stream, version, n, total, state FROM public.plife_inline ORDER BY stream;

------------------------------------------------------------------------------------------
-- Rebuild of a handler projection: a replay from the first event
------------------------------------------------------------------------------------------
-- Emptying the handler's table in the same transaction gives exact counts again. The
-- rebuild comes first: it waits for the worker's batch and holds the projection, so the
-- TRUNCATE cannot deadlock with a batch writing the table.
BEGIN;
SELECT chronicle.rebuild_projection('plife_count');
TRUNCATE public.plife_counts;
SELECT position, events_applied FROM chronicle.projections WHERE name = 'plife_count';
COMMIT;
SELECT chronicle.wait_for_projection('plife_count');
(SELECT stream, n FROM public.plife_counts
 EXCEPT SELECT stream, count(*) FROM chronicle.events WHERE category = 'plife' GROUP BY stream)
UNION ALL
(SELECT stream, count(*) FROM chronicle.events WHERE category = 'plife' GROUP BY stream
 EXCEPT SELECT stream, n FROM public.plife_counts);
SELECT sum(n) = (SELECT count(*) FROM chronicle.events WHERE category = 'plife') AS every_event_once
  FROM public.plife_counts;
SELECT events_applied = (SELECT count(*) FROM chronicle.events WHERE category = 'plife') AS applied_once
  FROM chronicle.projections WHERE name = 'plife_count';

------------------------------------------------------------------------------------------
-- Drop
------------------------------------------------------------------------------------------
-- drop_table => false keeps the table, which nothing updates any more.
SELECT chronicle.drop_projection('plife_inline', drop_table => false);
SELECT chronicle.append('plife-1', 'E', '{"v": 1}');
SELECT version = chronicle.stream_version('plife-1') - 1 AS not_updated FROM public.plife_inline WHERE stream = 'plife-1';
SELECT to_regclass('public.plife_inline') IS NOT NULL AS table_kept;
DROP TABLE public.plife_inline;
-- By default the table goes with it.
SELECT chronicle.drop_projection('plife_async');
SELECT to_regclass('public.plife_async') IS NULL AS table_dropped;
-- A handler's tables are its own: dropping the projection keeps them.
SELECT chronicle.drop_projection('plife_count');
SELECT to_regclass('public.plife_counts') IS NOT NULL AS handler_table_kept;
-- Dropping during a rebuild drops the rebuild's table too.
SELECT chronicle.pause_projection('plife_gated');
SELECT chronicle.rebuild_projection('plife_gated');
SELECT rebuild_table AS gated_shadow FROM chronicle.projections WHERE name = 'plife_gated' \gset
SELECT :'gated_shadow'::regclass IS NOT NULL AS shadow_exists;
DROP VIEW public.plife_gated_view;
SELECT chronicle.drop_projection('plife_gated');
SELECT to_regclass(:'gated_shadow') IS NULL AS shadow_dropped, to_regclass('public.plife_gated') IS NULL AS table_dropped;
SELECT chronicle.drop_projection('plife_bulk');
SELECT name FROM chronicle.projections WHERE name LIKE 'plife%';

------------------------------------------------------------------------------------------
-- Cleanup
------------------------------------------------------------------------------------------
SELECT count(*) AS projections_left FROM chronicle.projections;
DROP TABLE public.plife_counts;
DROP ROLE regress_plife_reader;
SELECT chronicle.drop_aggregate(name) FROM chronicle.aggregates WHERE name LIKE 'plife%' ORDER BY name;
DROP FUNCTION public.plife_count(chronicle.event), public.plife_gate(jsonb, chronicle.event);
