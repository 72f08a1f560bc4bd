-- chronicle.fold under a parallel plan, in a session that has not loaded the aggregate
-- definitions yet: loading them must not take a new snapshot in parallel mode (PostgreSQL
-- forbids it there), which once made such queries fail.
SELECT chronicle.define_aggregate('fpar', '{"initial": {"n": 0}, "on": {"*": [{"count": "n"}]}}',
                                  category => 'fpar');
SELECT count(chronicle.append('fpar-' || (i % 7), 'Counted', '{}')) FROM generate_series(1, 70) i;
\c
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_indexscan = off;
SET enable_bitmapscan = off;
SET enable_indexonlyscan = off;
-- (The plan's shape depends on the table's size; what matters is a Gather under the fold.)
CREATE FUNCTION pg_temp.uses_gather(query text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        IF line LIKE '%Gather%' THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END $$;
SELECT pg_temp.uses_gather($q$SELECT sum((chronicle.fold('fpar', s.stream)->>'n')::int)
                                FROM chronicle.streams s WHERE s.category = 'fpar'$q$) AS parallel_plan;
SELECT sum((chronicle.fold('fpar', s.stream)->>'n')::int) AS counted FROM chronicle.streams s WHERE s.category = 'fpar';
RESET ALL;
SELECT chronicle.drop_aggregate('fpar');
