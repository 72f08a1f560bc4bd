-- Aggregates by reducer function: a SQL and a PL/pgSQL reducer give the same states as a
-- declarative twin (fold, at_version, as_of, history, snapshots); what a reducer receives;
-- reducers that fail or return NULL; reducer names with an explicit signature.
\set SHOW_CONTEXT never

CREATE FUNCTION pg_temp.same(actual jsonb, expected jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$ SELECT actual::text IS NOT DISTINCT FROM expected::text $$;

------------------------------------------------------------------------------------------
-- Three definitions of one aggregate
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('shop_declarative', '{
  "initial": {"status": "NEW", "total": 0, "items": [], "n": 0},
  "on": {
    "Created": [{"set": "status", "value": "OPEN"}, {"set": "customer", "from": "customer"}],
    "Added":   [{"append": "items", "from": "sku"}, {"add": "total", "from": "price"}, {"count": "n"}],
    "Removed": [{"subtract": "total", "from": "price"}, {"count": "n"}],
    "Paid":    [{"set": "status", "value": "PAID"}, {"set": "paidVersion", "event": "version"}],
    "*":       [{"count": "n"}, {"set": "lastOther", "event": "type"}]
  }}', category => 'shop', snapshot_every => 0);

-- A SQL reducer, simple (and STABLE, like jsonb_build_object) so that it is inlined into
-- the call; the other SQL reducers below are VOLATILE and called as functions.
CREATE FUNCTION public.shop_sql(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
    SELECT CASE e.event_type
        WHEN 'Created' THEN state || jsonb_build_object('status', 'OPEN')
                            || CASE WHEN e.data ? 'customer'
                                    THEN jsonb_build_object('customer', e.data->'customer')
                                    ELSE '{}' END
        WHEN 'Added' THEN state || jsonb_build_object(
                              'items', (state->'items') || jsonb_build_array(e.data->'sku'),
                              'total', (state->>'total')::numeric + (e.data->>'price')::numeric,
                              'n', (state->>'n')::numeric + 1)
        WHEN 'Removed' THEN state || jsonb_build_object(
                              'total', (state->>'total')::numeric - (e.data->>'price')::numeric,
                              'n', (state->>'n')::numeric + 1)
        WHEN 'Paid' THEN state || jsonb_build_object('status', 'PAID', 'paidVersion', e.stream_version)
        ELSE state || jsonb_build_object('n', (state->>'n')::numeric + 1, 'lastOther', e.event_type)
    END $$;

-- A PL/pgSQL reducer.
CREATE FUNCTION public.shop_plpgsql(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE plpgsql AS $$
BEGIN
    CASE e.event_type
    WHEN 'Created' THEN
        state := jsonb_set(state, '{status}', '"OPEN"');
        IF e.data ? 'customer' THEN
            state := jsonb_set(state, '{customer}', e.data->'customer');
        END IF;
    WHEN 'Added' THEN
        state := jsonb_set(state, '{items}', (state->'items') || jsonb_build_array(e.data->'sku'));
        state := jsonb_set(state, '{total}', to_jsonb((state->>'total')::numeric + (e.data->>'price')::numeric));
        state := jsonb_set(state, '{n}', to_jsonb((state->>'n')::numeric + 1));
    WHEN 'Removed' THEN
        state := jsonb_set(state, '{total}', to_jsonb((state->>'total')::numeric - (e.data->>'price')::numeric));
        state := jsonb_set(state, '{n}', to_jsonb((state->>'n')::numeric + 1));
    WHEN 'Paid' THEN
        state := state || jsonb_build_object('status', 'PAID', 'paidVersion', e.stream_version);
    ELSE
        state := state || jsonb_build_object('n', (state->>'n')::numeric + 1, 'lastOther', e.event_type);
    END CASE;
    RETURN state;
END $$;

SELECT chronicle.define_aggregate('shop_sql',
       '{"initial": {"status": "NEW", "total": 0, "items": [], "n": 0}, "reducer": "public.shop_sql"}',
       category => 'shop', snapshot_every => 0);
-- The PL/pgSQL twin keeps snapshots every 2 events: reducers are snapshotted at append too.
SELECT chronicle.define_aggregate('shop_plpgsql',
       '{"initial": {"status": "NEW", "total": 0, "items": [], "n": 0}, "reducer": "public.shop_plpgsql"}',
       category => 'shop', snapshot_every => 2);
-- An explicit signature, and an unqualified name found through the search_path, both work;
-- the catalog keeps the function itself.
SELECT chronicle.define_aggregate('shop_explicit',
       '{"initial": {"status": "NEW", "total": 0, "items": [], "n": 0}, "reducer": "public.shop_sql(jsonb, chronicle.event)"}');
SET search_path = public;
SELECT chronicle.define_aggregate('shop_unqualified',
       '{"initial": {"status": "NEW", "total": 0, "items": [], "n": 0}, "reducer": "shop_plpgsql"}');
RESET search_path;
SELECT name, reducer, pg_catalog.to_regprocedure(reducer) = 'public.shop_sql(jsonb, chronicle.event)'::regprocedure AS is_shop_sql
  FROM chronicle.aggregates ORDER BY name;

SELECT chronicle.append('shop-1', 'Created', '{"customer": "c-1"}');
SELECT chronicle.append('shop-1', 'Added', '{"sku": "a", "price": 19.99}');
SELECT chronicle.append('shop-1', 'Added', '{"sku": "b", "price": 5.01}');
SELECT chronicle.append('shop-1', 'Noted', '{"text": "ring twice"}');
SELECT chronicle.append('shop-1', 'Removed', '{"sku": "b", "price": 5.01}');
SELECT chronicle.append('shop-1', 'Paid', '{}');
SELECT chronicle.append('shop-1', 'Shipped', '{}');
SELECT chronicle.append_batch('shop-2', '[
  {"type": "Created", "data": {}},
  {"type": "Added", "data": {"sku": {"id": 7}, "price": 0.5}},
  {"type": "Added", "data": {"sku": "z", "price": 100}},
  {"type": "Paid", "data": {}},
  {"type": "Returned", "data": {}}]');

-- The states of shop-1, computed by hand.
SELECT h.stream_version, h.state, pg_temp.same(h.state, x.state) AS ok
  FROM chronicle.history('shop_plpgsql', 'shop-1') h FULL JOIN (VALUES
  (1, '{"status": "OPEN", "total": 0, "items": [], "n": 0, "customer": "c-1"}'::jsonb),
  (2, '{"status": "OPEN", "total": 19.99, "items": ["a"], "n": 1, "customer": "c-1"}'),
  (3, '{"status": "OPEN", "total": 25.00, "items": ["a", "b"], "n": 2, "customer": "c-1"}'),
  (4, '{"status": "OPEN", "total": 25.00, "items": ["a", "b"], "n": 3, "customer": "c-1", "lastOther": "Noted"}'),
  (5, '{"status": "OPEN", "total": 19.99, "items": ["a", "b"], "n": 4, "customer": "c-1", "lastOther": "Noted"}'),
  (6, '{"status": "PAID", "total": 19.99, "items": ["a", "b"], "n": 4, "customer": "c-1", "lastOther": "Noted",
        "paidVersion": 6}'),
  (7, '{"status": "PAID", "total": 19.99, "items": ["a", "b"], "n": 5, "customer": "c-1", "lastOther": "Shipped",
        "paidVersion": 6}')
  ) x(v, state) ON x.v = h.stream_version ORDER BY 1;
SELECT stream_version, state FROM chronicle.history('shop_sql', 'shop-2');

-- Every definition gives the same state for every stream at every version, by fold
-- (at_version and as_of each event's time) and by history.
SELECT a.name,
       count(*) AS checks,
       count(*) FILTER (WHERE NOT pg_temp.same(chronicle.fold(a.name, e.stream, at_version => e.stream_version), h.state)) AS at_version_mismatches,
       count(*) FILTER (WHERE NOT pg_temp.same(chronicle.fold(a.name, e.stream, as_of => e.recorded_at),
                                               (SELECT h2.state FROM chronicle.history('shop_declarative', e.stream) h2
                                                 WHERE h2.recorded_at <= e.recorded_at
                                                 ORDER BY h2.stream_version DESC LIMIT 1))) AS as_of_mismatches,
       count(*) FILTER (WHERE NOT pg_temp.same(ah.state, h.state) OR ah.event_type <> h.event_type
                           OR ah.recorded_at <> h.recorded_at) AS history_mismatches
  FROM chronicle.aggregates a
  CROSS JOIN chronicle.events e
  JOIN chronicle.history('shop_declarative', e.stream) h ON h.stream_version = e.stream_version
  JOIN chronicle.history(a.name, e.stream) ah ON ah.stream_version = e.stream_version
 WHERE e.category = 'shop'
 GROUP BY a.name ORDER BY a.name;
SELECT name, chronicle.fold(name, 'shop-1') = chronicle.fold('shop_declarative', 'shop-1') AS same_now,
       chronicle.fold(name, 'shop-1', at_version => 0) IS NULL AS null_at_0,
       chronicle.fold(name, 'shop-1', at_version => 8) IS NULL AS null_beyond,
       chronicle.fold(name, 'shop-404') IS NULL AS null_absent,
       (SELECT count(*) FROM chronicle.history(name, 'shop-404')) AS absent_history
  FROM chronicle.aggregates ORDER BY name;

-- The PL/pgSQL twin's snapshots: at versions 2, 4, 6 of shop-1 and 2, 4 of shop-2 (the
-- batch crossed two multiples), each the state after its version.
SELECT s.stream, s.stream_version, pg_temp.same(s.state, h.state) AS state_ok,
       s.recorded_at = h.recorded_at AS recorded_at_ok
  FROM chronicle.snapshots s
  JOIN chronicle.aggregates a ON a.revision = s.revision AND a.name = 'shop_plpgsql'
  JOIN LATERAL chronicle.history('shop_declarative', s.stream) h ON h.stream_version = s.stream_version
 ORDER BY 1, 2;
SELECT count(*) AS other_snapshots FROM chronicle.snapshots s
  JOIN chronicle.aggregates a ON a.revision = s.revision AND a.name <> 'shop_plpgsql';

-- Reducers fold in read-only transactions.
BEGIN READ ONLY;
SELECT chronicle.fold('shop_plpgsql', 'shop-1', at_version => 5) = chronicle.fold('shop_sql', 'shop-1', at_version => 5) AS read_only_ok;
SELECT count(*) AS read_only_history FROM chronicle.history('shop_sql', 'shop-2');
COMMIT;

------------------------------------------------------------------------------------------
-- What a reducer receives: the state it returned last, and the event as chronicle.event
------------------------------------------------------------------------------------------
CREATE FUNCTION public.echo_reducer(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE sql AS $$
    SELECT jsonb_build_object('event', to_jsonb(e), 'previous', state->'event'->'stream_version',
                              'calls', coalesce((state->>'calls')::int, 0) + 1) $$;
SELECT chronicle.define_aggregate('echo', '{"initial": {"calls": 0}, "reducer": "public.echo_reducer"}');
SELECT chronicle.append('echo-1', 'First', '{"a": 1}', '{"m": true}');
SELECT chronicle.append('echo-1', 'Second', '{"b": [2]}');
SELECT r.stream_version,
       chronicle.fold('echo', 'echo-1', at_version => r.stream_version)->'event' = to_jsonb(r) AS event_ok,
       chronicle.fold('echo', 'echo-1', at_version => r.stream_version)->'previous' AS previous,
       chronicle.fold('echo', 'echo-1', at_version => r.stream_version)->'calls' AS calls
  FROM chronicle.read_stream('echo-1') r ORDER BY 1;
-- A reducer may return a JSON null: that is a state, not SQL NULL.
CREATE FUNCTION public.json_null_reducer(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE sql AS $$ SELECT 'null'::jsonb $$;
SELECT chronicle.define_aggregate('json_null', '{"reducer": "public.json_null_reducer"}');
SELECT chronicle.fold('json_null', 'echo-1') IS NULL AS sql_null,
       chronicle.fold('json_null', 'echo-1') = 'null'::jsonb AS json_null;

------------------------------------------------------------------------------------------
-- A reducer that raises an error
------------------------------------------------------------------------------------------
CREATE FUNCTION public.boom_reducer(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE plpgsql AS $$
BEGIN
    IF e.event_type = 'Boom' THEN
        RAISE EXCEPTION 'boom at version %', e.stream_version USING ERRCODE = 'division_by_zero';
    END IF;
    RETURN state || jsonb_build_object('n', coalesce((state->>'n')::int, 0) + 1);
END $$;
SELECT chronicle.define_aggregate('boom', '{"reducer": "public.boom_reducer"}',
                                  category => 'boom', snapshot_every => 2);
SELECT revision AS boom_rev FROM chronicle.aggregates WHERE name = 'boom' \gset
SELECT chronicle.append('boom-1', 'E', '{}');
-- A snapshot is due at version 2: the append succeeds and warns, naming the reducer's error.
SELECT chronicle.append('boom-1', 'Boom', '{}');
SELECT chronicle.append('boom-1', 'E', '{}');
-- Version 3 is not due: no warning. Version 4 is, and warns again (the fold still fails at
-- version 2); inside a transaction, the next append goes on normally and all of it commits.
BEGIN;
SELECT chronicle.append('boom-1', 'E', '{}');
SELECT chronicle.append('boom-1', 'E', '{}');
COMMIT;
SELECT stream_version, event_type FROM chronicle.read_stream('boom-1');
SELECT count(*) AS boom_snapshots FROM chronicle.snapshots WHERE revision = :boom_rev;
-- fold and history report the error, with a context line naming reducer, aggregate,
-- stream and version; its SQLSTATE is the reducer's.
\set SHOW_CONTEXT errors
SELECT chronicle.fold('boom', 'boom-1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM chronicle.history('boom', 'boom-1');
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT never
-- Before the failing event, folding works.
SELECT chronicle.fold('boom', 'boom-1', at_version => 1);
-- Another stream of the category is snapshotted as usual.
SELECT chronicle.append_batch('boom-2', '[{"type": "E", "data": {}}, {"type": "E", "data": {}}]');
SELECT stream, stream_version, state FROM chronicle.snapshots WHERE revision = :boom_rev;

------------------------------------------------------------------------------------------
-- A reducer that returns SQL NULL: CH023
------------------------------------------------------------------------------------------
CREATE FUNCTION public.null_plpgsql(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE plpgsql AS $$
BEGIN
    IF e.event_type = 'Nothing' THEN RETURN NULL; END IF;
    RETURN state || jsonb_build_object('v', e.stream_version);
END $$;
CREATE FUNCTION public.null_sql(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE sql AS $$
    SELECT CASE WHEN e.event_type = 'Nothing' THEN NULL ELSE state || jsonb_build_object('v', e.stream_version) END $$;
SELECT chronicle.define_aggregate('null_plpgsql', '{"reducer": "public.null_plpgsql"}',
                                  category => 'nothing', snapshot_every => 3);
SELECT chronicle.define_aggregate('null_sql', '{"reducer": "public.null_sql(jsonb, chronicle.event)"}');
SELECT chronicle.append('nothing-1', 'E', '{}');
SELECT chronicle.append('nothing-1', 'Nothing', '{}');
-- version 3 is due for a snapshot: a warning, no snapshot
SELECT chronicle.append('nothing-1', 'E', '{}');
\set SHOW_CONTEXT errors
SELECT chronicle.fold('null_plpgsql', 'nothing-1');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold('null_sql', 'nothing-1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM chronicle.history('null_sql', 'nothing-1');
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT never
SELECT chronicle.fold('null_plpgsql', 'nothing-1', at_version => 1),
       chronicle.fold('null_sql', 'nothing-1', at_version => 1);
SELECT count(*) AS nothing_snapshots FROM chronicle.snapshots s
  JOIN chronicle.aggregates a ON a.revision = s.revision AND a.name = 'null_plpgsql';

------------------------------------------------------------------------------------------
-- A reducer function dropped after the definition: either DROP FUNCTION refuses, or the
-- fold fails with a chronicle error, never with an internal one.
------------------------------------------------------------------------------------------
BEGIN;
DO $$
DECLARE
    state text;
BEGIN
    BEGIN
        DROP FUNCTION public.shop_sql(jsonb, chronicle.event);
    EXCEPTION WHEN dependent_objects_still_exist THEN
        RAISE NOTICE 'dropped reducer: no internal error';
        RETURN;
    END;
    BEGIN
        PERFORM chronicle.fold('shop_sql', 'shop-1');
        RAISE NOTICE 'dropped reducer: fold still works?';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
        RAISE NOTICE 'dropped reducer: %',
            CASE WHEN state LIKE 'XX%' THEN 'internal error ' || state ELSE 'no internal error' END;
    END;
END $$;
ROLLBACK;

------------------------------------------------------------------------------------------
-- A reducer error that is not the reducer's to swallow at append time (resources, limits,
-- cancels, internal errors) fails the append when a snapshot is due. The session goes on
-- normally afterwards: the next statement runs in a transaction of its own.
------------------------------------------------------------------------------------------
CREATE FUNCTION public.limit_reducer(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'state too big' USING ERRCODE = 'program_limit_exceeded';
END $$;
SELECT chronicle.define_aggregate('limited', '{"reducer": "public.limit_reducer"}',
                                  category => 'limited', snapshot_every => 1);
SELECT chronicle.append('limited-1', 'E', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT 1 AS session_usable;
SELECT chronicle.stream_version('limited-1') AS limited_version;
-- (a new session in any case, so that the clean-up below runs whatever happened above)
\c
\set SHOW_CONTEXT never

------------------------------------------------------------------------------------------
-- Clean up: events cannot be deleted, so the extension is created afresh for the next file.
------------------------------------------------------------------------------------------
SELECT count(*) AS dropped FROM (SELECT chronicle.drop_aggregate(name) FROM chronicle.aggregates) d;
DROP FUNCTION public.shop_sql(jsonb, chronicle.event), public.shop_plpgsql(jsonb, chronicle.event),
              public.echo_reducer(jsonb, chronicle.event), public.json_null_reducer(jsonb, chronicle.event),
              public.boom_reducer(jsonb, chronicle.event), public.null_plpgsql(jsonb, chronicle.event),
              public.null_sql(jsonb, chronicle.event), public.limit_reducer(jsonb, chronicle.event);
SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle;
RESET chronicle.allow_drop_with_events;
CREATE EXTENSION chronicle;
SELECT count(*) AS events_left FROM chronicle.events;
