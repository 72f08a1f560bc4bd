-- bench/projections: what every database of the projection benchmark holds, loaded after
-- CREATE EXTENSION chronicle and bench/handwritten_peer.sql: the quickstart's Order aggregate,
-- the typed columns of its projection, the hand-written peer of an aggregate projection (a
-- PL/pgSQL trigger on hw.events that keeps hw.orders), the counting handler of the lag
-- scenario, the lag sampler and the checks run after every measured run.
CREATE SCHEMA IF NOT EXISTS bench;

-- The Order aggregate of scripts/quickstart.sql, without snapshots: the streams here are
-- short, and no append should pay for a snapshot in a benchmark of projections.
SELECT chronicle.define_aggregate('order', '{
  "initial": {"status": "NEW", "items": [], "total": 0},
  "on": {
    "OrderCreated":   [{"set": "customerId", "from": "customerId"},
                       {"set": "status", "value": "PENDING"}],
    "ItemAdded":      [{"append": "items", "from": "item"},
                       {"add": "total", "from": "item.price"}],
    "OrderPaid":      [{"set": "status", "value": "PAID"}],
    "OrderShipped":   [{"set": "status", "value": "SHIPPED"},
                       {"set": "tracking", "from": "tracking"}],
    "OrderCancelled": [{"set": "status", "value": "CANCELLED"}]
  }}', category => 'order', snapshot_every => 0);

-- The projection's typed columns (status text, total numeric, customer_id text).
CREATE FUNCTION bench.order_columns() RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT '{"status": "text", "total": "numeric",
           "customer_id": {"type": "text", "path": "customerId"}}'::jsonb
$$;

-- ---------------------------------------------------------------------------------------
-- The hand-written peer: what a team writes instead of a projection. A table like the
-- projection's, kept by an AFTER INSERT FOR EACH ROW trigger on hw.events that folds the
-- event into the row's state (the same logic as the aggregate and hw.fold_order) and
-- upserts the row with its typed columns. No row lock is needed: hw.events'
-- UNIQUE (stream_id, event_version) makes a second appender to the same stream fail before
-- its AFTER trigger runs.
CREATE TABLE hw.orders (
    stream      text COLLATE "C" PRIMARY KEY,
    version     bigint NOT NULL,
    state       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL,
    customer_id text,
    status      text,
    total       numeric
);

CREATE FUNCTION hw.project_order() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s jsonb;
BEGIN
  SELECT state INTO s FROM hw.orders WHERE stream = NEW.stream_id;
  IF NOT FOUND THEN
    s := '{"status": "NEW", "items": [], "total": 0}';
  END IF;
  CASE NEW.event_type
    WHEN 'OrderCreated' THEN
      s := s || jsonb_build_object('customerId', NEW.event_data->'customerId', 'status', 'PENDING');
    WHEN 'ItemAdded' THEN
      s := s || jsonb_build_object('items', (s->'items') || jsonb_build_array(NEW.event_data->'item'),
                                   'total', (s->>'total')::numeric + (NEW.event_data#>>'{item,price}')::numeric);
    WHEN 'OrderPaid' THEN s := s || '{"status": "PAID"}';
    WHEN 'OrderShipped' THEN
      s := s || jsonb_build_object('status', 'SHIPPED', 'tracking', NEW.event_data->'tracking');
    WHEN 'OrderCancelled' THEN s := s || '{"status": "CANCELLED"}';
    ELSE NULL;
  END CASE;
  INSERT INTO hw.orders AS o (stream, version, state, updated_at, customer_id, status, total)
  VALUES (NEW.stream_id, NEW.event_version, s, now(), s->>'customerId', s->>'status', (s->>'total')::numeric)
  ON CONFLICT (stream) DO UPDATE
    SET version = excluded.version, state = excluded.state, updated_at = excluded.updated_at,
        customer_id = excluded.customer_id, status = excluded.status, total = excluded.total;
  RETURN NULL;
END $$;
-- Attached per run (CREATE TRIGGER hw_project_order AFTER INSERT ON hw.events FOR EACH ROW
-- WHEN (NEW.stream_type = 'order') EXECUTE FUNCTION hw.project_order()) in the runs that
-- measure it; the template has no trigger.

-- ---------------------------------------------------------------------------------------
-- The lag scenario's second projection: the docs' counting handler (events per type).
CREATE TABLE bench.event_counts (event_type text PRIMARY KEY, events bigint NOT NULL);
CREATE FUNCTION bench.count_event(e chronicle.event) RETURNS void LANGUAGE sql AS $$
  INSERT INTO bench.event_counts AS c VALUES (e.event_type, 1)
  ON CONFLICT (event_type) DO UPDATE SET events = c.events + 1
$$;

-- The lag sampler: every `every`, append a marker event to order-probe (autonomously
-- committed), note clock_timestamp() right after the COMMIT, then poll every `poll` with a
-- fresh snapshot until every projection in `names` has its position at or past the marker,
-- and note clock_timestamp() again. applied - committed is the commit-to-applied lag (the
-- rows a projection writes commit together with its position), to within one poll. The
-- samples are written in the next marker's transaction and at the end.
CREATE TABLE bench.lag_samples (
    sample      integer PRIMARY KEY,
    position    bigint NOT NULL,
    committed   timestamptz NOT NULL,
    applied     timestamptz NOT NULL,
    polls       integer NOT NULL
);

CREATE PROCEDURE bench.sample_lag(duration interval, every interval, poll interval, names text[])
LANGUAGE plpgsql AS $$
DECLARE
  started   timestamptz := clock_timestamp();
  next_at   timestamptz := clock_timestamp();
  i         integer := 0;
  v         bigint;
  marker    bigint;
  committed timestamptz;
  reached   bigint;
  n         integer;
BEGIN
  WHILE clock_timestamp() < started + duration LOOP
    i := i + 1;
    v := chronicle.append('order-probe', 'ItemAdded', '{"item": {"sku": "probe", "price": 0}}');
    SELECT global_position INTO STRICT marker FROM chronicle.events
     WHERE stream = 'order-probe' AND stream_version = v;
    COMMIT;
    committed := clock_timestamp();
    n := 0;
    LOOP
      -- A new statement in READ COMMITTED: a fresh snapshot every time.
      SELECT min(position) INTO reached FROM chronicle.projections WHERE name = ANY (names);
      EXIT WHEN reached >= marker;
      n := n + 1;
      PERFORM pg_sleep(extract(epoch FROM poll));
    END LOOP;
    INSERT INTO bench.lag_samples VALUES (i, marker, committed, clock_timestamp(), n);
    next_at := next_at + every;
    IF next_at > clock_timestamp() THEN
      PERFORM pg_sleep(extract(epoch FROM next_at - clock_timestamp()));
    ELSE
      next_at := clock_timestamp();
    END IF;
  END LOOP;
  COMMIT;
END $$;

-- ---------------------------------------------------------------------------------------
-- Checks. An aggregate projection's table must equal chronicle.fold for every stream of
-- the category (or a sample): row version = stream version, state = fold, and the typed
-- columns = the state's values. Returns the number of rows that differ plus streams missing.
-- No parallel plan: before 695bda0, a session's first chronicle.fold failed in the leader of
-- a parallel query ("cannot update SecondarySnapshot during a parallel operation"), and the
-- check should run the same way on every build.
CREATE FUNCTION bench.projection_mismatches(tbl regclass, sample integer DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql SET max_parallel_workers_per_gather = 0 AS $$
DECLARE
  bad bigint;
BEGIN
  EXECUTE format($q$
    SELECT count(*) FROM (SELECT stream, version FROM chronicle.streams
                           WHERE category = 'order' AND stream <> 'order-probe'
                           ORDER BY CASE WHEN $1 IS NULL THEN '' ELSE md5(stream) END, stream
                           LIMIT $1) s
      LEFT JOIN %s p USING (stream)
     WHERE p.stream IS NULL
        OR p.version <> s.version
        OR p.state IS DISTINCT FROM chronicle.fold('order', s.stream)
        OR p.status IS DISTINCT FROM p.state->>'status'
        OR p.total IS DISTINCT FROM (p.state->>'total')::numeric
        OR p.customer_id IS DISTINCT FROM p.state->>'customerId'
  $q$, tbl) INTO bad USING sample;
  RETURN bad;
END $$;

-- A checksum of a projection table's rows (stream, version, state, typed columns): the
-- chronicle projection and the hand-written trigger's table must hold the same rows.
CREATE FUNCTION bench.table_checksum(tbl regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  sum text;
BEGIN
  EXECUTE format('SELECT md5(string_agg(concat_ws(''|'', stream, version, state::text, status,
                                                  total::text, customer_id), '','' ORDER BY stream))
                    FROM %s WHERE stream <> ''order-probe''', tbl) INTO sum;
  RETURN sum;
END $$;

-- The first `events` events of order number n (seeding): OrderCreated, then ItemAdded.
CREATE FUNCTION bench.order_events(n integer, events integer) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_agg(CASE WHEN i = 1
           THEN jsonb_build_object('type', 'OrderCreated',
                  'data', jsonb_build_object('customerId', 'c-' || n % 997, 'currency', 'EUR'))
           ELSE jsonb_build_object('type', 'ItemAdded',
                  'data', jsonb_build_object('item', jsonb_build_object(
                            'sku', 'sku-' || (n + i) % 97, 'price', (100 + (n * 31 + i) % 4900) * 0.01)))
         END ORDER BY i)
    FROM generate_series(1, events) AS i
$$;

-- The same Order with a state of constant size: items counted instead of listed. The inline
-- scenario runs it beside the quickstart's Order, whose state (and so the row every append
-- rewrites) grows by an item with every ItemAdded.
CREATE FUNCTION bench.define_counted_order() RETURNS void LANGUAGE sql AS $$
  SELECT chronicle.define_aggregate('order', '{
    "initial": {"status": "NEW", "items": 0, "total": 0},
    "on": {
      "OrderCreated":   [{"set": "customerId", "from": "customerId"},
                         {"set": "status", "value": "PENDING"}],
      "ItemAdded":      [{"count": "items"},
                         {"add": "total", "from": "item.price"}],
      "OrderPaid":      [{"set": "status", "value": "PAID"}],
      "OrderShipped":   [{"set": "status", "value": "SHIPPED"},
                         {"set": "tracking", "from": "tracking"}],
      "OrderCancelled": [{"set": "status", "value": "CANCELLED"}]
    }}', category => 'order', snapshot_every => 0)
$$;

-- Appends the events of a JSON array (as made by bench.order_events) to hw.events with
-- hw.append, in order: the hand-written store's older orders.
CREATE FUNCTION bench.hw_append_all(stream text, events jsonb) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  e jsonb;
  n integer := 0;
BEGIN
  FOR e IN SELECT value FROM jsonb_array_elements(events) WITH ORDINALITY ORDER BY ordinality LOOP
    PERFORM hw.append(stream, e->>'type', e->'data');
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;
