-- 4. reducer, per-event cost: chronicle.fold of the 10k-event ledger with the SQL reducer bench.apply_tally.
SELECT chronicle.fold('tally_reducer', 'ledger-mid');
