-- Aggregates have owners: the role that defined one. Only its owner, a member of the owning
-- role or a superuser may redefine or drop it (42501 for anyone else, nothing changed), and a
-- redefinition keeps the owner. define_aggregate and drop_aggregate run their own queries as
-- chronicle's table owner with search_path pinned and every name qualified, so a caller's
-- search_path cannot make them run the caller's operators or functions.
\set SHOW_CONTEXT never

CREATE ROLE regress_alice;
CREATE ROLE regress_mallory;
CREATE ROLE regress_alice_team;             -- a member of regress_alice
GRANT regress_alice TO regress_alice_team;
GRANT USAGE ON SCHEMA chronicle TO regress_alice, regress_mallory, regress_alice_team;
GRANT SELECT ON chronicle.aggregates TO regress_alice, regress_mallory, regress_alice_team;
GRANT EXECUTE ON FUNCTION chronicle.define_aggregate(text, jsonb, text, integer),
                          chronicle.drop_aggregate(text)
   TO regress_alice, regress_mallory, regress_alice_team;

-- The state of alice's aggregate as folded now, and its catalog row.
CREATE FUNCTION pg_temp.owned_state() RETURNS TABLE (owner regrole, definition jsonb,
                                                     snapshot_every integer, fold jsonb)
    LANGUAGE sql AS $$
    SELECT a.owner, a.definition, a.snapshot_every, chronicle.fold('owned', 'owned-1')
      FROM chronicle.aggregates a WHERE a.name = 'owned' $$;

------------------------------------------------------------------------------------------
-- The creator owns it
------------------------------------------------------------------------------------------
SET ROLE regress_alice;
SELECT chronicle.define_aggregate('owned', '{"initial": {"n": 0}, "on": {"E": [{"count": "n"}]}}',
                                  category => 'owned');
RESET ROLE;
SELECT chronicle.append('owned-1', 'E', '{}');
SELECT chronicle.append('owned-1', 'E', '{}');
SELECT revision AS owned_rev FROM chronicle.aggregates WHERE name = 'owned' \gset
SELECT * FROM pg_temp.owned_state();

------------------------------------------------------------------------------------------
-- Another role can neither redefine nor drop it
------------------------------------------------------------------------------------------
SET ROLE regress_mallory;
SELECT chronicle.define_aggregate('owned', '{"initial": {"n": 1000}, "on": {"E": [{"count": "n"}]}}',
                                  category => 'owned');
\echo :LAST_ERROR_SQLSTATE
-- Not even the same definition with another snapshot interval.
SELECT chronicle.define_aggregate('owned', '{"initial": {"n": 0}, "on": {"E": [{"count": "n"}]}}',
                                  category => 'owned', snapshot_every => 1);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.drop_aggregate('owned');
\echo :LAST_ERROR_SQLSTATE
-- A name nobody defined is still "does not exist" for a drop.
SELECT chronicle.drop_aggregate('never_defined');
\echo :LAST_ERROR_SQLSTATE
-- Mallory's own aggregate is mallory's.
SELECT chronicle.define_aggregate('mallorys', '{"initial": {}, "on": {}}');
RESET ROLE;
-- Nothing changed: same definition, interval and revision, and the fold is alice's state.
SELECT * FROM pg_temp.owned_state();
SELECT revision = :owned_rev AS same_revision FROM chronicle.aggregates WHERE name = 'owned';
SELECT name, owner FROM chronicle.aggregates ORDER BY name;

-- Alice cannot touch mallory's either.
SET ROLE regress_alice;
SELECT chronicle.drop_aggregate('mallorys');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

------------------------------------------------------------------------------------------
-- A member of the owning role and a superuser can; the owner stays
------------------------------------------------------------------------------------------
SET ROLE regress_alice_team;
SELECT chronicle.define_aggregate('owned', '{"initial": {"n": 10}, "on": {"E": [{"count": "n"}]}}',
                                  category => 'owned');
RESET ROLE;
SELECT * FROM pg_temp.owned_state();
SELECT chronicle.define_aggregate('owned', '{"initial": {"n": 100}, "on": {"E": [{"count": "n"}]}}',
                                  category => 'owned', snapshot_every => 50);
SELECT * FROM pg_temp.owned_state();
-- The same definition again, only the interval changed: the owner may, and stays owner.
SET ROLE regress_alice;
SELECT chronicle.define_aggregate('owned', '{"initial": {"n": 100}, "on": {"E": [{"count": "n"}]}}',
                                  category => 'owned', snapshot_every => 7);
RESET ROLE;
SELECT * FROM pg_temp.owned_state();
-- A superuser drops mallory's; a member of alice's role drops alice's.
SELECT chronicle.drop_aggregate('mallorys');
SET ROLE regress_alice_team;
SELECT chronicle.drop_aggregate('owned');
RESET ROLE;
SELECT count(*) AS aggregates_left FROM chronicle.aggregates WHERE name IN ('owned', 'mallorys');

------------------------------------------------------------------------------------------
-- search_path attacks: mallory's operators and functions are never called
------------------------------------------------------------------------------------------
CREATE SCHEMA mine AUTHORIZATION regress_mallory;
SET ROLE regress_mallory;
CREATE TABLE mine.calls (called_as name, what text);
GRANT INSERT ON mine.calls TO PUBLIC;
-- Each trap records who called it and tries to make mallory a superuser.
CREATE FUNCTION mine.trap(what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mine.calls VALUES (current_user, what);
    BEGIN
        EXECUTE 'ALTER ROLE regress_mallory SUPERUSER';
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
END $$;
CREATE FUNCTION mine.jsonb_eq(a jsonb, b jsonb) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM mine.trap('=(jsonb,jsonb)'); RETURN pg_catalog.jsonb_eq(a, b); END $$;
CREATE FUNCTION mine.text_eq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM mine.trap('=(text,text)'); RETURN pg_catalog.texteq(a, b); END $$;
CREATE FUNCTION mine.text_ne(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM mine.trap('<>(text,text)'); RETURN pg_catalog.textne(a, b); END $$;
CREATE FUNCTION mine.int8_eq(a bigint, b bigint) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM mine.trap('=(bigint,bigint)'); RETURN pg_catalog.int8eq(a, b); END $$;
CREATE FUNCTION mine.int4_ne(a integer, b integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM mine.trap('<>(integer,integer)'); RETURN pg_catalog.int4ne(a, b); END $$;
CREATE FUNCTION mine.bool_ne(a boolean, b boolean) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM mine.trap('<>(boolean,boolean)'); RETURN pg_catalog.boolne(a, b); END $$;
CREATE OPERATOR mine.= (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = mine.jsonb_eq);
CREATE OPERATOR mine.= (LEFTARG = text, RIGHTARG = text, FUNCTION = mine.text_eq);
CREATE OPERATOR mine.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = mine.text_ne);
CREATE OPERATOR mine.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = mine.int8_eq);
CREATE OPERATOR mine.<> (LEFTARG = integer, RIGHTARG = integer, FUNCTION = mine.int4_ne);
CREATE OPERATOR mine.<> (LEFTARG = boolean, RIGHTARG = boolean, FUNCTION = mine.bool_ne);
CREATE FUNCTION mine.nextval(seq text) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN PERFORM mine.trap('nextval(text)'); RETURN 1000000; END $$;
CREATE FUNCTION mine.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN PERFORM mine.trap('now()'); RETURN pg_catalog.statement_timestamp(); END $$;

SET search_path = mine, pg_catalog;
-- The traps work: mallory's own query with this path calls them (as mallory).
SELECT 'a'::text = 'a'::text AS trapped, '{}'::jsonb = '{}'::jsonb AS trapped_too;
SELECT called_as, what FROM mine.calls ORDER BY what;
DELETE FROM mine.calls;
-- A new aggregate, redefined (a new and then the same definition), dropped.
SELECT chronicle.define_aggregate('trap', '{"initial": {"n": 0}, "on": {"E": [{"count": "n"}]}}');
SELECT chronicle.define_aggregate('trap', '{"initial": {"n": 1}, "on": {"E": [{"count": "n"}]}}',
                                  category => 'trap');
SELECT chronicle.define_aggregate('trap', '{"initial": {"n": 1}, "on": {"E": [{"count": "n"}]}}',
                                  snapshot_every => 3);
SELECT chronicle.drop_aggregate('trap');
SELECT chronicle.drop_aggregate('trap');
\echo :LAST_ERROR_SQLSTATE
RESET search_path;
RESET ROLE;
-- And against another role's aggregate: the owner check comes after the lookup query.
SET ROLE regress_alice;
SELECT chronicle.define_aggregate('alices', '{"initial": {}, "on": {}}');
SET ROLE regress_mallory;
SET search_path = mine, pg_catalog;
SELECT chronicle.define_aggregate('alices', '{"initial": {"x": 1}, "on": {}}');
SELECT chronicle.drop_aggregate('alices');
RESET search_path;
RESET ROLE;

-- No trap ran, as anyone; mallory is no superuser; alice's aggregate is untouched.
SELECT count(*) AS trap_calls FROM mine.calls;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_mallory';
SELECT name, owner, definition FROM chronicle.aggregates WHERE name = 'alices';

-- Clean up.
SELECT chronicle.drop_aggregate('alices');
DROP SCHEMA mine CASCADE;
REVOKE ALL ON SCHEMA chronicle FROM regress_alice, regress_mallory, regress_alice_team;
REVOKE ALL ON chronicle.aggregates FROM regress_alice, regress_mallory, regress_alice_team;
REVOKE ALL ON FUNCTION chronicle.define_aggregate(text, jsonb, text, integer),
                       chronicle.drop_aggregate(text)
  FROM regress_alice, regress_mallory, regress_alice_team;
DROP ROLE regress_alice_team;
DROP ROLE regress_alice;
DROP ROLE regress_mallory;
