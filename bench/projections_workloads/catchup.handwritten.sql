-- Catch-up scenario, the hand-written store: the same events as catchup.chronicle.sql (the
-- k-th per transaction; one client, -D k=0), appended with hw.append to hw.events, with
-- exact expected versions. With the trigger hw.project_order attached, each append also
-- updates the order's row in hw.orders.
\set k :k + 1
\set s 1 + (:k - 1) % :streams
\set pv (:k - 1) / :streams
\if :pv = 0
\set customer :s % 997
SELECT hw.append('order-' || :s, 'OrderCreated',
                 jsonb_build_object('customerId', 'c-' || :customer, 'currency', 'EUR'),
                 p_expected => :pv);
\else
\set sku :k % 97
\set cents 100 + :k % 4900
SELECT hw.append('order-' || :s, 'ItemAdded',
                 jsonb_build_object('item', jsonb_build_object('sku', 'sku-' || :sku, 'price', :cents * 0.01)),
                 p_expected => :pv);
\endif
