# A database beyond chronicle.max_workers (issue 10, defect 6): with one worker for two
# databases that have chronicle, the second one's projections show 'waiting_for_worker',
# create_projection warns, and the launcher logs the wait once; when the first database
# drops chronicle, the second gets the worker and its projection catches up.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('budget');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'chronicle'
chronicle.max_workers = 1
chronicle.worker_naptime = '100ms'
});
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE first_db');
$node->safe_psql('postgres', 'CREATE DATABASE second_db');

my $setup = q{
CREATE EXTENSION chronicle;
SELECT chronicle.define_aggregate('tally', '{"initial": {"n": 0}, "on": {"E": [{"count": "n"}]}}', category => 'tally');
};

$node->safe_psql('first_db', $setup);
ok( $node->poll_query_until(
		'postgres',
		q{SELECT count(*) = 1 FROM pg_stat_activity
		   WHERE backend_type = 'chronicle worker' AND datname = 'first_db'}),
	'the first database gets the only worker');

my $log_offset = -s $node->logfile;
$node->safe_psql('second_db', $setup);
$node->safe_psql('second_db', q{SELECT chronicle.append('tally-1', 'E', '{}')});

ok( $node->poll_query_until(
		'second_db', q{SELECT chronicle_internal._waits_for_worker()}),
	'the launcher finds the second database waiting for a slot');

my ($ret, $out, $err) = $node->psql('second_db',
	q{SELECT chronicle.create_projection('tallies', 'tally')});
is($ret, 0, 'create_projection succeeds');
like(
	$err,
	qr/WARNING:  this database waits for a chronicle worker/,
	'create_projection warns that no worker will run it');

is( $node->safe_psql(
		'second_db', q{SELECT state FROM chronicle.projection_status WHERE name = 'tallies'}),
	'waiting_for_worker',
	'projection_status says waiting_for_worker');

($ret, $out, $err) = $node->psql('second_db',
	q{SELECT chronicle.pause_projection('tallies'); SELECT chronicle.resume_projection('tallies')});
like($err, qr/WARNING:  this database waits for a chronicle worker/, 'resume_projection warns too');

ok($node->wait_for_log(qr/LOG:  database \d+ waits for a projection worker/, $log_offset),
	'the launcher logs the wait');
# Once: a few more wake-ups later, still a single line.
$node->safe_psql('second_db', q{SELECT chronicle.append('tally-1', 'E', '{}'); SELECT pg_sleep(1)});
my $log = slurp_file($node->logfile, $log_offset);
my @lines = ($log =~ /waits for a projection worker/g);
is(scalar(@lines), 1, 'the wait is logged once, not at every wake-up');

# The first database lets its worker go: the second gets it.
$node->safe_psql('first_db',
	q{SET chronicle.allow_drop_with_events = on; DROP EXTENSION chronicle});
ok( $node->poll_query_until(
		'second_db',
		q{SELECT state = 'running' FROM chronicle.projection_status WHERE name = 'tallies'}),
	'the second database gets the worker');
is( $node->safe_psql(
		'second_db',
		q{SELECT chronicle.wait_for_projection('tallies', '30 seconds')}),
	't', 'its projection catches up');
is($node->safe_psql('second_db', q{SELECT state->>'n' FROM tallies WHERE stream = 'tally-1'}),
	'2', 'with every event');

$node->stop;
unlike(slurp_file($node->logfile), qr/terminated by signal|PANIC/, 'no crash in the server log');
done_testing();
