-- bench/fold: checks, once before timing, that every measured call computes what it should
-- and that the floor reads what chronicle folds. Fails (psql ON_ERROR_STOP) on the first
-- wrong result.
-- psql -v order_events=N -v big_events=N -v small_events=N -v reducer_events=N
--      -v tally_reducer_events=N -v batch=N -v snapshot_every=100
CREATE FUNCTION pg_temp.check(ok boolean, what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF ok IS NOT TRUE THEN RAISE EXCEPTION 'bench/fold check failed: %', what; END IF;
END $$;

-- What an order's and a ledger's state must be, computed from the events with plain SQL.
CREATE FUNCTION pg_temp.expected_order(s text) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object(
           'customerId', 'customer-42',
           'items', (SELECT jsonb_agg(data->'item' ORDER BY stream_version)
                       FROM chronicle.events WHERE stream = s AND event_type = 'ItemAdded'),
           'total', (SELECT sum((data#>>'{item,price}')::numeric)
                       FROM chronicle.events WHERE stream = s AND event_type = 'ItemAdded'),
           'status', 'PENDING')
$$;
CREATE FUNCTION pg_temp.expected_tally(s text, as_of timestamptz DEFAULT 'infinity') RETURNS jsonb
LANGUAGE sql AS $$
  SELECT jsonb_build_object(
           'count', count(*), 'total', sum((data->>'price')::numeric),
           'last_sku', (array_agg(data->'sku' ORDER BY stream_version DESC))[1],
           'status', 'SELLING')
    FROM chronicle.events WHERE stream = s AND recorded_at <= as_of
$$;

-- the floors read every event
SELECT pg_temp.check(count(*) = :order_events, 'the floor reads ' || count(*) || ' rows of order-big')
  FROM (SELECT data FROM chronicle.events WHERE stream = 'order-big') AS floor;
SELECT pg_temp.check(count(*) = :big_events, 'the floor reads ' || count(*) || ' rows of ledger-big')
  FROM (SELECT data FROM chronicle.events WHERE stream = 'ledger-big') AS floor;
SELECT pg_temp.check(count(*) = :order_events, 'hw.events holds ' || count(*) || ' rows of order-big')
  FROM hw.events WHERE stream_id = 'order-big';

-- 1. growing state
SELECT pg_temp.check(chronicle.fold('order_nosnap', 'order-big') = pg_temp.expected_order('order-big'),
                     'fold(order_nosnap, order-big) is not the expected order');
SELECT pg_temp.check(jsonb_array_length(chronicle.fold('order_nosnap', 'order-big')->'items') = :order_events - 1,
                     'fold(order_nosnap, order-big) does not hold every item');
-- hw.fold_order on 10,000 events takes a minute (it rebuilds the whole state per event);
-- it is checked on the shorter order, whose rows it reads the same way.
SELECT pg_temp.check(hw.fold_order('order-mid') = chronicle.fold('order_nosnap', 'order-mid'),
                     'hw.fold_order(order-mid) differs from chronicle.fold');

-- 2. constant-size state
SELECT pg_temp.check(chronicle.fold('tally_nosnap', 'ledger-big') = pg_temp.expected_tally('ledger-big'),
                     'fold(tally_nosnap, ledger-big) is not the expected tally');
SELECT pg_temp.check((chronicle.fold('tally_nosnap', 'ledger-big')->>'count')::bigint = :big_events,
                     'fold(tally_nosnap, ledger-big) did not count every event');
SELECT pg_temp.check(hw.fold_tally('ledger-big') = chronicle.fold('tally_nosnap', 'ledger-big'),
                     'hw.fold_tally(ledger-big) differs from chronicle.fold');

-- 3. snapshots: they exist, and folds that start from them agree with folds that do not
SELECT pg_temp.check(count(*) = :big_events / :snapshot_every,
                     'ledger-big has ' || count(*) || ' snapshots of tally')
  FROM chronicle.snapshots s JOIN chronicle.aggregates a USING (revision)
 WHERE a.name = 'tally' AND s.stream = 'ledger-big';
SELECT pg_temp.check(count(*) = :small_events / :snapshot_every,
                     'ledger-small has ' || count(*) || ' snapshots of tally')
  FROM chronicle.snapshots s JOIN chronicle.aggregates a USING (revision)
 WHERE a.name = 'tally' AND s.stream = 'ledger-small';
SELECT pg_temp.check(chronicle.fold('tally', s) = chronicle.fold('tally_nosnap', s),
                     'fold(tally, ' || s || ') differs from the fold without snapshots')
  FROM unnest(ARRAY['ledger-big', 'ledger-small']) AS s;
SELECT pg_temp.check(count(*) >= 0.9 * :big_events / :batch,
                     'ledger-big has only ' || count(*) || ' distinct recorded_at values')
  FROM bench.ledger_times;
SELECT pg_temp.check(chronicle.fold('tally', 'ledger-big', as_of => t) = pg_temp.expected_tally('ledger-big', t)
                     AND chronicle.fold('tally', 'ledger-big', as_of => t) = chronicle.fold('tally_nosnap', 'ledger-big', as_of => t),
                     'fold(tally, ledger-big, as_of => time ' || n || ') is wrong')
  FROM bench.ledger_times
 WHERE n IN (1, 2, 3, 50, 777, (SELECT max(n) / 2 FROM bench.ledger_times), (SELECT max(n) FROM bench.ledger_times));

-- 4. reducers agree with the declarative definitions and with their loops
SELECT pg_temp.check(chronicle.fold('order_reducer', 'order-mid') = pg_temp.expected_order('order-mid'),
                     'fold(order_reducer, order-mid) is not the expected order');
SELECT pg_temp.check(bench.loop_fold_order('order-mid') = chronicle.fold('order_reducer', 'order-mid'),
                     'bench.loop_fold_order(order-mid) differs from fold(order_reducer)');
SELECT pg_temp.check((chronicle.fold('tally_reducer', 'ledger-mid')->>'count')::bigint = :tally_reducer_events
                     AND chronicle.fold('tally_reducer', 'ledger-mid') = pg_temp.expected_tally('ledger-mid'),
                     'fold(tally_reducer, ledger-mid) is not the expected tally');
SELECT pg_temp.check(bench.loop_fold_tally('ledger-mid') = chronicle.fold('tally_reducer', 'ledger-mid')
                     AND chronicle.fold('tally_reducer_plpgsql', 'ledger-mid') = chronicle.fold('tally_reducer', 'ledger-mid')
                     AND bench.loop_fold_tally_plpgsql('ledger-mid') = chronicle.fold('tally_reducer', 'ledger-mid'),
                     'the tally reducers and their loops disagree on ledger-mid');
