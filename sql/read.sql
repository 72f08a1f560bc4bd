-- Reading: read_stream, stream_version, read_all, the views, category().
\set SHOW_CONTEXT never
-- Positions are shown relative to where this file starts (other files appended before).
SELECT coalesce(max(global_position), 0) AS p0 FROM chronicle.events \gset

SELECT chronicle.append_batch('acct-1', (SELECT jsonb_agg(jsonb_build_object('type', CASE WHEN g % 2 = 0 THEN 'Withdrawn' ELSE 'Deposited' END, 'data', jsonb_build_object('n', g))) FROM generate_series(1, 10) g));
SELECT chronicle.append('acct-2', 'Deposited', '{"n": 1}');
SELECT chronicle.append('other', 'Noted', '{"n": 1}');
SELECT chronicle.append('acct-2', 'Withdrawn', '{"n": 2}');

-- stream_version: 0 when absent.
SELECT chronicle.stream_version('acct-1'), chronicle.stream_version('acct-2'),
       chronicle.stream_version('acct-404');

-- read_stream: forwards from the start by default.
SELECT global_position - :p0 AS pos, stream, stream_version, event_type, data FROM chronicle.read_stream('acct-1');
-- From a version, at most max_count.
SELECT stream_version FROM chronicle.read_stream('acct-1', from_version => 4, max_count => 3);
SELECT stream_version FROM chronicle.read_stream('acct-1', 9);
SELECT stream_version FROM chronicle.read_stream('acct-1', 11);
SELECT stream_version FROM chronicle.read_stream('acct-1', 0, 2);
SELECT stream_version FROM chronicle.read_stream('acct-1', max_count => 0);
-- Backwards: from the last version unless from_version is given.
SELECT stream_version FROM chronicle.read_stream('acct-1', backwards => true, max_count => 3);
SELECT stream_version FROM chronicle.read_stream('acct-1', 5, 2, true);
SELECT stream_version FROM chronicle.read_stream('acct-1', 1, NULL, true);
SELECT stream_version FROM chronicle.read_stream('acct-1', 50, 2, true);
-- Unknown stream: no rows.
SELECT count(*) FROM chronicle.read_stream('acct-404');
-- The row type is chronicle.event.
SELECT (e).stream, (e).stream_version FROM (SELECT e FROM chronicle.read_stream('acct-2') e) s;
SELECT pg_typeof(r) FROM chronicle.read_stream('acct-2', max_count => 1) r;

-- read_all: in global position order, after a position, at most max_count (default 1000).
SELECT global_position - :p0 AS pos, stream, stream_version FROM chronicle.read_all(:p0);
SELECT global_position - :p0 AS pos FROM chronicle.read_all(after_position => :p0 + 10);
SELECT global_position - :p0 AS pos FROM chronicle.read_all(:p0 + 5, 3);
SELECT global_position - :p0 AS pos FROM chronicle.read_all(:p0 + 13);
SELECT count(*) FROM chronicle.read_all(0, 0);
SELECT count(*) = (SELECT count(*) FROM chronicle.events) AS all_events FROM chronicle.read_all(0, NULL);
SELECT count(*) = (SELECT count(*) FROM chronicle.events) AS all_events FROM chronicle.read_all(NULL, NULL);
-- The default max_count is 1000.
SELECT count(*) FROM chronicle.read_all();
-- Filters: category, event types, both.
SELECT global_position - :p0 AS pos, stream FROM chronicle.read_all(:p0, category => 'acct');
SELECT global_position - :p0 AS pos, stream FROM chronicle.read_all(:p0, category => 'other');
SELECT global_position - :p0 AS pos, stream FROM chronicle.read_all(category => 'nothing');
SELECT global_position - :p0 AS pos, event_type FROM chronicle.read_all(:p0, event_types => ARRAY['Withdrawn']);
SELECT global_position - :p0 AS pos, event_type FROM chronicle.read_all(:p0, event_types => ARRAY['Noted', 'Deposited']);
SELECT global_position - :p0 AS pos FROM chronicle.read_all(:p0 + 3, 2, 'acct', ARRAY['Deposited']);
-- An empty list of types matches nothing; NULL elements match nothing.
SELECT count(*) FROM chronicle.read_all(:p0, event_types => ARRAY[]::text[]);
SELECT count(*) FROM chronicle.read_all(:p0, event_types => ARRAY[NULL]::text[]);
SELECT count(*) FROM chronicle.read_all(:p0, event_types => ARRAY[NULL, 'Noted']);

-- A transaction's own appends stay beyond read_all until it commits.
BEGIN;
SELECT chronicle.append('acct-3', 'Deposited', '{}');
SELECT count(*) FROM chronicle.read_all(:p0 + 13);
COMMIT;
SELECT global_position - :p0 AS pos, stream FROM chronicle.read_all(:p0 + 13);

-- The views.
SELECT stream, category, version, created_at <= updated_at AS ordered
  FROM chronicle.streams WHERE stream IN ('acct-1', 'acct-2', 'acct-3', 'other') ORDER BY stream;
SELECT count(*), min(global_position) - :p0 AS first, max(global_position) - :p0 AS last
  FROM chronicle.events WHERE global_position > :p0;
SELECT stream, category FROM chronicle.events WHERE global_position = :p0 + 12;

-- category().
SELECT chronicle.category('order-42'), chronicle.category('order-42-x'), chronicle.category('order'),
       chronicle.category('-x'), chronicle.category(NULL);

-- read_all's plain-SQL equivalent uses the position index.
EXPLAIN (COSTS OFF) SELECT * FROM chronicle.events WHERE global_position > 100 ORDER BY global_position LIMIT 10;
