-- 3. snapshots on: the 100k-event ledger as of a random one of its recorded_at values
-- (-D ntimes=<rows of bench.ledger_times>).
\set k random(1, :ntimes)
SELECT chronicle.fold('tally', 'ledger-big', as_of => (SELECT t FROM bench.ledger_times WHERE n = :k));
