-- 4. reducer, per-event cost: chronicle.fold of the 10k-event ledger with the PL/pgSQL reducer bench.apply_tally_plpgsql.
SELECT chronicle.fold('tally_reducer_plpgsql', 'ledger-mid');
