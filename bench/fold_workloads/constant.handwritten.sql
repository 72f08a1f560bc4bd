-- 2. the hand-written store: hw.fold_tally (written like hw.fold_order) over the same rows.
SELECT hw.fold_tally('ledger-big');
