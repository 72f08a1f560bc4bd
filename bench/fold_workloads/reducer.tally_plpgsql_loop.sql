-- 4. the same PL/pgSQL function in a PL/pgSQL loop over chronicle.read_stream.
SELECT bench.loop_fold_tally_plpgsql('ledger-mid');
