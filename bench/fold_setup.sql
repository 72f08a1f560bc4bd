-- bench/fold: the read-side database (scenarios 1-4). Loaded after the extension, the
-- hand-written store (handwritten_peer.sql) and fold_common.sql: the aggregates, the
-- reducers, the hand-written folds, and the streams, every one written through chronicle
-- and copied row for row into hw.events.
--
-- psql -v order_events=10000 -v big_events=100000 -v small_events=100 -v reducer_events=1000
--      -v tally_reducer_events=10000 -v batch=32
-- Runs statement by statement (no psql -1): the ledger streams are appended in many
-- transactions (a DO block that commits), so that their events have many recorded_at values.

-- The aggregates ---------------------------------------------------------------------------

-- 1. growing state, no snapshots
SELECT chronicle.define_aggregate('order_nosnap', definition, NULL, 0) FROM bench.order_definition;
-- 2. constant-size state, no snapshots
SELECT chronicle.define_aggregate('tally_nosnap', definition, NULL, 0) FROM bench.tally_definition;
-- 3. constant-size state with snapshots every 100 events of the category "ledger" (defined
--    before the ledger streams are written, so that appends take the snapshots)
SELECT chronicle.define_aggregate('tally', definition, 'ledger', 100) FROM bench.tally_definition;

-- 4. a reducer: the Order aggregate as a SQL function (chronicle inlines it into the
--    expression it evaluates per event, as the planner would in a query). Its state grows:
--    every event rebuilds a jsonb of all items so far, so its stream is short (order-mid).
CREATE FUNCTION bench.apply_order(state jsonb, e chronicle.event) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT CASE e.event_type
    WHEN 'OrderCreated' THEN
      state || jsonb_build_object('customerId', e.data->'customerId', 'items', e.data->'items',
                                  'total', e.data->'total', 'status', 'PENDING')
    WHEN 'ItemAdded' THEN
      state || jsonb_build_object(
        'items', coalesce(state->'items', '[]') || jsonb_build_array(e.data->'item'),
        'total', coalesce((state->>'total')::numeric, 0) + (e.data#>>'{item,price}')::numeric)
    WHEN 'OrderPaid' THEN state || '{"status": "PAID"}'
    WHEN 'OrderShipped' THEN
      state || jsonb_build_object('status', 'SHIPPED', 'tracking', e.data->'tracking')
    WHEN 'OrderCancelled' THEN state || '{"status": "CANCELLED"}'
    ELSE state
  END
$$;

SELECT chronicle.define_aggregate('order_reducer', '{"initial": {}, "reducer": "bench.apply_order"}', NULL, 0);

-- What a user writes instead of a reducer aggregate: the same function in a loop.
CREATE FUNCTION bench.loop_fold_order(p_stream text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE state jsonb := '{}'; e chronicle.event;
BEGIN
  FOR e IN SELECT * FROM chronicle.read_stream(p_stream) LOOP
    state := bench.apply_order(state, e);
  END LOOP;
  RETURN state;
END $$;

-- 4. (per-event cost) The tally as reducers, in SQL and in PL/pgSQL: a state of constant
--    size, so that what is measured is the cost of calling the reducer once per event.
CREATE FUNCTION bench.apply_tally(state jsonb, e chronicle.event) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT CASE e.event_type
    WHEN 'ItemSold' THEN
      state || jsonb_build_object('count', (state->>'count')::bigint + 1,
                                  'total', (state->>'total')::numeric + (e.data->>'price')::numeric,
                                  'last_sku', e.data->'sku', 'status', 'SELLING')
    WHEN 'LedgerClosed' THEN state || '{"status": "CLOSED"}'
    ELSE state
  END
$$;

CREATE FUNCTION bench.apply_tally_plpgsql(state jsonb, e chronicle.event) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
  CASE e.event_type
    WHEN 'ItemSold' THEN
      RETURN state || jsonb_build_object('count', (state->>'count')::bigint + 1,
                                         'total', (state->>'total')::numeric + (e.data->>'price')::numeric,
                                         'last_sku', e.data->'sku', 'status', 'SELLING');
    WHEN 'LedgerClosed' THEN RETURN state || '{"status": "CLOSED"}';
    ELSE RETURN state;
  END CASE;
END $$;

SELECT chronicle.define_aggregate('tally_reducer',
         jsonb_build_object('initial', definition->'initial', 'reducer', 'bench.apply_tally'), NULL, 0)
  FROM bench.tally_definition;
SELECT chronicle.define_aggregate('tally_reducer_plpgsql',
         jsonb_build_object('initial', definition->'initial', 'reducer', 'bench.apply_tally_plpgsql'),
         NULL, 0)
  FROM bench.tally_definition;

CREATE FUNCTION bench.loop_fold_tally(p_stream text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE state jsonb := '{"count": 0, "total": 0, "status": "NEW", "last_sku": null}'; e chronicle.event;
BEGIN
  FOR e IN SELECT * FROM chronicle.read_stream(p_stream) LOOP
    state := bench.apply_tally(state, e);
  END LOOP;
  RETURN state;
END $$;

CREATE FUNCTION bench.loop_fold_tally_plpgsql(p_stream text) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE state jsonb := '{"count": 0, "total": 0, "status": "NEW", "last_sku": null}'; e chronicle.event;
BEGIN
  FOR e IN SELECT * FROM chronicle.read_stream(p_stream) LOOP
    state := bench.apply_tally_plpgsql(state, e);
  END LOOP;
  RETURN state;
END $$;

-- 2. The hand-written fold of the constant-size state, written like hw.fold_order.
CREATE FUNCTION hw.fold_tally(p_stream text, p_as_of timestamptz DEFAULT 'infinity')
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE s jsonb := '{"count": 0, "total": 0, "status": "NEW", "last_sku": null}'; e record;
BEGIN
  FOR e IN SELECT event_type, event_data FROM hw.events
           WHERE stream_id = p_stream AND "timestamp" <= p_as_of ORDER BY event_version LOOP
    CASE e.event_type
      WHEN 'ItemSold' THEN
        s := jsonb_set(s, '{count}', to_jsonb((s->>'count')::bigint + 1));
        s := jsonb_set(s, '{total}', to_jsonb((s->>'total')::numeric + (e.event_data->>'price')::numeric));
        s := s || jsonb_build_object('last_sku', e.event_data->'sku', 'status', 'SELLING');
      WHEN 'LedgerClosed' THEN s := s || '{"status": "CLOSED"}';
      ELSE NULL;
    END CASE;
  END LOOP;
  RETURN s;
END $$;

-- The streams ------------------------------------------------------------------------------

-- order-big (1.), order-mid (4.): one transaction each, in batches of 1000 events.
SELECT count(chronicle.append_batch('order-big', bench.order_events(b, least(b + 999, :order_events))))
  FROM generate_series(1, :order_events, 1000) AS b;
SELECT count(chronicle.append_batch('order-mid', bench.order_events(b, least(b + 999, :reducer_events))))
  FROM generate_series(1, :reducer_events, 1000) AS b;
-- ledger-mid (4., per-event cost): one transaction, in batches of 1000 events (its category
-- is "ledger": the appends take tally's snapshots, which the reducer aggregates do not use).
SELECT count(chronicle.append_batch('ledger-mid', bench.ledger_events(b, least(b + 999, :tally_reducer_events))))
  FROM generate_series(1, :tally_reducer_events, 1000) AS b;

-- ledger-big (2., 3.) and ledger-small (3.): appended in batches of :batch events, one
-- transaction each, so that recorded_at takes a new value every :batch events (3.'s as_of
-- folds start from a snapshot and replay the events after it up to that time).
SET synchronous_commit = off;
SELECT set_config('bench.big_events', :'big_events', false),
       set_config('bench.small_events', :'small_events', false),
       set_config('bench.batch', :'batch', false);
DO $$
DECLARE
  total integer := current_setting('bench.big_events')::integer;
  small integer := current_setting('bench.small_events')::integer;
  batch integer := current_setting('bench.batch')::integer;
  b integer := 1;
BEGIN
  WHILE b <= total LOOP
    PERFORM chronicle.append_batch('ledger-big', bench.ledger_events(b, least(b + batch - 1, total)));
    IF b <= small THEN
      PERFORM chronicle.append_batch('ledger-small', bench.ledger_events(b, least(b + batch - 1, small)));
    END IF;
    COMMIT;
    b := b + batch;
  END LOOP;
END $$;
RESET synchronous_commit;

-- The hand-written store holds the same events, row for row.
INSERT INTO hw.events (event_id, stream_id, stream_type, event_type, event_data, event_version,
                       "timestamp")
SELECT event_id, stream, category, event_type, data, stream_version, recorded_at
  FROM chronicle.events
 ORDER BY global_position;

-- 3.: the distinct recorded_at values of ledger-big, numbered, for random as_of folds.
CREATE TABLE bench.ledger_times (n integer PRIMARY KEY, t timestamptz NOT NULL);
INSERT INTO bench.ledger_times
SELECT row_number() OVER (ORDER BY recorded_at), recorded_at
  FROM (SELECT DISTINCT recorded_at FROM chronicle.events WHERE stream = 'ledger-big') AS d;
