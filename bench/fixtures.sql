-- Inputs shared by the workloads: the 100 events of the batch workload, as rows (for the
-- floor's INSERT ... SELECT and the hand-written store's 100 calls) and as the one JSON array
-- chronicle.append_batch takes, built from the same rows.
CREATE SCHEMA bench;
CREATE TABLE bench.items (
    g          integer PRIMARY KEY,  -- the event's position in the batch (its stream version)
    event_type text  NOT NULL,
    data       jsonb NOT NULL
);
INSERT INTO bench.items
SELECT g,
       (ARRAY['ItemAdded', 'ItemPriceChanged', 'ItemQuantityChanged', 'DiscountApplied'])[1 + g % 4],
       jsonb_build_object('sku', 'SKU-' || lpad(g::text, 5, '0'),
                          'quantity', 1 + g % 5,
                          'price', round((4.99 + g * 1.25)::numeric, 2),
                          'note', 'line ' || g || ' of the benchmark cart')
  FROM generate_series(1, 100) AS g;

CREATE TABLE bench.payload (events jsonb NOT NULL);
INSERT INTO bench.payload
SELECT jsonb_agg(jsonb_build_object('type', event_type, 'data', data) ORDER BY g)
  FROM bench.items;
