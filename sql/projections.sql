-- Aggregate projections, async (kept by the background worker) and inline (kept by the
-- appending transaction): the table create_projection makes (its name, its columns, typed
-- columns extracted from the state), one row per stream of the category whose version is
-- the stream's and whose state is chronicle.fold's, plain SQL over it, user indexes, the
-- inline mode's transactional behaviour, categories, reducer aggregates, unicode stream
-- names and large (TOASTed) states. Every async check waits with wait_for_projection and
-- shows that it returned t.
\set SHOW_CONTEXT never

-- The rows of a projection table that disagree with the event store: a stream without a
-- row, a row without a stream, another version, or another state than a fresh fold (as
-- text, so that 25 and 25.00 differ). No rows means the table is exact.
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

SELECT chronicle.define_aggregate('proj_order', $${
  "initial": {"status": "NEW", "total": 0, "items": [], "n": 0},
  "on": {
    "OrderCreated": [{"set": "status", "value": "OPEN"},
                     {"set": "customer", "from": "customer"},
                     {"set": "opened_at", "from": "at"},
                     {"set": "meta", "from": "meta"}],
    "ItemAdded":    [{"append": "items", "from": "sku"},
                     {"add": "total", "from": "price"},
                     {"count": "n"}],
    "OrderPaid":    [{"set": "status", "value": "PAID"},
                     {"set": "paid", "value": true}]
  }}$$, category => 'porder', snapshot_every => 3);

-- Events that exist before any projection: every projection starts from the first event.
SELECT chronicle.append('porder-1', 'OrderCreated',
                        '{"customer": {"id": "c-1", "name": "Ada"}, "at": "2024-01-02T03:04:05Z", "meta": {"channel": "web"}}');
SELECT chronicle.append('porder-1', 'ItemAdded', '{"sku": "book", "price": 12.5}');
SELECT chronicle.append('porder-1', 'ItemAdded', '{"sku": "pen", "price": 1.995}');
SELECT chronicle.append_batch('porder-2', $$[
    {"type": "OrderCreated", "data": {"customer": {"id": "c-2", "name": "Grace"}, "at": "2024-02-03T04:05:06+02:00"}},
    {"type": "ItemAdded", "data": {"sku": "lamp", "price": 40}},
    {"type": "OrderPaid", "data": {}}]$$);
-- Events of other categories, and a stream named like the category itself (its category).
SELECT chronicle.append('porderx-1', 'OrderCreated', '{"customer": {"id": "x"}}');
SELECT chronicle.append('other-1', 'OrderCreated', '{"customer": {"id": "y"}}');
SELECT chronicle.append('porder', 'ItemAdded', '{"sku": "bare", "price": 1}');

------------------------------------------------------------------------------------------
-- create_projection: the table and its columns
------------------------------------------------------------------------------------------
-- It returns the table (regclass); the default table is public.<name>.
SELECT chronicle.create_projection('proj_orders', 'proj_order', columns => $${
    "status": "text",
    "total": "numeric",
    "total_cents": {"type": "numeric(12,2)", "path": "total"},
    "n": "integer",
    "paid": "boolean",
    "opened_at": "timestamptz",
    "meta": "jsonb",
    "meta_json": {"type": "json", "path": "meta"},
    "customer_id": {"type": "text", "path": "customer.id"},
    "Customer Name": {"type": "text", "path": ["customer", "name"]},
    "first_item": {"type": "text", "path": ["items", "0"]},
    "missing": {"type": "text", "path": "no.such.path"},
    "ratio": "double precision"
  }$$) AS created;
SELECT pg_typeof(chronicle.create_projection('proj_bare', 'proj_order'));
-- Its columns: stream (the key, collation "C"), version, state, updated_at, then the typed
-- columns in name order.
\d public.proj_orders
\d public.proj_bare
SELECT name, kind, mode, aggregate, category, table_name, columns, handler, event_types,
       owner = current_user::regrole AS owned_by_creator, state
  FROM chronicle.projections WHERE name = 'proj_orders';
SELECT obj_description('public.proj_orders'::regclass, 'pg_class');

-- Table names: unqualified (the first schema of the search path, like CREATE TABLE),
-- schema-qualified, quoted mixed case.
CREATE SCHEMA proj_schema;
SET search_path = proj_schema, public;
SELECT chronicle.create_projection('proj_unqualified', 'proj_order', table_name => 'proj_unqualified_t');
RESET search_path;
SELECT chronicle.create_projection('proj_qualified', 'proj_order', table_name => 'proj_schema.proj_qualified_t');
SELECT chronicle.create_projection('proj_quoted', 'proj_order', table_name => '"Proj Orders"');
SELECT chronicle.create_projection('proj_quoted2', 'proj_order', table_name => 'proj_schema."MixedCase"', mode => 'inline');
SELECT name, table_name, n.nspname AS schema, c.relname
  FROM chronicle.projections p JOIN pg_class c ON c.oid = p.table_name
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE p.name LIKE 'proj\_%' ORDER BY name;

------------------------------------------------------------------------------------------
-- Async: the worker applies the events there were before and the ones after
------------------------------------------------------------------------------------------
SELECT chronicle.append('porder-3', 'OrderCreated', '{"customer": {"id": "c-3"}}');
SELECT chronicle.append('porder-1', 'OrderPaid', '{}');
SELECT chronicle.wait_for_projection('proj_orders');
SELECT chronicle.wait_for_projection('proj_bare');
SELECT chronicle.wait_for_projection('proj_unqualified');
SELECT chronicle.wait_for_projection('proj_qualified');
SELECT chronicle.wait_for_projection('proj_quoted');
SELECT chronicle.wait_for_projection('proj_quoted2');
SELECT stream, version, status, total, total_cents, n, paid, opened_at, meta, meta_json,
       customer_id, "Customer Name", first_item, missing, ratio
  FROM public.proj_orders ORDER BY stream;
SELECT stream, version, state FROM public.proj_orders ORDER BY stream;
-- One row per stream of the category, nothing from other categories.
SELECT (SELECT count(*) FROM public.proj_orders) AS rows,
       (SELECT count(*) FROM chronicle.streams WHERE category = 'porder') AS streams,
       (SELECT count(*) FROM public.proj_orders WHERE chronicle.category(stream) <> 'porder') AS foreign_rows;
-- version = the stream's version, state = chronicle.fold, for every stream of every table.
SELECT * FROM pg_temp.mismatches('public.proj_orders', 'proj_order', 'porder');
SELECT * FROM pg_temp.mismatches('public.proj_bare', 'proj_order', 'porder');
SELECT * FROM pg_temp.mismatches('proj_schema.proj_unqualified_t', 'proj_order', 'porder');
SELECT * FROM pg_temp.mismatches('proj_schema.proj_qualified_t', 'proj_order', 'porder');
SELECT * FROM pg_temp.mismatches('public."Proj Orders"', 'proj_order', 'porder');
SELECT * FROM pg_temp.mismatches('proj_schema."MixedCase"', 'proj_order', 'porder');
-- Every typed column is (state #>> path)::type (#> for json and jsonb).
SELECT stream FROM public.proj_orders
 WHERE status IS DISTINCT FROM state->>'status'
    OR total IS DISTINCT FROM (state->>'total')::numeric
    OR total_cents IS DISTINCT FROM (state->>'total')::numeric(12,2)
    OR n IS DISTINCT FROM (state->>'n')::integer
    OR paid IS DISTINCT FROM (state->>'paid')::boolean
    OR opened_at IS DISTINCT FROM (state->>'opened_at')::timestamptz
    OR meta IS DISTINCT FROM state->'meta'
    OR meta_json::text IS DISTINCT FROM (state->'meta')::text
    OR customer_id IS DISTINCT FROM state#>>'{customer,id}'
    OR "Customer Name" IS DISTINCT FROM state#>>'{customer,name}'
    OR first_item IS DISTINCT FROM state#>>'{items,0}'
    OR missing IS NOT NULL OR ratio IS NOT NULL;
-- updated_at is set on every row.
SELECT count(*) AS rows_without_updated_at FROM public.proj_orders WHERE updated_at IS NULL;

-- Plain SQL over the table.
SELECT status, count(*) AS orders, sum(total) AS total FROM public.proj_orders GROUP BY status ORDER BY status;
SELECT o.customer_id, e.event_type AS last_event
  FROM public.proj_orders o
  JOIN chronicle.events e ON e.stream = o.stream AND e.stream_version = o.version
 ORDER BY o.stream;
CREATE VIEW public.proj_open_orders AS
    SELECT stream, total FROM public.proj_orders WHERE status = 'OPEN';

-- An index of the user's own is kept up by the worker's writes.
CREATE INDEX proj_orders_status ON public.proj_orders (status);
SELECT chronicle.append('porder-3', 'ItemAdded', '{"sku": "cup", "price": 3}');
SELECT chronicle.append('porder-3', 'OrderPaid', '{}');
SELECT chronicle.append('porder-4', 'OrderCreated', '{"customer": {"id": "c-4"}}');
SELECT chronicle.wait_for_projection('proj_orders');
SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'proj_orders' ORDER BY 1;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT stream FROM public.proj_orders WHERE status = 'PAID';
SELECT stream FROM public.proj_orders WHERE status = 'PAID' ORDER BY stream;
SELECT stream FROM public.proj_orders WHERE status = 'OPEN' ORDER BY stream;
RESET enable_seqscan;
SELECT * FROM public.proj_open_orders ORDER BY stream;
SELECT * FROM pg_temp.mismatches('public.proj_orders', 'proj_order', 'porder');

------------------------------------------------------------------------------------------
-- Inline: current inside the appending transaction
------------------------------------------------------------------------------------------
-- Created over existing streams: filled at once, no worker needed.
SELECT chronicle.create_projection('proj_inline', 'proj_order', mode => 'inline',
                                   columns => '{"status": "text", "total": "numeric"}');
SELECT stream, version, status, total FROM public.proj_inline ORDER BY stream;
SELECT * FROM pg_temp.mismatches('public.proj_inline', 'proj_order', 'porder');
SELECT chronicle.wait_for_projection('proj_inline', '0');
-- Inside the transaction that appends, the row is already there, and it goes with a rollback.
BEGIN;
SELECT chronicle.append('porder-5', 'OrderCreated', '{"customer": {"id": "c-5"}}');
SELECT stream, version, status, total FROM public.proj_inline WHERE stream = 'porder-5';
SELECT chronicle.append('porder-4', 'ItemAdded', '{"sku": "mug", "price": 7}');
SELECT stream, version, status, total FROM public.proj_inline WHERE stream = 'porder-4';
ROLLBACK;
SELECT count(*) AS porder_5_rows FROM public.proj_inline WHERE stream = 'porder-5';
SELECT stream, version, status, total FROM public.proj_inline WHERE stream = 'porder-4';
-- Committed, it stays.
BEGIN;
SELECT chronicle.append('porder-5', 'OrderCreated', '{"customer": {"id": "c-5"}}');
SELECT chronicle.append('porder-5', 'ItemAdded', '{"sku": "hat", "price": 20}');
SELECT stream, version, status, total FROM public.proj_inline WHERE stream = 'porder-5';
COMMIT;
SELECT stream, version, status, total FROM public.proj_inline WHERE stream = 'porder-5';
-- A batch: one row at the batch's last version.
SELECT chronicle.append_batch('porder-6', $$[
    {"type": "OrderCreated", "data": {"customer": {"id": "c-6"}}},
    {"type": "ItemAdded", "data": {"sku": "a", "price": 1}},
    {"type": "ItemAdded", "data": {"sku": "b", "price": 2}},
    {"type": "OrderPaid", "data": {}}]$$);
SELECT stream, version, status, total FROM public.proj_inline WHERE stream = 'porder-6';
-- A savepoint rolled back takes its rows back too.
BEGIN;
SAVEPOINT s;
SELECT chronicle.append('porder-6', 'ItemAdded', '{"sku": "c", "price": 100}');
SELECT version, total FROM public.proj_inline WHERE stream = 'porder-6';
ROLLBACK TO SAVEPOINT s;
SELECT version, total FROM public.proj_inline WHERE stream = 'porder-6';
COMMIT;
-- Other categories do not touch it.
SELECT chronicle.append('porderx-1', 'ItemAdded', '{"sku": "x", "price": 1}');
SELECT chronicle.append('other-2', 'OrderCreated', '{}');
SELECT count(*) FILTER (WHERE chronicle.category(stream) <> 'porder') AS foreign_rows,
       count(*) AS rows FROM public.proj_inline;
SELECT * FROM pg_temp.mismatches('public.proj_inline', 'proj_order', 'porder');
-- The async projections of the same category got every one of these too.
SELECT chronicle.wait_for_projection('proj_orders');
SELECT chronicle.wait_for_projection('proj_quoted');
SELECT * FROM pg_temp.mismatches('public.proj_orders', 'proj_order', 'porder');
SELECT * FROM pg_temp.mismatches('public."Proj Orders"', 'proj_order', 'porder');
SELECT * FROM pg_temp.mismatches('proj_schema."MixedCase"', 'proj_order', 'porder');

------------------------------------------------------------------------------------------
-- Categories: the aggregate's, or an explicit one
------------------------------------------------------------------------------------------
SELECT chronicle.append('pother-1', 'OrderCreated', '{"customer": {"id": "o-1"}}');
SELECT chronicle.append('pother-1', 'ItemAdded', '{"sku": "z", "price": 9}');
SELECT chronicle.create_projection('proj_other_async', 'proj_order', category => 'pother',
                                   columns => '{"total": "numeric"}');
SELECT chronicle.create_projection('proj_other_inline', 'proj_order', category => 'pother',
                                   mode => 'inline', columns => '{"total": "numeric"}');
SELECT chronicle.append('pother-2', 'OrderCreated', '{"customer": {"id": "o-2"}}');
SELECT chronicle.append('porder-7', 'OrderCreated', '{"customer": {"id": "c-7"}}');
SELECT name, aggregate, category FROM chronicle.projections WHERE name LIKE 'proj\_other%' ORDER BY name;
SELECT chronicle.wait_for_projection('proj_other_async');
SELECT stream, version, total FROM public.proj_other_async ORDER BY stream;
SELECT stream, version, total FROM public.proj_other_inline ORDER BY stream;
SELECT * FROM pg_temp.mismatches('public.proj_other_async', 'proj_order', 'pother');
SELECT * FROM pg_temp.mismatches('public.proj_other_inline', 'proj_order', 'pother');
-- An aggregate without a category of its own, with an explicit one.
SELECT chronicle.define_aggregate('proj_counter', '{"initial": {"n": 0}, "on": {"*": [{"count": "n"}]}}');
SELECT chronicle.create_projection('proj_counter', 'proj_counter', category => 'pother', mode => 'inline',
                                   columns => '{"n": "bigint"}');
SELECT stream, version, n FROM public.proj_counter ORDER BY stream;

------------------------------------------------------------------------------------------
-- A reducer aggregate (SQL reducer), async and inline
------------------------------------------------------------------------------------------
CREATE FUNCTION public.proj_tally(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'events', (state->>'events')::int + 1,
        'types', (state->'types') || jsonb_build_object(e.event_type, coalesce((state->'types'->>e.event_type)::int, 0) + 1),
        'last_version', e.stream_version,
        'last_stream', e.stream) $$;
SELECT chronicle.define_aggregate('proj_tally', '{"initial": {"events": 0, "types": {}}, "reducer": "public.proj_tally"}',
                                  category => 'porder');
SELECT chronicle.create_projection('proj_tally', 'proj_tally', columns => '{"events": "integer", "last_version": "bigint"}');
SELECT chronicle.create_projection('proj_tally_inline', 'proj_tally', mode => 'inline',
                                   columns => '{"events": "integer", "last_version": "bigint"}');
SELECT chronicle.append('porder-7', 'ItemAdded', '{"sku": "r", "price": 1}');
SELECT chronicle.wait_for_projection('proj_tally');
SELECT stream, version, state, events, last_version FROM public.proj_tally ORDER BY stream;
SELECT * FROM pg_temp.mismatches('public.proj_tally', 'proj_tally', 'porder');
SELECT * FROM pg_temp.mismatches('public.proj_tally_inline', 'proj_tally', 'porder');
SELECT count(*) AS rows_where_events_is_not_version FROM public.proj_tally WHERE events <> version OR last_version <> version;

------------------------------------------------------------------------------------------
-- Unicode stream names and large states
------------------------------------------------------------------------------------------
SELECT chronicle.append('porder-日本語', 'OrderCreated', '{"customer": {"id": "顧客", "name": "Zoë"}}');
SELECT chronicle.append('porder-ünïcödé-✓', 'ItemAdded', '{"sku": "ß", "price": 2}');
SELECT chronicle.append('porder-' || repeat('é', 124), 'ItemAdded', '{"sku": "long name", "price": 3}');  -- 255 bytes
-- A state far larger than a page: kept out of line (TOAST), and exact.
SELECT chronicle.append_batch('porder-big', (
    SELECT jsonb_agg(jsonb_build_object('type', 'ItemAdded',
                                        'data', jsonb_build_object('sku', string_agg, 'price', 1)))
      FROM (SELECT i, string_agg(md5(i::text || '-' || j::text), '') FROM generate_series(1, 40) i,
                   generate_series(1, 40) j GROUP BY i) s));
SELECT chronicle.wait_for_projection('proj_orders');
SELECT chronicle.wait_for_projection('proj_tally');
SELECT stream, octet_length(stream) AS bytes, version, customer_id, "Customer Name", first_item
  FROM public.proj_orders WHERE stream !~ '^porder(-[0-9]+)?$' AND stream <> 'porder-big' ORDER BY stream;
SELECT version, n, total, octet_length(state::text) AS state_bytes,
       (SELECT pg_relation_size(reltoastrelid) > 0 FROM pg_class WHERE oid = 'public.proj_orders'::regclass)
           AS in_the_toast_table
  FROM public.proj_orders WHERE stream = 'porder-big';
SELECT version, state->'n' AS n, total, octet_length(state::text) AS state_bytes FROM public.proj_inline WHERE stream = 'porder-big';
SELECT * FROM pg_temp.mismatches('public.proj_orders', 'proj_order', 'porder');
SELECT * FROM pg_temp.mismatches('public.proj_inline', 'proj_order', 'porder');
SELECT * FROM pg_temp.mismatches('public.proj_tally', 'proj_tally', 'porder');
SELECT * FROM pg_temp.mismatches('public.proj_tally_inline', 'proj_tally', 'porder');
-- The same rows everywhere, in the table's own order too (collation "C", byte order).
SELECT (SELECT array_agg(stream ORDER BY stream) FROM public.proj_orders)
     = (SELECT array_agg(stream ORDER BY stream COLLATE "C") FROM chronicle.streams WHERE category = 'porder') AS same_streams;
SELECT (SELECT array_agg(stream ORDER BY stream) FROM public.proj_inline)
     = (SELECT array_agg(stream ORDER BY stream) FROM public.proj_orders) AS inline_same_streams;

------------------------------------------------------------------------------------------
-- Cleanup
------------------------------------------------------------------------------------------
DROP VIEW public.proj_open_orders;
SELECT count(*) AS dropped
  FROM (SELECT chronicle.drop_projection(name) FROM chronicle.projections WHERE name LIKE 'proj\_%') d;
SELECT count(*) AS projections_left FROM chronicle.projections;
SELECT count(*) AS tables_left FROM pg_tables
 WHERE schemaname <> 'chronicle' AND (tablename ILIKE 'proj%' OR tablename = 'MixedCase');
DROP SCHEMA proj_schema;
SELECT chronicle.drop_aggregate(name) FROM chronicle.aggregates WHERE name LIKE 'proj\_%' ORDER BY name;
DROP FUNCTION public.proj_tally(jsonb, chronicle.event);
