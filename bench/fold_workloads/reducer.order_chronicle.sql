-- 4. reducer: chronicle.fold of the 1000-event order with the SQL reducer bench.apply_order.
SELECT chronicle.fold('order_reducer', 'order-mid');
