-- Upgrading 0.1 -> 0.2: events appended under 0.1 survive ALTER EXTENSION ... UPDATE, and
-- aggregates (definitions, folds, snapshots at append time) work on them right away, in the
-- session that upgraded as well as in a new one. The upgraded schema is the one a fresh
-- CREATE EXTENSION makes. The file ends with a fresh install for the next file.
\set SHOW_CONTEXT never

-- The earlier files' events go with it (extension_drop_guard.sql tests the refusal).
SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle;
RESET chronicle.allow_drop_with_events;
CREATE EXTENSION chronicle VERSION '0.1';
SELECT extversion FROM pg_extension WHERE extname = 'chronicle';
-- 0.1 has no aggregates.
SELECT to_regclass('chronicle.aggregates') IS NULL AS no_aggregates_table,
       to_regclass('chronicle.snapshots') IS NULL AS no_snapshots_table;
SELECT chronicle.fold('order', 'order-1');
\echo :LAST_ERROR_SQLSTATE

-- Events written by the current library into the 0.1 schema.
SELECT chronicle.append('order-1', 'OrderCreated', '{"customer": "c-1"}');
SELECT chronicle.append('order-1', 'ItemAdded', '{"sku": "a", "price": 19.99}');
SELECT chronicle.append('order-1', 'ItemAdded', '{"sku": "b", "price": 5.01}');
SELECT chronicle.append_batch('order-2', '[{"type": "OrderCreated", "data": {"customer": "c-2"}},
                                           {"type": "ItemAdded", "data": {"sku": "c", "price": 1}}]');
SELECT md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s', global_position, stream, stream_version, event_id,
                             event_type, data, metadata, recorded_at), ',' ORDER BY global_position)) AS events_before,
       count(*) AS events_count
  FROM chronicle.events \gset
SELECT :events_count AS events_under_0_1;

ALTER EXTENSION chronicle UPDATE TO '0.2';
SELECT extversion FROM pg_extension WHERE extname = 'chronicle';
SELECT md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s', global_position, stream, stream_version, event_id,
                             event_type, data, metadata, recorded_at), ',' ORDER BY global_position)) = :'events_before'
       AS events_unchanged
  FROM chronicle.events;
SELECT count(*) AS aggregates, (SELECT count(*) FROM chronicle.snapshots) AS snapshots FROM chronicle.aggregates;

------------------------------------------------------------------------------------------
-- In the session that upgraded
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('order', '{
  "initial": {"status": "NEW", "total": 0, "items": []},
  "on": {"OrderCreated": [{"set": "status", "value": "OPEN"}, {"set": "customer", "from": "customer"}],
         "ItemAdded": [{"append": "items", "from": "sku"}, {"add": "total", "from": "price"}],
         "OrderPaid": [{"set": "status", "value": "PAID"}]}}', category => 'order', snapshot_every => 2);
SELECT chronicle.fold('order', 'order-1');
SELECT stream_version, event_type, state FROM chronicle.history('order', 'order-1');
SELECT chronicle.fold('order', 'order-2', at_version => 1);
-- order-1 reaches version 4: a snapshot (of events written under 0.1 and 0.2).
SELECT chronicle.append('order-1', 'OrderPaid', '{}');
SELECT stream, stream_version, state FROM chronicle.snapshots ORDER BY 1, 2;

------------------------------------------------------------------------------------------
-- In a new session
------------------------------------------------------------------------------------------
\c
\set SHOW_CONTEXT never
SELECT chronicle.fold('order', 'order-1');
SELECT chronicle.fold('order', 'order-2');
-- order-2 reaches version 4: a snapshot.
SELECT chronicle.append_batch('order-2', '[{"type": "ItemAdded", "data": {"sku": "d", "price": 2.5}},
                                           {"type": "OrderPaid", "data": {}}]');
SELECT stream, stream_version, state FROM chronicle.snapshots ORDER BY 1, 2;
SELECT chronicle.fold('order', 'order-2');
SELECT stream_version, state FROM chronicle.history('order', 'order-2');
-- The 0.1 functions work as before.
SELECT stream_version, event_type FROM chronicle.read_stream('order-1');
SELECT chronicle.stream_version('order-2');

-- The upgraded extension has the same objects, columns, indexes, triggers, functions and
-- dumped configuration as a fresh CREATE EXTENSION.
CREATE FUNCTION pg_temp.fingerprint() RETURNS text LANGUAGE sql AS $$
    SELECT md5(string_agg(x, E'\n' ORDER BY x)) FROM (
        SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS x
          FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'chronicle'
         WHERE d.deptype = 'e'
        UNION ALL
        SELECT format('column %s.%s %s %s %s', table_name, column_name, data_type, is_nullable, column_default)
          FROM information_schema.columns WHERE table_schema = 'chronicle'
        UNION ALL
        SELECT indexdef FROM pg_indexes WHERE schemaname = 'chronicle'
        UNION ALL
        SELECT pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE c.relnamespace = 'chronicle'::regnamespace AND NOT t.tgisinternal
        UNION ALL
        SELECT format('function %s returns %s %s %s %s acl %s', p.oid::regprocedure, pg_get_function_result(p.oid),
                      p.provolatile, p.proparallel, pg_get_function_arguments(p.oid), p.proacl)
          FROM pg_proc p WHERE p.pronamespace::regnamespace::text IN ('chronicle', 'chronicle_internal')
        UNION ALL
        SELECT format('relation %s acl %s', c.oid::regclass, c.relacl)
          FROM pg_class c WHERE c.relnamespace = 'chronicle'::regnamespace
        UNION ALL
        SELECT 'config ' || c::regclass::text FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'chronicle'
    ) s $$;
-- On to the newest version, so that the whole upgrade path is compared with a fresh install.
ALTER EXTENSION chronicle UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'chronicle';
SELECT pg_temp.fingerprint() AS upgraded_fingerprint \gset
SELECT count(*) AS dropped FROM (SELECT chronicle.drop_aggregate(name) FROM chronicle.aggregates) d;
SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle;
RESET chronicle.allow_drop_with_events;
CREATE EXTENSION chronicle;
SELECT extversion FROM pg_extension WHERE extname = 'chronicle';
SELECT pg_temp.fingerprint() = :'upgraded_fingerprint' AS same_as_fresh_install;
SELECT count(*) AS events_left FROM chronicle.events;
