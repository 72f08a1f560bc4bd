# Events and the global position sequence survive pg_dump / pg_restore into a new database:
# the restored events are identical, and new appends continue with larger positions and the
# next stream versions (no position handed out before the dump is handed out again).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'chronicle'\n");
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql('source', 'CREATE EXTENSION chronicle');
$node->safe_psql(
	'source', q{
	SELECT chronicle.append('order-1', 'Placed', '{"total": 10, "items": ["a", "b"]}',
	                        '{"by": "tap", "correlation": 7}', 0,
	                        '00000000-0000-4000-8000-000000000001');
	SELECT chronicle.append_batch('order-1',
		'[{"type": "Paid", "data": {"amount": 10}},
		  {"type": "Shipped", "data": {"nested": {"deep": [1, 2, {"x": null}]}},
		   "metadata": {"carrier": "x"}}]', 1);
	SELECT chronicle.append('invoice-1', 'Issued', '{"n": "\u00e9t\u00e9 \u2713"}');
	-- an aborted append burns positions: the sequence is ahead of the last stored event
	BEGIN;
	SELECT chronicle.append_batch('order-2',
		'[{"type": "Placed", "data": {}}, {"type": "Placed", "data": {}}]');
	ROLLBACK;
	SELECT chronicle.append('order-3', 'Placed', '{}');
	BEGIN;
	SELECT chronicle.append('order-3', 'Cancelled', '{}');
	ROLLBACK;});

my $events_sql = q{
	SELECT global_position, stream, stream_version, event_id, event_type, data, metadata,
	       recorded_at, category
	  FROM chronicle.events ORDER BY global_position};
my $read_all_sql = q{SELECT * FROM chronicle.read_all(0, 1000)};
my $sequence_sql = q{SELECT last_value, is_called FROM chronicle.global_position_seq};

my $source_events = $node->safe_psql('source', $events_sql);
my $source_read_all = $node->safe_psql('source', $read_all_sql);
my $source_sequence = $node->safe_psql('source', $sequence_sql);
my $source_max = $node->safe_psql('source', 'SELECT max(global_position) FROM chronicle.events');
is($source_max, '7', 'the source holds events up to position 7');
is($source_sequence, '8|t', 'the source sequence is ahead of the stored events (positions burned)');

# Aggregate definitions are configuration: dumped and restored with their revisions.
$node->safe_psql(
	'source', q{
	CREATE FUNCTION public.count_events(state jsonb, e chronicle.event) RETURNS jsonb
	    LANGUAGE sql STABLE AS $$ SELECT jsonb_build_object('n', coalesce((state->>'n')::int, 0) + 1) $$;
	SELECT chronicle.define_aggregate('order_state',
	    '{"initial": {"types": []}, "on": {"*": [{"append": "types", "event": "type"}]}}',
	    category => 'order', snapshot_every => 2);
	SELECT chronicle.define_aggregate('order_count', '{"reducer": "public.count_events"}',
	    category => 'order', snapshot_every => 0);});
my $aggregates_sql =
  q{SELECT name, definition, category, snapshot_every, revision, reducer FROM chronicle.aggregates ORDER BY name};
my $folds_sql = q{SELECT chronicle.fold('order_state', 'order-1'), chronicle.fold('order_count', 'order-1')};
my $source_aggregates = $node->safe_psql('source', $aggregates_sql);
my $source_folds = $node->safe_psql('source', $folds_sql);

# Subscriptions are configuration and state: definitions, a resized group's checkpoints, parked
# events and grants are dumped and restored.
$node->safe_psql(
	'source', q{
	CREATE ROLE dump_consumer;
	SELECT chronicle.create_subscription('billing', category => 'order');
	SELECT count(*) FROM chronicle.poll('billing', 2);
	SELECT chronicle.ack('billing', 1);
	SELECT chronicle.park('billing', 2, 'refused');
	SELECT chronicle.alter_subscription('billing', 2);
	SELECT chronicle.grant_subscription('billing', 'dump_consumer');});
my $subscriptions_sql = q{
	SELECT s.name, s.owner, s.category, s.members, s.consumers, s.start_position,
	       s.previous_members, s.previous_checkpoints,
	       (SELECT array_agg(c.member || ':' || c.position || ':' || c.delivered ORDER BY c.member)
	          FROM chronicle.subscription_checkpoints c WHERE c.subscription = s.name),
	       (SELECT array_agg(p.global_position || ':' || p.reason ORDER BY p.global_position)
	          FROM chronicle.subscription_parked_events p WHERE p.subscription = s.name)
	  FROM chronicle.subscriptions s ORDER BY s.name};
my $source_subscriptions = $node->safe_psql('source', $subscriptions_sql);

# --- dump and restore into a new database -------------------------------------------------

my $dump = $node->basedir . '/source.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', 'source' ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE target');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', 'target', $dump ], 'pg_restore');

is($node->safe_psql('target', $events_sql),
	$source_events, 'the restored events are identical, all columns');
is($node->safe_psql('target', $read_all_sql),
	$source_read_all, 'read_all returns the same events in the restored database');
is($node->safe_psql('target', $sequence_sql),
	$source_sequence, 'the position sequence is restored where it was');
is( $node->safe_psql(
		'target', q{SELECT string_agg(stream || ':' || version, ',' ORDER BY stream)
	FROM chronicle.streams}),
	'invoice-1:1,order-1:3,order-3:1',
	'the streams view shows the same versions');

is($node->safe_psql('target', $aggregates_sql),
	$source_aggregates, 'aggregate definitions are restored with their revisions and reducers');
is($node->safe_psql('target', $subscriptions_sql), $source_subscriptions,
	'subscriptions, their checkpoints, parked events and consumers are restored');
is( $node->safe_psql(
		'target', q{SELECT string_agg(global_position::text, ',' ORDER BY global_position)
	  FROM (SELECT * FROM chronicle.poll('billing', 100, 0, 2)
	        UNION ALL SELECT * FROM chronicle.poll('billing', 100, 1, 2)) e}),
	$node->safe_psql(
		'source', q{SELECT string_agg(global_position::text, ',' ORDER BY global_position)
	  FROM (SELECT * FROM chronicle.poll('billing', 100, 0, 2)
	        UNION ALL SELECT * FROM chronicle.poll('billing', 100, 1, 2)) e}),
	'and the restored subscription delivers what the source delivers');
is($node->safe_psql('target', $folds_sql), $source_folds,
	'declarative and reducer folds give the same states after the restore');

# --- appends continue -------------------------------------------------------------------------

is($node->safe_psql('target', q{SELECT chronicle.append('order-1', 'Closed', '{}', expected_version => 3)}),
	'4', 'an append continues the stream\'s version');
is($node->safe_psql('target', q{SELECT chronicle.append('order-2', 'Placed', '{}', expected_version => 0)}),
	'1', 'a stream that only had aborted appends starts at version 1');
is( $node->safe_psql(
		'target',
		q{SELECT string_agg(global_position::text, ',' ORDER BY global_position)
	FROM chronicle.read_all(7)}),
	'9,10',
	'new appends take positions after every position handed out before the dump');
my ($ret, $out, $err) = $node->psql(
	'target', q{SELECT chronicle.append('order-9', 'Placed', '{}',
	event_id => '00000000-0000-4000-8000-000000000001')},
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($err, qr/CH002/, 'restored event ids stay unique: reusing one fails with CH002');

($ret, $out, $err) = $node->psql('target', 'DELETE FROM chronicle.event_log',
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($err, qr/CH003/, 'the restored events are still immutable');

is( $node->safe_psql(
		'target', q{SELECT s.stream_version, s.revision = a.revision
	  FROM chronicle.snapshots s JOIN chronicle.aggregates a ON a.name = 'order_state'}),
	'4|t',
	'an append after the restore takes a snapshot for the restored definition');
is( $node->safe_psql(
		'target', q{SELECT chronicle.fold('order_state', 'order-1')
	  = (SELECT state FROM chronicle.history('order_state', 'order-1') ORDER BY stream_version DESC LIMIT 1)}),
	't', 'the fold from that snapshot equals the full replay');
$node->safe_psql('target',
	q{SELECT chronicle.define_aggregate('order_state', '{"on": {"*": [{"count": "n"}]}}', 'order', 2)});
is( $node->safe_psql(
		'target', q{SELECT revision > (SELECT max(revision) FROM chronicle.aggregates WHERE name <> 'order_state')
	  FROM chronicle.aggregates WHERE name = 'order_state'}),
	't', 'a redefinition after the restore takes a revision never used before');
is($node->safe_psql('target', q{SELECT chronicle.fold('order_state', 'order-1')}),
	'{"n": 4}', 'and folds with the new definition, not the restored snapshot');

# The source is unaffected and continues on its own.
is($node->safe_psql('source', q{SELECT chronicle.append('order-1', 'Closed', '{}', expected_version => 3)}),
	'4', 'the source continues independently');

$node->safe_psql('source', 'SELECT chronicle.drop_subscription(\'billing\')');
$node->safe_psql('target', 'SELECT chronicle.drop_subscription(\'billing\')');
$node->safe_psql('postgres', 'DROP ROLE dump_consumer');
$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|PANIC/, 'no crash in the server log');

done_testing();
