-- Upgrading 0.6 -> 0.7: reducers and handlers stored as regprocedure become their qualified
-- names and owners (what pg_upgrade accepts). A live function keeps working; a reducer or
-- handler that was dropped before the upgrade stays missing, under a name nothing can have,
-- and its aggregate does not stop other roles' folds. The file ends with a fresh install.
\set SHOW_CONTEXT never

SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle CASCADE;
RESET chronicle.allow_drop_with_events;
CREATE EXTENSION chronicle VERSION '0.6';

CREATE ROLE rfu_owner;
CREATE ROLE rfu_reader;
CREATE SCHEMA rfu AUTHORIZATION rfu_owner;
GRANT EXECUTE ON FUNCTION chronicle.fold(text, text, timestamptz, bigint) TO rfu_reader;
SET ROLE rfu_owner;
CREATE FUNCTION rfu.count_up(state jsonb, e chronicle.event) RETURNS jsonb LANGUAGE sql AS $$
    SELECT pg_catalog.jsonb_build_object('n', (state->>'n')::int + 1) $$;
CREATE FUNCTION rfu.gone(state jsonb, e chronicle.event) RETURNS jsonb LANGUAGE sql AS $$
    SELECT state $$;
CREATE FUNCTION rfu.note(e chronicle.event) RETURNS void LANGUAGE sql AS $$ SELECT $$;
RESET ROLE;
SELECT chronicle.define_aggregate('rfu_live', '{"initial": {"n": 0}, "reducer": "rfu.count_up"}');
SELECT chronicle.define_aggregate('rfu_dangling', '{"initial": {"n": 0}, "reducer": "rfu.gone"}');
SELECT chronicle.define_aggregate('rfu_declarative', '{"initial": {"n": 0}, "on": {"*": [{"count": "n"}]}}');
SELECT chronicle.create_handler_projection('rfu_notes', 'rfu.note(chronicle.event)', 'rfu');
SELECT chronicle.pause_projection('rfu_notes');
SELECT chronicle.append('rfu-1', 'Ticked', '{}');
SELECT chronicle.append('rfu-1', 'Ticked', '{}');
SELECT pg_catalog.format_type(atttypid, atttypmod) AS reducer_type_at_06
  FROM pg_attribute WHERE attrelid = 'chronicle.aggregates'::regclass AND attname = 'reducer';
DROP FUNCTION rfu.gone(jsonb, chronicle.event);

ALTER EXTENSION chronicle UPDATE TO '0.7';
SELECT name, regexp_replace(reducer, '[0-9]+', 'N') AS reducer, reducer_owner
  FROM chronicle.aggregates ORDER BY name;
SELECT name, handler, handler_owner FROM chronicle.projections ORDER BY name;
SELECT chronicle.fold('rfu_live', 'rfu-1');
DO $$
BEGIN
    PERFORM chronicle.fold('rfu_dangling', 'rfu-1');
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE '% %', SQLSTATE, regexp_replace(SQLERRM, '[0-9]+', 'N', 'g');
END $$;
-- Another role's folds of the other aggregates go on (the placeholder's schema is
-- chronicle_internal, which that role may not use: reducers are looked up as chronicle's owner).
SET ROLE rfu_reader;
SELECT chronicle.fold('rfu_declarative', 'rfu-1'), chronicle.fold('rfu_live', 'rfu-1');
RESET ROLE;

SELECT chronicle.drop_projection('rfu_notes');
SELECT count(*) AS dropped FROM (SELECT chronicle.drop_aggregate(name) FROM chronicle.aggregates) d;
DROP SCHEMA rfu CASCADE;
SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle;
RESET chronicle.allow_drop_with_events;
CREATE EXTENSION chronicle;
REVOKE ALL ON FUNCTION chronicle.fold(text, text, timestamptz, bigint) FROM rfu_reader;
DROP ROLE rfu_owner;
DROP ROLE rfu_reader;
