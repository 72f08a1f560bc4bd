-- Subscriptions (issue 13): server-side checkpoints, at-least-once in position order, filters,
-- consumer groups and their hand-over, parking and replay, wait_for_events, head_position,
-- owners and grants. Positions are shown relative to the head before the test's first event
-- (:base), as other tests of this database append too.
\set SHOW_CONTEXT never
\set VERBOSITY default

SELECT chronicle.head_position() AS base \gset
-- The head is the highest position a gap-safe reader can pass: here, the last one handed out.
SELECT chronicle.head_position() = (SELECT coalesce(max(global_position), 0) FROM chronicle.events)
       OR chronicle.head_position() > (SELECT coalesce(max(global_position), 0) FROM chronicle.events)
       AS head_is_past_every_event;

-- Six orders, each with a created and a paid event, and events of another category.
SELECT chronicle.append('sub_order-' || i, 'OrderCreated', jsonb_build_object('n', i))
  FROM generate_series(1, 6) AS i;
SELECT chronicle.append('sub_order-' || i, 'OrderPaid', jsonb_build_object('n', i))
  FROM generate_series(1, 6) AS i;
SELECT chronicle.append('sub_invoice-1', 'InvoiceSent', '{}');
SELECT chronicle.head_position() - :base AS head;

-- ---------------------------------------------------------------------------------------
-- Creating: names, filters, start positions
-- ---------------------------------------------------------------------------------------
SELECT chronicle.create_subscription('sub_all_paid', category => 'sub_order',
                                     event_types => '{OrderPaid}', start_at => :'base');
SELECT chronicle.create_subscription('sub_orders', category => 'sub_order', start_at => :'base');
SELECT chronicle.create_subscription('sub_everything', start_at => :'base');
SELECT chronicle.create_subscription('sub_late', category => 'sub_order', start_at => 'end');
SELECT name, category, event_types, start_position - :base AS start, members
  FROM chronicle.subscriptions WHERE name LIKE 'sub\_%' ORDER BY name;
-- 'beginning' is position 0.
SELECT chronicle.create_subscription('sub_from_zero');
SELECT start_position FROM chronicle.subscriptions WHERE name = 'sub_from_zero';
SELECT chronicle.drop_subscription('sub_from_zero');

SELECT chronicle.create_subscription('sub_all_paid');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_subscription('');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_subscription(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_subscription(repeat('x', 64));
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_subscription('sub_bad', category => 'sub-order');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_subscription('sub_bad', category => '');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_subscription('sub_bad', event_types => ARRAY['A', NULL]);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_subscription('sub_bad', start_at => 'yesterday');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_subscription('sub_bad', start_at => '-1');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_subscription('sub_bad', start_at => '99999999999999999999');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_subscription('sub_bad', event_types => '{{A},{B}}');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_subscription('sub_bad', start_at => '9223372036854775807');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_subscription('sub_bad', members => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.create_subscription('sub_bad', members => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS nothing_created FROM chronicle.subscriptions WHERE name = 'sub_bad';

-- ---------------------------------------------------------------------------------------
-- poll and ack: after the checkpoint, in position order, filtered; unacknowledged again
-- ---------------------------------------------------------------------------------------
SELECT global_position - :base AS pos, stream, stream_version, event_type
  FROM chronicle.poll('sub_all_paid', max_count => 4);
-- Nothing acknowledged: the same events again.
SELECT global_position - :base AS pos, stream FROM chronicle.poll('sub_all_paid', max_count => 2);
SELECT chronicle.ack('sub_all_paid', :base + 8);
SELECT global_position - :base AS pos, stream FROM chronicle.poll('sub_all_paid');
-- An older position is a no-op; a position never delivered is CH044, and changes nothing.
SELECT chronicle.ack('sub_all_paid', :base + 7);
SELECT position - :base AS checkpoint FROM chronicle.subscription_checkpoints WHERE subscription = 'sub_all_paid';
\set VERBOSITY sqlstate
SELECT chronicle.ack('sub_all_paid', :base + 13);
\set VERBOSITY default
SELECT chronicle.ack('sub_all_paid', -1);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.ack('sub_all_paid', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.ack('sub_all_paid', :base + 12);
SELECT count(*) AS nothing_left FROM chronicle.poll('sub_all_paid');
SELECT chronicle.poll('sub_all_paid', max_count => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM chronicle.poll('sub_all_paid', max_count => 0);
SELECT chronicle.poll('sub_nope');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.ack('sub_nope', 1);
\echo :LAST_ERROR_SQLSTATE

-- Every category, in position order.
SELECT global_position - :base AS pos, stream, event_type
  FROM chronicle.poll('sub_everything', max_count => 100)
 WHERE global_position > :base + 11;

-- A poll that finds nothing of its own moves the checkpoint past what it examined (when
-- nothing is outstanding), so that the next poll does not examine it again.
SELECT chronicle.create_subscription('sub_invoices', category => 'sub_invoice',
                                     event_types => '{Nothing}', start_at => :'base');
SELECT count(*) FROM chronicle.poll('sub_invoices');
SELECT position - :base AS checkpoint, delivered - :base AS delivered
  FROM chronicle.subscription_checkpoints WHERE subscription = 'sub_invoices';

-- 'end' delivers only what comes after creation.
SELECT count(*) AS before_any FROM chronicle.poll('sub_late');
SELECT chronicle.append('sub_order-7', 'OrderCreated', '{}');
SELECT stream FROM chronicle.poll('sub_late');

-- ---------------------------------------------------------------------------------------
-- Consumer groups
-- ---------------------------------------------------------------------------------------
-- stream_member: FNV-1a 64 of the name, modulo members (docs/subscriptions.md).
SELECT chronicle.stream_member('order-1', 1) AS alone, chronicle.stream_member('order-1', 4),
       chronicle.stream_member('order-2', 4), chronicle.stream_member('order-42', 1024);
SELECT chronicle.stream_member('order-1', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.stream_member('order-1', 1025);
\echo :LAST_ERROR_SQLSTATE

-- A group sized at creation.
SELECT chronicle.create_subscription('sub_pair', category => 'sub_order', members => 2);
SELECT members, array_length(checkpoints, 1) FROM chronicle.subscription_status WHERE name = 'sub_pair';
SELECT chronicle.drop_subscription('sub_pair');
-- Three members: each gets exactly the streams that hash to it, every stream in version
-- order, and together every event once. The first poll of a new subscription sets the size.
CREATE TEMP TABLE sub_got (member int, pos bigint, stream text, version bigint);
INSERT INTO sub_got SELECT 0, global_position, stream, stream_version FROM chronicle.poll('sub_orders', 100, member => 0, members => 3);
INSERT INTO sub_got SELECT 1, global_position, stream, stream_version FROM chronicle.poll('sub_orders', 100, member => 1, members => 3);
INSERT INTO sub_got SELECT 2, global_position, stream, stream_version FROM chronicle.poll('sub_orders', 100, member => 2, members => 3);
SELECT count(*) AS delivered, count(DISTINCT pos) AS distinct_events,
       bool_and(member = chronicle.stream_member(stream, 3)) AS each_to_its_member
  FROM sub_got;
SELECT (SELECT count(*) FROM chronicle.events WHERE category = 'sub_order' AND global_position > :base)
       = (SELECT count(*) FROM sub_got) AS every_event;
SELECT bool_and(in_order) AS versions_in_order FROM (
    SELECT version = row_number() OVER (PARTITION BY stream ORDER BY pos) AS in_order FROM sub_got) t;
SELECT members, array_length(checkpoints, 1) FROM chronicle.subscription_status WHERE name = 'sub_orders';
SELECT chronicle.poll('sub_orders', member => 3, members => 3);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.poll('sub_orders', member => -1, members => 3);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.poll('sub_orders', member => 0, members => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.poll('sub_orders', member => 0, members => 1025);
\echo :LAST_ERROR_SQLSTATE

-- Each member acknowledges what it got, except member 1, which acknowledges nothing.
SELECT chronicle.ack('sub_orders', max(pos), member => 0, members => 3) FROM sub_got WHERE member = 0;
SELECT chronicle.ack('sub_orders', max(pos), member => 2, members => 3) FROM sub_got WHERE member = 2;
SELECT member, position - :base AS checkpoint FROM chronicle.subscription_checkpoints
 WHERE subscription = 'sub_orders' ORDER BY member;

-- A group in use changes its size only when asked: a poll with another size is refused.
SELECT chronicle.poll('sub_orders', member => 0, members => 2);
\echo :LAST_ERROR_SQLSTATE
-- Scaling to two members: both start at the lowest checkpoint of the old group (member 1's),
-- so member 1's unacknowledged streams are not lost, and pass by what members 0 and 2 had
-- acknowledged, so nothing comes twice.
SELECT chronicle.alter_subscription('sub_orders', members => 2);
TRUNCATE sub_got;
INSERT INTO sub_got SELECT 0, global_position, stream, stream_version FROM chronicle.poll('sub_orders', 100, member => 0, members => 2);
SELECT members, checkpoints[1] - :base AS first, checkpoints[2] - :base AS second, group_changed_at IS NOT NULL AS changed
  FROM chronicle.subscription_status WHERE name = 'sub_orders';
INSERT INTO sub_got SELECT 1, global_position, stream, stream_version FROM chronicle.poll('sub_orders', 100, member => 1, members => 2);
SELECT array_agg(pos ORDER BY pos)
       = (SELECT array_agg(global_position ORDER BY global_position) FROM chronicle.events
           WHERE category = 'sub_order' AND global_position > :base
             AND chronicle.stream_member(stream, 3) = 1) AS exactly_the_unacknowledged,
       bool_and(member = chronicle.stream_member(stream, 2)) AS each_to_its_member
  FROM sub_got;
SELECT bool_and(in_order) AS versions_in_order FROM (
    SELECT version = min(version) OVER (PARTITION BY stream) + row_number() OVER (PARTITION BY stream ORDER BY pos) - 1
           AS in_order FROM sub_got) t;
-- An old member's ack is refused: its transaction rolls back, its events went to the new group.
SELECT chronicle.ack('sub_orders', :base + 1, member => 1, members => 3);
\echo :LAST_ERROR_SQLSTATE
-- ... and so is its poll: a member of the old group does not take the group back.
SELECT chronicle.poll('sub_orders', member => 1, members => 3);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.alter_subscription('sub_orders', members => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.alter_subscription('sub_orders', members => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.alter_subscription('sub_nope', members => 2);
\echo :LAST_ERROR_SQLSTATE
-- The same size again changes nothing.
SELECT chronicle.alter_subscription('sub_orders', members => 2);
SELECT members, checkpoints[1] - :base AS first FROM chronicle.subscription_status WHERE name = 'sub_orders';

-- ---------------------------------------------------------------------------------------
-- Parking and replay
-- ---------------------------------------------------------------------------------------
SELECT chronicle.create_subscription('sub_park', category => 'sub_order',
                                     event_types => '{OrderPaid}', start_at => :'base');
SELECT global_position - :base AS pos FROM chronicle.poll('sub_park', 3);
-- The consumer gives up on the second one, and acknowledges the first only.
SELECT chronicle.park('sub_park', :base + 8, 'mail server refused the address');
SELECT chronicle.ack('sub_park', :base + 7);
-- Polls pass it by; the checkpoint may pass it.
SELECT global_position - :base AS pos FROM chronicle.poll('sub_park', 3);
SELECT chronicle.ack('sub_park', :base + 11);
SELECT subscription, global_position - :base AS pos, stream, event_type, reason, replay
  FROM chronicle.subscription_parked WHERE subscription = 'sub_park';
SELECT parked, replaying FROM chronicle.subscription_status WHERE name = 'sub_park';
-- Parking what was never delivered, or no event, is refused.
\set VERBOSITY sqlstate
SELECT chronicle.park('sub_park', :base + 12, 'not yet delivered');
\set VERBOSITY default
SELECT chronicle.park('sub_park', -5, 'no such event');
\echo :LAST_ERROR_SQLSTATE
-- Replay: delivered again, first, until acknowledged.
SELECT chronicle.replay_parked('sub_park');
SELECT global_position - :base AS pos FROM chronicle.poll('sub_park', 10);
SELECT global_position - :base AS pos FROM chronicle.poll('sub_park', 10);
-- Delivered but not yet acknowledged, a replayed event is still something to wait for.
SELECT chronicle.wait_for_events('sub_park', '0') AS replay_pending;
SELECT chronicle.ack('sub_park', :base + 12);
SELECT count(*) AS replay_done FROM chronicle.subscription_parked WHERE subscription = 'sub_park';
SELECT count(*) AS nothing_left FROM chronicle.poll('sub_park', 10);
SELECT delivered - :base AS delivered_now_past_every_event FROM chronicle.subscription_checkpoints
 WHERE subscription = 'sub_park';
-- Only the subscription's own events can be parked: not one of another category or type, nor
-- one before its start, even below the delivered position (else parking and replaying would
-- read any event of the database).
\set VERBOSITY sqlstate
SELECT chronicle.park('sub_park', :base + 13, 'another category');
SELECT chronicle.park('sub_park', :base + 1, 'another type');
SELECT chronicle.park('sub_late', :base + 7, 'before its start');
\set VERBOSITY default
SELECT count(*) AS none_parked FROM chronicle.subscription_parked_events
 WHERE subscription IN ('sub_park', 'sub_late');
SELECT chronicle.replay_parked('sub_park') AS nothing_to_replay;

-- ---------------------------------------------------------------------------------------
-- wait_for_events
-- ---------------------------------------------------------------------------------------
SELECT chronicle.wait_for_events('sub_park', '0');
SELECT chronicle.append('sub_order-1', 'OrderPaid', '{}');
SELECT chronicle.wait_for_events('sub_park', '10 seconds');
-- An event it would not deliver (another type) does not count.
SELECT chronicle.ack('sub_park', (SELECT max(global_position) FROM chronicle.poll('sub_park')));
SELECT chronicle.append('sub_order-1', 'OrderShipped', '{}');
SELECT chronicle.wait_for_events('sub_park', '50 milliseconds');
-- One member's wait: only its own streams' events count.
SELECT chronicle.create_subscription('sub_waiting', category => 'sub_order', members => 2,
                                     start_at => 'end');
SELECT chronicle.append('sub_order-1', 'OrderPaid', '{}');  -- member 0 of 2
SELECT chronicle.stream_member('sub_order-1', 2) AS member_of_sub_order_1;
SELECT chronicle.wait_for_events('sub_waiting', '0', member => 0, members => 2) AS member_0,
       chronicle.wait_for_events('sub_waiting', '0', member => 1, members => 2) AS member_1,
       chronicle.wait_for_events('sub_waiting', '0') AS any_member;
SELECT chronicle.wait_for_events('sub_waiting', '0', member => 0, members => 3);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.wait_for_events('sub_waiting', '0', member => 2, members => 2);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.wait_for_events('sub_waiting', '0', member => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.drop_subscription('sub_waiting');
SELECT chronicle.wait_for_events('sub_nope', '0');
\echo :LAST_ERROR_SQLSTATE
-- In a transaction that appended, it could only time out: refused.
BEGIN;
SELECT chronicle.append('sub_order-1', 'OrderPaid', '{}');
SELECT chronicle.wait_for_events('sub_park', '1 second');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- ---------------------------------------------------------------------------------------
-- Exactly once: ack in the consumer's own transaction
-- ---------------------------------------------------------------------------------------
CREATE TABLE sub_emails (pos bigint PRIMARY KEY, stream text);
SELECT chronicle.create_subscription('sub_mailer', category => 'sub_order',
                                     event_types => '{OrderPaid}', start_at => :'base');
BEGIN;
INSERT INTO sub_emails SELECT global_position, stream FROM chronicle.poll('sub_mailer', 3);
SELECT chronicle.ack('sub_mailer', (SELECT max(pos) FROM sub_emails));
ROLLBACK;  -- the consumer failed: neither the emails nor the ack happened
BEGIN;
INSERT INTO sub_emails SELECT global_position, stream FROM chronicle.poll('sub_mailer', 3);
SELECT chronicle.ack('sub_mailer', (SELECT max(pos) FROM sub_emails));
COMMIT;
BEGIN;
INSERT INTO sub_emails SELECT global_position, stream FROM chronicle.poll('sub_mailer', 100);
SELECT chronicle.ack('sub_mailer', (SELECT max(pos) FROM sub_emails));
COMMIT;
SELECT count(*) AS emails, count(DISTINCT pos) AS distinct_emails,
       (SELECT count(*) FROM chronicle.events WHERE event_type = 'OrderPaid' AND category = 'sub_order'
           AND global_position > :base) AS paid_events
  FROM sub_emails;

-- ---------------------------------------------------------------------------------------
-- Owners and grants
-- ---------------------------------------------------------------------------------------
CREATE ROLE sub_manager;
CREATE ROLE sub_consumer;
CREATE ROLE sub_stranger;
GRANT EXECUTE ON FUNCTION chronicle.create_subscription(text, text, text[], text, integer),
                          chronicle.drop_subscription(text),
                          chronicle.grant_subscription(text, regrole),
                          chronicle.revoke_subscription(text, regrole)
   TO sub_manager, sub_stranger;
GRANT EXECUTE ON FUNCTION chronicle.alter_owner(text, text, regrole) TO sub_stranger;
GRANT EXECUTE ON FUNCTION chronicle.poll(text, integer, integer, integer),
                          chronicle.ack(text, bigint, integer, integer),
                          chronicle.park(text, bigint, text),
                          chronicle.wait_for_events(text, interval, integer, integer),
                          chronicle.alter_subscription(text, integer)
   TO sub_consumer, sub_stranger;
-- Nothing of it is PUBLIC's.
SET ROLE sub_consumer;
SELECT chronicle.create_subscription('sub_x');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.head_position();
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM chronicle.subscription_status;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM chronicle.subscription_parked_events;
\echo :LAST_ERROR_SQLSTATE
-- Definitions are readable, as chronicle.aggregates is.
SELECT name FROM chronicle.subscriptions WHERE name = 'sub_park';
RESET ROLE;

SET ROLE sub_manager;
SELECT chronicle.create_subscription('sub_owned', category => 'sub_order', start_at => :'base');
SELECT owner FROM chronicle.subscriptions WHERE name = 'sub_owned';
RESET ROLE;
-- A consumer needs the owner's grant as well as EXECUTE on poll.
SET ROLE sub_consumer;
SELECT count(*) FROM chronicle.poll('sub_owned');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.wait_for_events('sub_owned', '0');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE sub_stranger;
SELECT chronicle.grant_subscription('sub_owned', 'sub_stranger');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.drop_subscription('sub_owned');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.alter_owner('subscription', 'sub_owned', 'sub_stranger');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE sub_manager;
SELECT chronicle.grant_subscription('sub_owned', 'sub_consumer');
SELECT chronicle.grant_subscription('sub_owned', 'public');
\echo :LAST_ERROR_SQLSTATE
SELECT consumers FROM chronicle.subscriptions WHERE name = 'sub_owned';
RESET ROLE;
SET ROLE sub_consumer;
SELECT count(*) > 0 AS polled FROM chronicle.poll('sub_owned');
SELECT chronicle.ack('sub_owned', (SELECT max(global_position) FROM chronicle.poll('sub_owned')));
SELECT chronicle.wait_for_events('sub_owned', '0');
-- A consumer may size the group it works in.
SELECT chronicle.alter_subscription('sub_owned', 2);
SELECT chronicle.alter_subscription('sub_owned', 1);
RESET ROLE;
-- Another manager can neither poll it nor change it.
SET ROLE sub_stranger;
SELECT chronicle.revoke_subscription('sub_owned', 'sub_consumer');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM chronicle.poll('sub_owned');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.alter_subscription('sub_owned', 3);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- Revoked: refused again.
SET ROLE sub_manager;
SELECT chronicle.revoke_subscription('sub_owned', 'sub_consumer');
RESET ROLE;
SET ROLE sub_consumer;
SELECT count(*) FROM chronicle.poll('sub_owned');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- alter_owner moves it, checkpoints and all.
SELECT chronicle.alter_owner('subscription', 'sub_owned', 'sub_consumer');
SELECT owner, checkpoints[1] > :base AS kept_checkpoint FROM chronicle.subscription_status WHERE name = 'sub_owned';
SELECT chronicle.alter_owner('subscription', 'sub_nope', 'sub_consumer');
\echo :LAST_ERROR_SQLSTATE
SET ROLE sub_consumer;
SELECT chronicle.drop_subscription('sub_owned');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
GRANT EXECUTE ON FUNCTION chronicle.drop_subscription(text) TO sub_consumer;
SET ROLE sub_consumer;
SELECT chronicle.drop_subscription('sub_owned');
RESET ROLE;

-- ---------------------------------------------------------------------------------------
-- Status, and dropping
-- ---------------------------------------------------------------------------------------
SELECT name, members, lag_events, lag_seconds >= 0 AS lag_seconds_known, parked,
       last_poll_at IS NOT NULL AS polled, last_ack_at IS NOT NULL AS acked
  FROM chronicle.subscription_status WHERE name LIKE 'sub\_%' ORDER BY name;
SELECT chronicle.drop_subscription(name) FROM chronicle.subscriptions WHERE name LIKE 'sub\_%';
SELECT count(*) AS nothing_left FROM chronicle.subscription_checkpoints WHERE subscription LIKE 'sub\_%';
SELECT count(*) AS nothing_left FROM chronicle.subscription_parked_events WHERE subscription LIKE 'sub\_%';
SELECT chronicle.drop_subscription('sub_park');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE sub_emails;
REVOKE ALL ON FUNCTION chronicle.create_subscription(text, text, text[], text, integer),
                       chronicle.drop_subscription(text),
                       chronicle.grant_subscription(text, regrole),
                       chronicle.revoke_subscription(text, regrole),
                       chronicle.poll(text, integer, integer, integer),
                       chronicle.ack(text, bigint, integer, integer),
                       chronicle.park(text, bigint, text),
                       chronicle.wait_for_events(text, interval, integer, integer),
                       chronicle.alter_subscription(text, integer)
  FROM sub_manager, sub_consumer, sub_stranger;
REVOKE ALL ON FUNCTION chronicle.alter_owner(text, text, regrole) FROM sub_stranger;
DROP ROLE sub_manager, sub_consumer, sub_stranger;
