-- Latency: the writer. One OrderPaid per transaction to a random one of :streams order
-- streams, with the time of the append (clock_timestamp(), seconds since the epoch) in its data.
\set n random(1, :streams)
SELECT chronicle.append('order-' || :n, 'OrderPaid',
                        jsonb_build_object('t', extract(epoch FROM clock_timestamp()), 'amount', 42.5, 'currency', 'EUR'));
