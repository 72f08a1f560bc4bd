-- 4. the same SQL function in a PL/pgSQL loop over chronicle.read_stream.
SELECT bench.loop_fold_tally('ledger-mid');
