-- The starting state of every run, written once into the template database that each run's
-- fresh database is copied from; the same events for every system:
--   * :base_streams streams base-<n> of the 100 events of bench.items each, so that no run
--     starts from an empty table (plans, index depths and caches like a store in use);
--   * every client's own streams account-<client>-1 .. account-<client>-<streams>, one
--     event each, for the existing-stream workload.
-- psql -v base_streams=N -v clients=C -v streams=M
INSERT INTO floor.events (global_position, stream, category, stream_version, event_id,
                          event_type, data, metadata, recorded_at)
SELECT nextval('floor.global_position_seq'), 'base-' || n, 'base', g,
       gen_random_uuid(), event_type, data, NULL, now()
  FROM generate_series(1, :base_streams) AS n, bench.items
 ORDER BY n, g;
INSERT INTO floor.events (global_position, stream, category, stream_version, event_id,
                          event_type, data, metadata, recorded_at)
SELECT nextval('floor.global_position_seq'), 'account-' || c || '-' || n, 'account', 1,
       gen_random_uuid(), 'AccountOpened', '{"owner": "bench", "currency": "EUR"}', NULL, now()
  FROM generate_series(0, :clients - 1) AS c, generate_series(1, :streams) AS n
 ORDER BY c, n;
