-- Property: for random event sequences (seeded, so the same on every run), a fold that starts
-- from snapshots equals one that does not, equals history, at every version and as of every
-- event's time (and just before it); and an independently written PL/pgSQL reducer, with
-- snapshots of its own, agrees with the declarative definition everywhere.
\set SHOW_CONTEXT never

CREATE FUNCTION pg_temp.same(actual jsonb, expected jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$ SELECT actual::text IS NOT DISTINCT FROM expected::text $$;

------------------------------------------------------------------------------------------
-- The aggregate: every kind of operation, values that may be missing
------------------------------------------------------------------------------------------
\set prop_definition '{"initial": {"balance": 0, "n": 0, "tags": {}, "log": [], "byTag": {}, "others": {}}, "on": {"Deposited": [{"add": "balance", "from": "amount"}, {"count": "n"}, {"max": "largest", "from": "amount"}, {"min": "smallest", "from": "amount"}, {"add": ["byTag", {"from": "tag"}], "from": "amount", "default": 0}], "Withdrawn": [{"subtract": "balance", "from": "amount", "default": 1}, {"count": "n"}, {"count": "overdrafts", "if": {"state": "balance", "lt": 0}}, {"set": "lastWithdrawal", "event": "version"}], "Tagged": [{"put": "tags", "key": {"from": "tag"}, "from": "amount", "default": null}, {"append": "log", "from": "tag"}, {"count": "bigTags", "if": [{"from": "amount", "gt": 50}, {"from": "tag", "exists": true}]}], "Renamed": [{"set": "name", "from": "name"}, {"merge": "profile", "from": "profile"}], "*": [{"unset": "name"}, {"remove": "tags", "key": {"from": "tag"}}, {"count": ["others", {"event": "type"}]}]}}'

-- The same aggregate, written by hand in PL/pgSQL.
CREATE FUNCTION public.prop_merge_patch(target jsonb, patch jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    k text;
    v jsonb;
BEGIN
    IF jsonb_typeof(patch) <> 'object' THEN
        RETURN patch;
    END IF;
    IF target IS NULL OR jsonb_typeof(target) <> 'object' THEN
        target := '{}';
    END IF;
    FOR k, v IN SELECT * FROM jsonb_each(patch) LOOP
        IF jsonb_typeof(v) = 'null' THEN
            target := target - k;
        ELSE
            target := jsonb_set(target, ARRAY[k], public.prop_merge_patch(target->k, v));
        END IF;
    END LOOP;
    RETURN target;
END $$;
CREATE FUNCTION public.prop_reducer(s jsonb, e chronicle.event) RETURNS jsonb
    LANGUAGE plpgsql AS $$
DECLARE
    d jsonb := e.data;
    amount numeric := (e.data->>'amount')::numeric;
BEGIN
    CASE e.event_type
    WHEN 'Deposited' THEN
        IF d ? 'amount' THEN
            s := jsonb_set(s, '{balance}', to_jsonb((s->>'balance')::numeric + amount));
        END IF;
        s := jsonb_set(s, '{n}', to_jsonb((s->>'n')::numeric + 1));
        IF d ? 'amount' THEN
            IF NOT s ? 'largest' OR amount > (s->>'largest')::numeric THEN
                s := jsonb_set(s, '{largest}', d->'amount');
            END IF;
            IF NOT s ? 'smallest' OR amount < (s->>'smallest')::numeric THEN
                s := jsonb_set(s, '{smallest}', d->'amount');
            END IF;
        END IF;
        IF d ? 'tag' THEN
            s := jsonb_set(s, ARRAY['byTag', d->>'tag'],
                           to_jsonb(coalesce((s->'byTag'->>(d->>'tag'))::numeric, 0) + coalesce(amount, 0)));
        END IF;
    WHEN 'Withdrawn' THEN
        s := jsonb_set(s, '{balance}', to_jsonb((s->>'balance')::numeric - coalesce(amount, 1)));
        s := jsonb_set(s, '{n}', to_jsonb((s->>'n')::numeric + 1));
        IF (s->>'balance')::numeric < 0 THEN
            s := jsonb_set(s, '{overdrafts}', to_jsonb(coalesce((s->>'overdrafts')::numeric, 0) + 1));
        END IF;
        s := jsonb_set(s, '{lastWithdrawal}', to_jsonb(e.stream_version));
    WHEN 'Tagged' THEN
        IF d ? 'tag' THEN
            s := jsonb_set(s, ARRAY['tags', d->>'tag'], coalesce(d->'amount', 'null'));
            s := jsonb_set(s, '{log}', (s->'log') || jsonb_build_array(d->'tag'));
            IF amount > 50 THEN
                s := jsonb_set(s, '{bigTags}', to_jsonb(coalesce((s->>'bigTags')::numeric, 0) + 1));
            END IF;
        END IF;
    WHEN 'Renamed' THEN
        IF d ? 'name' THEN
            s := jsonb_set(s, '{name}', d->'name');
        END IF;
        IF d ? 'profile' THEN
            s := jsonb_set(s, '{profile}', public.prop_merge_patch(s->'profile', d->'profile'));
        END IF;
    ELSE
        s := s - 'name';
        IF d ? 'tag' THEN
            s := jsonb_set(s, '{tags}', (s->'tags') - (d->>'tag'));
        END IF;
        s := jsonb_set(s, ARRAY['others', e.event_type],
                       to_jsonb(coalesce((s->'others'->>e.event_type)::numeric, 0) + 1));
    END CASE;
    RETURN s;
END $$;

SELECT chronicle.define_aggregate('prop_snap', :'prop_definition', category => 'prop', snapshot_every => 3);
SELECT chronicle.define_aggregate('prop_nosnap', :'prop_definition', category => 'prop', snapshot_every => 0);
SELECT chronicle.define_aggregate('prop_reducer',
       jsonb_build_object('initial', (:'prop_definition'::jsonb)->'initial', 'reducer', 'public.prop_reducer'),
       category => 'prop', snapshot_every => 5);

------------------------------------------------------------------------------------------
-- Random streams: 30 streams of 1..60 events of 5 types; amounts integer, decimal (2 or 3
-- places), negative or missing; tags, names and profiles (with JSON nulls) sometimes
-- missing. Events are appended in chunks of one transaction each (append or append_batch),
-- the streams' chunks interleaved, so that recorded_at is shared within a chunk only.
------------------------------------------------------------------------------------------
SELECT setseed(0.42);
CREATE TEMP TABLE prop_streams AS
    SELECT s, 1 + floor(random() * 60)::int AS events FROM generate_series(1, 30) s;
CREATE TEMP TABLE prop_random AS
    SELECT l.s, v, random() AS r_type, random() AS r_amount, random() AS r_value, random() AS r_tag,
           random() AS r_name, random() AS r_profile, random() AS r_chunk
      FROM prop_streams l, generate_series(1, l.events) v;
CREATE TEMP TABLE prop_data AS
    SELECT s, v,
           CASE WHEN r_type < 0.35 THEN 'Deposited' WHEN r_type < 0.60 THEN 'Withdrawn'
                WHEN r_type < 0.75 THEN 'Tagged' WHEN r_type < 0.90 THEN 'Renamed' ELSE 'Closed' END AS type,
           '{}'::jsonb
           || CASE WHEN r_amount < 0.10 THEN '{}'
                   WHEN r_amount < 0.30 THEN jsonb_build_object('amount', -(1 + floor(r_value * 100))::int)
                   WHEN r_amount < 0.60 THEN jsonb_build_object('amount', floor(r_value * 201)::int)
                   WHEN r_amount < 0.90 THEN jsonb_build_object('amount', round((r_value * 250 - 50)::numeric, 2))
                   ELSE jsonb_build_object('amount', round((r_value * 10)::numeric, 3)) END
           || CASE WHEN r_tag < 0.2 THEN '{}'
                   ELSE jsonb_build_object('tag', chr(97 + floor((r_tag - 0.2) / 0.8 * 4)::int)) END
           || CASE WHEN r_name < 0.3 THEN '{}'
                   ELSE jsonb_build_object('name', CASE WHEN r_name < 0.65 THEN 'ann' ELSE 'bob' END) END
           || CASE WHEN r_profile < 0.5 THEN '{}'
                   ELSE jsonb_build_object('profile', jsonb_build_object(
                            'city', CASE WHEN r_profile < 0.65 THEN NULL ELSE 'c' || floor(r_profile * 10)::int END,
                            'level', floor(r_profile * 100)::int % 5,
                            'prefs', CASE WHEN r_profile < 0.8 THEN jsonb_build_object('x', NULL, 'y', 1)
                                          ELSE jsonb_build_object('x', 2) END)) END AS data,
           count(*) FILTER (WHERE v = 1 OR r_chunk < 0.5) OVER (PARTITION BY s ORDER BY v) AS chunk
      FROM prop_random;
CREATE TEMP TABLE prop_chunks AS
    SELECT s, chunk, min(v) AS first_v, count(*) AS n,
           jsonb_agg(jsonb_build_object('type', type, 'data', data) ORDER BY v) AS batch
      FROM prop_data GROUP BY s, chunk;
SELECT count(*) AS streams, sum(events) AS events, min(events) AS shortest, max(events) AS longest
  FROM prop_streams;
SELECT count(*) AS chunks, count(*) FILTER (WHERE n = 1) AS single_appends, max(n) AS largest_batch
  FROM prop_chunks;

-- (the generated statements and their results are not shown)
\set ECHO none
\o /dev/null
SELECT CASE WHEN n = 1
            THEN format('SELECT chronicle.append(%L, %L, %L, expected_version => %s)',
                        'prop-' || s, batch->0->>'type', batch->0->'data', first_v - 1)
            ELSE format('SELECT chronicle.append_batch(%L, %L, expected_version => %s)',
                        'prop-' || s, batch, first_v - 1) END
  FROM prop_chunks ORDER BY chunk, s
\gexec
\o
\set ECHO all

-- Everything arrived as generated, one recorded_at per chunk.
SELECT count(*) AS events,
       count(*) FILTER (WHERE e.event_type = d.type AND e.data = d.data) AS as_generated,
       count(DISTINCT (e.stream, e.recorded_at)) AS distinct_times
  FROM chronicle.events e JOIN prop_data d ON e.stream = 'prop-' || d.s AND e.stream_version = d.v;
SELECT event_type, count(*) FROM chronicle.events WHERE category = 'prop' GROUP BY 1 ORDER BY 1;
SELECT count(*) FILTER (WHERE data ? 'amount' AND (data->>'amount')::numeric < 0) AS negative_amounts,
       count(*) FILTER (WHERE data ? 'amount' AND (data->>'amount')::numeric <> trunc((data->>'amount')::numeric)) AS decimal_amounts,
       count(*) FILTER (WHERE NOT data ? 'amount') AS missing_amounts,
       count(*) FILTER (WHERE NOT data ? 'tag') AS missing_tags
  FROM chronicle.events WHERE category = 'prop';

-- Snapshots: one every 3 events of each stream for prop_snap, every 5 for the reducer; each
-- the state after its version.
SELECT a.name, count(*) AS snapshots,
       (SELECT sum(events / CASE a.name WHEN 'prop_snap' THEN 3 ELSE 5 END) FROM prop_streams) AS expected,
       count(*) FILTER (WHERE NOT pg_temp.same(s.state, h.state)) AS wrong_states
  FROM chronicle.snapshots s
  JOIN chronicle.aggregates a ON a.revision = s.revision
  JOIN LATERAL chronicle.history('prop_nosnap', s.stream) h ON h.stream_version = s.stream_version
 GROUP BY a.name ORDER BY a.name;

------------------------------------------------------------------------------------------
-- The property, in one query
------------------------------------------------------------------------------------------
WITH h AS MATERIALIZED (
    SELECT e.stream, e.stream_version AS v, e.recorded_at, hs.state, rs.state AS reducer_state,
           -- as of an event's time: the state after the last event of its transaction
           last_value(hs.state) OVER (PARTITION BY e.stream, e.recorded_at ORDER BY e.stream_version
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS state_as_of
      FROM (SELECT DISTINCT stream FROM chronicle.events WHERE category = 'prop') st
     CROSS JOIN LATERAL chronicle.history('prop_nosnap', st.stream) hs
      JOIN chronicle.history('prop_reducer', st.stream) rs ON rs.stream_version = hs.stream_version
      JOIN chronicle.events e ON e.stream = st.stream AND e.stream_version = hs.stream_version
), checks AS (
    SELECT h.*,
           -- just before an event's time: the state after the previous transaction, or NULL
           (SELECT p.state FROM h p WHERE p.stream = h.stream AND p.recorded_at < h.recorded_at
             ORDER BY p.v DESC LIMIT 1) AS state_before
      FROM h
)
SELECT count(*) AS checks,
       count(*) FILTER (WHERE NOT pg_temp.same(chronicle.fold('prop_snap', stream, at_version => v), state))
           AS snap_at_version,
       count(*) FILTER (WHERE NOT pg_temp.same(chronicle.fold('prop_nosnap', stream, at_version => v), state))
           AS nosnap_at_version,
       count(*) FILTER (WHERE NOT pg_temp.same(chronicle.fold('prop_reducer', stream, at_version => v), state))
           AS reducer_at_version,
       count(*) FILTER (WHERE NOT pg_temp.same(reducer_state, state)) AS reducer_history,
       count(*) FILTER (WHERE NOT pg_temp.same(chronicle.fold('prop_snap', stream, as_of => recorded_at), state_as_of)
                           OR NOT pg_temp.same(chronicle.fold('prop_nosnap', stream, as_of => recorded_at), state_as_of)
                           OR NOT pg_temp.same(chronicle.fold('prop_reducer', stream, as_of => recorded_at), state_as_of))
           AS as_of_mismatches,
       count(*) FILTER (WHERE NOT pg_temp.same(chronicle.fold('prop_snap', stream, as_of => recorded_at - interval '1 microsecond'), state_before)
                           OR NOT pg_temp.same(chronicle.fold('prop_nosnap', stream, as_of => recorded_at - interval '1 microsecond'), state_before)
                           OR NOT pg_temp.same(chronicle.fold('prop_reducer', stream, as_of => recorded_at - interval '1 microsecond'), state_before))
           AS just_before_mismatches,
       count(*) FILTER (WHERE state_before IS NULL) AS before_first_checks
  FROM checks;
-- Now, and beyond the end.
SELECT count(*) AS streams,
       count(*) FILTER (WHERE NOT pg_temp.same(chronicle.fold('prop_snap', stream), chronicle.fold('prop_nosnap', stream))
                           OR NOT pg_temp.same(chronicle.fold('prop_reducer', stream), chronicle.fold('prop_nosnap', stream)))
           AS now_mismatches,
       count(*) FILTER (WHERE chronicle.fold('prop_snap', stream, at_version => version + 1) IS NOT NULL
                           OR chronicle.fold('prop_reducer', stream, at_version => version + 1) IS NOT NULL)
           AS beyond_end_not_null
  FROM chronicle.streams WHERE category = 'prop';

-- The check can fail: with one snapshot tampered with, the folds of that stream from its
-- version on disagree with history (and no others do).
SELECT stream AS tampered_stream, stream_version AS tampered_version
  FROM chronicle.snapshots s JOIN chronicle.aggregates a ON a.revision = s.revision AND a.name = 'prop_snap'
 ORDER BY stream_version DESC, stream LIMIT 1 \gset
BEGIN;
UPDATE chronicle.snapshots SET state = state || '{"tampered": true}'
 WHERE stream = :'tampered_stream' AND stream_version = :tampered_version
   AND revision = (SELECT revision FROM chronicle.aggregates WHERE name = 'prop_snap');
SELECT count(*) FILTER (WHERE NOT pg_temp.same(chronicle.fold('prop_snap', e.stream, at_version => e.stream_version), h.state))
           = count(*) FILTER (WHERE e.stream = :'tampered_stream' AND e.stream_version >= :tampered_version) AS detects_tampering,
       count(*) FILTER (WHERE e.stream = :'tampered_stream' AND e.stream_version >= :tampered_version) > 0 AS some_affected
  FROM chronicle.events e JOIN LATERAL chronicle.history('prop_nosnap', e.stream) h ON h.stream_version = e.stream_version
 WHERE e.category = 'prop';
ROLLBACK;

------------------------------------------------------------------------------------------
-- Clean up: events cannot be deleted, so the extension is created afresh for the next file.
------------------------------------------------------------------------------------------
SELECT count(*) AS dropped FROM (SELECT chronicle.drop_aggregate(name) FROM chronicle.aggregates) d;
DROP FUNCTION public.prop_reducer(jsonb, chronicle.event), public.prop_merge_patch(jsonb, jsonb);
SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle;
RESET chronicle.allow_drop_with_events;
CREATE EXTENSION chronicle;
SELECT count(*) AS events_left FROM chronicle.events;
