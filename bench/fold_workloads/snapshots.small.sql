-- 3. snapshots on: the current state of a 100-event ledger.
SELECT chronicle.fold('tally', 'ledger-small');
