-- chronicle.append_batch: atomic, ordered batches.
\set SHOW_CONTEXT never

SELECT chronicle.append_batch('cart-1', '[
  {"type": "CartOpened", "data": {"customer": "c-1"}},
  {"type": "ItemAdded", "data": {"sku": "a", "qty": 1}, "metadata": {"by": "web"}},
  {"type": "ItemAdded", "data": {"sku": "b", "qty": 2}, "id": "33333333-3333-4333-8333-333333333333"}
]');
SELECT stream_version, event_type, data, metadata FROM chronicle.read_stream('cart-1');
-- Positions follow array order.
SELECT array_agg(stream_version ORDER BY global_position) FROM chronicle.events WHERE stream = 'cart-1';

-- Expected version applies to the whole batch.
SELECT chronicle.append_batch('cart-1', '[{"type": "ItemRemoved", "data": {"sku": "a"}}]', 3);
SELECT chronicle.append_batch('cart-1', '[{"type": "ItemRemoved", "data": {"sku": "b"}}]', 3);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('cart-2', '[{"type": "CartOpened", "data": {}}]', 0);
SELECT chronicle.append_batch('cart-2', '[{"type": "CartOpened", "data": {}}]', 0);
\echo :LAST_ERROR_SQLSTATE

-- Empty batch: nothing written, the expected version is still checked, returns the version.
SELECT chronicle.append_batch('cart-1', '[]');
SELECT chronicle.append_batch('cart-1', '[]', 4);
SELECT chronicle.append_batch('cart-1', '[]', 9);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('cart-new', '[]');
SELECT chronicle.stream_version('cart-new');

-- Idempotent retry of a batch: every id present, in order, where the batch would go.
SELECT chronicle.append_batch('cart-3', '[
  {"type": "CartOpened", "data": {}, "id": "44444444-4444-4444-8444-444444444441"},
  {"type": "ItemAdded", "data": {"sku": "x"}, "id": "44444444-4444-4444-8444-444444444442"}
]', 0);
SELECT chronicle.append_batch('cart-3', '[
  {"type": "CartOpened", "data": {}, "id": "44444444-4444-4444-8444-444444444441"},
  {"type": "ItemAdded", "data": {"sku": "x"}, "id": "44444444-4444-4444-8444-444444444442"}
]', 0);
SELECT chronicle.append_batch('cart-3', '[
  {"type": "CartOpened", "data": {}, "id": "44444444-4444-4444-8444-444444444441"},
  {"type": "ItemAdded", "data": {"sku": "x"}, "id": "44444444-4444-4444-8444-444444444442"}
]');
SELECT count(*) FROM chronicle.events WHERE stream = 'cart-3';
-- Partial overlap, other order, or a new event alongside stored ones: duplicate id.
SELECT chronicle.append_batch('cart-3', '[
  {"type": "ItemAdded", "data": {"sku": "x"}, "id": "44444444-4444-4444-8444-444444444442"},
  {"type": "CartOpened", "data": {}, "id": "44444444-4444-4444-8444-444444444441"}
]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('cart-3', '[
  {"type": "CartOpened", "data": {}, "id": "44444444-4444-4444-8444-444444444441"},
  {"type": "ItemAdded", "data": {"sku": "y"}}
]');
\echo :LAST_ERROR_SQLSTATE
-- A batch retry must resend the same events: one event with other content (type, data or
-- metadata) makes the whole retry CH002 and writes nothing; jsonb equality, not the text.
SELECT chronicle.append_batch('cart-3', '[
  {"type": "CartOpened", "data": {}, "id": "44444444-4444-4444-8444-444444444441"},
  {"type": "ItemAdded", "data": {"sku": "z"}, "id": "44444444-4444-4444-8444-444444444442"}
]', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('cart-3', '[
  {"type": "CartOpened", "data": {}, "id": "44444444-4444-4444-8444-444444444441"},
  {"type": "ItemRemoved", "data": {"sku": "x"}, "id": "44444444-4444-4444-8444-444444444442"}
]', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('cart-3', '[
  {"type": "CartOpened", "data": {}, "metadata": {}, "id": "44444444-4444-4444-8444-444444444441"},
  {"type": "ItemAdded", "data": {"sku": "x"}, "id": "44444444-4444-4444-8444-444444444442"}
]', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append_batch('cart-3', '[
  {"id": "44444444-4444-4444-8444-444444444441", "data": {}, "type": "CartOpened", "metadata": null},
  {"data": {  "sku" :  "x"  }, "type": "ItemAdded", "id": "44444444-4444-4444-8444-444444444442"}
]', 0);
SELECT count(*) FROM chronicle.events WHERE stream = 'cart-3';
-- The same id twice in one batch.
SELECT chronicle.append_batch('cart-4', '[
  {"type": "A", "data": {}, "id": "55555555-5555-4555-8555-555555555555"},
  {"type": "B", "data": {}, "id": "55555555-5555-4555-8555-555555555555"}
]');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM chronicle.events WHERE stream IN ('cart-3', 'cart-4');

-- Ids in every form PostgreSQL's uuid type accepts.
SELECT chronicle.append_batch('cart-5', '[
  {"type": "A", "data": {}, "id": "{66666666-6666-4666-8666-666666666661}"},
  {"type": "A", "data": {}, "id": "66666666666646668666666666666662"},
  {"type": "A", "data": {}, "id": "6666-6666-6666-4666-8666-6666-6666-6663"},
  {"type": "A", "data": {}, "id": "66666666-6666-4666-8666-66666666666A"}
]');
SELECT stream_version, event_id FROM chronicle.read_stream('cart-5');

-- A bad element anywhere rejects the whole batch: nothing is written.
SELECT chronicle.append_batch('cart-6', '[{"type": "A", "data": {}}, {"type": "B", "data": 5}]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.stream_version('cart-6');

-- A large batch.
SELECT chronicle.append_batch('cart-7',
       (SELECT jsonb_agg(jsonb_build_object('type', 'ItemAdded', 'data', jsonb_build_object('i', g)))
          FROM generate_series(1, 5000) g));
SELECT count(*), min(stream_version), max(stream_version),
       bool_and((data->>'i')::int = stream_version) AS in_order
  FROM chronicle.events WHERE stream = 'cart-7';
