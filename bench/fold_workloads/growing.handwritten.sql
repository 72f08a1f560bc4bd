-- 1. the hand-written store: hw.fold_order over the same rows in hw.events.
SELECT hw.fold_order('order-big');
