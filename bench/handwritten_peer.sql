-- Copied verbatim from the project's shared reference definition (shared/bench/handwritten-peer.sql)
-- so that bench/ runs on its own. Keep the two in step.

-- The event store a team writes by hand from the seed's own design:
-- the seed's events table, an append that relies on UNIQUE(stream_id, event_version)
-- for optimistic concurrency, and a PL/pgSQL fold of the seed's Order aggregate.
-- It is the "what a user would do instead" peer for side-by-side runs.
CREATE SCHEMA IF NOT EXISTS hw;
DROP TABLE IF EXISTS hw.events;
CREATE TABLE hw.events (
  event_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  stream_id       varchar(255) NOT NULL,
  stream_type     varchar(100) NOT NULL,
  event_type      varchar(100) NOT NULL,
  event_data      jsonb NOT NULL,
  event_metadata  jsonb,
  event_version   integer NOT NULL,
  global_position bigserial NOT NULL,
  "timestamp"     timestamptz NOT NULL DEFAULT now(),
  correlation_id  uuid,
  causation_id    uuid,
  CONSTRAINT hw_unique_stream_version UNIQUE (stream_id, event_version)
);
CREATE INDEX ON hw.events (global_position);
CREATE INDEX ON hw.events (event_type);
CREATE INDEX ON hw.events ("timestamp");

-- Append one event; expected_version NULL means "any".
CREATE OR REPLACE FUNCTION hw.append(p_stream text, p_type text, p_data jsonb,
                                     p_expected integer DEFAULT NULL)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v integer;
BEGIN
  SELECT coalesce(max(event_version), 0) INTO v FROM hw.events WHERE stream_id = p_stream;
  IF p_expected IS NOT NULL AND v <> p_expected THEN
    RAISE EXCEPTION 'concurrency conflict on %: expected %, found %', p_stream, p_expected, v;
  END IF;
  INSERT INTO hw.events(stream_id, stream_type, event_type, event_data, event_version)
  VALUES (p_stream, split_part(p_stream, '-', 1), p_type, p_data, v + 1);
  RETURN v + 1;
END $$;

-- The seed's Order aggregate, folded event by event, optionally as of a time.
CREATE OR REPLACE FUNCTION hw.fold_order(p_stream text, p_as_of timestamptz DEFAULT 'infinity')
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE s jsonb := '{}'; e record;
BEGIN
  FOR e IN SELECT event_type, event_data FROM hw.events
           WHERE stream_id = p_stream AND "timestamp" <= p_as_of ORDER BY event_version LOOP
    CASE e.event_type
      WHEN 'OrderCreated' THEN
        s := jsonb_build_object('customerId', e.event_data->'customerId', 'items', e.event_data->'items',
                                'total', e.event_data->'total', 'status', 'PENDING');
      WHEN 'ItemAdded' THEN
        s := jsonb_set(s, '{items}', (s->'items') || jsonb_build_array(e.event_data->'item'));
        s := jsonb_set(s, '{total}', to_jsonb((s->>'total')::numeric + (e.event_data#>>'{item,price}')::numeric));
      WHEN 'OrderPaid' THEN s := s || '{"status":"PAID"}';
      WHEN 'OrderShipped' THEN s := s || jsonb_build_object('status','SHIPPED','tracking', e.event_data->'tracking');
      WHEN 'OrderCancelled' THEN s := s || '{"status":"CANCELLED"}';
      ELSE NULL;
    END CASE;
  END LOOP;
  RETURN s;
END $$;
