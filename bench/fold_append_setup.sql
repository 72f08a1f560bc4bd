-- bench/fold scenario 5: a template database for single appends to existing order streams,
-- with or without an aggregate that keeps snapshots of their category. Loaded after the
-- extension and fold_common.sql.
--
-- psql -v clients=C -v streams=M -v with_snapshots=true|false
-- Every client appends to its own M streams order-<client>-<n>; stream n starts with
-- 1 + n % 100 events, so that the streams are spread evenly over the 100 versions between two
-- snapshots and about 1 append in 100 crosses a multiple of 100 (and, with the aggregate,
-- takes a snapshot), as in steady use.

-- Folds the same definition without snapshots: checks the snapshots after a run.
SELECT chronicle.define_aggregate('order_check', definition, NULL, 0) FROM bench.order_definition;

\if :with_snapshots
-- Defined before the streams are written, so that the seeded streams have their snapshots.
SELECT chronicle.define_aggregate('order_snap', definition, 'order', 100) FROM bench.order_definition;
\endif

CREATE TABLE bench.seeded (stream text COLLATE "C" PRIMARY KEY, version bigint NOT NULL);
INSERT INTO bench.seeded
SELECT 'order-' || c || '-' || n, 1 + n % 100
  FROM generate_series(0, :clients - 1) AS c, generate_series(1, :streams) AS n;

SELECT count(chronicle.append_batch(stream, bench.order_events(1, version::integer)))
  FROM bench.seeded;
