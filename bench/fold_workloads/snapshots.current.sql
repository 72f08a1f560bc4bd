-- 3. snapshots on: the current state of the 100k-event ledger.
SELECT chronicle.fold('tally', 'ledger-big');
