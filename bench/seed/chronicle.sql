-- The same starting state as seed/floor.sql, written through chronicle's own API.
-- psql -v base_streams=N -v clients=C -v streams=M
SELECT count(chronicle.append_batch('base-' || n, events))
  FROM generate_series(1, :base_streams) AS n, bench.payload;
SELECT count(chronicle.append('account-' || c || '-' || n, 'AccountOpened',
                              '{"owner": "bench", "currency": "EUR"}'))
  FROM generate_series(0, :clients - 1) AS c, generate_series(1, :streams) AS n;
