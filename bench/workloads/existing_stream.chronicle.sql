-- Workload 2, chronicle: the next event of an existing stream with an exact expected version
-- (optimistic concurrency as an application does it: read the version, append expecting it).
\set n random(1, :streams)
SELECT chronicle.append('account-' || :client_id || '-' || :n, 'Deposited',
                        '{"amount": 25.00, "currency": "EUR", "reference": "bench deposit"}',
                        expected_version => chronicle.stream_version('account-' || :client_id || '-' || :n));
