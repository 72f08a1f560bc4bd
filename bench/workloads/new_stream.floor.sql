-- Workload 1, floor: one plain INSERT of the row chronicle.append writes for the first event
-- of a new stream (version 1, a fresh uuid, now()).
\set r random(1, 9000000000000000000)
INSERT INTO floor.events (global_position, stream, category, stream_version, event_id,
                          event_type, data, metadata, recorded_at)
VALUES (nextval('floor.global_position_seq'), 'order-' || :client_id || '-' || :r, 'order', 1,
        gen_random_uuid(), 'OrderPlaced',
        '{"customer": "customer-1042", "total": 99.50, "currency": "EUR", "items": 3}', NULL, now());
