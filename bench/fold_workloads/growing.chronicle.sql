-- 1. growing state: the order stream folded by the declarative Order aggregate (no snapshots).
SELECT chronicle.fold('order_nosnap', 'order-big');
