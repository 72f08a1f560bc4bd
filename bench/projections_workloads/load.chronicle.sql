-- Lag scenario: the load. One event per transaction to a random one of the order streams
-- (shared by the clients; no expected version).
\set n random(1, :streams)
SELECT chronicle.append('order-' || :n, 'ItemAdded', '{"item": {"sku": "sku-7", "price": 19.99}}');
