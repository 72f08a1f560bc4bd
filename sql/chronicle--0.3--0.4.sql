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

-- [section: runtime identity]

-- Until define_aggregate records its caller as the owner (write side), a new aggregate
-- belongs to the role that inserts it, as those defined before 0.4 belong to the
-- extension's owner; without a default, defining an aggregate would fail on NOT NULL.
ALTER TABLE chronicle.aggregates ALTER COLUMN owner SET DEFAULT (current_user::regrole);

-- The inline fill in C: the rows are written as the projection's owner (their casts and
-- domain checks are the owner's code), the catalog read and the lock on the event log
-- taken as the caller, with a pinned search_path throughout.
CREATE OR REPLACE FUNCTION chronicle._projection_fill(projection_name text) RETURNS void
    AS 'MODULE_PATHNAME', 'chronicle_projection_fill' LANGUAGE C VOLATILE STRICT;
REVOKE EXECUTE ON FUNCTION chronicle._projection_fill(text) FROM PUBLIC;

-- [section: management]

-- [section: privileges]
