-- Upgrading 0.2 -> 0.3: events, aggregates and snapshots written under 0.2 survive ALTER
-- EXTENSION ... UPDATE, and projections created afterwards (async, inline, handler) cover
-- the events from before the upgrade exactly: their rows equal fresh folds, the handler's
-- counts equal count(*). The worker starts for the upgraded database without a restart; the
-- session that upgraded keeps inline projections current, as does a new one. (The upgraded
-- schema is compared with a fresh install by aggregate_upgrade.sql.)
-- It runs in a database of its own, dropped at the end: the test database keeps its
-- extension and its events for the files after this one (read.sql counts on the events).
\set SHOW_CONTEXT never
SELECT current_database() AS test_database, (SELECT count(*) FROM chronicle.events) AS test_events \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regression_chronicle_upgrade;
RESET client_min_messages;
CREATE DATABASE regression_chronicle_upgrade TEMPLATE template0;
\c regression_chronicle_upgrade
\set SHOW_CONTEXT never
-- In public, so that the new session below has it too.
CREATE FUNCTION public.pup_mismatches(projection regclass, aggregate text, category text)
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

CREATE EXTENSION chronicle VERSION '0.2';
SELECT extversion FROM pg_extension WHERE extname = 'chronicle';
-- 0.2 has no projections.
SELECT to_regclass('chronicle.projections') IS NULL AS no_projections_table,
       to_regprocedure('chronicle.create_projection(text, text, text, text, jsonb, text)') IS NULL AS no_create_projection;

-- Data under 0.2: an aggregate with snapshots every 2 events, streams of its category and
-- of another one.
SELECT chronicle.define_aggregate('pup_order', '{
  "initial": {"status": "NEW", "total": 0, "items": []},
  "on": {"OrderCreated": [{"set": "status", "value": "OPEN"}, {"set": "customer", "from": "customer"}],
         "ItemAdded": [{"append": "items", "from": "sku"}, {"add": "total", "from": "price"}],
         "OrderPaid": [{"set": "status", "value": "PAID"}]}}', category => 'pup', snapshot_every => 2);
SELECT chronicle.append('pup-1', 'OrderCreated', '{"customer": "c-1"}');
SELECT chronicle.append('pup-1', 'ItemAdded', '{"sku": "a", "price": 19.99}');
SELECT chronicle.append('pup-1', 'ItemAdded', '{"sku": "b", "price": 5.01}');
SELECT chronicle.append_batch('pup-2', '[{"type": "OrderCreated", "data": {"customer": "c-2"}},
                                          {"type": "ItemAdded", "data": {"sku": "c", "price": 1}},
                                          {"type": "OrderPaid", "data": {}}]');
SELECT chronicle.append('pup-3', 'OrderCreated', '{"customer": "c-3"}');
SELECT chronicle.append('pupother-1', 'OrderCreated', '{"customer": "x"}');
SELECT stream, stream_version, state FROM chronicle.snapshots ORDER BY 1, 2;
SELECT md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s', global_position, stream, stream_version, event_id,
                             event_type, data, metadata, recorded_at), ',' ORDER BY global_position)) AS events_before,
       count(*) AS events_count
  FROM chronicle.events \gset
SELECT :events_count AS events_under_0_2;

ALTER EXTENSION chronicle UPDATE TO '0.3';
SELECT extversion FROM pg_extension WHERE extname = 'chronicle';
SELECT md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s', global_position, stream, stream_version, event_id,
                             event_type, data, metadata, recorded_at), ',' ORDER BY global_position)) = :'events_before'
       AS events_unchanged
  FROM chronicle.events;
SELECT count(*) AS projections FROM chronicle.projections;

------------------------------------------------------------------------------------------
-- In the session that upgraded: projections over the events from before
------------------------------------------------------------------------------------------
CREATE TABLE public.pup_counts (stream text PRIMARY KEY, n bigint NOT NULL);
CREATE FUNCTION public.pup_count(e chronicle.event) RETURNS void LANGUAGE sql AS $$
    INSERT INTO public.pup_counts AS c VALUES (e.stream, 1) ON CONFLICT (stream) DO UPDATE SET n = c.n + 1 $$;
SELECT chronicle.create_projection('pup_async', 'pup_order', columns => '{"status": "text", "total": "numeric"}');
SELECT chronicle.create_projection('pup_inline', 'pup_order', mode => 'inline', columns => '{"status": "text", "total": "numeric"}');
SELECT chronicle.create_handler_projection('pup_count', 'public.pup_count(chronicle.event)');
SELECT chronicle.wait_for_projection('pup_async');
SELECT chronicle.wait_for_projection('pup_inline');
SELECT chronicle.wait_for_projection('pup_count');
SELECT stream, version, status, total, state FROM public.pup_async ORDER BY stream;
SELECT * FROM public.pup_mismatches('public.pup_async', 'pup_order', 'pup');
SELECT * FROM public.pup_mismatches('public.pup_inline', 'pup_order', 'pup');
-- The handler (every category) saw each event once.
(SELECT stream, n FROM public.pup_counts EXCEPT SELECT stream, count(*) FROM chronicle.events GROUP BY stream)
UNION ALL
(SELECT stream, count(*) FROM chronicle.events GROUP BY stream EXCEPT SELECT stream, n FROM public.pup_counts);
-- Appends in this session keep the inline projection current and reach the others.
SELECT chronicle.append('pup-3', 'ItemAdded', '{"sku": "d", "price": 2.5}');
SELECT chronicle.append('pup-4', 'OrderCreated', '{"customer": "c-4"}');
SELECT stream, version, status, total FROM public.pup_inline WHERE stream IN ('pup-3', 'pup-4') ORDER BY stream;
SELECT chronicle.wait_for_projection('pup_async');
SELECT chronicle.wait_for_projection('pup_count');
SELECT * FROM public.pup_mismatches('public.pup_async', 'pup_order', 'pup');
SELECT * FROM public.pup_mismatches('public.pup_inline', 'pup_order', 'pup');
SELECT sum(n) = (SELECT count(*) FROM chronicle.events) AS every_event_once FROM public.pup_counts;

------------------------------------------------------------------------------------------
-- In a new session
------------------------------------------------------------------------------------------
\c
\set SHOW_CONTEXT never
SELECT chronicle.append('pup-4', 'OrderPaid', '{}');
SELECT chronicle.append_batch('pup-5', '[{"type": "OrderCreated", "data": {"customer": "c-5"}},
                                          {"type": "ItemAdded", "data": {"sku": "e", "price": 3}}]');
SELECT stream, version, status, total FROM public.pup_inline WHERE stream IN ('pup-4', 'pup-5') ORDER BY stream;
SELECT chronicle.wait_for_projection('pup_async');
SELECT chronicle.wait_for_projection('pup_count');
SELECT * FROM public.pup_mismatches('public.pup_async', 'pup_order', 'pup');
SELECT * FROM public.pup_mismatches('public.pup_inline', 'pup_order', 'pup');
SELECT sum(n) = (SELECT count(*) FROM chronicle.events) AS every_event_once FROM public.pup_counts;
SELECT name, kind, mode, state, lag_events FROM chronicle.projection_status ORDER BY name;

------------------------------------------------------------------------------------------
-- Cleanup: the upgraded database goes (its worker with it); the test database is as it was
------------------------------------------------------------------------------------------
SELECT count(*) AS dropped FROM (SELECT chronicle.drop_projection(name) FROM chronicle.projections) d;
\c :test_database
DROP DATABASE regression_chronicle_upgrade;
SELECT count(*) AS upgrade_databases_left FROM pg_database WHERE datname = 'regression_chronicle_upgrade';
SELECT extversion, (SELECT count(*) FROM chronicle.events) = :test_events AS events_kept
  FROM pg_extension WHERE extname = 'chronicle';
