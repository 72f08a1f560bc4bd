-- The physical floor: a plain table with exactly chronicle.event_log's shape (columns, types,
-- collations, NOT NULLs, check, primary key, unique and plain indexes) and a bigint sequence
-- for positions, written with plain INSERTs. What chronicle.append costs above this is the
-- price of its API: validation, the stream lock, the expected-version check, gap-safety.
CREATE SCHEMA floor;
CREATE SEQUENCE floor.global_position_seq AS bigint NO CYCLE;
CREATE TABLE floor.events (
    global_position bigint      NOT NULL,
    stream          text        COLLATE "C" NOT NULL,
    category        text        COLLATE "C" NOT NULL,
    stream_version  bigint      NOT NULL,
    event_id        uuid        NOT NULL,
    event_type      text        COLLATE "C" NOT NULL,
    data            jsonb       NOT NULL,
    metadata        jsonb,
    recorded_at     timestamptz NOT NULL,
    CONSTRAINT events_pkey PRIMARY KEY (global_position),
    CONSTRAINT events_stream_version_key UNIQUE (stream, stream_version),
    CONSTRAINT events_event_id_key UNIQUE (event_id),
    CONSTRAINT events_stream_version_check CHECK (stream_version > 0)
);
CREATE INDEX events_category_position_idx ON floor.events (category, global_position);
ALTER SEQUENCE floor.global_position_seq OWNED BY floor.events.global_position;

-- Time-ordered event ids like the ones chronicle generates (UUIDv7: 48 bits of Unix
-- milliseconds, then random bits), for BENCH_FLOOR_IDS=v7. PostgreSQL 15 has no uuidv7(); this
-- is the usual SQL stand-in, and PostgreSQL inlines it. The default floor uses
-- gen_random_uuid(), whose random keys land all over the event_id index.
CREATE FUNCTION floor.uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
    SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                                          PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                                          FROM 1 FOR 6),
                                  52, 1), 53, 1), 'hex')::uuid
$$;
