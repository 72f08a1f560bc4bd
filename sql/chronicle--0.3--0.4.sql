-- chronicle 0.3 -> 0.4: safe in a database with many roles (docs/security.md).
--
-- * Every object has an owner: aggregates gain one (projections had it already).
-- * The extension's functions resolve no name through a search_path a user controls.
-- * User code (reducers, handlers, projection tables' casts and domains) runs as its owner,
--   security-restricted, its setting changes undone after each call.
-- * Catalog tables are written only by chronicle's functions; nothing that reads or writes
--   events, or manages objects, is executable by PUBLIC.
\echo Use "ALTER EXTENSION chronicle UPDATE TO '0.4'" to load this file. \quit

-- Owners ---------------------------------------------------------------------------------

-- Aggregates defined before 0.4 belong to the extension's owner (the role that installed
-- it); chronicle.alter_owner gives them to the roles that should own them.
ALTER TABLE chronicle.aggregates ADD COLUMN owner regrole;
UPDATE chronicle.aggregates
   SET owner = (SELECT e.extowner FROM pg_catalog.pg_extension e WHERE e.extname = 'chronicle')::regrole;
ALTER TABLE chronicle.aggregates ALTER COLUMN owner SET NOT NULL;

-- [section: write side]

-- DROP EXTENSION chronicle [CASCADE] and DROP SCHEMA chronicle CASCADE (which drops the
-- extension with it) would drop the event log with every event in it: refused while it holds
-- events, unless the session SETs chronicle.allow_drop_with_events = on
-- (docs/operations.md). A C function: it resolves no name through search_path.
CREATE FUNCTION chronicle.guard_extension_drop() RETURNS event_trigger
    AS 'MODULE_PATHNAME', 'chronicle_guard_extension_drop' LANGUAGE C;
CREATE EVENT TRIGGER chronicle_guard_extension_drop ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA')
    EXECUTE FUNCTION chronicle.guard_extension_drop();

-- [section: runtime identity]

-- [section: management]

-- [section: privileges]
