-- Workload 3, chronicle: append_batch of the same 100 events (one JSON array) to a new stream.
\set r random(1, 9000000000000000000)
SELECT chronicle.append_batch('cart-' || :client_id || '-' || :r, events)
  FROM bench.payload;
