-- The same starting state as seed/floor.sql for the hand-written store. The base events are
-- inserted directly, as the rows hw.append would write (versions 1..100 per stream), to keep
-- the set-up short; the account streams go through hw.append.
-- psql -v base_streams=N -v clients=C -v streams=M
INSERT INTO hw.events (stream_id, stream_type, event_type, event_data, event_version)
SELECT 'base-' || n, 'base', event_type, data, g
  FROM generate_series(1, :base_streams) AS n, bench.items
 ORDER BY n, g;
SELECT count(hw.append('account-' || c || '-' || n, 'AccountOpened',
                       '{"owner": "bench", "currency": "EUR"}'))
  FROM generate_series(0, :clients - 1) AS c, generate_series(1, :streams) AS n;
