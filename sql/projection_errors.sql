-- Projection errors: every mistake create_projection, create_handler_projection and the
-- management functions catch, with its SQLSTATE, and that a failed call writes nothing (no
-- row in chronicle.projections, no table); read-only transactions; privileges; an inline
-- projection whose fold fails makes the append fail and write nothing.
\set SHOW_CONTEXT never

SELECT chronicle.define_aggregate('perr', '{"initial": {"n": 0}, "on": {"E": [{"count": "n"}]}}',
                                  category => 'perr');
SELECT chronicle.define_aggregate('perr_nocat', '{"initial": {"n": 0}, "on": {"E": [{"count": "n"}]}}');
SELECT chronicle.append('perr-1', 'E', '{}');
CREATE FUNCTION public.perr_handler(e chronicle.event) RETURNS void LANGUAGE sql AS 'SELECT';

-- What a failed call must leave as it is: the projections (what they are, not how far the
-- worker has got) and the set of tables.
CREATE FUNCTION pg_temp.written() RETURNS text LANGUAGE sql AS $$
    SELECT md5(coalesce((SELECT string_agg(row(p.name, p.kind, p.mode, p.aggregate, p.category, p.table_name,
                                               p.columns, p.handler, p.event_types, p.owner, p.state,
                                               p.rebuild_table, p.created_at)::text, '|' ORDER BY p.name)
                           FROM chronicle.projections p), '')
               || '/' ||
               coalesce((SELECT string_agg(c.oid::regclass::text, ',' ORDER BY c.oid)
                           FROM pg_class c
                          WHERE c.relkind IN ('r', 'p')
                            AND c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace,
                                                       'pg_toast'::regnamespace)), '')) $$;
SELECT pg_temp.written() AS before \gset
SELECT count(*) AS projections FROM chronicle.projections;

------------------------------------------------------------------------------------------
-- Names: 1 to 63 bytes (CH030)
------------------------------------------------------------------------------------------
SELECT chronicle.create_projection(NULL, 'perr');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('', 'perr');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection(repeat('p', 64), 'perr');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection(repeat('é', 32), 'perr');  -- 64 bytes
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection(NULL, 'public.perr_handler(chronicle.event)');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('', 'public.perr_handler(chronicle.event)');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection(repeat('h', 64), 'public.perr_handler(chronicle.event)');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.written() = :'before' AS nothing_written;
-- 63 bytes is fine, in ASCII and in multi-byte characters (the table gets the same name).
SELECT chronicle.create_projection(repeat('p', 63), 'perr') = format('%I', repeat('p', 63))::regclass AS table_named_so;
SELECT chronicle.create_projection(repeat('é', 31) || 'e', 'perr') = format('%I', repeat('é', 31) || 'e')::regclass AS table_named_so;
SELECT chronicle.create_handler_projection(repeat('h', 63), 'public.perr_handler(chronicle.event)');
SELECT octet_length(name), kind FROM chronicle.projections ORDER BY name;
SELECT chronicle.drop_projection(repeat('p', 63));
SELECT chronicle.drop_projection(repeat('é', 31) || 'e');
SELECT chronicle.drop_projection(repeat('h', 63));
SELECT pg_temp.written() = :'before' AS nothing_written;

------------------------------------------------------------------------------------------
-- Aggregate, category and mode
------------------------------------------------------------------------------------------
-- Unknown aggregate: CH021.
SELECT chronicle.create_projection('perr_p', 'no_such_aggregate');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', NULL);
\echo :LAST_ERROR_SQLSTATE
-- An aggregate without a category and no category given: CH030.
SELECT chronicle.create_projection('perr_p', 'perr_nocat');
\echo :LAST_ERROR_SQLSTATE
-- A category is the part of a stream name before its first "-": never empty, no "-" in it.
SELECT chronicle.create_projection('perr_p', 'perr', category => '');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', category => 'perr-1');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr_nocat', category => '-');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('perr_h', 'public.perr_handler(chronicle.event)', category => '');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('perr_h', 'public.perr_handler(chronicle.event)', category => 'perr-1');
\echo :LAST_ERROR_SQLSTATE
-- mode: 'async' or 'inline', exactly.
SELECT chronicle.create_projection('perr_p', 'perr', mode => 'sync');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', mode => 'INLINE');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', mode => '');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', mode => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.written() = :'before' AS nothing_written;

------------------------------------------------------------------------------------------
-- Column specs: CH030
------------------------------------------------------------------------------------------
-- not an object
SELECT chronicle.create_projection('perr_p', 'perr', columns => '[]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '["status"]');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '"status"');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '7');
\echo :LAST_ERROR_SQLSTATE
-- the projection's own columns
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"stream": "text"}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"version": "integer"}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"ok": "text", "state": "jsonb"}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"updated_at": "timestamptz"}');
\echo :LAST_ERROR_SQLSTATE
-- column names: 1 to 63 bytes
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"": "text"}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => jsonb_build_object(repeat('c', 64), 'text'));
\echo :LAST_ERROR_SQLSTATE
-- the spec: a type name or {"type", "path"}
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": 5}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": null}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": ["integer"]}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": {"path": "n"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": {"type": 5}}');
\echo :LAST_ERROR_SQLSTATE
-- unknown types, also text that is not a type name at all
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": "no_such_type"}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": {"type": "integr"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": ""}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": "text); DROP TABLE public.perr_victim; --"}');
\echo :LAST_ERROR_SQLSTATE
-- unknown keys
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": {"type": "integer", "pth": "n"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": {"type": "integer", "default": 0}}');
\echo :LAST_ERROR_SQLSTATE
-- paths: a non-empty string or a non-empty array of non-empty strings
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": {"type": "integer", "path": ""}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": {"type": "integer", "path": []}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": {"type": "integer", "path": ["a", ""]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": {"type": "integer", "path": ["a", 1]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": {"type": "integer", "path": ["a", ["b"]]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": {"type": "integer", "path": 5}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": {"type": "integer", "path": true}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": {"type": "integer", "path": {"a": 1}}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"n": {"type": "integer", "path": null}}');
\echo :LAST_ERROR_SQLSTATE
-- a later mistake after good columns still writes nothing
SELECT chronicle.create_projection('perr_p', 'perr', columns => '{"a": "text", "b": "integer", "z": "no_such_type"}');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.written() = :'before' AS nothing_written;

------------------------------------------------------------------------------------------
-- Table names
------------------------------------------------------------------------------------------
-- A table that exists already: 42P07, and the table is left as it was.
CREATE TABLE public.perr_exists (id int);
INSERT INTO public.perr_exists VALUES (1);
SELECT pg_temp.written() AS before \gset
SELECT chronicle.create_projection('perr_exists', 'perr');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', table_name => 'perr_exists');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', table_name => 'public.perr_exists');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM public.perr_exists;
-- A name that does not parse as a table name: CH030. An unknown schema: 3F000.
SELECT chronicle.create_projection('perr_p', 'perr', table_name => 'two words');
\echo :LAST_ERROR_SQLSTATE
-- (SQL around a name is no name: the table it would have dropped is still there below.)
\set VERBOSITY sqlstate
SELECT chronicle.create_projection('perr_p', 'perr', table_name => 'x (a int); DROP TABLE public.perr_exists; --');
\set VERBOSITY default
SELECT chronicle.create_projection('perr_p', 'perr', table_name => 'a.b.c.d');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', table_name => '');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_p', 'perr', table_name => 'no_such_schema.perr_p');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM public.perr_exists;
SELECT pg_temp.written() = :'before' AS nothing_written;

------------------------------------------------------------------------------------------
-- Duplicates: CH032, whatever the kind
------------------------------------------------------------------------------------------
SELECT chronicle.create_projection('perr_dup', 'perr');
SELECT chronicle.create_handler_projection('perr_dup_h', 'public.perr_handler(chronicle.event)');
SELECT pg_temp.written() AS before \gset
SELECT chronicle.create_projection('perr_dup', 'perr', table_name => 'perr_dup_other');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_projection('perr_dup_h', 'perr', table_name => 'perr_dup_other');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('perr_dup', 'public.perr_handler(chronicle.event)');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('perr_dup_h', 'public.perr_handler(chronicle.event)');
\echo :LAST_ERROR_SQLSTATE
-- The same table name under another projection name: the table exists (42P07).
SELECT chronicle.create_projection('perr_dup2', 'perr', table_name => 'perr_dup');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.written() = :'before' AS nothing_written;
SELECT name, kind, mode, category, table_name, handler FROM chronicle.projections ORDER BY name;
SELECT chronicle.drop_projection('perr_dup');
SELECT chronicle.drop_projection('perr_dup_h');
SELECT to_regclass('public.perr_dup') IS NULL AS table_dropped;
SELECT pg_temp.written() AS before \gset

------------------------------------------------------------------------------------------
-- Unknown projections: CH031
------------------------------------------------------------------------------------------
SELECT chronicle.drop_projection('perr_none');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.drop_projection('perr_none', drop_table => false);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.pause_projection('perr_none');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.resume_projection('perr_none');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.rebuild_projection('perr_none');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.wait_for_projection('perr_none');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.wait_for_projection('perr_none', '0');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.drop_projection(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.pause_projection(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.resume_projection(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.rebuild_projection(NULL);
\echo :LAST_ERROR_SQLSTATE
-- Names are exact: no case folding, no trimming.
SELECT chronicle.create_projection('perr_case', 'perr');
SELECT chronicle.pause_projection('PERR_CASE');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.drop_projection(' perr_case');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.drop_projection('perr_case');
-- wait_for_projection needs a name: 22004.
SELECT chronicle.wait_for_projection(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.wait_for_projection(NULL, '1 second');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.written() = :'before' AS nothing_written;

------------------------------------------------------------------------------------------
-- Handlers: CH030 for a wrong signature, a NULL handler and bad event_types
------------------------------------------------------------------------------------------
CREATE FUNCTION public.perr_no_args() RETURNS void LANGUAGE sql AS 'SELECT';
CREATE FUNCTION public.perr_jsonb(e jsonb) RETURNS void LANGUAGE sql AS 'SELECT';
CREATE FUNCTION public.perr_two(e chronicle.event, n integer) RETURNS void LANGUAGE sql AS 'SELECT';
CREATE FUNCTION public.perr_set(e chronicle.event) RETURNS SETOF integer LANGUAGE sql AS 'SELECT 1';
CREATE PROCEDURE public.perr_proc(e chronicle.event) LANGUAGE sql AS 'SELECT';
CREATE AGGREGATE public.perr_agg(chronicle.event) (sfunc = array_append, stype = chronicle.event[]);
SELECT chronicle.create_handler_projection('perr_h', 'public.perr_no_args()');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('perr_h', 'public.perr_jsonb(jsonb)');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('perr_h', 'public.perr_two(chronicle.event, integer)');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('perr_h', 'public.perr_set(chronicle.event)');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('perr_h', 'public.perr_proc(chronicle.event)');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('perr_h', 'public.perr_agg(chronicle.event)');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('perr_h', NULL);
\echo :LAST_ERROR_SQLSTATE
-- A function that does not exist is refused by the regprocedure type itself: 42883.
SELECT chronicle.create_handler_projection('perr_h', 'public.perr_nowhere(chronicle.event)');
\echo :LAST_ERROR_SQLSTATE
-- event_types: NULL (every type) or a list of non-empty names.
SELECT chronicle.create_handler_projection('perr_h', 'public.perr_handler(chronicle.event)', event_types => '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('perr_h', 'public.perr_handler(chronicle.event)', event_types => '{NULL}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('perr_h', 'public.perr_handler(chronicle.event)', event_types => '{E,NULL}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('perr_h', 'public.perr_handler(chronicle.event)', event_types => '{""}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('perr_h', 'public.perr_handler(chronicle.event)', event_types => '{E,""}');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.written() = :'before' AS nothing_written;
DROP FUNCTION public.perr_no_args(), public.perr_jsonb(jsonb), public.perr_two(chronicle.event, integer),
              public.perr_set(chronicle.event);
DROP PROCEDURE public.perr_proc(chronicle.event);
DROP AGGREGATE public.perr_agg(chronicle.event);

------------------------------------------------------------------------------------------
-- Read-only transactions: 25006, for every function that writes
------------------------------------------------------------------------------------------
SELECT chronicle.create_projection('perr_ro', 'perr', mode => 'inline');
SELECT chronicle.create_handler_projection('perr_ro_h', 'public.perr_handler(chronicle.event)', category => 'perr');
SELECT pg_temp.written() AS before \gset
BEGIN;
SET TRANSACTION READ ONLY;
SELECT chronicle.create_projection('perr_p', 'perr');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
SET TRANSACTION READ ONLY;
SELECT chronicle.create_projection('perr_p', 'perr', mode => 'inline');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT chronicle.create_handler_projection('perr_p', 'public.perr_handler(chronicle.event)');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT chronicle.drop_projection('perr_ro');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT chronicle.pause_projection('perr_ro_h');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT chronicle.resume_projection('perr_ro');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT chronicle.rebuild_projection('perr_ro');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- Reading works: the status view and waiting (an inline projection is always current).
BEGIN READ ONLY;
SELECT name, kind, mode, state FROM chronicle.projection_status WHERE name LIKE 'perr%' ORDER BY name;
SELECT chronicle.wait_for_projection('perr_ro');
ROLLBACK;
SELECT pg_temp.written() = :'before' AS nothing_written;
SELECT stream, version, state FROM public.perr_ro;

------------------------------------------------------------------------------------------
-- Privileges: the management functions are revoked from PUBLIC (42501)
------------------------------------------------------------------------------------------
CREATE ROLE regress_projection_manager;
SET ROLE regress_projection_manager;
SELECT chronicle.create_projection('perr_priv', 'perr');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_handler_projection('perr_priv', 'public.perr_handler(chronicle.event)');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.drop_projection('perr_ro');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.pause_projection('perr_ro');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.resume_projection('perr_ro');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.rebuild_projection('perr_ro');
\echo :LAST_ERROR_SQLSTATE
-- Watching is a reader's right (docs/security.md), not PUBLIC's; the catalog's definitions
-- are readable by everyone.
SELECT name, state FROM chronicle.projection_status WHERE name LIKE 'perr%' ORDER BY name;
\echo :LAST_ERROR_SQLSTATE
SELECT name, kind FROM chronicle.projections WHERE name LIKE 'perr%' ORDER BY name;
SELECT chronicle.wait_for_projection('perr_ro');
\echo :LAST_ERROR_SQLSTATE
-- But nobody writes the catalog by hand.
INSERT INTO chronicle.projections (name, kind, owner) VALUES ('perr_priv', 'handler', current_user::regrole);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT pg_temp.written() = :'before' AS nothing_written;
-- EXECUTE is all a manager needs besides CREATE where its table goes: the table is created
-- with the caller's own rights, the catalog is written by chronicle.
GRANT EXECUTE ON FUNCTION chronicle.create_projection(text, text, text, text, jsonb, text),
                          chronicle.drop_projection(text, boolean) TO regress_projection_manager;
SET ROLE regress_projection_manager;
SELECT chronicle.create_projection('perr_priv', 'perr', table_name => 'public.perr_priv');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT pg_temp.written() = :'before' AS nothing_written;
CREATE SCHEMA perr_schema AUTHORIZATION regress_projection_manager;
SET ROLE regress_projection_manager;
SELECT chronicle.create_projection('perr_priv', 'perr', table_name => 'perr_schema.perr_priv');
-- The role owns the projection and its table.
SELECT name, owner, table_name FROM chronicle.projections WHERE name = 'perr_priv';
SELECT pg_get_userbyid(relowner) AS table_owner FROM pg_class WHERE oid = 'perr_schema.perr_priv'::regclass;
-- Granted drop_projection, but not pause_projection.
SELECT chronicle.pause_projection('perr_priv');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.drop_projection('perr_priv');
SELECT to_regclass('perr_schema.perr_priv') IS NULL AS table_dropped;
-- An inline projection fills its table at once, as its owner, with no further grant.
SELECT chronicle.create_projection('perr_priv', 'perr', table_name => 'perr_schema.perr_priv', mode => 'inline');
SELECT stream, version, state FROM perr_schema.perr_priv;
-- ... and appends keep it current.
RESET ROLE;
SELECT chronicle.append('perr-1', 'E', '{}');
SELECT stream, version, state FROM perr_schema.perr_priv;
SET ROLE regress_projection_manager;
SELECT chronicle.drop_projection('perr_priv');
RESET ROLE;
DROP SCHEMA perr_schema;
REVOKE ALL ON FUNCTION chronicle.create_projection(text, text, text, text, jsonb, text),
                       chronicle.drop_projection(text, boolean) FROM regress_projection_manager;
DROP ROLE regress_projection_manager;
SELECT pg_temp.written() = :'before' AS nothing_written;

------------------------------------------------------------------------------------------
-- An inline projection whose fold fails makes the append fail (CH022) and write nothing
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('perr_fold', '{"initial": {"total": 0}, "on": {"A": [{"add": "total", "from": "amount"}]}}',
                                  category => 'perrfold', snapshot_every => 0);
SELECT chronicle.create_projection('perr_fold', 'perr_fold', mode => 'inline', columns => '{"total": "numeric"}');
SELECT chronicle.append('perrfold-1', 'A', '{"amount": 5}');
SELECT max(global_position) AS head FROM chronicle.events \gset
-- A new stream: nothing is appended, no row.
SELECT chronicle.append('perrfold-2', 'A', '{"amount": "five"}');
\echo :LAST_ERROR_SQLSTATE
-- An existing stream: its version and its row stay as they were.
SELECT chronicle.append('perrfold-1', 'A', '{"amount": "five"}');
\echo :LAST_ERROR_SQLSTATE
-- A batch with one bad event: none of it is appended.
SELECT chronicle.append_batch('perrfold-1', '[{"type": "A", "data": {"amount": 1}}, {"type": "A", "data": {"amount": [1]}}]');
\echo :LAST_ERROR_SQLSTATE
SELECT coalesce(max(global_position), 0) = :head AS no_event_written FROM chronicle.events;
SELECT chronicle.stream_version('perrfold-1') AS v1, chronicle.stream_version('perrfold-2') AS v2;
SELECT stream, version, state, total FROM public.perr_fold ORDER BY stream;
-- A value that the typed column cannot hold fails the append the same way (22P02 of the cast).
SELECT chronicle.drop_projection('perr_fold');
SELECT chronicle.define_aggregate('perr_fold', '{"initial": {"total": 0}, "on": {"A": [{"set": "total", "from": "amount"}]}}',
                                  category => 'perrfold', snapshot_every => 0);
SELECT chronicle.create_projection('perr_fold', 'perr_fold', mode => 'inline', columns => '{"total": "numeric"}');
SELECT chronicle.append('perrfold-1', 'A', '{"amount": "five"}');
\echo :LAST_ERROR_SQLSTATE
SELECT coalesce(max(global_position), 0) = :head AS no_event_written FROM chronicle.events;
SELECT stream, version, state, total FROM public.perr_fold ORDER BY stream;
-- A stream whose fold fails makes the creation of an inline projection fail: no row, no table.
SELECT chronicle.drop_projection('perr_fold');
SELECT chronicle.append('perrfold-3', 'A', '{"amount": "five"}');
SELECT pg_temp.written() AS before \gset
SELECT chronicle.create_projection('perr_fold', 'perr_fold', mode => 'inline', columns => '{"total": "numeric"}');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.written() = :'before' AS nothing_written;
-- A reducer's own error keeps its SQLSTATE, and also writes nothing.
CREATE FUNCTION public.perr_reducer(state jsonb, e chronicle.event) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    IF e.data ? 'poison' THEN
        RAISE EXCEPTION 'poisoned event' USING ERRCODE = 'P0042';
    END IF;
    RETURN jsonb_build_object('n', coalesce((state->>'n')::int, 0) + 1);
END $$;
SELECT chronicle.define_aggregate('perr_reduced', '{"reducer": "public.perr_reducer"}',
                                  category => 'perrreduced', snapshot_every => 0);
SELECT chronicle.create_projection('perr_reduced', 'perr_reduced', mode => 'inline');
SELECT chronicle.append('perrreduced-1', 'E', '{}');
SELECT max(global_position) AS head FROM chronicle.events \gset
SELECT chronicle.append('perrreduced-1', 'E', '{"poison": true}');
\echo :LAST_ERROR_SQLSTATE
SELECT coalesce(max(global_position), 0) = :head AS no_event_written FROM chronicle.events;
SELECT stream, version, state FROM public.perr_reduced;

------------------------------------------------------------------------------------------
-- What a projection depends on stays while it exists; no temporary tables; empty path keys
------------------------------------------------------------------------------------------
SELECT pg_temp.written() AS before \gset
-- Its table cannot be dropped from under it (an inline one would fail every append).
DROP TABLE public.perr_reduced;
\echo :LAST_ERROR_SQLSTATE
-- Nor its aggregate.
SELECT chronicle.drop_aggregate('perr_reduced');
\echo :LAST_ERROR_SQLSTATE
SELECT to_regclass('public.perr_reduced') IS NOT NULL AS table_kept,
       EXISTS (SELECT 1 FROM chronicle.aggregates WHERE name = 'perr_reduced') AS aggregate_kept;
-- A temporary table, named or through search_path, would vanish with this session.
SELECT chronicle.create_projection('perr_tmp', 'perr', table_name => 'pg_temp.perr_tmp');
\echo :LAST_ERROR_SQLSTATE
-- With pg_temp first in the path, an unqualified name would be a temporary table, which the
-- caller's security-restricted CREATE refuses (42501).
SET search_path = pg_temp, public;
SELECT chronicle.create_projection('perr_tmp', 'perr', table_name => 'perr_tmp');
\echo :LAST_ERROR_SQLSTATE
RESET search_path;
-- "a..b" has an empty key, as ["a", "", "b"] has.
SELECT chronicle.create_projection('perr_tmp', 'perr', columns => '{"n": {"type": "text", "path": "a..b"}}');
\echo :LAST_ERROR_SQLSTATE
-- A handler returns void.
CREATE FUNCTION public.perr_returns_int(e chronicle.event) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
SELECT chronicle.create_handler_projection('perr_tmp', 'public.perr_returns_int(chronicle.event)');
\echo :LAST_ERROR_SQLSTATE
DROP FUNCTION public.perr_returns_int(chronicle.event);
SELECT to_regclass('pg_temp.perr_tmp') IS NULL AS no_temp_table;
SELECT pg_temp.written() = :'before' AS nothing_written;

------------------------------------------------------------------------------------------
-- Cleanup
------------------------------------------------------------------------------------------
SELECT chronicle.drop_projection('perr_ro');
SELECT chronicle.drop_projection('perr_ro_h');
SELECT chronicle.drop_projection('perr_reduced');
SELECT count(*) AS projections_left FROM chronicle.projections WHERE name LIKE 'perr%';
DROP TABLE public.perr_exists;
DROP FUNCTION public.perr_handler(chronicle.event);
SELECT chronicle.drop_aggregate(name) FROM chronicle.aggregates WHERE name LIKE 'perr%' ORDER BY name;
DROP FUNCTION public.perr_reducer(jsonb, chronicle.event);
