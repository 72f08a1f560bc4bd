-- Snapshots: written at append time every snapshot_every events of the aggregate's category
-- (also when one append_batch crosses several multiples); used by fold (proved by tampering
-- with one); never used by history; unusable at once after a redefinition with another
-- definition, kept by an identical one; deleted by drop_aggregate; never written by a fold,
-- which works in read-only transactions.
\set SHOW_CONTEXT never

CREATE FUNCTION pg_temp.same(actual jsonb, expected jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$ SELECT actual::text IS NOT DISTINCT FROM expected::text $$;
-- The snapshots of the aggregates defined here, by aggregate name.
CREATE TEMP VIEW snaps AS
    SELECT a.name, s.revision, s.stream, s.stream_version, s.recorded_at, s.state
      FROM chronicle.snapshots s JOIN chronicle.aggregates a ON a.revision = s.revision;

-- One definition, four ways: every 3 and every 2 events for the category "acct", never
-- (the twin every fold is compared with), and without a category (so: never).
\set acct_definition '{"initial": {"balance": 0, "n": 0}, "on": {"D": [{"add": "balance", "from": "amount"}, {"count": "n"}], "W": [{"subtract": "balance", "from": "amount"}, {"count": "n"}]}}'
SELECT chronicle.define_aggregate('acct3', :'acct_definition', category => 'acct', snapshot_every => 3);
SELECT chronicle.define_aggregate('acct2', :'acct_definition', category => 'acct', snapshot_every => 2);
SELECT chronicle.define_aggregate('acct0', :'acct_definition', category => 'acct', snapshot_every => 0);
SELECT chronicle.define_aggregate('acct_nocat', :'acct_definition', snapshot_every => 3);
SELECT revision AS acct3_rev FROM chronicle.aggregates WHERE name = 'acct3' \gset

-- acct-1: seven appends, one transaction each.
SELECT chronicle.append('acct-1', 'D', jsonb_build_object('amount', 1));
SELECT chronicle.append('acct-1', 'D', jsonb_build_object('amount', 2));
SELECT chronicle.append('acct-1', 'D', jsonb_build_object('amount', 3));
SELECT chronicle.append('acct-1', 'D', jsonb_build_object('amount', 4));
SELECT chronicle.append('acct-1', 'D', jsonb_build_object('amount', 5));
SELECT chronicle.append('acct-1', 'D', jsonb_build_object('amount', 6));
SELECT chronicle.append('acct-1', 'D', jsonb_build_object('amount', 7));
-- acct-2: one batch of seven (crossing 2, 3, 4, 6), then one of five (crossing 8, 9, 10, 12).
SELECT chronicle.append_batch('acct-2',
       (SELECT jsonb_agg(jsonb_build_object('type', 'D', 'data', jsonb_build_object('amount', g * 10)) ORDER BY g)
          FROM generate_series(1, 7) g));
SELECT chronicle.append_batch('acct-2',
       (SELECT jsonb_agg(jsonb_build_object('type', 'W', 'data', jsonb_build_object('amount', g)) ORDER BY g)
          FROM generate_series(1, 5) g));
-- A stream named like its category, and one outside it.
SELECT chronicle.append_batch('acct', '[{"type": "D", "data": {"amount": 100}}, {"type": "D", "data": {"amount": 200}},
                                        {"type": "D", "data": {"amount": 300}}]');
SELECT chronicle.append_batch('other-1', '[{"type": "D", "data": {"amount": 1}}, {"type": "D", "data": {"amount": 1}},
                                           {"type": "D", "data": {"amount": 1}}, {"type": "D", "data": {"amount": 1}}]');

-- The snapshots, at the multiples of each interval.
SELECT name, stream, stream_version, state FROM snaps ORDER BY name, stream, stream_version;
-- Each is the state after its version, with that event's recorded_at.
SELECT count(*) AS snapshots,
       count(*) FILTER (WHERE pg_temp.same(s.state, h.state) AND s.recorded_at = h.recorded_at) AS correct
  FROM snaps s JOIN LATERAL chronicle.history('acct0', s.stream) h ON h.stream_version = s.stream_version;

-- A rolled-back append leaves no snapshot; a rolled-back savepoint leaves none of its own.
BEGIN;
SELECT chronicle.append_batch('acct-3', '[{"type": "D", "data": {"amount": 1}}, {"type": "D", "data": {"amount": 1}},
                                         {"type": "D", "data": {"amount": 1}}]');
SELECT count(*) AS in_transaction FROM snaps WHERE stream = 'acct-3';
ROLLBACK;
SELECT count(*) AS after_rollback FROM snaps WHERE stream = 'acct-3';
BEGIN;
SELECT chronicle.append_batch('acct-4', '[{"type": "D", "data": {"amount": 1}}, {"type": "D", "data": {"amount": 1}}]');
SAVEPOINT s;
SELECT chronicle.append('acct-4', 'D', '{"amount": 1000}');
ROLLBACK TO SAVEPOINT s;
SELECT chronicle.append('acct-4', 'D', '{"amount": 5}');
COMMIT;
SELECT name, stream_version, state FROM snaps WHERE stream = 'acct-4' ORDER BY 1, 2;

------------------------------------------------------------------------------------------
-- Folds use snapshots, history does not: proved by tampering with one
------------------------------------------------------------------------------------------
SELECT max(recorded_at) FILTER (WHERE stream_version = 5) AS a1_t5,
       max(recorded_at) FILTER (WHERE stream_version = 6) AS a1_t6,
       max(recorded_at) FILTER (WHERE stream_version = 7) AS a1_t7
  FROM chronicle.events WHERE stream = 'acct-1' \gset
UPDATE chronicle.snapshots SET state = '{"tampered": true, "balance": 1000, "n": 0}'
 WHERE revision = :acct3_rev AND stream = 'acct-1' AND stream_version = 6;
-- at or after version 6, acct3's folds start from the tampered snapshot
SELECT chronicle.fold('acct3', 'acct-1') AS now,
       chronicle.fold('acct3', 'acct-1', at_version => 7) AS at_7,
       chronicle.fold('acct3', 'acct-1', at_version => 6) AS at_6;
SELECT chronicle.fold('acct3', 'acct-1', as_of => :'a1_t6') AS as_of_t6,
       chronicle.fold('acct3', 'acct-1', as_of => :'a1_t7') AS as_of_t7,
       chronicle.fold('acct3', 'acct-1', as_of => 'infinity') AS as_of_infinity;
-- before it, they start from version 3's, which is sound
SELECT chronicle.fold('acct3', 'acct-1', at_version => 5) AS at_5,
       chronicle.fold('acct3', 'acct-1', as_of => :'a1_t5') AS as_of_t5,
       chronicle.fold('acct3', 'acct-1', as_of => :'a1_t6'::timestamptz - interval '1 microsecond') AS just_before_t6;
-- history replays every event; the other aggregates have snapshots of their own, or none
SELECT stream_version, state FROM chronicle.history('acct3', 'acct-1') WHERE stream_version >= 5;
SELECT chronicle.fold('acct2', 'acct-1') AS acct2, chronicle.fold('acct0', 'acct-1') AS acct0,
       chronicle.fold('acct_nocat', 'acct-1') AS acct_nocat;

------------------------------------------------------------------------------------------
-- Redefining with the identical definition keeps the snapshots (the revision stays)
------------------------------------------------------------------------------------------
-- Same definition written differently (key order, spacing): still identical as jsonb.
SELECT chronicle.define_aggregate('acct3',
       '{"on": {"W": [{"subtract": "balance", "from": "amount"}, {"count": "n"}],
                "D": [{"from": "amount", "add": "balance"}, {"count": "n"}]},
         "initial": {"n": 0, "balance": 0}}', category => 'acct', snapshot_every => 3);
SELECT revision = :acct3_rev AS same_revision, snapshot_every FROM chronicle.aggregates WHERE name = 'acct3';
SELECT chronicle.fold('acct3', 'acct-1') AS still_tampered;
-- Another category: acct-1 is outside it, so its snapshots are not used...
SELECT chronicle.define_aggregate('acct3', :'acct_definition', category => 'elsewhere', snapshot_every => 3);
SELECT revision = :acct3_rev AS same_revision FROM chronicle.aggregates WHERE name = 'acct3';
SELECT chronicle.fold('acct3', 'acct-1') AS outside_category;
-- ... no snapshots at all: not used either...
SELECT chronicle.define_aggregate('acct3', :'acct_definition', category => 'acct', snapshot_every => 0);
SELECT chronicle.fold('acct3', 'acct-1') AS snapshots_off;
-- ... and back: the same snapshots again.
SELECT chronicle.define_aggregate('acct3', :'acct_definition', category => 'acct', snapshot_every => 3);
SELECT revision = :acct3_rev AS same_revision FROM chronicle.aggregates WHERE name = 'acct3';
SELECT chronicle.fold('acct3', 'acct-1') AS tampered_again;
SELECT count(*) AS acct3_snapshots FROM snaps WHERE name = 'acct3';

------------------------------------------------------------------------------------------
-- Redefining with another definition makes the old snapshots unusable at once
------------------------------------------------------------------------------------------
\set new_definition '{"initial": {"balance": 0, "n": 0, "largest": 0}, "on": {"D": [{"add": "balance", "from": "amount"}, {"count": "n"}, {"max": "largest", "from": "amount"}], "W": [{"subtract": "balance", "from": "amount"}, {"count": "n"}]}}'
SELECT chronicle.define_aggregate('new0', :'new_definition', category => 'acct', snapshot_every => 0);
-- Inside the redefining transaction already, and not after a rollback.
BEGIN;
SELECT chronicle.define_aggregate('acct3', :'new_definition', category => 'acct', snapshot_every => 3);
SELECT chronicle.fold('acct3', 'acct-1') AS in_transaction;
ROLLBACK;
SELECT revision = :acct3_rev AS same_revision FROM chronicle.aggregates WHERE name = 'acct3';
SELECT chronicle.fold('acct3', 'acct-1') AS after_rollback_tampered;
-- Now for good.
SELECT chronicle.define_aggregate('acct3', :'new_definition', category => 'acct', snapshot_every => 3);
SELECT revision AS acct3_rev2 FROM chronicle.aggregates WHERE name = 'acct3' \gset
SELECT :acct3_rev2 > :acct3_rev AS new_revision;
SELECT count(*) AS old_revision_snapshots FROM chronicle.snapshots WHERE revision = :acct3_rev;
SELECT chronicle.fold('acct3', 'acct-1') AS redefined;
-- For every stream of the category (and the one outside it), at every version and as of
-- every event's time, the fold equals the fresh fold of the twin without snapshots.
-- (old_states: folds lacking the member that every state of the current definition has)
CREATE FUNCTION pg_temp.compare(agg text, twin text, member text)
    RETURNS TABLE (checks bigint, mismatches bigint, old_states bigint)
    LANGUAGE sql AS $$
    SELECT count(*),
           count(*) FILTER (WHERE NOT pg_temp.same(chronicle.fold(agg, e.stream, at_version => e.stream_version),
                                                   chronicle.fold(twin, e.stream, at_version => e.stream_version))
                               OR NOT pg_temp.same(chronicle.fold(agg, e.stream, as_of => e.recorded_at),
                                                   chronicle.fold(twin, e.stream, as_of => e.recorded_at))),
           count(*) FILTER (WHERE NOT chronicle.fold(agg, e.stream, at_version => e.stream_version) ? member
                               OR NOT chronicle.fold(agg, e.stream, as_of => e.recorded_at) ? member)
      FROM chronicle.events e WHERE e.stream LIKE 'acct%' OR e.stream = 'other-1' $$;
SELECT * FROM pg_temp.compare('acct3', 'new0', 'largest');
-- New appends write snapshots of the new definition only; the folds still agree.
SELECT chronicle.append_batch('acct-1', '[{"type": "D", "data": {"amount": 8}}, {"type": "D", "data": {"amount": 9}}]');
SELECT chronicle.append('acct-2', 'D', '{"amount": 13}');
SELECT chronicle.append_batch('acct-2', '[{"type": "W", "data": {"amount": 1}}, {"type": "D", "data": {"amount": 50}}]');
SELECT stream, stream_version, revision = :acct3_rev2 AS new_revision, state
  FROM snaps WHERE name = 'acct3' ORDER BY stream, stream_version;
SELECT * FROM pg_temp.compare('acct3', 'new0', 'largest');
-- The new snapshots are used: tamper with one.
UPDATE chronicle.snapshots SET state = '{"tampered": 2}'
 WHERE revision = :acct3_rev2 AND stream = 'acct-1' AND stream_version = 9;
SELECT chronicle.fold('acct3', 'acct-1') AS tampered_new, chronicle.fold('acct3', 'acct-1', at_version => 8) AS before_it;
UPDATE chronicle.snapshots SET state = chronicle.fold('new0', 'acct-1', at_version => 9)
 WHERE revision = :acct3_rev2 AND stream = 'acct-1' AND stream_version = 9;

------------------------------------------------------------------------------------------
-- Folding never writes: not in read-only transactions, not even a missing snapshot
------------------------------------------------------------------------------------------
SELECT count(*) AS snapshots_before_folds FROM chronicle.snapshots \gset
SET default_transaction_read_only = on;
SELECT chronicle.fold('acct3', 'acct-2') AS read_only_fold,
       chronicle.fold('acct3', 'acct-2', as_of => 'infinity') = chronicle.fold('new0', 'acct-2') AS read_only_as_of;
SELECT count(*) AS read_only_history FROM chronicle.history('acct3', 'acct-2');
SELECT * FROM pg_temp.compare('acct3', 'new0', 'largest');
SELECT * FROM pg_temp.compare('acct2', 'acct0', 'n');
RESET default_transaction_read_only;
BEGIN READ ONLY;
SELECT chronicle.fold('acct2', 'acct-2') = chronicle.fold('acct0', 'acct-2') AS begin_read_only_fold;
SELECT count(*) AS begin_read_only_history FROM chronicle.history('acct2', 'acct-2');
COMMIT;
SELECT count(*) = :snapshots_before_folds AS no_snapshot_written FROM chronicle.snapshots;

------------------------------------------------------------------------------------------
-- A definition changed inside a transaction is snapshotted by that transaction's appends
------------------------------------------------------------------------------------------
BEGIN;
SELECT chronicle.define_aggregate('acct1', :'new_definition', category => 'acct', snapshot_every => 1);
SELECT chronicle.append('acct-5', 'D', '{"amount": 42}');
COMMIT;
SELECT name, stream_version, state FROM snaps WHERE stream = 'acct-5' ORDER BY 1, 2;

------------------------------------------------------------------------------------------
-- drop_aggregate deletes the aggregate's snapshots, and only those
------------------------------------------------------------------------------------------
SELECT revision AS acct2_rev FROM chronicle.aggregates WHERE name = 'acct2' \gset
SELECT count(*) AS acct2_snapshots FROM chronicle.snapshots WHERE revision = :acct2_rev;
SELECT count(*) AS other_snapshots_before FROM chronicle.snapshots WHERE revision <> :acct2_rev \gset
SELECT chronicle.drop_aggregate('acct2');
SELECT count(*) AS acct2_snapshots FROM chronicle.snapshots WHERE revision = :acct2_rev;
SELECT count(*) = :other_snapshots_before AS others_kept FROM chronicle.snapshots;
-- Defined again: a new revision, without snapshots until appends cross a multiple.
SELECT chronicle.define_aggregate('acct2', :'acct_definition', category => 'acct', snapshot_every => 2);
SELECT count(*) AS acct2_snapshots FROM snaps WHERE name = 'acct2';
SELECT chronicle.fold('acct2', 'acct-1') = chronicle.fold('acct0', 'acct-1') AS refolded;
SELECT chronicle.append('acct-1', 'W', '{"amount": 0.5}');
SELECT stream, stream_version, state FROM snaps WHERE name = 'acct2';
SELECT * FROM pg_temp.compare('acct2', 'acct0', 'n');

------------------------------------------------------------------------------------------
-- Clean up: events cannot be deleted, so the extension is created afresh for the next file.
------------------------------------------------------------------------------------------
DROP VIEW snaps;
SELECT count(*) AS dropped FROM (SELECT chronicle.drop_aggregate(name) FROM chronicle.aggregates) d;
SELECT count(*) AS snapshots_left FROM chronicle.snapshots;
SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle;
RESET chronicle.allow_drop_with_events;
CREATE EXTENSION chronicle;
SELECT count(*) AS events_left FROM chronicle.events;
