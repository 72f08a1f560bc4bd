-- chronicle 0.7 -> 0.8: subscriptions for services outside the database (checkpoints,
-- consumer groups, parking, wait_for_events, NOTIFY at commit), correlation and causation
-- ids, load and fold_events. Ends with exactly the catalog chronicle--0.8.sql creates
-- (tests/tap/012_install_equals_upgrade.pl).
\echo Use "ALTER EXTENSION chronicle UPDATE TO '0.8'" to load this file. \quit

-- =======================================================================================
-- The event log: correlation and causation ids, and reading a conversation
-- =======================================================================================
ALTER TABLE chronicle.event_log ADD COLUMN correlation_id text COLLATE "C",
                                ADD COLUMN causation_id text COLLATE "C";
-- chronicle.read_correlated reads a conversation in position order from this index.
CREATE INDEX event_log_correlation_idx ON chronicle.event_log (correlation_id, global_position)
    WHERE correlation_id IS NOT NULL;
CREATE OR REPLACE VIEW chronicle.events AS
    SELECT global_position, stream, stream_version, event_id, event_type, data, metadata,
           recorded_at, category, correlation_id, causation_id
      FROM chronicle.event_log;
-- Every event of one conversation (correlation_id), in position order.
CREATE FUNCTION chronicle.read_correlated(correlation_id text) RETURNS SETOF chronicle.event
    AS 'MODULE_PATHNAME', 'chronicle_read_correlated'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 100;

-- =======================================================================================
-- Aggregates: load and fold_events
-- =======================================================================================
-- A repository's load: the folded state and the version it is at, from one snapshot.
CREATE FUNCTION chronicle.load(aggregate text, stream text,
                               as_of timestamptz DEFAULT NULL, at_version bigint DEFAULT NULL)
    RETURNS TABLE (state jsonb, version bigint)
    AS 'MODULE_PATHNAME', 'chronicle_load'
    LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 1;
-- Given these events, then this state: folds append_batch-shaped events without the store.
CREATE FUNCTION chronicle.fold_events(aggregate text, events jsonb, state jsonb DEFAULT NULL)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'chronicle_fold_events'
    LANGUAGE C STABLE PARALLEL RESTRICTED;

-- =======================================================================================
-- Subscriptions: services outside the database read events with server-side checkpoints,
-- in consumer groups, woken by NOTIFY or wait_for_events (docs/subscriptions.md)
-- =======================================================================================

-- A subscription delivers the events of `category` (every category when NULL) and of
-- `event_types` (every type when NULL) with a position after `start_position`, to a group of
-- `members` consumers: member i gets the streams whose chronicle.stream_member(stream,
-- members) is i. Owned by the role that created it; `consumers` may poll, ack, park and wait.
CREATE TABLE chronicle.subscriptions (
    name             text        COLLATE "C" NOT NULL,
    owner            regrole     NOT NULL,
    category         text        COLLATE "C",
    event_types      text[]      COLLATE "C",
    start_position   bigint      NOT NULL,
    members          integer     NOT NULL DEFAULT 1,
    consumers        regrole[]   NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now(),
    group_changed_at timestamptz,
    -- The group before the last change: its size and its members' checkpoints. An event its
    -- member had acknowledged is not delivered again by the new group.
    previous_members     integer,
    previous_checkpoints bigint[],
    CONSTRAINT subscriptions_pkey PRIMARY KEY (name),
    CONSTRAINT subscriptions_members_check CHECK (members BETWEEN 1 AND 1024),
    CONSTRAINT subscriptions_start_position_check CHECK (start_position >= 0)
);
-- One row per member of the current group (of `members` members: a poll or ack of an older
-- group does not find its row). `position`: every event of the member's streams at or below
-- it is done (acknowledged, parked, or not the member's). `delivered`: the highest position a
-- poll returned; an ack beyond it acknowledges what nobody received. A poll or ack locks its
-- member's row: two consumers of one member take turns, and a change of the group (which
-- deletes the rows) waits for the polls and acks in flight.
CREATE TABLE chronicle.subscription_checkpoints (
    subscription text        COLLATE "C" NOT NULL,
    member       integer     NOT NULL,
    members      integer     NOT NULL,
    position     bigint      NOT NULL,
    delivered    bigint      NOT NULL,
    last_poll_at timestamptz,
    last_ack_at  timestamptz,
    CONSTRAINT subscription_checkpoints_pkey PRIMARY KEY (subscription, member)
);
-- Events a consumer gave up on (chronicle.park): polls pass them by, checkpoints may pass
-- them. replay_parked marks them `replay`: the member owning the stream receives them again,
-- before new events, until it acknowledges them.
CREATE TABLE chronicle.subscription_parked_events (
    subscription    text        COLLATE "C" NOT NULL,
    global_position bigint      NOT NULL,
    reason          text        NOT NULL,
    parked_at       timestamptz NOT NULL DEFAULT now(),
    parked_by       regrole     NOT NULL,
    replay          boolean     NOT NULL DEFAULT false,
    replayed_at     timestamptz,
    CONSTRAINT subscription_parked_events_pkey PRIMARY KEY (subscription, global_position)
);
-- No foreign keys to chronicle.subscriptions: only chronicle's functions write these tables
-- (drop_subscription deletes a subscription's rows), and a foreign key check would lock the
-- subscription's row at every poll and ack, where a change of the group waits.
SELECT pg_catalog.pg_extension_config_dump('chronicle.subscriptions', '');
SELECT pg_catalog.pg_extension_config_dump('chronicle.subscription_checkpoints', '');
SELECT pg_catalog.pg_extension_config_dump('chronicle.subscription_parked_events', '');

-- The member of a group of `members` that receives `stream`: FNV-1a (64 bit) of the stream
-- name's bytes, modulo members. Stable across servers, versions and pg_upgrade; a client can
-- compute it too (docs/subscriptions.md).
CREATE FUNCTION chronicle.stream_member(stream text, members integer) RETURNS integer
    AS 'MODULE_PATHNAME', 'chronicle_stream_member'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION chronicle.head_position() RETURNS bigint
    AS 'MODULE_PATHNAME', 'chronicle_head_position'
    LANGUAGE C VOLATILE PARALLEL RESTRICTED;


CREATE FUNCTION chronicle_internal._subscription_check_name(name text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF name IS NULL OR name = '' OR octet_length(name) > 63 THEN
        RAISE EXCEPTION 'a subscription name must be 1 to 63 bytes long'
            USING ERRCODE = 'CH040', DETAIL = format('The name given was %s.', coalesce(quote_literal(name), 'NULL'));
    END IF;
END $$;

CREATE FUNCTION chronicle_internal._subscription_not_found(subscription text) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'subscription "%" does not exist', subscription
        USING ERRCODE = 'CH041',
              HINT = 'SELECT name FROM chronicle.subscription_status lists the subscriptions of this database.';
END $$;

-- The subscription, locked for a change by its owner (or a member of the owning role): FOR NO
-- KEY UPDATE, which two changes take in turn; a drop's DELETE then takes the row itself.
CREATE FUNCTION chronicle_internal._subscription_for_change(caller regrole, subscription text)
    RETURNS chronicle.subscriptions LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions;
BEGIN
    PERFORM chronicle_internal._subscription_check_name(subscription);
    SELECT * INTO s FROM chronicle.subscriptions WHERE name = subscription FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM chronicle_internal._subscription_not_found(subscription);
    END IF;
    PERFORM chronicle_internal._check_owner(caller, 'subscription', s.name, s.owner);
    RETURN s;
END $$;

-- The subscription, for one of its consumers: its owner, a member of the owning role, a role
-- it was granted to (or a member of one), or a superuser. Read without a lock: a consumer in
-- the middle of its transaction never holds its owner's grant, revoke or alter_owner back.
CREATE FUNCTION chronicle_internal._subscription_for_consumer(caller regrole, subscription text,
                                                             members integer)
    RETURNS chronicle.subscriptions LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions;
BEGIN
    PERFORM chronicle_internal._subscription_check_name(subscription);
    IF members IS NULL OR members < 1 OR members > 1024 THEN
        RAISE EXCEPTION 'members must be between 1 and 1024, not %', coalesce(members::text, 'NULL')
            USING ERRCODE = 'CH016';
    END IF;
    SELECT * INTO s FROM chronicle.subscriptions WHERE name = subscription;
    IF NOT FOUND THEN
        PERFORM chronicle_internal._subscription_not_found(subscription);
    END IF;
    IF NOT pg_has_role(caller::oid, s.owner::oid, 'USAGE')
       AND NOT EXISTS (SELECT 1 FROM unnest(s.consumers) AS c(role)
                        WHERE pg_has_role(caller::oid, c.role::oid, 'USAGE')) THEN
        RAISE EXCEPTION 'permission denied for subscription "%"', s.name
            USING ERRCODE = '42501',
                  HINT = format('Its owner (%s) may grant it: SELECT chronicle.grant_subscription(%L, %L).',
                                s.owner, s.name, caller);
    END IF;
    RETURN s;
END $$;

-- The group of `subscription` becomes `members` members (nothing changes if it has that
-- size already). The hand-over: every new member starts at the lowest checkpoint of the old
-- group, so that no stream's events are lost or reordered, and passes by the events the old
-- group's member of their stream had acknowledged (_subscription_passed), so that none is
-- delivered twice. Old members' later polls and acks fail (CH043) and roll back their
-- transactions. (Only the last old group is remembered: after two changes in quick
-- succession, events the group before had acknowledged may come again, in order.)
CREATE FUNCTION chronicle_internal._subscription_regroup(subscription text, members integer,
                                                        first_use boolean)
    RETURNS chronicle.subscriptions LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions;
    handover bigint;
BEGIN
    SELECT * INTO s FROM chronicle.subscriptions WHERE name = subscription FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM chronicle_internal._subscription_not_found(subscription);
    END IF;
    IF s.members = members THEN
        RETURN s;  -- another poll changed it first
    END IF;
    -- The first poll sets the size only of a group nobody has used: another first poll with
    -- another size may have set it meanwhile (the caller then refuses, CH043).
    IF first_use AND (s.group_changed_at IS NOT NULL
                      OR EXISTS (SELECT 1 FROM chronicle.subscription_checkpoints cp
                                  WHERE cp.subscription = s.name
                                    AND (cp.last_poll_at IS NOT NULL OR cp.last_ack_at IS NOT NULL))) THEN
        RETURN s;
    END IF;
    -- The old group's polls and acks in flight end first (they hold their rows): the statements
    -- below then read their acknowledgements.
    PERFORM 1 FROM chronicle.subscription_checkpoints c WHERE c.subscription = s.name FOR UPDATE;
    SELECT min(c.position) INTO handover FROM chronicle.subscription_checkpoints c
     WHERE c.subscription = s.name;
    handover := coalesce(handover, s.start_position);
    UPDATE chronicle.subscriptions
       SET previous_members = s.members,
           previous_checkpoints = ARRAY(SELECT c.position FROM chronicle.subscription_checkpoints c
                                         WHERE c.subscription = s.name ORDER BY c.member)
     WHERE name = s.name;
    DELETE FROM chronicle.subscription_checkpoints c WHERE c.subscription = s.name;
    INSERT INTO chronicle.subscription_checkpoints (subscription, member, members, position, delivered)
    SELECT s.name, m, members, handover, handover FROM generate_series(0, members - 1) AS m;
    -- Replays under way restart with the new members.
    UPDATE chronicle.subscription_parked_events p SET replayed_at = NULL
     WHERE p.subscription = s.name AND p.replay;
    UPDATE chronicle.subscriptions SET members = _subscription_regroup.members, group_changed_at = now()
     WHERE name = s.name
    RETURNING * INTO s;
    RETURN s;
END $$;

-- A poll's or an ack's subscription and member: checked (a consumer of it; the member in the
-- group), and the member's checkpoint locked for this transaction (two consumers of one member
-- take turns; a change of the group, which deletes the rows, waits for the polls and acks in
-- flight). The group's size changes only by chronicle.alter_subscription, or with the first
-- poll of a new subscription nobody has polled or acknowledged yet (`regroup`, so that the
-- first consumers decide it): a member of an old group that still polls must not take the
-- group back, and its polls and acks are refused (CH043). One function, run at every poll and
-- ack: it does in a few statements what _subscription_for_consumer does for the others.
CREATE FUNCTION chronicle_internal._subscription_member(caller regrole, subscription text,
                                                        member integer, members integer,
                                                        regroup boolean,
                                                        OUT s chronicle.subscriptions,
                                                        OUT c chronicle.subscription_checkpoints)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF members IS NULL OR members < 1 OR members > 1024 THEN
        RAISE EXCEPTION 'members must be between 1 and 1024, not %', coalesce(members::text, 'NULL')
            USING ERRCODE = 'CH016';
    END IF;
    IF member IS NULL OR member < 0 OR member >= members THEN
        RAISE EXCEPTION 'member must be between 0 and % for a group of % members, not %',
                        members - 1, members, coalesce(member::text, 'NULL')
            USING ERRCODE = 'CH016';
    END IF;
    SELECT * INTO s FROM chronicle.subscriptions x WHERE x.name = subscription;
    IF NOT FOUND THEN
        PERFORM chronicle_internal._subscription_not_found(subscription);
    END IF;
    -- The owner first, as a simple expression (no query): the common case costs nothing more.
    IF NOT pg_has_role(caller::oid, s.owner::oid, 'USAGE') THEN
      IF NOT EXISTS (SELECT 1 FROM unnest(s.consumers) AS k(role)
                      WHERE pg_has_role(caller::oid, k.role::oid, 'USAGE')) THEN
        RAISE EXCEPTION 'permission denied for subscription "%"', s.name
            USING ERRCODE = '42501',
                  HINT = format('Its owner (%s) may grant it: SELECT chronicle.grant_subscription(%L, %L).',
                                s.owner, s.name, caller);
      END IF;
    END IF;
    IF s.members <> members THEN
        IF regroup AND s.group_changed_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM chronicle.subscription_checkpoints cp
                            WHERE cp.subscription = s.name
                              AND (cp.last_poll_at IS NOT NULL OR cp.last_ack_at IS NOT NULL)) THEN
            s := chronicle_internal._subscription_regroup(s.name, members, true);
        END IF;
        IF s.members <> members THEN
            RAISE EXCEPTION 'subscription "%" has a group of % members, not %', s.name, s.members, members
                USING ERRCODE = 'CH043',
                      DETAIL = CASE WHEN s.group_changed_at IS NULL THEN 'The group is in use with that size.'
                                    ELSE 'The group changed: this member''s unacknowledged events go to the new group.' END,
                      HINT = format('Run the consumers with members => %s, or change the group with chronicle.alter_subscription(%L, members => %s).',
                                    s.members, s.name, members);
        END IF;
    END IF;
    SELECT * INTO c FROM chronicle.subscription_checkpoints cp
     WHERE cp.subscription = s.name AND cp.member = _subscription_member.member
       AND cp.members = s.members
       FOR UPDATE;
    IF NOT FOUND THEN
        -- The group changed (or the subscription was dropped) after `s` was read.
        SELECT * INTO s FROM chronicle.subscriptions x WHERE x.name = s.name;
        IF NOT FOUND THEN
            PERFORM chronicle_internal._subscription_not_found(subscription);
        END IF;
        RAISE EXCEPTION 'subscription "%" has a group of % members, not %', s.name, s.members, members
            USING ERRCODE = 'CH043',
                  DETAIL = 'The group changed: this member''s unacknowledged events go to the new group.',
                  HINT = 'Run the consumers with the new number of members.';
    END IF;
END $$;


-- chronicle.alter_subscription(name, members): a new size for the consumer group. Waits for
-- the polls and acks of the old group in flight; its members' later acks fail (CH043).
CREATE FUNCTION chronicle_internal._alter_subscription(caller regrole, caller_path text, name text,
                                                       members integer)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions := chronicle_internal._subscription_for_consumer(caller, name, coalesce(members, 1));
BEGIN
    IF members IS NULL THEN
        RAISE EXCEPTION 'members must not be NULL' USING ERRCODE = 'CH016';
    END IF;
    PERFORM chronicle_internal._subscription_regroup(s.name, members, false);
END $$;

CREATE FUNCTION chronicle_internal._create_subscription(caller regrole, caller_path text, name text,
                                                        category text, event_types text[], start_at text,
                                                        members integer)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    start bigint;
BEGIN
    PERFORM chronicle_internal._subscription_check_name(name);
    IF category IS NOT NULL AND (category = '' OR octet_length(category) > 255 OR strpos(category, '-') > 0) THEN
        RAISE EXCEPTION 'invalid category for subscription "%": %', name, quote_literal(category)
            USING ERRCODE = 'CH040',
                  DETAIL = 'A category is the part of a stream name before its first "-": 1 to 255 bytes without "-".';
    END IF;
    IF event_types IS NOT NULL AND array_ndims(event_types) > 1 THEN
        RAISE EXCEPTION 'event_types of subscription "%" must be a one-dimensional array', name
            USING ERRCODE = 'CH040';
    END IF;
    IF event_types IS NOT NULL AND array_position(event_types, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'event_types of subscription "%" must not contain NULL', name
            USING ERRCODE = 'CH040';
    END IF;
    IF start_at IS NULL OR start_at = 'beginning' THEN
        start := 0;
    ELSIF start_at = 'end' THEN
        start := chronicle.head_position();
    ELSIF start_at ~ '^\s*[0-9]{1,19}\s*$' AND start_at::numeric < 9223372036854775807 THEN
        start := start_at::bigint;
    ELSE
        RAISE EXCEPTION 'invalid start_at for subscription "%": %', name, quote_literal(start_at)
            USING ERRCODE = 'CH040',
                  HINT = 'Give ''beginning'', ''end'', or a global position: the subscription delivers the events after it.';
    END IF;
    IF members IS NULL OR members < 1 OR members > 1024 THEN
        RAISE EXCEPTION 'members must be between 1 and 1024, not %', coalesce(members::text, 'NULL')
            USING ERRCODE = 'CH040';
    END IF;
    BEGIN
        INSERT INTO chronicle.subscriptions (name, owner, category, event_types, start_position, members)
        VALUES (name, caller, category, event_types, start, members);
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'subscription "%" already exists', name USING ERRCODE = 'CH042';
    END;
    -- Rows a park left behind, racing a drop of an older subscription of this name.
    DELETE FROM chronicle.subscription_parked_events p WHERE p.subscription = name;
    INSERT INTO chronicle.subscription_checkpoints (subscription, member, members, position, delivered)
    SELECT name, m, members, start, start FROM generate_series(0, members - 1) AS m;
END $$;

CREATE FUNCTION chronicle_internal._drop_subscription(caller regrole, caller_path text, name text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions := chronicle_internal._subscription_for_change(caller, name);
BEGIN
    DELETE FROM chronicle.subscription_checkpoints c WHERE c.subscription = s.name;
    DELETE FROM chronicle.subscription_parked_events p WHERE p.subscription = s.name;
    DELETE FROM chronicle.subscriptions WHERE subscriptions.name = s.name;
END $$;

CREATE FUNCTION chronicle_internal._grant_subscription(caller regrole, caller_path text, name text,
                                                       consumer regrole)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions := chronicle_internal._subscription_for_change(caller, name);
BEGIN
    IF consumer IS NULL THEN
        RAISE EXCEPTION 'consumer must not be NULL' USING ERRCODE = 'CH016';
    END IF;
    IF consumer::oid = 0 THEN
        RAISE EXCEPTION 'a subscription cannot be granted to PUBLIC' USING ERRCODE = 'CH016';
    END IF;
    UPDATE chronicle.subscriptions
       SET consumers = array_append(array_remove(consumers, consumer), consumer)
     WHERE subscriptions.name = s.name;
END $$;

CREATE FUNCTION chronicle_internal._revoke_subscription(caller regrole, caller_path text, name text,
                                                        consumer regrole)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions := chronicle_internal._subscription_for_change(caller, name);
BEGIN
    UPDATE chronicle.subscriptions SET consumers = array_remove(consumers, consumer)
     WHERE subscriptions.name = s.name;
END $$;

-- The positions after `after` that a member of the subscription's group passes by, sorted:
-- parked events, and events the previous group's member of their stream had acknowledged.
CREATE FUNCTION chronicle_internal._subscription_passed(s chronicle.subscriptions, after bigint)
    RETURNS bigint[] LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    previous_end bigint;
BEGIN
    IF s.previous_members IS NOT NULL THEN
        previous_end := (SELECT max(x) FROM unnest(s.previous_checkpoints) AS x);
    END IF;
    IF previous_end IS NULL OR previous_end <= after THEN
        RETURN ARRAY(SELECT p.global_position FROM chronicle.subscription_parked_events p
                      WHERE p.subscription = s.name AND NOT p.replay AND p.global_position > after
                      ORDER BY 1);
    END IF;
    RETURN ARRAY(
        SELECT p.global_position FROM chronicle.subscription_parked_events p
         WHERE p.subscription = s.name AND NOT p.replay AND p.global_position > after
        UNION
        SELECT l.global_position FROM chronicle.event_log l
         WHERE l.global_position > after AND l.global_position <= previous_end
           AND (s.category IS NULL OR l.category = s.category)
           AND l.global_position <= s.previous_checkpoints[chronicle.stream_member(l.stream, s.previous_members) + 1]
         ORDER BY 1);
END $$;

-- chronicle.poll's first step (src/pg/subscriptions/poll.cpp): the consumer checked, its
-- member's checkpoint locked, the parked events to deliver again chosen (and marked), and what
-- the read that follows (in C) must pass by.
CREATE FUNCTION chronicle_internal._poll_begin(caller regrole, caller_path text, subscription text,
                                               max_count integer, member integer, members integer,
                                               OUT category text, OUT event_types text[],
                                               OUT after bigint, OUT wanted integer,
                                               OUT member_number integer, OUT group_size integer,
                                               OUT passed bigint[], OUT replayed bigint[])
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    sc record;
    s chronicle.subscriptions;
    c chronicle.subscription_checkpoints;
BEGIN
    wanted := coalesce(max_count, 100);
    IF wanted < 0 THEN
        RAISE EXCEPTION 'max_count must not be negative, not %', wanted USING ERRCODE = 'CH016';
    END IF;
    sc := chronicle_internal._subscription_member(caller, subscription, coalesce(member, 0),
                                                  coalesce(members, 1), true);
    s := sc.s;
    c := sc.c;
    category := s.category;
    event_types := s.event_types;
    after := c.position;
    member_number := c.member;
    group_size := s.members;
    IF EXISTS (SELECT 1 FROM chronicle.subscription_parked_events p WHERE p.subscription = s.name) THEN
        -- Parked events asked for again come first, in position order.
        replayed := ARRAY(
            SELECT p.global_position
              FROM chronicle.subscription_parked_events p
              JOIN chronicle.event_log l ON l.global_position = p.global_position
             WHERE p.subscription = s.name AND p.replay
               AND chronicle.stream_member(l.stream, s.members) = c.member
               AND (s.category IS NULL OR l.category = s.category)
               AND (s.event_types IS NULL OR l.event_type = ANY (s.event_types))
             ORDER BY p.global_position LIMIT wanted);
        UPDATE chronicle.subscription_parked_events p SET replayed_at = now()
         WHERE p.subscription = s.name AND p.global_position = ANY (replayed);
        passed := chronicle_internal._subscription_passed(s, c.position);
    ELSIF s.previous_members IS NOT NULL THEN
        passed := chronicle_internal._subscription_passed(s, c.position);
    END IF;
END $$;

-- chronicle.poll's last step: the member's checkpoint after the read. `examined`: every event
-- at or below it was examined; `last_returned`: the last position returned (NULL: none). When
-- nothing was returned and nothing delivered waits for an ack, the checkpoint moves to
-- `examined`, so that the next poll does not examine the same events again.
CREATE FUNCTION chronicle_internal._poll_end(subscription text, member integer, examined bigint,
                                             last_returned bigint)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE chronicle.subscription_checkpoints cp
       SET position = CASE WHEN last_returned IS NULL AND cp.delivered <= cp.position
                                AND examined > cp.position
                           THEN examined ELSE cp.position END,
           delivered = CASE WHEN last_returned IS NULL AND cp.delivered <= cp.position
                                 AND examined > cp.position
                            THEN examined ELSE greatest(cp.delivered, last_returned) END,
           last_poll_at = now()
     WHERE cp.subscription = _poll_end.subscription AND cp.member = _poll_end.member;
END $$;

CREATE FUNCTION chronicle_internal._ack(caller regrole, caller_path text, subscription text,
                                        "position" bigint, member integer, members integer)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    sc record;
    s chronicle.subscriptions;
    c chronicle.subscription_checkpoints;
BEGIN
    IF _ack.position IS NULL OR _ack.position < 0 THEN
        RAISE EXCEPTION 'position must be a global position, not %', coalesce(_ack.position::text, 'NULL')
            USING ERRCODE = 'CH016';
    END IF;
    sc := chronicle_internal._subscription_member(caller, subscription, coalesce(member, 0),
                                                  coalesce(members, 1), false);
    s := sc.s;
    c := sc.c;
    -- Replayed parked events delivered up to the position are done.
    IF EXISTS (SELECT 1 FROM chronicle.subscription_parked_events p
                WHERE p.subscription = s.name AND p.replay) THEN
        DELETE FROM chronicle.subscription_parked_events p
         WHERE p.subscription = s.name AND p.replay AND p.replayed_at IS NOT NULL
           AND p.global_position <= _ack.position
           AND chronicle.stream_member((SELECT l.stream FROM chronicle.event_log l
                                         WHERE l.global_position = p.global_position), s.members) = c.member;
    END IF;
    IF _ack.position > c.delivered THEN
        RAISE EXCEPTION 'position % was not delivered to member % of subscription "%"', _ack.position, c.member, s.name
            USING ERRCODE = 'CH044',
                  DETAIL = format('The highest position delivered to it is %s.', c.delivered),
                  HINT = 'Acknowledge the global_position of an event that chronicle.poll returned.';
    END IF;
    UPDATE chronicle.subscription_checkpoints cp
       SET position = greatest(cp.position, _ack.position), last_ack_at = now()
     WHERE cp.subscription = s.name AND cp.member = c.member;
END $$;

CREATE FUNCTION chronicle_internal._park(caller regrole, caller_path text, subscription text,
                                         "position" bigint, reason text)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions := chronicle_internal._subscription_for_consumer(caller, subscription, 1);
    stream text;
    owner_member integer;
BEGIN
    IF _park.position IS NULL OR _park.position < 1 THEN
        RAISE EXCEPTION 'position must be a global position, not %', coalesce(_park.position::text, 'NULL')
            USING ERRCODE = 'CH016';
    END IF;
    -- Only an event of the subscription: one its consumers could have received.
    SELECT l.stream INTO stream FROM chronicle.event_log l
     WHERE l.global_position = _park.position AND l.global_position > s.start_position
       AND (s.category IS NULL OR l.category = s.category)
       AND (s.event_types IS NULL OR l.event_type = ANY (s.event_types));
    IF NOT FOUND THEN
        RAISE EXCEPTION 'position % was not delivered by subscription "%"', _park.position, s.name
            USING ERRCODE = 'CH044', DETAIL = 'No event of the subscription has that position.',
                  HINT = 'Park an event that chronicle.poll returned.';
    END IF;
    owner_member := chronicle.stream_member(stream, s.members);
    IF NOT EXISTS (SELECT 1 FROM chronicle.subscription_checkpoints cp
                    WHERE cp.subscription = s.name AND cp.member = owner_member
                      AND cp.delivered >= _park.position)
       AND NOT EXISTS (SELECT 1 FROM chronicle.subscription_parked_events p
                        WHERE p.subscription = s.name AND p.global_position = _park.position) THEN
        RAISE EXCEPTION 'position % was not delivered by subscription "%"', _park.position, s.name
            USING ERRCODE = 'CH044', HINT = 'Park an event that chronicle.poll returned.';
    END IF;
    INSERT INTO chronicle.subscription_parked_events (subscription, global_position, reason, parked_by)
    VALUES (s.name, _park.position, coalesce(reason, ''), caller)
    ON CONFLICT ON CONSTRAINT subscription_parked_events_pkey DO UPDATE
       SET reason = excluded.reason, parked_at = now(), parked_by = excluded.parked_by,
           replay = false, replayed_at = NULL;
END $$;

CREATE FUNCTION chronicle_internal._replay_parked(caller regrole, caller_path text, subscription text)
    RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions := chronicle_internal._subscription_for_consumer(caller, subscription, 1);
    ahead bigint;
    behind bigint;
BEGIN
    -- Parked events the owning member's checkpoint has not passed come with its next polls:
    -- they are simply no longer parked.
    DELETE FROM chronicle.subscription_parked_events p
     USING chronicle.event_log l, chronicle.subscription_checkpoints cp
     WHERE p.subscription = s.name AND NOT p.replay AND l.global_position = p.global_position
       AND cp.subscription = s.name AND cp.member = chronicle.stream_member(l.stream, s.members)
       AND p.global_position > cp.position;
    GET DIAGNOSTICS ahead = ROW_COUNT;
    UPDATE chronicle.subscription_parked_events p SET replay = true, replayed_at = NULL
     WHERE p.subscription = s.name AND NOT p.replay;
    GET DIAGNOSTICS behind = ROW_COUNT;
    RETURN ahead + behind;
END $$;

-- wait_for_events' view of a subscription: its filter, the checkpoint of each member, whether
-- parked events wait to be delivered again (to `member`, when given), and the positions the
-- polls pass by. Reads without locking: the wait must not hold alter_subscription back.
CREATE FUNCTION chronicle_internal._subscription_wait_target(caller regrole, subscription text,
    member integer, members integer,
    OUT category text, OUT event_types text[], OUT group_size integer, OUT positions bigint[],
    OUT replays boolean, OUT parked bigint[])
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s chronicle.subscriptions :=
        chronicle_internal._subscription_for_consumer(caller, subscription, coalesce(members, 1));
BEGIN
    IF member IS NOT NULL OR members IS NOT NULL THEN
        IF member IS NULL OR members IS NULL THEN
            RAISE EXCEPTION 'member and members go together'
                USING ERRCODE = 'CH016', HINT = 'Give both, or neither to wait for any member''s events.';
        END IF;
        IF member < 0 OR member >= members THEN
            RAISE EXCEPTION 'member must be between 0 and % for a group of % members, not %',
                            members - 1, members, member
                USING ERRCODE = 'CH016';
        END IF;
        IF s.members <> members THEN
            RAISE EXCEPTION 'subscription "%" has a group of % members, not %', s.name, s.members, members
                USING ERRCODE = 'CH043';
        END IF;
    END IF;
    category := s.category;
    event_types := s.event_types;
    group_size := s.members;
    positions := ARRAY(SELECT cp.position FROM chronicle.subscription_checkpoints cp
                        WHERE cp.subscription = s.name ORDER BY cp.member);
    replays := EXISTS (SELECT 1 FROM chronicle.subscription_parked_events p
                         JOIN chronicle.event_log l ON l.global_position = p.global_position
                        WHERE p.subscription = s.name AND p.replay
                          AND (member IS NULL OR chronicle.stream_member(l.stream, s.members) = member));
    parked := chronicle_internal._subscription_passed(s, (SELECT min(x) FROM unnest(positions) AS x));
END $$;
-- Definer: it reads the subscription through _subscription_wait_target, which the caller may
-- not execute; the caller's rights are checked there, with the caller passed in.
CREATE FUNCTION chronicle_internal._wait_for_events(caller regrole, caller_path text, subscription text,
                                                    timeout interval, member integer, members integer)
    RETURNS boolean AS 'MODULE_PATHNAME', 'chronicle_wait_for_events'
    LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

CREATE VIEW chronicle.subscription_status AS
    SELECT s.name, s.owner, s.category, s.event_types, s.members,
           (SELECT array_agg(cp.position ORDER BY cp.member) FROM chronicle.subscription_checkpoints cp
             WHERE cp.subscription = s.name) AS checkpoints,
           lag.lag_events,
           coalesce(extract(epoch FROM now() - lag.oldest_recorded_at), 0)::double precision AS lag_seconds,
           (SELECT count(*) FROM chronicle.subscription_parked_events p
             WHERE p.subscription = s.name AND NOT p.replay) AS parked,
           (SELECT count(*) FROM chronicle.subscription_parked_events p
             WHERE p.subscription = s.name AND p.replay) AS replaying,
           (SELECT max(cp.last_poll_at) FROM chronicle.subscription_checkpoints cp
             WHERE cp.subscription = s.name) AS last_poll_at,
           (SELECT max(cp.last_ack_at) FROM chronicle.subscription_checkpoints cp
             WHERE cp.subscription = s.name) AS last_ack_at,
           s.consumers, s.created_at, s.group_changed_at
      FROM chronicle.subscriptions s
      -- What is left to deliver: each member's committed events after its checkpoint, parked
      -- ones aside; and how long the oldest of them has waited.
      CROSS JOIN LATERAL (
          SELECT count(*) AS lag_events, min(l.recorded_at) AS oldest_recorded_at
            FROM chronicle.subscription_checkpoints cp
            JOIN chronicle.event_log l
              ON l.global_position > cp.position
             AND (s.category IS NULL OR l.category = s.category)
           WHERE cp.subscription = s.name
             AND (s.event_types IS NULL OR l.event_type = ANY (s.event_types))
             AND chronicle.stream_member(l.stream, s.members) = cp.member
             AND NOT EXISTS (SELECT 1 FROM chronicle.subscription_parked_events p
                              WHERE p.subscription = s.name AND p.global_position = l.global_position
                                AND NOT p.replay)) AS lag;
-- The parked events of every subscription, with their reasons.
CREATE VIEW chronicle.subscription_parked AS
    SELECT p.subscription, p.global_position, l.stream, l.stream_version, l.event_type,
           p.reason, p.parked_at, p.parked_by, p.replay, p.replayed_at
      FROM chronicle.subscription_parked_events p
      JOIN chronicle.event_log l ON l.global_position = p.global_position;

CREATE FUNCTION chronicle.create_subscription(name text, category text DEFAULT NULL,
                                              event_types text[] DEFAULT NULL,
                                              start_at text DEFAULT 'beginning',
                                              members integer DEFAULT 1)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.drop_subscription(name text)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.grant_subscription(name text, consumer regrole)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.revoke_subscription(name text, consumer regrole)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.alter_subscription(name text, members integer)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.poll(subscription text, max_count integer DEFAULT 100,
                               member integer DEFAULT 0, members integer DEFAULT 1)
    RETURNS SETOF chronicle.event AS 'MODULE_PATHNAME', 'chronicle_poll'
    LANGUAGE C VOLATILE ROWS 100;
CREATE FUNCTION chronicle.ack(subscription text, "position" bigint,
                              member integer DEFAULT 0, members integer DEFAULT 1)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.park(subscription text, "position" bigint, reason text)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.replay_parked(subscription text)
    RETURNS bigint AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;
CREATE FUNCTION chronicle.wait_for_events(subscription text, timeout interval DEFAULT '30 seconds',
                                          member integer DEFAULT NULL, members integer DEFAULT NULL)
    RETURNS boolean AS 'MODULE_PATHNAME', 'chronicle_management_call' LANGUAGE C VOLATILE;

-- chronicle.alter_owner(kind, name, new_owner): as ALTER ... OWNER TO, the caller must be
-- able to change the object and be a member of the new owner (superusers excepted), and the
-- new owner must be able to run it: EXECUTE on its handler or reducer. A projection's table
-- (and rebuild table) that belonged to the old owner goes to the new one with it. A
-- subscription keeps its checkpoints and consumers.
CREATE OR REPLACE FUNCTION chronicle_internal._alter_owner(caller regrole, caller_path text, kind text, name text,
                                       new_owner regrole)
    RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    p chronicle.projections;
    a chronicle.aggregates;
    s chronicle.subscriptions;
BEGIN
    IF new_owner IS NULL THEN
        RAISE EXCEPTION 'new_owner must not be NULL' USING ERRCODE = 'CH016';
    END IF;
    IF kind IS NULL OR kind NOT IN ('aggregate', 'projection', 'subscription') THEN
        RAISE EXCEPTION 'kind must be ''aggregate'', ''projection'' or ''subscription'', not %',
                        coalesce(quote_literal(kind), 'NULL')
            USING ERRCODE = 'CH016';
    END IF;
    IF kind = 'projection' THEN
        p := chronicle_internal._projection_for_change(caller, name);
    ELSIF kind = 'subscription' THEN
        s := chronicle_internal._subscription_for_change(caller, name);
    ELSE
        SELECT * INTO a FROM chronicle.aggregates WHERE aggregates.name = _alter_owner.name FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'aggregate "%" does not exist', name
                USING ERRCODE = 'CH021', HINT = 'The table chronicle.aggregates lists the defined aggregates.';
        END IF;
        PERFORM chronicle_internal._check_owner(caller, 'aggregate', name, a.owner);
    END IF;
    IF NOT pg_has_role(caller::oid, new_owner::oid, 'MEMBER') THEN
        RAISE EXCEPTION 'must be able to SET ROLE %', new_owner
            USING ERRCODE = '42501',
                  DETAIL = format('Only a member of role %s may give it a %s.', new_owner, kind);
    END IF;
    IF kind = 'subscription' THEN
        UPDATE chronicle.subscriptions SET owner = new_owner WHERE subscriptions.name = s.name;
        RETURN;
    END IF;
    IF kind = 'aggregate' THEN
        IF a.reducer IS NOT NULL
           AND NOT has_function_privilege(new_owner::oid, to_regprocedure(a.reducer)::oid, 'EXECUTE') THEN
            RAISE EXCEPTION 'role % has no EXECUTE on reducer %', new_owner, a.reducer
                USING ERRCODE = '42501';
        END IF;
        UPDATE chronicle.aggregates SET owner = new_owner WHERE aggregates.name = a.name;
        RETURN;
    END IF;
    IF p.handler IS NOT NULL
       AND NOT has_function_privilege(new_owner::oid, to_regprocedure(p.handler)::oid, 'EXECUTE') THEN
        RAISE EXCEPTION 'role % has no EXECUTE on handler %', new_owner, p.handler
            USING ERRCODE = '42501';
    END IF;
    IF p.table_name IS NOT NULL
       AND (SELECT relowner FROM pg_class WHERE oid = p.table_name) = p.owner::oid THEN
        EXECUTE format('ALTER TABLE %s OWNER TO %s', p.table_name, new_owner);
    END IF;
    IF p.rebuild_table IS NOT NULL AND EXISTS (SELECT 1 FROM pg_class WHERE oid = p.rebuild_table) THEN
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %s', p.rebuild_table, new_owner);
    END IF;
    UPDATE chronicle.projections SET owner = new_owner WHERE projections.name = p.name;
END $$;


-- =======================================================================================
-- Comments and privileges of the new objects
-- =======================================================================================

COMMENT ON INDEX chronicle.event_log_correlation_idx IS
    'chronicle.read_correlated: the events of one correlation_id in position order';
COMMENT ON COLUMN chronicle.events.correlation_id IS
    'the conversation the event belongs to: its metadata''s correlation_id, or the setting chronicle.correlation_id when it appended';
COMMENT ON COLUMN chronicle.events.causation_id IS
    'what caused the event: its metadata''s causation_id, or the setting chronicle.causation_id when it appended';
COMMENT ON FUNCTION chronicle.read_correlated(text) IS
    'every event with this correlation_id, in position order';
COMMENT ON FUNCTION chronicle.load(text, text, timestamptz, bigint) IS
    'a stream''s folded state and the version it is at, from one snapshot: load, decide, append with expected_version';
COMMENT ON FUNCTION chronicle.fold_events(text, jsonb, jsonb) IS
    'fold a JSON array of append_batch-shaped events with an aggregate''s definition, without reading or writing the store';
COMMENT ON TABLE chronicle.subscriptions IS
    'subscriptions of services outside the database: filter, group size, owner and consumers; create with chronicle.create_subscription';
COMMENT ON TABLE chronicle.subscription_checkpoints IS
    'per member of each subscription''s group: the acknowledged position and the highest delivered one';
COMMENT ON TABLE chronicle.subscription_parked_events IS
    'events the consumers of a subscription parked (gave up on), with their reasons';
COMMENT ON VIEW chronicle.subscription_status IS
    'one row per subscription: filter, members, checkpoints, lag, parked events, last poll and ack';
COMMENT ON VIEW chronicle.subscription_parked IS
    'the parked events of every subscription, with their streams and reasons';
COMMENT ON FUNCTION chronicle.stream_member(text, integer) IS
    'the member of a consumer group of this size that receives the stream (FNV-1a of its name, modulo members)';
COMMENT ON FUNCTION chronicle.head_position() IS
    'the highest global position a gap-safe reader can pass now: every event at or below it is committed, or never will be';
COMMENT ON FUNCTION chronicle.create_subscription(text, text, text[], text, integer) IS
    'create a subscription of the events of a category and types, from the beginning, the end, or after a position, for a group of consumers';
COMMENT ON FUNCTION chronicle.drop_subscription(text) IS
    'drop a subscription with its checkpoints and parked events';
COMMENT ON FUNCTION chronicle.grant_subscription(text, regrole) IS
    'let a role (and its members) poll, acknowledge, park, replay and wait on a subscription';
COMMENT ON FUNCTION chronicle.revoke_subscription(text, regrole) IS
    'take back what chronicle.grant_subscription gave';
COMMENT ON FUNCTION chronicle.alter_subscription(text, integer) IS
    'change the size of a subscription''s consumer group: every new member starts at the old group''s lowest checkpoint';
COMMENT ON FUNCTION chronicle.poll(text, integer, integer, integer) IS
    'the next events of a subscription (or of one member of its group) after the acknowledged position, gap-safe, in position order';
COMMENT ON FUNCTION chronicle.ack(text, bigint, integer, integer) IS
    'acknowledge every delivered event of a subscription member up to a position';
COMMENT ON FUNCTION chronicle.park(text, bigint, text) IS
    'set an event a consumer gives up on aside, with a reason: polls pass it by';
COMMENT ON FUNCTION chronicle.replay_parked(text) IS
    'deliver a subscription''s parked events again; returns how many';
COMMENT ON FUNCTION chronicle.wait_for_events(text, interval, integer, integer) IS
    'wait until a subscription (or one member of its group) has events to deliver (true) or the timeout passes (false), holding no snapshot of its own';
COMMENT ON FUNCTION chronicle_internal._subscription_check_name(text) IS
    'internal: refuses a subscription name that is empty or longer than 63 bytes';
COMMENT ON FUNCTION chronicle_internal._subscription_not_found(text) IS
    'internal: raises "subscription does not exist"';
COMMENT ON FUNCTION chronicle_internal._subscription_for_change(regrole, text) IS
    'internal: a subscription, locked, for a change by its owner';
COMMENT ON FUNCTION chronicle_internal._subscription_for_consumer(regrole, text, integer) IS
    'internal: a subscription, for one of its consumers';
COMMENT ON FUNCTION chronicle_internal._subscription_regroup(text, integer, boolean) IS
    'internal: changes the size of a subscription''s group, every new member starting at the old group''s lowest checkpoint';
COMMENT ON FUNCTION chronicle_internal._subscription_member(regrole, text, integer, integer, boolean) IS
    'internal: a poll''s or ack''s subscription and member, checked, with the member''s checkpoint locked';
COMMENT ON FUNCTION chronicle_internal._alter_subscription(regrole, text, text, integer) IS
    'internal: chronicle.alter_subscription, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._create_subscription(regrole, text, text, text, text[], text, integer) IS
    'internal: chronicle.create_subscription, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._drop_subscription(regrole, text, text) IS
    'internal: chronicle.drop_subscription, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._grant_subscription(regrole, text, text, regrole) IS
    'internal: chronicle.grant_subscription, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._revoke_subscription(regrole, text, text, regrole) IS
    'internal: chronicle.revoke_subscription, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._subscription_passed(chronicle.subscriptions, bigint) IS
    'internal: the positions a member of a subscription''s group passes by: parked, or acknowledged by the previous group';
COMMENT ON FUNCTION chronicle_internal._poll_begin(regrole, text, text, integer, integer, integer) IS
    'internal: chronicle.poll''s checks and locks, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._poll_end(text, integer, bigint, bigint) IS
    'internal: chronicle.poll''s update of the member''s checkpoint';
COMMENT ON FUNCTION chronicle_internal._ack(regrole, text, text, bigint, integer, integer) IS
    'internal: chronicle.ack, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._park(regrole, text, text, bigint, text) IS
    'internal: chronicle.park, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._replay_parked(regrole, text, text) IS
    'internal: chronicle.replay_parked, called with the calling role';
COMMENT ON FUNCTION chronicle_internal._subscription_wait_target(regrole, text, integer, integer) IS
    'internal: a subscription''s filter and checkpoints, for wait_for_events';
COMMENT ON FUNCTION chronicle_internal._wait_for_events(regrole, text, text, interval, integer, integer) IS
    'internal: chronicle.wait_for_events, called with the calling role';

-- 0.8: reading conversations, loading, subscriptions.
REVOKE EXECUTE ON FUNCTION chronicle.read_correlated(text),
                           chronicle.load(text, text, timestamptz, bigint),
                           chronicle.fold_events(text, jsonb, jsonb),
                           chronicle.head_position(),
                           chronicle.create_subscription(text, text, text[], text, integer),
                           chronicle.drop_subscription(text),
                           chronicle.grant_subscription(text, regrole),
                           chronicle.revoke_subscription(text, regrole),
                           chronicle.alter_subscription(text, integer),
                           chronicle.alter_subscription(text, integer),
                          chronicle.poll(text, integer, integer, integer),
                           chronicle.ack(text, bigint, integer, integer),
                           chronicle.park(text, bigint, text),
                           chronicle.replay_parked(text),
                           chronicle.wait_for_events(text, interval, integer, integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION chronicle.read_correlated(text),
                          chronicle.load(text, text, timestamptz, bigint),
                          chronicle.fold_events(text, jsonb, jsonb),
                          chronicle.head_position(),
                          chronicle.create_subscription(text, text, text[], text, integer),
                          chronicle.drop_subscription(text),
                          chronicle.grant_subscription(text, regrole),
                          chronicle.revoke_subscription(text, regrole),
                          chronicle.alter_subscription(text, integer),
                          chronicle.poll(text, integer, integer, integer),
                          chronicle.ack(text, bigint, integer, integer),
                          chronicle.park(text, bigint, text),
                          chronicle.replay_parked(text),
                          chronicle.wait_for_events(text, interval, integer, integer)
    TO @extowner@ WITH GRANT OPTION;
-- chronicle.stream_member stays PUBLIC's: a pure function of its arguments.
-- Definitions are readable by everyone; checkpoints, parked events (whose reasons may quote
-- events) and the status views are the extension owner's to grant on.
REVOKE ALL ON chronicle.subscription_checkpoints, chronicle.subscription_parked_events,
              chronicle.subscription_status, chronicle.subscription_parked FROM PUBLIC;
GRANT SELECT ON chronicle.subscriptions, chronicle.subscription_checkpoints,
                chronicle.subscription_parked_events, chronicle.subscription_status,
                chronicle.subscription_parked
    TO @extowner@ WITH GRANT OPTION;
GRANT SELECT ON chronicle.subscriptions TO PUBLIC;
REVOKE EXECUTE ON FUNCTION chronicle_internal._subscription_check_name(text),
                           chronicle_internal._subscription_not_found(text),
                           chronicle_internal._subscription_for_change(regrole, text),
                           chronicle_internal._subscription_for_consumer(regrole, text, integer),
                           chronicle_internal._subscription_regroup(text, integer, boolean),
                           chronicle_internal._subscription_member(regrole, text, integer, integer, boolean),
                           chronicle_internal._alter_subscription(regrole, text, text, integer),
                           chronicle_internal._create_subscription(regrole, text, text, text, text[], text, integer),
                           chronicle_internal._drop_subscription(regrole, text, text),
                           chronicle_internal._grant_subscription(regrole, text, text, regrole),
                           chronicle_internal._revoke_subscription(regrole, text, text, regrole),
                           chronicle_internal._subscription_passed(chronicle.subscriptions, bigint),
                           chronicle_internal._poll_begin(regrole, text, text, integer, integer, integer),
                           chronicle_internal._poll_end(text, integer, bigint, bigint),
                           chronicle_internal._ack(regrole, text, text, bigint, integer, integer),
                           chronicle_internal._park(regrole, text, text, bigint, text),
                           chronicle_internal._replay_parked(regrole, text, text),
                           chronicle_internal._subscription_wait_target(regrole, text, integer, integer),
                           chronicle_internal._wait_for_events(regrole, text, text, interval, integer, integer)
    FROM PUBLIC;
