-- 5. the next event of an existing order stream, with an exact expected version; run in a
-- database with and in one without an aggregate that snapshots the category "order".
\set n random(1, :streams)
SELECT chronicle.append('order-' || :client_id || '-' || :n, 'ItemAdded',
                        '{"item": {"sku": "sku-7", "price": 19.99, "qty": 2}}',
                        expected_version => chronicle.stream_version('order-' || :client_id || '-' || :n));
