-- Workload 2, floor: the next event of an existing stream, its version computed from the
-- stream's current head, in one plain INSERT ... SELECT. Each client has its own streams
-- account-<client_id>-1 .. account-<client_id>-<streams>, so clients never conflict.
\set n random(1, :streams)
INSERT INTO floor.events (global_position, stream, category, stream_version, event_id,
                          event_type, data, metadata, recorded_at)
SELECT nextval('floor.global_position_seq'), 'account-' || :client_id || '-' || :n, 'account',
       coalesce(max(stream_version), 0) + 1, gen_random_uuid(), 'Deposited',
       '{"amount": 25.00, "currency": "EUR", "reference": "bench deposit"}'::jsonb, NULL, now()
  FROM floor.events
 WHERE stream = 'account-' || :client_id || '-' || :n;
