-- Workload 3, hand-written PL/pgSQL store (informational: it has no batch append): the same
-- 100 events as 100 hw.append calls in one statement, in order.
\set r random(1, 9000000000000000000)
SELECT hw.append('cart-' || :client_id || '-' || :r, event_type, data)
  FROM bench.items
 ORDER BY g;
