-- bench/fold: what both of its databases share: the schema bench, the Order and tally
-- definitions, and the functions that make the events of an order and of a ledger.
CREATE SCHEMA IF NOT EXISTS bench;

-- The seed's Order aggregate, declaratively: what hw.fold_order computes.
CREATE TABLE bench.order_definition AS
SELECT jsonb_build_object(
    'initial', '{}'::jsonb,
    'on', '{
      "OrderCreated":   [{"set": "customerId", "from": "customerId"},
                         {"set": "items", "from": "items"},
                         {"set": "total", "from": "total"},
                         {"set": "status", "value": "PENDING"}],
      "ItemAdded":      [{"append": "items", "from": "item"},
                         {"add": "total", "from": "item.price"}],
      "OrderPaid":      [{"set": "status", "value": "PAID"}],
      "OrderShipped":   [{"set": "status", "value": "SHIPPED"},
                         {"set": "tracking", "from": "tracking"}],
      "OrderCancelled": [{"set": "status", "value": "CANCELLED"}]
    }'::jsonb) AS definition;

-- A state of constant size: a count, a running total, the last sku and a status.
CREATE TABLE bench.tally_definition AS
SELECT '{
  "initial": {"count": 0, "total": 0, "status": "NEW", "last_sku": null},
  "on": {
    "ItemSold": [{"count": "count"},
                 {"add": "total", "from": "price"},
                 {"set": "last_sku", "from": "sku"},
                 {"set": "status", "value": "SELLING"}],
    "LedgerClosed": [{"set": "status", "value": "CLOSED"}]
  }
}'::jsonb AS definition;

-- An order's events: OrderCreated, then ItemAdded (sku, price, qty) for the rest.
CREATE FUNCTION bench.order_events(first integer, last integer) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_agg(CASE WHEN i = 1
           THEN jsonb_build_object('type', 'OrderCreated',
                  'data', jsonb_build_object('customerId', 'customer-42', 'items', '[]'::jsonb, 'total', 0))
           ELSE jsonb_build_object('type', 'ItemAdded',
                  'data', jsonb_build_object('item', jsonb_build_object(
                            'sku', 'sku-' || (i % 97), 'price', (i % 50) + 0.99, 'qty', 1 + i % 3)))
         END ORDER BY i)
    FROM generate_series(first, last) AS i
$$;

-- A ledger's events: ItemSold (sku, price, qty), all of them.
CREATE FUNCTION bench.ledger_events(first integer, last integer) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_agg(jsonb_build_object('type', 'ItemSold',
                     'data', jsonb_build_object('sku', 'sku-' || (i % 97),
                                                'price', (i % 50) + 0.25, 'qty', 1 + i % 3))
                   ORDER BY i)
    FROM generate_series(first, last) AS i
$$;
