-- The physical floor: a plain table with exactly chronicle.event_log's shape, written with
-- plain INSERTs. It is copied from the installed extension's table (columns, types,
-- collations, NOT NULLs, check, primary key, unique and plain indexes), so the two cannot
-- drift apart; only the immutability trigger is not copied. A bigint sequence gives the
-- positions. What chronicle.append costs above this is the price of its API: validation, the
-- stream lock, the expected-version check, gap-safety.
CREATE SCHEMA floor;
CREATE SEQUENCE floor.global_position_seq AS bigint NO CYCLE;
CREATE TABLE floor.events (LIKE chronicle.event_log INCLUDING ALL);
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
