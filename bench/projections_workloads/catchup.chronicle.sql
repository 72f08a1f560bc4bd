-- Catch-up scenario: the k-th event (k = 1, 2, ... per transaction; one client, -D k=0).
-- Events go round-robin over the streams: event k to order-<(k-1) % streams + 1>, so that
-- consecutive events belong to different orders (many customers ordering at once) and every
-- batch a projection applies touches as many rows as it has events. A stream's first event
-- is OrderCreated, the others ItemAdded with a price of 1.00 to 49.99. Exact expected
-- versions. catchup.handwritten.sql appends the same events to hw.events.
\set k :k + 1
\set s 1 + (:k - 1) % :streams
\set pv (:k - 1) / :streams
\if :pv = 0
\set customer :s % 997
SELECT chronicle.append('order-' || :s, 'OrderCreated',
                        jsonb_build_object('customerId', 'c-' || :customer, 'currency', 'EUR'),
                        expected_version => :pv);
\else
\set sku :k % 97
\set cents 100 + :k % 4900
SELECT chronicle.append('order-' || :s, 'ItemAdded',
                        jsonb_build_object('item', jsonb_build_object('sku', 'sku-' || :sku, 'price', :cents * 0.01)),
                        expected_version => :pv);
\endif
