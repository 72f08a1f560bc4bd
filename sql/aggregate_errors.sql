-- Aggregate errors: every mistake define_aggregate can catch, with its SQLSTATE, and that a
-- failed definition writes nothing; fold-time type errors (CH022) naming aggregate, stream,
-- version and operation; unknown aggregates (CH021); bad arguments (CH016, CH010).
\set SHOW_CONTEXT never

-- An aggregate that every failed redefinition below must leave as it is, snapshots included.
SELECT chronicle.define_aggregate('kept', '{"initial": {"n": 0}, "on": {"E": [{"count": "n"}]}}',
                                  category => 'kept', snapshot_every => 1);
SELECT chronicle.append('kept-1', 'E', '{}');
SELECT chronicle.append('kept-1', 'E', '{}');
CREATE FUNCTION pg_temp.catalog() RETURNS text LANGUAGE sql AS $$
    SELECT md5(coalesce(string_agg(a::text, '|' ORDER BY a.name), '')) FROM chronicle.aggregates a $$;
SELECT pg_temp.catalog() AS catalog_before,
       (SELECT count(*) FROM chronicle.snapshots) AS snapshots_before \gset
SELECT :snapshots_before AS snapshots_before;

------------------------------------------------------------------------------------------
-- Arguments: CH016
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate(NULL, '{"on": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('', '{"on": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate(repeat('a', 256), '{"on": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate(repeat('é', 128), '{"on": {}}');  -- 256 bytes
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate(E'tab\there', '{"on": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {}}', category => 'kept-1');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {}}', category => '');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {}}', category => repeat('c', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {}}', snapshot_every => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {}}', snapshot_every => NULL);
\echo :LAST_ERROR_SQLSTATE
-- The limits themselves are fine: 255 bytes, multi-byte characters.
SELECT chronicle.define_aggregate(repeat('é', 127) || 'a', '{"on": {}}');
SELECT chronicle.drop_aggregate(repeat('é', 127) || 'a');

------------------------------------------------------------------------------------------
-- The definition's shape: CH020
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('kept', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '[]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '"on"');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '42');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', 'null');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {}, "initial": {}, "snapshot": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {}, "reducer": "public.f"}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"initial": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": []}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": {"count": "n"}}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"": []}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', jsonb_build_object('on', jsonb_build_object(repeat('T', 256), '[]'::jsonb)));
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------------------
-- Operations: CH020
------------------------------------------------------------------------------------------
-- not an object, empty, unknown, two at once
SELECT chronicle.define_aggregate('kept', '{"on": {"E": ["count"]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n"}, {"increment": "n"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": "a", "add": "b", "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
-- a value missing, or where none is taken, or two of them
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": "a"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"put": "m", "key": {"from": "k"}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"unset": "a", "from": "b"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"remove": "m", "key": {"from": "k"}, "state": "x"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": "a", "value": 1, "from": "b"}]}}');
\echo :LAST_ERROR_SQLSTATE
-- keys an operation does not take
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": "a", "value": 1, "when": true}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": "a", "from": "b", "key": {"from": "k"}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": "a", "value": 1, "default": 2}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "default": 2}]}}');
\echo :LAST_ERROR_SQLSTATE
-- put and remove need a key, written as a source
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"put": "m", "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"remove": "m"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"put": "m", "value": 1, "key": "sku"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"put": "m", "value": 1, "key": {"value": true}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"put": "m", "value": 1, "key": {"from": "k", "event": "type"}}]}}');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------------------
-- Paths: CH020
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": "a..b", "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": ".a", "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": "a", "from": "b."}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": "a", "state": "x..y"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": ["a", true], "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": ["a", 1.5], "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": ["a", ["b"]], "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": 5, "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": "a", "from": {"path": "b"}}]}}');
\echo :LAST_ERROR_SQLSTATE
-- the whole state is no target for add, count, unset
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"add": "", "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": []}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"unset": ""}]}}');
\echo :LAST_ERROR_SQLSTATE
-- dynamic segments: one source, not a literal
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": ["lines", {"value": "x"}], "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": ["lines", {}], "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": ["lines", {"from": "a", "state": "b"}], "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": ["lines", {"from": "a", "default": "b"}], "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": ["lines", {"event": "colour"}], "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------------------
-- Values of the wrong type, known at define time: CH020
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"add": "n", "value": "abc"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"subtract": "n", "value": true}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"add": "n", "value": null}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"add": "n", "event": "type"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"add": "n", "event": "recorded_at"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"min": "n", "value": {"a": 1}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"max": "n", "value": [1]}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"add": "n", "from": "x", "default": "zero"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"max": "n", "from": "x", "default": false}]}}');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------------------
-- What the initial state holds must suit the operation: CH020
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('kept', '{"initial": {"n": "0"}, "on": {"E": [{"add": "n", "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"initial": {"n": true}, "on": {"E": [{"count": "n"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"initial": {"items": {}}, "on": {"E": [{"append": "items", "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"initial": {"m": []}, "on": {"E": [{"put": "m", "key": {"from": "k"}, "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"initial": {"m": 5}, "on": {"E": [{"remove": "m", "key": {"from": "k"}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"initial": {"low": {}}, "on": {"E": [{"min": "low", "from": "v"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"initial": {"a": 5}, "on": {"E": [{"set": "a.b", "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"initial": {"a": {"b": [1, 2]}}, "on": {"E": [{"add": "a.b.x", "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"initial": {"a": {"b": ["x"]}}, "on": {"E": [{"add": "a.b.0", "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"initial": 7, "on": {"E": [{"count": "n"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"initial": {}, "on": {"E": [{"add": "", "value": 1}]}}');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------------------
-- The event's fields: CH020
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": "a", "event": "colour"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": "a", "event": "data"}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": "a", "event": 1}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": "a", "event": "metadata."}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"set": "a", "event": "metadata.x..y"}]}}');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------------------
-- Conditions: CH020
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "if": true}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "if": {"gt": 1}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "if": {"value": 1, "eq": 1}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "if": {"from": "a", "state": "b", "eq": 1}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "if": {"from": "a", "like": "x%"}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "if": {"from": "a", "gt": 1, "lt": 5}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "if": {"from": "a"}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "if": {"from": "a", "exists": "yes"}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "if": {"from": "a", "lt": {"x": 1}}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "if": {"from": "a", "ge": null}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "if": {"from": "a", "le": true}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "if": [{"from": "a", "eq": 1}, 2]}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "if": {"event": "colour", "eq": 1}}]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"on": {"E": [{"count": "n", "if": {"from": "a..b", "eq": 1}}]}}');
\echo :LAST_ERROR_SQLSTATE
-- The position of the mistake is named: the second operation of the second type.
SELECT chronicle.define_aggregate('kept', '{"on": {"A": [{"count": "n"}], "B": [{"count": "n"}, {"count": "n", "if": {"from": "x"}}]}}');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------------------
-- Reducers: CH020
------------------------------------------------------------------------------------------
CREATE FUNCTION public.one_arg(state jsonb) RETURNS jsonb LANGUAGE sql AS 'SELECT state';
CREATE FUNCTION public.jsonb_args(state jsonb, e jsonb) RETURNS jsonb LANGUAGE sql AS 'SELECT state';
CREATE FUNCTION public.returns_text(state jsonb, e chronicle.event) RETURNS text LANGUAGE sql AS 'SELECT state::text';
CREATE FUNCTION public.returns_set(state jsonb, e chronicle.event) RETURNS SETOF jsonb LANGUAGE sql AS 'SELECT state';
CREATE PROCEDURE public.a_procedure(state jsonb, e chronicle.event) LANGUAGE sql AS 'SELECT 1';
SELECT chronicle.define_aggregate('kept', '{"reducer": 42}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"reducer": ""}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"reducer": "public.no_such_reducer"}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"reducer": "public.one_arg"}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"reducer": "public.one_arg(jsonb)"}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"reducer": "public.jsonb_args(jsonb, jsonb)"}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"reducer": "public.returns_text"}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"reducer": "public.returns_set"}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('kept', '{"reducer": "public.a_procedure(jsonb, chronicle.event)"}');
\echo :LAST_ERROR_SQLSTATE
-- A name with an explicit signature that matches no function is a definition error too, and
-- so is a name that does not parse. (Only the SQLSTATE is shown: the wording is free.)
\set VERBOSITY sqlstate
SELECT chronicle.define_aggregate('kept', '{"reducer": "public.no_such_reducer(jsonb, chronicle.event)"}');
SELECT chronicle.define_aggregate('kept', '{"reducer": "public.one_arg(jsonb"}');
\set VERBOSITY default
DROP FUNCTION public.one_arg(jsonb), public.jsonb_args(jsonb, jsonb),
              public.returns_text(jsonb, chronicle.event), public.returns_set(jsonb, chronicle.event);
DROP PROCEDURE public.a_procedure(jsonb, chronicle.event);

------------------------------------------------------------------------------------------
-- Privileges and read-only transactions
------------------------------------------------------------------------------------------
CREATE ROLE regress_chronicle_nobody;
SET ROLE regress_chronicle_nobody;
SELECT chronicle.define_aggregate('kept', '{"on": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.drop_aggregate('kept');
\echo :LAST_ERROR_SQLSTATE
-- Folding is a reader's right (docs/security.md): not PUBLIC's.
SELECT chronicle.fold('kept', 'kept-1');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE regress_chronicle_nobody;
BEGIN READ ONLY;
SELECT chronicle.define_aggregate('kept', '{"on": {}}');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT chronicle.drop_aggregate('kept');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

------------------------------------------------------------------------------------------
-- Nothing was written by any failed definition: the catalog, the snapshots and the
-- aggregate's state are as they were.
------------------------------------------------------------------------------------------
SELECT pg_temp.catalog() = :'catalog_before' AS catalog_unchanged,
       (SELECT count(*) FROM chronicle.snapshots) = :snapshots_before AS snapshots_unchanged;
SELECT name FROM chronicle.aggregates ORDER BY name;
SELECT chronicle.fold('kept', 'kept-1');

------------------------------------------------------------------------------------------
-- Fold-time type errors: CH022, naming aggregate, stream, version, event type, operation
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('typed', '{
  "on": {"A": [{"add": "total", "from": "amount"}],
         "S": [{"set": "total", "from": "amount"}],
         "O": [{"set": "items", "value": {}}],
         "I": [{"count": "seen"}, {"append": "items", "from": "sku"}],
         "M": [{"min": "low", "from": "v"}],
         "X": [{"set": "arr", "value": [1]}, {"set": "arr.5", "value": 1}],
         "K": [{"put": "m", "key": {"from": "k"}, "value": 1}],
         "P": [{"set": ["by", {"from": "k"}], "value": 1}],
         "G": [{"set": "total.deeper", "value": 1}]}}');
-- add: the event's value is a string
SELECT chronicle.append('typed-1', 'A', '{"amount": 1}');
SELECT chronicle.append('typed-1', 'A', '{"amount": "12"}');
SELECT chronicle.fold('typed', 'typed-1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM chronicle.history('typed', 'typed-1');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold('typed', 'typed-1', as_of => 'infinity');
\echo :LAST_ERROR_SQLSTATE
-- Up to the version before the bad event, the fold works.
SELECT chronicle.fold('typed', 'typed-1', at_version => 1);
-- add: the state holds a string
SELECT chronicle.append('typed-2', 'S', '{"amount": "str"}');
SELECT chronicle.append('typed-2', 'A', '{"amount": 1}');
SELECT chronicle.fold('typed', 'typed-2');
\echo :LAST_ERROR_SQLSTATE
-- append to an object
SELECT chronicle.append('typed-3', 'O', '{}');
SELECT chronicle.append('typed-3', 'I', '{"sku": "a"}');
SELECT chronicle.fold('typed', 'typed-3');
\echo :LAST_ERROR_SQLSTATE
-- min comparing a number with a string
SELECT chronicle.append('typed-4', 'M', '{"v": 1}');
SELECT chronicle.append('typed-4', 'M', '{"v": "a"}');
SELECT chronicle.fold('typed', 'typed-4');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('typed-4', 'M', '{"v": [1]}');
SELECT chronicle.fold('typed', 'typed-4', at_version => 1);
-- an index outside the array
SELECT chronicle.append('typed-5', 'X', '{}');
SELECT chronicle.fold('typed', 'typed-5');
\echo :LAST_ERROR_SQLSTATE
-- a key that is neither a string nor a number
SELECT chronicle.append('typed-6', 'K', '{"k": [1]}');
SELECT chronicle.fold('typed', 'typed-6');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.append('typed-7', 'P', '{"k": {"x": 1}}');
SELECT chronicle.fold('typed', 'typed-7');
\echo :LAST_ERROR_SQLSTATE
-- a path through a number
SELECT chronicle.append('typed-8', 'S', '{"amount": 5}');
SELECT chronicle.append('typed-8', 'G', '{}');
SELECT chronicle.fold('typed', 'typed-8');
\echo :LAST_ERROR_SQLSTATE

-- A fold error at append time, when a snapshot is due: the append succeeds, warns once
-- (with the fold's error as detail), and no snapshot is written.
SELECT chronicle.define_aggregate('typed_snap', '{"on": {"A": [{"add": "total", "from": "amount"}]}}',
                                  category => 'typedsnap', snapshot_every => 2);
SELECT revision AS typed_snap_rev FROM chronicle.aggregates WHERE name = 'typed_snap' \gset
SELECT chronicle.append('typedsnap-1', 'A', '{"amount": 1}');
SELECT chronicle.append('typedsnap-1', 'A', '{"amount": "x"}');
SELECT chronicle.append('typedsnap-1', 'A', '{"amount": 3}');
SELECT chronicle.append_batch('typedsnap-1', '[{"type": "A", "data": {"amount": 4}}, {"type": "A", "data": {"amount": 5}}]');
SELECT chronicle.stream_version('typedsnap-1');
SELECT count(*) AS snapshots FROM chronicle.snapshots WHERE revision = :typed_snap_rev;
-- A healthy stream of the same category gets its snapshot as usual.
SELECT chronicle.append_batch('typedsnap-2', '[{"type": "A", "data": {"amount": 1}}, {"type": "A", "data": {"amount": 2}}]');
SELECT stream, stream_version, state FROM chronicle.snapshots WHERE revision = :typed_snap_rev;

------------------------------------------------------------------------------------------
-- Unknown aggregates: CH021
------------------------------------------------------------------------------------------
SELECT chronicle.fold('no_such_aggregate', 'typed-1');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold('no_such_aggregate', 'nowhere-1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM chronicle.history('no_such_aggregate', 'typed-1');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.drop_aggregate('no_such_aggregate');
\echo :LAST_ERROR_SQLSTATE
-- names are case-sensitive
SELECT chronicle.fold('KEPT', 'kept-1');
\echo :LAST_ERROR_SQLSTATE

------------------------------------------------------------------------------------------
-- Bad arguments: CH016 (aggregate name, at_version), CH010 (stream name)
------------------------------------------------------------------------------------------
SELECT chronicle.fold('kept', 'kept-1', at_version => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold('kept', 'nowhere-1', at_version => -5);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold(NULL, 'kept-1');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold('', 'kept-1');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold('kept', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold('kept', '');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.fold('kept', repeat('s', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM chronicle.history(NULL, 'kept-1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM chronicle.history('kept', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM chronicle.history('kept', '');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.drop_aggregate(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.drop_aggregate('');
\echo :LAST_ERROR_SQLSTATE
-- NULL as_of and at_version are the defaults: no bound.
SELECT chronicle.fold('kept', 'kept-1', as_of => NULL, at_version => NULL);
-- A stream name of exactly 255 bytes is fine (and absent: NULL).
SELECT chronicle.fold('kept', repeat('s', 255)) IS NULL AS absent;

------------------------------------------------------------------------------------------
-- Clean up: events cannot be deleted, so the extension is created afresh for the next file.
------------------------------------------------------------------------------------------
SELECT count(*) AS dropped FROM (SELECT chronicle.drop_aggregate(name) FROM chronicle.aggregates) d;
SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle;
RESET chronicle.allow_drop_with_events;
CREATE EXTENSION chronicle;
SELECT count(*) AS events_left FROM chronicle.events;
