-- Inline scenario: the next event of an existing order stream of this client, with an exact
-- expected version; run in a database with and in one without an inline projection of the
-- category "order".
\set n random(1, :streams)
SELECT chronicle.append('order-' || :client_id || '-' || :n, 'ItemAdded',
                        '{"item": {"sku": "sku-7", "price": 19.99}}',
                        expected_version => chronicle.stream_version('order-' || :client_id || '-' || :n));
