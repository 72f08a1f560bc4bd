-- chronicle 0.1 -> 0.2: aggregate folding (define_aggregate, fold, history) and snapshots.
\echo Use "ALTER EXTENSION chronicle UPDATE TO '0.2'" to load this file. \quit

-- Aggregate definitions. Written by define_aggregate/drop_aggregate; every backend keeps
-- them compiled in memory and recompiles when this table changes (the trigger below).
-- `revision` names one exact definition: snapshots carry it, and a redefinition takes a new
-- one, so that no snapshot of an older definition is ever used again.
CREATE SEQUENCE chronicle.aggregate_revision_seq AS bigint NO CYCLE;

CREATE TABLE chronicle.aggregates (
    name           text        COLLATE "C" NOT NULL,
    definition     jsonb       NOT NULL,
    category       text        COLLATE "C",
    snapshot_every integer     NOT NULL,
    revision       bigint      NOT NULL,
    reducer        regprocedure,
    defined_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT aggregates_pkey PRIMARY KEY (name),
    CONSTRAINT aggregates_revision_key UNIQUE (revision),
    CONSTRAINT aggregates_snapshot_every_check CHECK (snapshot_every >= 0)
);
COMMENT ON TABLE chronicle.aggregates IS
    'chronicle''s aggregate definitions: write them with chronicle.define_aggregate and chronicle.drop_aggregate';

SELECT pg_catalog.pg_extension_config_dump('chronicle.aggregates', '');
SELECT pg_catalog.pg_extension_config_dump('chronicle.aggregate_revision_seq', '');

-- Snapshots: the state of a stream after version k * snapshot_every, folded by the
-- definition `revision`. A cache written by appends and never by folds; not dumped (they
-- are rebuilt as streams grow).
CREATE TABLE chronicle.snapshots (
    revision       bigint      NOT NULL,
    stream         text        COLLATE "C" NOT NULL,
    stream_version bigint      NOT NULL,
    recorded_at    timestamptz NOT NULL,
    state          jsonb       NOT NULL,
    CONSTRAINT snapshots_pkey PRIMARY KEY (revision, stream, stream_version)
);
-- fold(as_of => t): the newest snapshot recorded at or before t.
CREATE INDEX snapshots_recorded_at_idx
    ON chronicle.snapshots (revision, stream, recorded_at, stream_version);
COMMENT ON TABLE chronicle.snapshots IS
    'chronicle''s aggregate snapshots: a cache of folded states, written at append time';

-- Every backend's compiled definitions are dropped when the definitions change, however
-- they change (define_aggregate, pg_restore, a DBA's UPDATE).
CREATE FUNCTION chronicle.aggregates_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'chronicle_aggregates_changed' LANGUAGE C;
CREATE TRIGGER aggregates_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON chronicle.aggregates
    FOR EACH STATEMENT EXECUTE FUNCTION chronicle.aggregates_changed();
ALTER TABLE chronicle.aggregates ENABLE ALWAYS TRIGGER aggregates_changed;

-- A definition changed by hand (not by define_aggregate, which takes a new revision itself)
-- gets a new revision too: snapshots of the old definition are never used for the new one.
CREATE FUNCTION chronicle.aggregate_revised() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.revision = OLD.revision AND (NEW.definition IS DISTINCT FROM OLD.definition
                                        OR NEW.reducer IS DISTINCT FROM OLD.reducer) THEN
        NEW.revision := nextval('chronicle.aggregate_revision_seq');
        DELETE FROM chronicle.snapshots WHERE revision = OLD.revision;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER aggregate_revised
    BEFORE UPDATE ON chronicle.aggregates
    FOR EACH ROW EXECUTE FUNCTION chronicle.aggregate_revised();
ALTER TABLE chronicle.aggregates ENABLE ALWAYS TRIGGER aggregate_revised;

CREATE FUNCTION chronicle.define_aggregate(name text, definition jsonb,
                                           category text DEFAULT NULL,
                                           snapshot_every integer DEFAULT 100)
    RETURNS void
    AS 'MODULE_PATHNAME', 'chronicle_define_aggregate'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION chronicle.define_aggregate(text, jsonb, text, integer) IS
    'defines (or redefines) an aggregate: declarative {"initial", "on"} or {"initial", "reducer"}';

CREATE FUNCTION chronicle.drop_aggregate(name text) RETURNS void
    AS 'MODULE_PATHNAME', 'chronicle_drop_aggregate'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION chronicle.drop_aggregate(text) IS
    'drops an aggregate and its snapshots';

CREATE FUNCTION chronicle.fold(aggregate text, stream text,
                               as_of timestamptz DEFAULT NULL, at_version bigint DEFAULT NULL)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'chronicle_fold'
    LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION chronicle.fold(text, text, timestamptz, bigint) IS
    'the state of a stream folded by an aggregate: now, as of a time, or at a version; NULL before its first event';

CREATE FUNCTION chronicle.history(aggregate text, stream text)
    RETURNS TABLE (stream_version bigint, recorded_at timestamptz, event_type text, state jsonb)
    AS 'MODULE_PATHNAME', 'chronicle_history'
    LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 100;
COMMENT ON FUNCTION chronicle.history(text, text) IS
    'the state of a stream after each of its events, in version order';

-- Defining aggregates is administration: a reducer runs in every appending and folding
-- session. Grant these to the roles that may define aggregates.
REVOKE EXECUTE ON FUNCTION chronicle.define_aggregate(text, jsonb, text, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION chronicle.drop_aggregate(text) FROM PUBLIC;
GRANT SELECT ON chronicle.aggregates TO PUBLIC;
