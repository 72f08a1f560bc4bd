-- Workload 1, hand-written PL/pgSQL store: one event appended to a stream that does not exist yet.
\set r random(1, 9000000000000000000)
SELECT hw.append('order-' || :client_id || '-' || :r, 'OrderPlaced',
                 '{"customer": "customer-1042", "total": 99.50, "currency": "EUR", "items": 3}');
