# chronicle on a server that preloads it: the SQL API works end to end, and a backend killed
# with kill -9 while it holds an uncommitted append (and so an in-flight global position in
# shared memory) does not block readers after the crash restart; new appends work.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('preloaded');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'chronicle'
restart_after_crash = on
max_prepared_transactions = 10
});
$node->start;

is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'),
	'chronicle', 'chronicle is preloaded');
$node->safe_psql('postgres', 'CREATE EXTENSION chronicle');

# The SQL text of every event, for comparisons: position:stream:version:type
my $all_events = q{
	SELECT coalesce(string_agg(global_position || ':' || stream || ':' || stream_version
	                           || ':' || event_type, ',' ORDER BY global_position), '')
	  FROM chronicle.read_all()};

# Runs SQL that must fail; returns its SQLSTATE (psql with VERBOSITY verbose prints it).
sub sqlstate_of
{
	my ($sql) = @_;
	my ($ret, $stdout, $stderr) =
	  $node->psql('postgres', $sql, extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	return 'no error' if $ret == 0;
	return $stderr =~ /ERROR:\s+([0-9A-Z]{5}):/ ? $1 : "unparsed error: $stderr";
}

# --- appends: single, batch, a conflict ------------------------------------------------------

is( $node->safe_psql(
		'postgres',
		q{SELECT chronicle.append('order-1', 'Placed', '{"total": 10}', '{"by": "tap"}', 0)}),
	'1',
	'a single append creates the stream at version 1');
is( $node->safe_psql(
		'postgres', q{
	SELECT chronicle.append_batch('order-1',
		'[{"type": "Paid", "data": {"amount": 10}},
		  {"type": "Shipped", "data": {}, "metadata": {"carrier": "x"},
		   "id": "00000000-0000-4000-8000-000000000001"}]', 1)}),
	'3',
	'a batch appends two events and returns the new version');
is(sqlstate_of(q{SELECT chronicle.append('order-1', 'Paid', '{}', expected_version => 1)}),
	'CH001', 'a stale expected version fails with CH001');
is(sqlstate_of(q{SELECT chronicle.append('order-2', 'Placed', '{}',
	event_id => '00000000-0000-4000-8000-000000000001')}),
	'CH002', 'an event id stored in another stream fails with CH002');
is( $node->safe_psql(
		'postgres', q{SELECT chronicle.append('order-1', 'Shipped', '{}', '{"carrier": "x"}',
	expected_version => 2, event_id => '00000000-0000-4000-8000-000000000001')}),
	'3',
	'an idempotent retry returns the same version');
is(sqlstate_of(q{SELECT chronicle.append('order-1', 'Shipped', '{}',
	expected_version => 2, event_id => '00000000-0000-4000-8000-000000000001')}),
	'CH002', 'a retry with other content (no metadata) under the same id fails with CH002');
is( sqlstate_of(
		q{BEGIN; SELECT chronicle.append('order-3', 'Placed', '{}'); PREPARE TRANSACTION 'p1';}),
	'CH004',
	'PREPARE TRANSACTION of an appending transaction fails with CH004');
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_prepared_xacts'),
	'0', 'no prepared transaction was left behind');

# --- reads -----------------------------------------------------------------------------------

is($node->safe_psql('postgres', $all_events),
	'1:order-1:1:Placed,2:order-1:2:Paid,3:order-1:3:Shipped',
	'read_all returns every committed event in position order (the failed ones wrote nothing)');
is($node->safe_psql('postgres', q{SELECT string_agg(global_position::text, ',')
	FROM chronicle.read_all(after_position => 1, max_count => 1)}),
	'2', 'read_all honours after_position and max_count');
is( $node->safe_psql(
		'postgres', q{SELECT string_agg(stream_version || ':' || event_type, ',')
	FROM chronicle.read_stream('order-1', backwards => true)}),
	'3:Shipped,2:Paid,1:Placed',
	'read_stream reads a stream backwards');
is( $node->safe_psql(
		'postgres', q{SELECT data->>'total', metadata->>'by'
	FROM chronicle.read_stream('order-1', max_count => 1)}),
	'10|tap',
	'read_stream returns data and metadata');
is($node->safe_psql('postgres', q{SELECT chronicle.stream_version('order-1')}),
	'3', 'stream_version');

# --- kill -9 of a backend that holds an open appending transaction ---------------------------

my $doomed = $node->background_psql('postgres', on_error_stop => 0);
$doomed->query_safe('BEGIN');
is( $doomed->query_safe(
		q{SELECT chronicle.append('crash-1', 'Doomed', '{"note": "never committed"}')}),
	'1',
	'the doomed transaction appended (uncommitted)');
my $doomed_position = $doomed->query_safe(
	q{SELECT global_position FROM chronicle.events WHERE stream = 'crash-1'});

# A later append that commits, at a higher position than the doomed one.
is($node->safe_psql('postgres', q{SELECT chronicle.append('after-1', 'Committed', '{}')}),
	'1', 'a later append commits while the doomed transaction is open');
my $after_position = $node->safe_psql('postgres',
	q{SELECT global_position FROM chronicle.events WHERE stream = 'after-1'});
cmp_ok($after_position, '>', $doomed_position,
	'the committed append holds a higher position than the doomed one');
is($node->safe_psql('postgres', $all_events),
	'1:order-1:1:Placed,2:order-1:2:Paid,3:order-1:3:Shipped',
	'read_all stops before the open transaction\'s position');

my $pid = $node->safe_psql(
	'postgres', q{
	SELECT pid FROM pg_stat_activity
	 WHERE state = 'idle in transaction' AND query LIKE '%crash-1%'});
like($pid, qr/^\d+$/, 'found the doomed backend in pg_stat_activity');

my $log_offset = -s $node->logfile;
is(kill('KILL', $pid), 1, "sent SIGKILL to backend $pid");
$node->wait_for_log(qr/all server processes terminated; reinitializing/, $log_offset);
$doomed->quit;    # its connection is gone; just reap psql
$node->poll_query_until('postgres', 'SELECT 1', '1')
  or die 'the server did not come back after the crash';

# After the restart the killed transaction's position is not in flight any more: read_all
# returns every committed event, including the one after it, and does not wait.
is( $node->safe_psql(
		'postgres', "SET statement_timeout = '10s'; $all_events"),
	"1:order-1:1:Placed,2:order-1:2:Paid,3:order-1:3:Shipped,$after_position:after-1:1:Committed",
	'after the crash read_all returns every committed event, past the killed position');
is($node->safe_psql('postgres', q{SELECT count(*) FROM chronicle.events WHERE stream = 'crash-1'}),
	'0', 'the killed transaction wrote nothing');

# A reader that polls from its last position gets each event exactly once.
my $polled = $node->safe_psql(
	'postgres', q{
	DO $$
	DECLARE
		last_position bigint := 0;
		n bigint;
	BEGIN
		CREATE TEMP TABLE got (global_position bigint);
		LOOP
			INSERT INTO got SELECT global_position FROM chronicle.read_all(last_position, 2);
			GET DIAGNOSTICS n = ROW_COUNT;
			EXIT WHEN n = 0;
			SELECT max(global_position) INTO last_position FROM got;
		END LOOP;
	END $$;
	SELECT string_agg(global_position::text, ',' ORDER BY global_position) FROM got;});
is($polled, "1,2,3,$after_position", 'polling in pages of 2 receives every event once');

# New appends work, continue the stream versions, and take larger positions.
is($node->safe_psql('postgres', q{SELECT chronicle.append('crash-1', 'Retried', '{}', expected_version => 0)}),
	'1', 'the killed transaction\'s stream can be created afterwards');
is($node->safe_psql('postgres', q{SELECT chronicle.append('order-1', 'Closed', '{}', expected_version => 3)}),
	'4', 'appends continue the stream version');
is( $node->safe_psql(
		'postgres', qq{
	SELECT count(*) = 2 AND min(global_position) > $after_position
	  FROM chronicle.read_all($after_position)}),
	't',
	'read_all returns the new events, at positions after the old ones');

$node->stop;

# --- the server log: the only crash is the kill -9 we caused ---------------------------------

my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal 6/, 'no backend aborted (signal 6)');
unlike($log, qr/terminated by signal 11/, 'no backend segfaulted (signal 11)');
unlike($log, qr/PANIC/, 'no PANIC');
my @killed = ($log =~ /(\(PID \d+\) was terminated by signal 9)/g);
is_deeply(\@killed, ["(PID $pid) was terminated by signal 9"],
	'the only backend terminated by signal 9 is the one we killed');

done_testing();
