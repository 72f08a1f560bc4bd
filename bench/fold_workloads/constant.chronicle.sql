-- 2. constant-size state: the 100k-event ledger folded by the declarative tally (no snapshots).
SELECT chronicle.fold('tally_nosnap', 'ledger-big');
