-- chronicle 0.1: versioned appends and gap-safe reads.
\echo Use "CREATE EXTENSION chronicle" to load this file. \quit

-- The event log. Rows are written only by chronicle.append/append_batch (which insert
-- directly, below the executor, under the stream's lock) and never change afterwards.
CREATE SEQUENCE chronicle.global_position_seq AS bigint NO CYCLE;

CREATE TABLE chronicle.event_log (
    global_position bigint      NOT NULL,
    stream          text        COLLATE "C" NOT NULL,
    category        text        COLLATE "C" NOT NULL,
    stream_version  bigint      NOT NULL,
    event_id        uuid        NOT NULL,
    event_type      text        COLLATE "C" NOT NULL,
    data            jsonb       NOT NULL,
    metadata        jsonb,
    recorded_at     timestamptz NOT NULL,
    CONSTRAINT event_log_pkey PRIMARY KEY (global_position),
    CONSTRAINT event_log_stream_version_key UNIQUE (stream, stream_version),
    CONSTRAINT event_log_event_id_key UNIQUE (event_id),
    CONSTRAINT event_log_stream_version_check CHECK (stream_version > 0)
);
-- read_all(category => ...) and the projections of later versions scan a category in order.
CREATE INDEX event_log_category_position_idx ON chronicle.event_log (category, global_position);

ALTER SEQUENCE chronicle.global_position_seq OWNED BY chronicle.event_log.global_position;

COMMENT ON TABLE chronicle.event_log IS
    'chronicle''s event storage: append-only; write with chronicle.append, read with chronicle.read_all/read_stream or the chronicle.events view';

-- pg_dump keeps the events (and the position sequence) of an extension's table.
SELECT pg_catalog.pg_extension_config_dump('chronicle.event_log', '');
SELECT pg_catalog.pg_extension_config_dump('chronicle.global_position_seq', '');

-- Immutability: UPDATE, DELETE and TRUNCATE fail for everyone, owners included. ENABLE ALWAYS
-- so that session_replication_role = replica does not switch the guard off.
CREATE FUNCTION chronicle.refuse_event_change() RETURNS trigger
    AS 'MODULE_PATHNAME', 'chronicle_refuse_event_change' LANGUAGE C;
CREATE TRIGGER event_log_immutable
    BEFORE UPDATE OR DELETE OR TRUNCATE ON chronicle.event_log
    FOR EACH STATEMENT EXECUTE FUNCTION chronicle.refuse_event_change();
ALTER TABLE chronicle.event_log ENABLE ALWAYS TRIGGER event_log_immutable;

-- The row type of every read function.
CREATE TYPE chronicle.event AS (
    global_position bigint,
    stream          text,
    stream_version  bigint,
    event_id        uuid,
    event_type      text,
    data            jsonb,
    metadata        jsonb,
    recorded_at     timestamptz
);

-- Write side ---------------------------------------------------------------------------

CREATE FUNCTION chronicle.append(stream text, event_type text, data jsonb,
                                 metadata jsonb DEFAULT NULL,
                                 expected_version bigint DEFAULT NULL,
                                 event_id uuid DEFAULT NULL)
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'chronicle_append'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION chronicle.append(text, text, jsonb, jsonb, bigint, uuid) IS
    'Appends one event to a stream and returns the stream''s new version';

CREATE FUNCTION chronicle.append_batch(stream text, events jsonb,
                                       expected_version bigint DEFAULT NULL)
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'chronicle_append_batch'
    LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION chronicle.append_batch(text, jsonb, bigint) IS
    'Appends a JSON array of {type, data, metadata?, id?} events atomically, in order; returns the new version';

-- Read side ----------------------------------------------------------------------------

CREATE FUNCTION chronicle.category(stream text) RETURNS text
    AS 'MODULE_PATHNAME', 'chronicle_category'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION chronicle.category(text) IS
    'The category of a stream: the part of its name before the first "-"';

CREATE FUNCTION chronicle.stream_version(stream text) RETURNS bigint
    AS 'MODULE_PATHNAME', 'chronicle_stream_version'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION chronicle.stream_version(text) IS
    'The number of events in a stream; 0 when it does not exist';

-- from_version NULL (the default) starts where the direction of reading starts: version 1
-- forwards, the last version backwards.
CREATE FUNCTION chronicle.read_stream(stream text, from_version bigint DEFAULT NULL,
                                      max_count bigint DEFAULT NULL,
                                      backwards boolean DEFAULT false)
    RETURNS SETOF chronicle.event
    AS 'MODULE_PATHNAME', 'chronicle_read_stream'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION chronicle.read_stream(text, bigint, bigint, boolean) IS
    'The events of one stream in version order (or reversed), from a version, at most max_count';

CREATE FUNCTION chronicle.read_all(after_position bigint DEFAULT 0,
                                   max_count integer DEFAULT 1000,
                                   category text DEFAULT NULL,
                                   event_types text[] DEFAULT NULL)
    RETURNS SETOF chronicle.event
    AS 'MODULE_PATHNAME', 'chronicle_read_all'
    LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 1000;
COMMENT ON FUNCTION chronicle.read_all(bigint, integer, text, text[]) IS
    'Committed events after a global position, in position order, never passing an uncommitted one (gap-safe)';

CREATE VIEW chronicle.events AS
    SELECT global_position, stream, stream_version, event_id, event_type, data, metadata,
           recorded_at, category
      FROM chronicle.event_log;
COMMENT ON VIEW chronicle.events IS 'Every event, for plain SQL';

-- Grouping by category as well (it follows from the stream) lets a filter on either column
-- reach the event log's indexes.
CREATE VIEW chronicle.streams AS
    SELECT stream, category, max(stream_version) AS version,
           min(recorded_at) AS created_at, max(recorded_at) AS updated_at
      FROM chronicle.event_log
     GROUP BY stream, category;
COMMENT ON VIEW chronicle.streams IS 'One row per stream: its category, version and first/last append times';

-- Reading is open to everyone who may use the schema; writing goes through the functions.
GRANT USAGE ON SCHEMA chronicle TO PUBLIC;
GRANT SELECT ON chronicle.events, chronicle.streams TO PUBLIC;
GRANT SELECT ON chronicle.global_position_seq TO PUBLIC;
