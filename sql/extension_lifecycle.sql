-- The per-backend metadata cache follows the extension through its life in ONE session:
-- CREATE EXTENSION at an old version, ALTER EXTENSION ... UPDATE (version by version), DROP
-- and CREATE again. Each step is used right away (append, fold, inline projection) by the
-- session that made it, whose cache was filled before. Also: a chronicle.event_log that
-- does not have the layout the library writes is refused with a clear error, not written.
-- The file ends with a fresh install for the next file.
\set SHOW_CONTEXT never

SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle;
RESET chronicle.allow_drop_with_events;

------------------------------------------------------------------------------------------
-- 0.1: events, no aggregates
------------------------------------------------------------------------------------------
CREATE EXTENSION chronicle VERSION '0.1';
SELECT chronicle.append('life-1', 'Added', '{"n": 1}');
SELECT stream_version, event_type, data FROM chronicle.read_stream('life-1');

------------------------------------------------------------------------------------------
-- 0.3: aggregates (without owners) and projections
------------------------------------------------------------------------------------------
ALTER EXTENSION chronicle UPDATE TO '0.3';
SELECT extversion FROM pg_extension WHERE extname = 'chronicle';
SELECT chronicle.define_aggregate('life', '{"initial": {"n": 0}, "on": {"Added": [{"add": "n", "from": "n"}]}}',
                                  category => 'life');
SELECT chronicle.fold('life', 'life-1');
SELECT chronicle.append('life-1', 'Added', '{"n": 2}');
SELECT chronicle.fold('life', 'life-1');
SELECT chronicle.create_projection('life_inline', 'life', mode => 'inline', columns => '{"n": "numeric"}');
SELECT chronicle.append('life-2', 'Added', '{"n": 5}');
SELECT stream, version, n FROM public.life_inline ORDER BY stream;

------------------------------------------------------------------------------------------
-- The newest version: aggregates have owners now, written and read by the same session
------------------------------------------------------------------------------------------
ALTER EXTENSION chronicle UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'chronicle';
SELECT chronicle.define_aggregate('life_twice', '{"initial": {"n": 0}, "on": {"Added": [{"add": "n", "from": "n"}, {"add": "n", "from": "n"}]}}',
                                  category => 'life');
SELECT name, owner = current_user::regrole AS owned_by_me FROM chronicle.aggregates ORDER BY name;
SELECT chronicle.append('life-2', 'Added', '{"n": 1}');
SELECT chronicle.fold('life', 'life-2'), chronicle.fold('life_twice', 'life-2');
SELECT stream, version, n FROM public.life_inline ORDER BY stream;

------------------------------------------------------------------------------------------
-- DROP EXTENSION and CREATE EXTENSION: new relations, new OIDs, nothing left over
------------------------------------------------------------------------------------------
SELECT chronicle.drop_projection('life_inline');
SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle;
RESET chronicle.allow_drop_with_events;
SELECT chronicle.append('life-1', 'Added', '{"n": 1}');
\echo :LAST_ERROR_SQLSTATE
CREATE EXTENSION chronicle;
SELECT chronicle.fold('life', 'life-1');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('life-1', 'Added', '{"n": 4}');
SELECT chronicle.define_aggregate('life', '{"initial": {"n": 0}, "on": {"Added": [{"add": "n", "from": "n"}]}}',
                                  category => 'life', snapshot_every => 2);
SELECT chronicle.create_projection('life_inline', 'life', mode => 'inline', columns => '{"n": "numeric"}');
SELECT chronicle.append('life-1', 'Added', '{"n": 3}');
SELECT chronicle.fold('life', 'life-1');
SELECT stream, stream_version, state FROM chronicle.snapshots ORDER BY 1, 2;
SELECT stream, version, n FROM public.life_inline ORDER BY stream;
SELECT global_position, stream, stream_version FROM chronicle.events ORDER BY global_position;

------------------------------------------------------------------------------------------
-- An event log whose columns are not the ones the direct insert writes: refused, not written
------------------------------------------------------------------------------------------
ALTER TABLE chronicle.event_log ADD COLUMN extra int;
SELECT chronicle.append('life-3', 'Added', '{"n": 1}');
\echo :LAST_ERROR_SQLSTATE
-- A dropped column still has its place in the tuple.
ALTER TABLE chronicle.event_log DROP COLUMN extra;
SELECT chronicle.append('life-3', 'Added', '{"n": 1}');
SELECT chronicle.read_all();
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS life_3_events FROM chronicle.event_log WHERE stream = 'life-3';
-- DROP EXTENSION, which reads the cache too, still works: the way out the hint names.
SELECT chronicle.drop_projection('life_inline');
SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle;
RESET chronicle.allow_drop_with_events;
CREATE EXTENSION chronicle;
SELECT chronicle.append('life-3', 'Added', '{"n": 1}');
SELECT count(*) AS events FROM chronicle.events;
