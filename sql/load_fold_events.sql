-- chronicle.load: fold's state and the version it is at (declarative and reducer aggregates,
-- now, at_version, as_of, absent streams, snapshots); chronicle.fold_events: append_batch's
-- events folded without the store (declarative and reducer, onto the initial state or a
-- given one, the event fields a reducer sees, the reducer run as its owner, append_batch's
-- errors, a read-only transaction). Event times are read back from chronicle.events.
\set SHOW_CONTEXT never

CREATE FUNCTION pg_temp.same(actual jsonb, expected jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$ SELECT actual::text IS NOT DISTINCT FROM expected::text $$;

CREATE ROLE regress_lfe_owner;     -- defines the reducer aggregate and owns its function
CREATE ROLE regress_lfe_caller;    -- may call load and fold_events, not the reducer
CREATE ROLE regress_lfe_nobody;    -- may call neither
GRANT USAGE ON SCHEMA chronicle TO regress_lfe_owner, regress_lfe_caller, regress_lfe_nobody;
GRANT EXECUTE ON FUNCTION chronicle.load(text, text, timestamptz, bigint),
                          chronicle.fold_events(text, jsonb, jsonb),
                          chronicle.fold(text, text, timestamptz, bigint)
   TO regress_lfe_caller;
GRANT EXECUTE ON FUNCTION chronicle.define_aggregate(text, jsonb, text, integer)
   TO regress_lfe_owner;

------------------------------------------------------------------------------------------
-- Two aggregates of category lfecart: declarative with a snapshot every 2 events, and a
-- reducer (owned by regress_lfe_owner) with a snapshot every 3, so that load starts from
-- snapshots; twins without snapshots to compare with.
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('lfe_cart', '{
  "initial": {"status": "OPEN", "items": [], "total": 0, "n": 0},
  "on": {
    "Added":  [{"append": "items", "from": "sku"}, {"add": "total", "from": "price"}, {"count": "n"}],
    "Closed": [{"set": "status", "value": "CLOSED"}, {"count": "n"}]
  }}', category => 'lfecart', snapshot_every => 2);
SELECT chronicle.define_aggregate('lfe_cart_nosnap', definition, 'lfecart', 0)
  FROM chronicle.aggregates WHERE name = 'lfe_cart';

CREATE SCHEMA lfe AUTHORIZATION regress_lfe_owner;
SET ROLE regress_lfe_owner;
-- Records who it runs as, and whether it runs security-restricted (a temporary table
-- cannot be created then).
CREATE FUNCTION lfe.cart_reducer(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE plpgsql AS $$
DECLARE
    restricted boolean := false;
BEGIN
    BEGIN
        CREATE TEMPORARY TABLE lfe_probe (x int);
        DROP TABLE lfe_probe;
    EXCEPTION WHEN insufficient_privilege THEN
        restricted := true;
    WHEN read_only_sql_transaction THEN
        restricted := NULL;  -- a read-only transaction refuses it first
    END;
    RETURN state || jsonb_build_object(
        'n', (state->>'n')::int + 1,
        'total', (state->>'total')::numeric + coalesce((e.data->>'price')::numeric, 0),
        'last', e.event_type,
        'ran_as', current_user,
        'restricted', restricted);
END $$;
REVOKE EXECUTE ON FUNCTION lfe.cart_reducer(jsonb, chronicle.event) FROM PUBLIC;
GRANT USAGE ON SCHEMA lfe TO regress_lfe_caller;
SELECT chronicle.define_aggregate('lfe_red', '{"initial": {"n": 0, "total": 0}, "reducer": "lfe.cart_reducer"}',
                                  category => 'lfecart', snapshot_every => 3);
SELECT chronicle.define_aggregate('lfe_red_nosnap', '{"initial": {"n": 0, "total": 0}, "reducer": "lfe.cart_reducer"}',
                                  category => 'lfecart', snapshot_every => 0);
RESET ROLE;

-- Three streams, one event per transaction so that recorded_at grows.
SELECT chronicle.append('lfecart-1', 'Added', '{"sku": "a", "price": 1.5}');
SELECT chronicle.append('lfecart-2', 'Added', '{"sku": "x", "price": 10}');
SELECT chronicle.append('lfecart-1', 'Added', '{"sku": "b", "price": 2.5}');
SELECT chronicle.append('lfecart-3', 'Added', '{"sku": "y", "price": 1}');
SELECT chronicle.append('lfecart-1', 'Added', '{"sku": "c", "price": 3}');
SELECT chronicle.append('lfecart-3', 'Closed', '{}');
SELECT chronicle.append('lfecart-1', 'Added', '{"sku": "d", "price": 4}');
SELECT chronicle.append('lfecart-1', 'Closed', '{}');
SELECT chronicle.append('lfecart-3', 'Added', '{"sku": "z", "price": 2}');
-- Snapshots in play: lfe_cart at 2 and 4, lfe_red at 3.
SELECT a.name, s.stream, s.stream_version
  FROM chronicle.snapshots s JOIN chronicle.aggregates a USING (revision)
 WHERE a.name IN ('lfe_cart', 'lfe_red') ORDER BY 1, 2, 3;

------------------------------------------------------------------------------------------
-- load now
------------------------------------------------------------------------------------------
SELECT * FROM chronicle.load('lfe_cart', 'lfecart-1');
SELECT * FROM chronicle.load('lfe_red', 'lfecart-1');
-- The version is the stream's, the state fold's, for every stream and both aggregates.
SELECT a.name, s.stream, l.version, chronicle.stream_version(s.stream) AS stream_version,
       pg_temp.same(l.state, chronicle.fold(a.name, s.stream)) AS state_is_folds
  FROM (VALUES ('lfe_cart'), ('lfe_red')) a(name),
       (VALUES ('lfecart-1'), ('lfecart-2'), ('lfecart-3')) s(stream),
       chronicle.load(a.name, s.stream) l
 ORDER BY 1, 2;
-- A stream that does not exist: NULL and 0 (expected_version 0: "must not exist").
SELECT * FROM chronicle.load('lfe_cart', 'lfecart-none');
SELECT * FROM chronicle.load('lfe_red', 'lfecart-none');
-- load works on streams outside the aggregate's category, as fold does.
SELECT chronicle.append('lfeother-1', 'Added', '{"sku": "o", "price": 5}');
SELECT * FROM chronicle.load('lfe_cart', 'lfeother-1');

------------------------------------------------------------------------------------------
-- load at every version and as of every event's time (and before the first): the state is
-- fold's (which starts from snapshots), equal to the state without snapshots, and the
-- version is the last event at or before the target; NULL and 0 where fold is NULL (no
-- event yet, at_version 0, or at_version past the stream's end).
------------------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.expected_version(s text, at bigint, t timestamptz) RETURNS bigint
    LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN at > chronicle.stream_version(s) THEN 0 ELSE
           coalesce((SELECT max(stream_version) FROM chronicle.events
                      WHERE stream = s AND (at IS NULL OR stream_version <= at)
                        AND (t IS NULL OR recorded_at <= t)), 0) END $$;
WITH targets AS (
    SELECT s.stream, v.at, NULL::timestamptz AS t
      FROM (VALUES ('lfecart-1'), ('lfecart-2'), ('lfecart-3'), ('lfecart-none')) s(stream),
           generate_series(0, 7) v(at)
    UNION ALL
    SELECT s.stream, NULL, e.recorded_at
      FROM (VALUES ('lfecart-1'), ('lfecart-2'), ('lfecart-3')) s(stream),
           (SELECT recorded_at FROM chronicle.events WHERE category = 'lfecart'
            UNION ALL SELECT min(recorded_at) - interval '1 second' FROM chronicle.events) e
), compared AS (
    SELECT a.name, g.stream, g.at, g.t, l.state, l.version,
           chronicle.fold(a.name, g.stream, g.t, g.at) AS fold,
           chronicle.fold(a.name || '_nosnap', g.stream, g.t, g.at) AS nosnap
      FROM (VALUES ('lfe_cart'), ('lfe_red')) a(name), targets g,
           chronicle.load(a.name, g.stream, g.t, g.at) l
)
SELECT name, count(*) AS loads,
       count(*) FILTER (WHERE pg_temp.same(state, fold)) AS state_is_folds,
       count(*) FILTER (WHERE pg_temp.same(state, nosnap)) AS state_without_snapshots,
       count(*) FILTER (WHERE version = pg_temp.expected_version(stream, at, t)) AS right_version,
       count(*) FILTER (WHERE (state IS NULL) = (version = 0)) AS null_iff_zero,
       count(*) FILTER (WHERE state IS NULL) AS nulls
  FROM compared GROUP BY name ORDER BY name;
-- A few of them by hand: from lfe_cart's snapshot at 4 with no event after it, at 3 (from
-- the snapshot at 2), past the end, before the first event.
SELECT * FROM chronicle.load('lfe_cart', 'lfecart-1', at_version => 4);
SELECT * FROM chronicle.load('lfe_cart', 'lfecart-1', at_version => 3);
SELECT * FROM chronicle.load('lfe_cart', 'lfecart-1', at_version => 6);
SELECT * FROM chronicle.load('lfe_cart', 'lfecart-1', at_version => 0);
SELECT min(recorded_at) AS first_at FROM chronicle.events WHERE stream = 'lfecart-3' \gset
SELECT * FROM chronicle.load('lfe_cart', 'lfecart-3', as_of => :'first_at');
SELECT * FROM chronicle.load('lfe_cart', 'lfecart-3', as_of => :'first_at'::timestamptz - interval '1 microsecond');
-- at_version and as_of together: the earlier of the two.
SELECT recorded_at AS third_at FROM chronicle.events WHERE stream = 'lfecart-1' AND stream_version = 3 \gset
SELECT version FROM chronicle.load('lfe_cart', 'lfecart-1', as_of => :'third_at', at_version => 2);
SELECT version FROM chronicle.load('lfe_cart', 'lfecart-1', as_of => :'third_at', at_version => 5);

------------------------------------------------------------------------------------------
-- The reducer runs as its owner in load, as in fold, whoever calls: regress_lfe_caller
-- may not execute the reducer itself.
------------------------------------------------------------------------------------------
SET ROLE regress_lfe_caller;
SELECT state->>'ran_as' AS ran_as, state->>'restricted' AS restricted, version
  FROM chronicle.load('lfe_red', 'lfecart-3');
SELECT lfe.cart_reducer('{}', NULL);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

------------------------------------------------------------------------------------------
-- load in a read-only transaction: it writes nothing. (That state and version come from one
-- snapshot while other sessions append is the isolation spec load_snapshot.)
------------------------------------------------------------------------------------------
BEGIN;
SET TRANSACTION READ ONLY;
SELECT state->>'n' AS n, version FROM chronicle.load('lfe_cart', 'lfecart-1');
SELECT state->>'n' AS n, version FROM chronicle.load('lfe_red', 'lfecart-1', at_version => 2);
COMMIT;

------------------------------------------------------------------------------------------
-- load's errors are fold's
------------------------------------------------------------------------------------------
\set VERBOSITY sqlstate
SELECT * FROM chronicle.load(NULL, 'lfecart-1');
SELECT chronicle.fold(NULL, 'lfecart-1');
SELECT * FROM chronicle.load('', 'lfecart-1');
SELECT * FROM chronicle.load('lfe_cart', NULL);
SELECT chronicle.fold('lfe_cart', NULL);
SELECT * FROM chronicle.load('lfe_cart', '');
SELECT * FROM chronicle.load('lfe_cart', repeat('x', 256));
SELECT * FROM chronicle.load('lfe_cart', 'lfecart-1', at_version => -1);
SELECT * FROM chronicle.load('lfe_nope', 'lfecart-1');
SELECT chronicle.fold('lfe_nope', 'lfecart-1');
\set VERBOSITY default
SELECT * FROM chronicle.load('lfe_cart', 'lfecart-1', at_version => -1);
SELECT * FROM chronicle.load('lfe_nope', 'lfecart-1');
-- Without EXECUTE on chronicle.load (revoked from PUBLIC): 42501.
SET ROLE regress_lfe_nobody;
SELECT * FROM chronicle.load('lfe_cart', 'lfecart-1');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold_events('lfe_cart', '[]');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

------------------------------------------------------------------------------------------
-- fold_events, declarative: a stream's events folded without the store give fold's state;
-- an empty array gives the initial state; a given state is folded onto.
------------------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.events_of(s text, upto bigint DEFAULT NULL) RETURNS jsonb
    LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('type', event_type, 'data', data)
                              ORDER BY stream_version), '[]')
      FROM chronicle.events WHERE stream = s AND (upto IS NULL OR stream_version <= upto) $$;
SELECT s.stream, a.name,
       pg_temp.same(chronicle.fold_events(a.name, pg_temp.events_of(s.stream)),
                    chronicle.fold(a.name, s.stream)) AS same_as_fold
  FROM (VALUES ('lfecart-1'), ('lfecart-2'), ('lfecart-3')) s(stream),
       (VALUES ('lfe_cart'), ('lfe_red')) a(name)
 ORDER BY 1, 2;
SELECT chronicle.fold_events('lfe_cart', pg_temp.events_of('lfecart-1'));
SELECT chronicle.fold_events('lfe_cart', '[]');
SELECT chronicle.fold_events('lfe_cart', '[]', '{"status": "GIVEN"}');
-- Onto a given state: the state at version 2 plus events 3 to 5 is the state at 5.
SELECT pg_temp.same(
         chronicle.fold_events('lfe_cart',
                               (SELECT jsonb_agg(e) FROM jsonb_array_elements(pg_temp.events_of('lfecart-1')) WITH ORDINALITY x(e, i) WHERE i > 2),
                               chronicle.fold('lfe_cart', 'lfecart-1', at_version => 2)),
         chronicle.fold('lfe_cart', 'lfecart-1')) AS onto_state_at_2;
-- Metadata is read, given or not; a JSON null metadata is none.
SELECT chronicle.define_aggregate('lfe_fields', '{"on": {"*": [
    {"set": "type", "event": "type"}, {"set": "stream", "event": "stream"},
    {"set": "version", "event": "version"}, {"set": "position", "event": "position"},
    {"set": "id", "event": "id"}, {"set": "user", "event": "metadata.user", "default": "nobody"},
    {"append": "seen", "event": "version"}]}}');
SELECT chronicle.fold_events('lfe_fields', '[
    {"type": "A", "data": {}, "metadata": {"user": "ada"}},
    {"type": "B", "data": {}, "metadata": null, "id": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"type": "C", "data": {}, "id": null}]');
-- Onto a given state the versions are unknown: null.
SELECT chronicle.fold_events('lfe_fields', '[{"type": "D", "data": {}}]', '{"seen": [1, 2, 3]}');
-- recorded_at is the transaction's start time, in UTC.
SELECT chronicle.define_aggregate('lfe_time', '{"on": {"*": [{"set": "at", "event": "recorded_at"}]}}');
BEGIN;
SELECT (chronicle.fold_events('lfe_time', '[{"type": "T", "data": {}}]')->>'at')::timestamptz = now() AS at_is_now,
       chronicle.fold_events('lfe_time', '[{"type": "T", "data": {}}]')->>'at' LIKE '%+00:00' AS in_utc;
COMMIT;

------------------------------------------------------------------------------------------
-- fold_events with a reducer: called as the aggregate's owner, security-restricted, by a
-- caller who may not execute the reducer; what it receives as chronicle.event.
------------------------------------------------------------------------------------------
SET ROLE regress_lfe_caller;
SELECT chronicle.fold_events('lfe_red', '[{"type": "Added", "data": {"price": 2}}, {"type": "Closed", "data": {}}]');
SELECT chronicle.fold_events('lfe_red', '[{"type": "Added", "data": {"price": 2}}]', '{"n": 10, "total": 1}');
SELECT current_user AS caller;
RESET ROLE;
CREATE FUNCTION public.lfe_echo(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE sql AS $$ SELECT state || jsonb_build_array(to_jsonb(e) - 'recorded_at'
                                         || jsonb_build_object('recorded_at_is_now', e.recorded_at = now())) $$;
SELECT chronicle.define_aggregate('lfe_echo', '{"initial": [], "reducer": "public.lfe_echo"}');
SELECT jsonb_pretty(chronicle.fold_events('lfe_echo', '[
    {"type": "A", "data": {"x": 1}, "metadata": {"m": true}},
    {"type": "B", "data": {}, "id": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}]'));
-- Onto a given state (of the initial state's kind, an array here): stream_version NULL.
SELECT chronicle.fold_events('lfe_echo', '[{"type": "C", "data": {}}]', '["before"]')->1->'stream_version' AS version_onto_state;
SELECT chronicle.fold_events('lfe_echo', '[]', '["before"]');

------------------------------------------------------------------------------------------
-- fold_events in a read-only transaction: it writes nothing.
------------------------------------------------------------------------------------------
BEGIN;
SET TRANSACTION READ ONLY;
SELECT chronicle.fold_events('lfe_cart', '[{"type": "Added", "data": {"sku": "r", "price": 1}}]');
SELECT chronicle.fold_events('lfe_red', '[{"type": "Added", "data": {"price": 1}}]')->'n' AS n;
COMMIT;

------------------------------------------------------------------------------------------
-- fold_events' errors on bad events are append_batch's: same SQLSTATE, same message, for
-- each kind of bad batch; every event is checked before any is folded.
------------------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.error_of(call text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
    message text;
BEGIN
    EXECUTE call;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
    RETURN state || ' ' || message;
END $$;
SELECT b.label, pg_temp.error_of(format('SELECT chronicle.fold_events(%L, %L)', 'lfe_cart', b.batch)) AS fold_events,
       pg_temp.error_of(format('SELECT chronicle.fold_events(%L, %L)', 'lfe_cart', b.batch))
         = pg_temp.error_of(format('SELECT chronicle.append_batch(%L, %L)', 'lfebad-1', b.batch)) AS as_append_batch
  FROM (VALUES
    ('null batch',        NULL::jsonb),
    ('object',            '{"type": "Added", "data": {}}'),
    ('string',            '"[]"'),
    ('element not object','[{"type": "Added", "data": {}}, 42]'),
    ('unknown key',       '[{"type": "Added", "data": {}, "when": 1}]'),
    ('no type',           '[{"data": {}}]'),
    ('null type',         '[{"type": null, "data": {}}]'),
    ('type not string',   '[{"type": 7, "data": {}}]'),
    ('empty type',        '[{"type": "", "data": {}}]'),
    ('long type',         jsonb_build_array(jsonb_build_object('type', repeat('t', 256), 'data', '{}'::jsonb))),
    ('no data',           '[{"type": "Added"}]'),
    ('data not object',   '[{"type": "Added", "data": [1]}]'),
    ('metadata string',   '[{"type": "Added", "data": {}, "metadata": "m"}]'),
    ('id not uuid',       '[{"type": "Added", "data": {}, "id": "nope"}]'),
    ('id number',         '[{"type": "Added", "data": {}, "id": 5}]'),
    ('duplicate ids',     '[{"type": "Added", "data": {}, "id": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
                            {"type": "Added", "data": {}, "id": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}]'),
    -- event 1 cannot be folded (a price that is not a number), event 2 is malformed: the
    -- batch's error comes first
    ('checked before folding', '[{"type": "Added", "data": {"price": "x"}}, {"type": "Added"}]')
  ) b(label, batch)
 ORDER BY b.label;
SELECT count(*) AS nothing_appended FROM chronicle.events WHERE stream = 'lfebad-1';
-- As psql shows them, with their hints.
SELECT chronicle.fold_events('lfe_cart', '[{"type": "Added", "data": {}}, {"type": "Added", "data": "x"}]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold_events('lfe_cart', '[{"type": "Added", "data": {}, "metadata": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold_events('lfe_cart', '{}');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------------------
-- fold_events' other errors: the aggregate, the state, the fold itself.
------------------------------------------------------------------------------------------
\set VERBOSITY sqlstate
SELECT chronicle.fold_events(NULL, '[]');
SELECT chronicle.fold_events('', '[]');
SELECT chronicle.fold_events('lfe_nope', '[]');
\set VERBOSITY default
SELECT chronicle.fold_events('lfe_nope', '[]');
-- A state not of the initial state's kind: CH016 (a JSON string holding JSON text is the
-- usual mistake).
SELECT chronicle.fold_events('lfe_cart', '[]', to_jsonb('{"n": 1}'::text));
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold_events('lfe_cart', '[]', '[]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold_events('lfe_cart', '[]', 'null');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold_events('lfe_echo', '[]', '{}');
\echo :LAST_ERROR_SQLSTATE
-- An aggregate whose initial state is a number takes a number; one whose initial state is
-- null takes any state.
SELECT chronicle.define_aggregate('lfe_counter', '{"initial": 0, "on": {"*": [{"add": "", "value": 1}]}}');
SELECT chronicle.fold_events('lfe_counter', '[{"type": "A", "data": {}}]', '41');
SELECT chronicle.define_aggregate('lfe_anything', '{"initial": null, "on": {"*": [{"set": "", "event": "type"}]}}');
SELECT chronicle.fold_events('lfe_anything', '[]', '"kept"'), chronicle.fold_events('lfe_anything', '[]', '{"a": 1}');
-- A given state deeper than the fold's limit: CH022, as a snapshot of that depth would be.
SELECT chronicle.fold_events('lfe_cart', '[]', (repeat('{"a": ', 1001) || '1' || repeat('}', 1001))::jsonb);
\echo :LAST_ERROR_SQLSTATE
-- A declarative operation that cannot apply an event: CH022, naming the event's place.
SELECT chronicle.fold_events('lfe_cart', '[{"type": "Added", "data": {"price": 1}}, {"type": "Added", "data": {"price": "x"}}]');
\echo :LAST_ERROR_SQLSTATE
-- A reducer that returns NULL, or fails: CH023, or the reducer's own error, with the
-- event's place in the context.
CREATE FUNCTION public.lfe_null(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE sql AS $$ SELECT CASE WHEN e.event_type = 'Bad' THEN NULL ELSE state END $$;
CREATE FUNCTION public.lfe_boom(state jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom at %', e.stream_version USING ERRCODE = 'P0001'; END $$;
SELECT chronicle.define_aggregate('lfe_null', '{"reducer": "public.lfe_null"}');
SELECT chronicle.define_aggregate('lfe_boom', '{"reducer": "public.lfe_boom"}');
SELECT chronicle.fold_events('lfe_null', '[{"type": "Ok", "data": {}}, {"type": "Bad", "data": {}}]');
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
SELECT chronicle.fold_events('lfe_boom', '[{"type": "Ok", "data": {}}]');
\set SHOW_CONTEXT never
-- A reducer whose function is gone: CH023, as fold says.
DROP FUNCTION public.lfe_null(jsonb, chronicle.event);
SELECT chronicle.fold_events('lfe_null', '[{"type": "Ok", "data": {}}]');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------------------
-- Clean up: events cannot be deleted, so the extension is created afresh for the next file.
------------------------------------------------------------------------------------------
SELECT count(*) AS dropped FROM (SELECT chronicle.drop_aggregate(name) FROM chronicle.aggregates WHERE name LIKE 'lfe\_%') d;
REVOKE USAGE ON SCHEMA chronicle FROM regress_lfe_owner, regress_lfe_caller, regress_lfe_nobody;
DROP FUNCTION public.lfe_echo(jsonb, chronicle.event), public.lfe_boom(jsonb, chronicle.event);
DROP SCHEMA lfe CASCADE;
SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle;
RESET chronicle.allow_drop_with_events;
CREATE EXTENSION chronicle;
DROP ROLE regress_lfe_owner, regress_lfe_caller, regress_lfe_nobody;
SELECT count(*) AS events_left FROM chronicle.events;
