-- Long loops answer a cancel: append_batch of 300,000 events under a short statement_timeout
-- ends with 57014 soon after the timeout (uncancelled, the batch takes several seconds) and
-- writes nothing.
\set SHOW_CONTEXT never

-- Built before the timeout is set, so that the time limit falls inside append_batch.
CREATE TEMP TABLE big_batch AS
SELECT jsonb_agg(jsonb_build_object('type', 'Tick', 'data', jsonb_build_object('i', g))) AS batch
  FROM generate_series(1, 300000) AS g;
CREATE TEMP TABLE started AS SELECT clock_timestamp() AS at;
SET statement_timeout = '300ms';
SELECT chronicle.append_batch('cancel-1', batch) FROM big_batch;
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
-- The error came well before the batch could have finished (about 5 s without the timeout,
-- 14 s on a slow machine before append_batch checked for interrupts).
SELECT clock_timestamp() - at < interval '2 seconds' AS cancelled_promptly FROM started;
SELECT count(*) AS written FROM chronicle.event_log WHERE stream = 'cancel-1';
SELECT chronicle.stream_version('cancel-1');

-- The same batch with expected version and ids goes through the id checks first: a cancel
-- ends those too.
CREATE TEMP TABLE big_batch_ids AS
SELECT jsonb_agg(jsonb_build_object('type', 'Tick', 'data', '{}'::jsonb,
                                    'id', md5(g::text)::uuid)) AS batch
  FROM generate_series(1, 300000) AS g;
UPDATE started SET at = clock_timestamp();
SET statement_timeout = '300ms';
SELECT chronicle.append_batch('cancel-2', batch, 0) FROM big_batch_ids;
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT clock_timestamp() - at < interval '2 seconds' AS cancelled_promptly FROM started;
SELECT count(*) AS written FROM chronicle.event_log WHERE stream = 'cancel-2';

-- After a cancel the session appends as before.
SELECT chronicle.append('cancel-1', 'Tick', '{}');
DROP TABLE big_batch, big_batch_ids, started;
