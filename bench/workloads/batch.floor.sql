-- Workload 3, floor: 100 events to a new stream in one plain INSERT ... SELECT of the rows
-- chronicle.append_batch writes (versions 1..100 in order, positions in version order).
\set r random(1, 9000000000000000000)
INSERT INTO floor.events (global_position, stream, category, stream_version, event_id,
                          event_type, data, metadata, recorded_at)
SELECT nextval('floor.global_position_seq'), 'cart-' || :client_id || '-' || :r, 'cart', g,
       gen_random_uuid(), event_type, data, NULL, now()
  FROM bench.items
 ORDER BY g;
