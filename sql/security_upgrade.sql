-- Upgrading 0.3 -> 0.4: aggregates get an owner (the extension's), projections keep theirs;
-- column types are stored schema-qualified so that the statements run with a pinned
-- search_path still find a user's domain; a rebuild in progress keeps its rows and moves to
-- chronicle's schema; PUBLIC loses every right to read, write and manage; and every
-- projection goes on. In a database of its own, dropped at the end.
\set SHOW_CONTEXT never
SELECT current_database() AS test_database \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS regression_chronicle_sec_upgrade;
RESET client_min_messages;
CREATE DATABASE regression_chronicle_sec_upgrade TEMPLATE template0;
\c regression_chronicle_sec_upgrade
\set SHOW_CONTEXT never

CREATE EXTENSION chronicle VERSION '0.3';
CREATE DOMAIN public.sup_amount AS numeric CHECK (VALUE >= 0);
SELECT chronicle.define_aggregate('sup_order', '{"initial": {"total": 0, "n": 0},
  "on": {"*": [{"add": "total", "from": "price"}, {"count": "n"}]}}', category => 'sup', snapshot_every => 2);
SELECT chronicle.append('sup-1', 'ItemAdded', '{"price": 3}');
SELECT chronicle.append('sup-1', 'ItemAdded', '{"price": 4}');
SELECT chronicle.append('sup-2', 'ItemAdded', '{"price": 5}');
SELECT chronicle.create_projection('sup_async', 'sup_order',
                                   columns => '{"total": "sup_amount", "n": "int"}');
SELECT chronicle.create_projection('sup_inline', 'sup_order', mode => 'inline',
                                   columns => '{"total": "public.sup_amount"}');
SELECT chronicle.create_projection('sup_rebuilding', 'sup_order', columns => '{"n": "bigint"}');
CREATE TABLE public.sup_seen (position bigint PRIMARY KEY);
CREATE FUNCTION public.sup_handler(e chronicle.event) RETURNS void LANGUAGE sql
    AS $$ INSERT INTO public.sup_seen VALUES (e.global_position) $$;
SELECT chronicle.create_handler_projection('sup_handler', 'public.sup_handler(chronicle.event)', category => 'sup');
SELECT chronicle.wait_for_projection('sup_async', '30 seconds'),
       chronicle.wait_for_projection('sup_rebuilding', '30 seconds'),
       chronicle.wait_for_projection('sup_handler', '30 seconds');
-- A rebuild that has not finished when the upgrade comes (paused, so the worker leaves it).
SELECT chronicle.pause_projection('sup_rebuilding');
SELECT chronicle.rebuild_projection('sup_rebuilding');
SELECT c.relname AS rebuild_table_03 FROM chronicle.projections p JOIN pg_class c ON c.oid = p.rebuild_table
 WHERE p.name = 'sup_rebuilding';
SELECT has_function_privilege('public', 'chronicle.append(text, text, jsonb, jsonb, bigint, uuid)', 'EXECUTE') AS public_appends_03;

ALTER EXTENSION chronicle UPDATE TO '0.4';
SELECT extversion FROM pg_extension WHERE extname = 'chronicle';

-- Owners: the extension's for aggregates, the creator's for projections.
SELECT name, owner = (SELECT extowner FROM pg_extension WHERE extname = 'chronicle')::regrole AS extension_owner
  FROM chronicle.aggregates;
SELECT name, owner FROM chronicle.projections ORDER BY name;
-- Column types as the tables have them, qualified outside pg_catalog.
SELECT name, columns FROM chronicle.projections WHERE kind = 'aggregate' ORDER BY name;
-- The rebuild table moved into chronicle's schema, rows and all.
SELECT n.nspname, c.relname ~ '^rebuild_[0-9]+$' AS chronicle_named
  FROM chronicle.projections p JOIN pg_class c ON c.oid = p.rebuild_table
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.name = 'sup_rebuilding';
SELECT to_regclass('public.sup_rebuilding_chronicle_rebuild') IS NULL AS old_name_gone;
-- PUBLIC's rights are gone.
SELECT has_function_privilege('public', 'chronicle.append(text, text, jsonb, jsonb, bigint, uuid)', 'EXECUTE') AS public_appends,
       has_function_privilege('public', 'chronicle.read_all(bigint, integer, text, text[])', 'EXECUTE') AS public_reads,
       has_table_privilege('public', 'chronicle.events', 'SELECT') AS public_selects_events,
       has_column_privilege('public', 'chronicle.projections', 'last_error', 'SELECT') AS public_sees_errors,
       has_column_privilege('public', 'chronicle.projections', 'state', 'SELECT') AS public_sees_state;

-- Everything goes on: appends through the inline projection (a domain, now qualified),
-- the async ones, the handler, and the rebuild once resumed.
SELECT chronicle.append('sup-2', 'ItemAdded', '{"price": 6}');
SELECT chronicle.append('sup-3', 'ItemAdded', '{"price": 7}');
SELECT stream, version, total FROM public.sup_inline ORDER BY stream;
SELECT chronicle.resume_projection('sup_rebuilding');
SELECT chronicle.wait_for_projection('sup_async', '30 seconds'),
       chronicle.wait_for_projection('sup_handler', '30 seconds');
DO $$
BEGIN
    FOR i IN 1..300 LOOP
        EXIT WHEN (SELECT rebuild_table IS NULL FROM chronicle.projections WHERE name = 'sup_rebuilding');
        PERFORM pg_sleep(0.1);
    END LOOP;
END $$;
SELECT chronicle.wait_for_projection('sup_rebuilding', '30 seconds');
SELECT s.name, s.state, p.rebuild_table FROM chronicle.projection_status s JOIN chronicle.projections p USING (name) ORDER BY 1;
SELECT stream, version, total, n FROM public.sup_async ORDER BY stream;
SELECT stream, version, n FROM public.sup_rebuilding ORDER BY stream;
SELECT count(*) AS handled, (SELECT count(*) FROM chronicle.events WHERE category = 'sup') AS events FROM public.sup_seen;
SELECT count(*) AS rebuild_tables_left FROM pg_class
 WHERE relnamespace = 'chronicle'::regnamespace AND relname ~ '^rebuild_[0-9]+$';

\c :test_database
DROP DATABASE regression_chronicle_sec_upgrade;
