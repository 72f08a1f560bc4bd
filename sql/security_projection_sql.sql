-- The statements that read and write an aggregate projection's table are built in C++
-- (src/core/projection_sql.cpp) from the column spec create_projection recorded, as the
-- projection's owner with search_path pinned. Attacked here by an unprivileged manager who
-- controls a schema: hostile column names and paths (quotes, dots, backslashes, unicode,
-- reserved words, SQL), column types of its own (one named like pg_catalog's text), and
-- its own =, #>, #>>, now() and unnest() first in its search_path while it creates,
-- appends (inline statements), lets the worker apply batches and rebuilds (the swap). The
-- rows must still be exactly chronicle.fold's, taken through pg_catalog's operators only.
\set SHOW_CONTEXT never
SET client_min_messages = warning;

CREATE ROLE psa_user;
GRANT EXECUTE ON FUNCTION chronicle.append(text, text, jsonb, jsonb, bigint, uuid),
                          chronicle.fold(text, text, timestamptz, bigint),
                          chronicle.wait_for_projection(text, interval),
                          chronicle.define_aggregate(text, jsonb, text, integer),
                          chronicle.drop_aggregate(text),
                          chronicle.create_projection(text, text, text, text, jsonb, text),
                          chronicle.drop_projection(text, boolean),
                          chronicle.rebuild_projection(text)
    TO psa_user;
CREATE SCHEMA psa AUTHORIZATION psa_user;

SET ROLE psa_user;
-- Types of its own: an enum, a domain with a check, and a domain called text.
CREATE TYPE psa.mood AS ENUM ('calm', 'angry');
CREATE DOMAIN psa.amount AS numeric CHECK (VALUE >= 0);
CREATE DOMAIN psa.text AS pg_catalog.text CHECK (VALUE OPERATOR(pg_catalog.<>) 'forbidden');
-- Operators and functions that shadow pg_catalog's for whoever puts psa first: = on text
-- (the key's type) always true, #> and #>> on jsonb answering 'hacked', now() in 2000,
-- unnest of a text[] giving one row 'hacked'.
CREATE FUNCTION psa.eq(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR psa.= (LEFTARG = text, RIGHTARG = text, FUNCTION = psa.eq);
CREATE FUNCTION psa.path_text(j jsonb, p text[]) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$SELECT 'hacked'::pg_catalog.text$$;
CREATE OPERATOR psa.#>> (LEFTARG = jsonb, RIGHTARG = text[], FUNCTION = psa.path_text);
CREATE FUNCTION psa.path_json(j jsonb, p text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE
    AS $$SELECT '"hacked"'::pg_catalog.jsonb$$;
CREATE OPERATOR psa.#> (LEFTARG = jsonb, RIGHTARG = text[], FUNCTION = psa.path_json);
CREATE FUNCTION psa.now() RETURNS timestamptz LANGUAGE sql
    AS $$SELECT '2000-01-01 00:00:00+00'::pg_catalog.timestamptz$$;
CREATE FUNCTION psa.unnest(a text[]) RETURNS SETOF text LANGUAGE sql
    AS $$SELECT 'hacked'::pg_catalog.text$$;
SET search_path = psa, pg_catalog;
-- The traps work for the user's own SQL.
SELECT 'a'::text = 'b'::text AS shadowed_equals, '{"k": 1}'::jsonb #>> '{k}' AS shadowed_path,
       now() AS shadowed_now;

SELECT chronicle.define_aggregate('psa_order', $${
  "initial": {"n": 0},
  "on": {
    "Created": [{"set": "mood", "from": "mood"},
                {"set": "amount", "from": "amount"},
                {"set": "it's", "from": "it's"},
                {"set": "select", "from": "select"},
                {"count": "n"}],
    "Changed": [{"set": "mood", "from": "mood"},
                {"add": "amount", "from": "amount"},
                {"count": "n"}]
  }}$$, category => 'psaord', snapshot_every => 0);
SELECT chronicle.append('psaord-1', 'Created',
    $${"mood": "calm", "amount": 5, "it's": {"a\\b": "deep 1", "x.y": "dotted"}, "select": {"k": [1, 2]}}$$) > 0 AS appended;
SELECT chronicle.append('psaord-2', 'Created',
    $${"mood": "angry", "amount": 0, "it's": {"a\\b": "deep 2"}, "select": "kw"}$$) > 0 AS appended;

-- Hostile names and paths; "text" resolves (as the creator's) to psa.text, "jsonb" to
-- pg_catalog's: the catalog records both with their schema.
SELECT $j${"a\"b": {"type": "mood", "path": "mood"},
          "x.y": {"type": "amount", "path": "amount"},
          "ünïcødé ✓": {"type": "text", "path": ["it's", "a\\b"]},
          "select": "jsonb",
          "'); DROP TABLE psa.victim; --": {"type": "integer", "path": ["n"]},
          "back\\slash": {"type": "pg_catalog.text", "path": ["it's", "x.y"]}}$j$ AS columns \gset
CREATE TABLE psa.victim (id int);
SELECT chronicle.create_projection('psa_inline', 'psa_order', table_name => 'psa."Inline ""Q"" ✓"',
                                   columns => :'columns', mode => 'inline') AS created;
SELECT chronicle.create_projection('psa_async', 'psa_order', table_name => 'psa.async',
                                   columns => :'columns') AS created;
SELECT name, columns FROM chronicle.projections WHERE name LIKE 'psa\_%' ORDER BY name;

-- Appends under the hostile search_path: the inline statements run (as psa_user) in this
-- session; a new stream (INSERT), an existing one (SELECT, UPDATE).
SELECT chronicle.append('psaord-1', 'Changed', '{"mood": "angry", "amount": 2.5}') > 0 AS appended;
SELECT chronicle.append('psaord-3', 'Created',
    $${"mood": "calm", "amount": 1, "it's": {"a\\b": "forbidden?"}, "select": null}$$) > 0 AS appended;
SELECT chronicle.wait_for_projection('psa_async');
-- A rebuild of each: the worker fills a rebuild table and swaps the rows in.
SELECT chronicle.append('psaord-2', 'Changed', '{"mood": "calm", "amount": 7}') > 0 AS appended;
SELECT chronicle.rebuild_projection('psa_inline');
SELECT chronicle.rebuild_projection('psa_async');
SELECT chronicle.wait_for_projection('psa_async');
RESET ROLE;
RESET search_path;

-- Until both rebuilds are swapped in (a rebuild's table is gone once its rows are).
DO $$
BEGIN
    FOR i IN 1..600 LOOP
        EXIT WHEN NOT EXISTS (SELECT FROM chronicle.projections
                               WHERE name LIKE 'psa\_%' AND rebuild_table IS NOT NULL);
        PERFORM pg_sleep(0.1);
    END LOOP;
END $$;
SELECT name, rebuild_table IS NULL AS rebuilt, state FROM chronicle.projections
 WHERE name LIKE 'psa\_%' ORDER BY name;

-- The rows: every typed column taken from the state with pg_catalog's operators and cast
-- to the user's types, the updated_at of this century, the victim table still there.
SELECT stream, version, state, "a""b", "x.y", "ünïcødé ✓", "select",
       "'); DROP TABLE psa.victim; --", "back\slash", updated_at > '2020-01-01' AS updated_now
  FROM psa."Inline ""Q"" ✓" ORDER BY stream;
SELECT stream, version, "a""b", "x.y", "ünïcødé ✓", "select", "'); DROP TABLE psa.victim; --",
       "back\slash", updated_at > '2020-01-01' AS updated_now
  FROM psa.async ORDER BY stream;
SELECT pg_typeof("a""b") AS mood_type, pg_typeof("x.y") AS amount_type,
       pg_typeof("ünïcødé ✓") AS text_type
  FROM psa.async LIMIT 1;
-- Every column of both tables has the type the catalog records, although the creator's
-- search_path put its own "text" domain ahead of pg_catalog ("back\slash" asked for
-- pg_catalog.text; the catalog says text): no mismatch.
SELECT p.name, c.key AS column_name, c.value->>'type' AS recorded,
       format_type(a.atttypid, a.atttypmod) AS in_table
  FROM chronicle.projections p
  CROSS JOIN jsonb_each(p.columns) c
  JOIN pg_attribute a ON a.attrelid = p.table_name::regclass AND a.attname = c.key
 WHERE p.name LIKE 'psa\_%' AND a.atttypid <> (c.value->>'type')::regtype
 ORDER BY 1, 2;
-- Both tables equal chronicle.fold, stream by stream.
SELECT t.name, count(*) AS streams,
       count(*) FILTER (WHERE r.state IS DISTINCT FROM chronicle.fold('psa_order', s.stream)
                           OR r.version IS DISTINCT FROM s.version) AS mismatches
  FROM (VALUES ('inline', 'psa."Inline ""Q"" ✓"'::regclass), ('async', 'psa.async'::regclass)) t(name, tbl)
  CROSS JOIN chronicle.streams s
  LEFT JOIN LATERAL (SELECT * FROM psa."Inline ""Q"" ✓" i WHERE t.name = 'inline' AND i.stream = s.stream
                     UNION ALL
                     SELECT * FROM psa.async a WHERE t.name = 'async' AND a.stream = s.stream) r ON true
 WHERE s.category = 'psaord'
 GROUP BY t.name ORDER BY t.name;
SELECT to_regclass('psa.victim') IS NOT NULL AS victim_kept;

-- A domain check of the user's type is the owner's and holds: a value it refuses fails the
-- inline append (and rolls it back), nothing is written around it.
SET ROLE psa_user;
SELECT chronicle.append('psaord-3', 'Changed', '{"mood": "calm", "amount": -10}');
RESET ROLE;
SELECT version, "x.y" FROM psa."Inline ""Q"" ✓" WHERE stream = 'psaord-3';

SET ROLE psa_user;
SELECT chronicle.drop_projection('psa_inline');
SELECT chronicle.drop_projection('psa_async');
SELECT chronicle.drop_aggregate('psa_order');
RESET ROLE;
DROP SCHEMA psa CASCADE;
DROP OWNED BY psa_user;
DROP ROLE psa_user;
