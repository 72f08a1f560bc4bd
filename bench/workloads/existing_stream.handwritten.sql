-- Workload 2, hand-written PL/pgSQL store: the next event of an existing stream with an exact
-- expected version read from its events table in the same statement.
\set n random(1, :streams)
SELECT hw.append('account-' || :client_id || '-' || :n, 'Deposited',
                 '{"amount": 25.00, "currency": "EUR", "reference": "bench deposit"}',
                 p_expected => (SELECT coalesce(max(event_version), 0) FROM hw.events
                                 WHERE stream_id = 'account-' || :client_id || '-' || :n));
