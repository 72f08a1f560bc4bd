# chronicle on a server that does not preload it: there is no shared memory for in-flight
# positions, so read_all falls back to waiting for the open appending transactions of its
# database. The SQL API still works, and an out-of-order commit still never lets read_all
# pass a position whose transaction has not ended.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('not_preloaded');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = ''\n");
$node->start;

is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'),
	'', 'chronicle is not preloaded');
$node->safe_psql('postgres', 'CREATE EXTENSION chronicle');

# --- the API works -------------------------------------------------------------------------

is($node->safe_psql('postgres', q{SELECT chronicle.append('seed-1', 'Seeded', '{"n": 1}')}),
	'1', 'append works without preloading');
is( $node->safe_psql(
		'postgres', q{SELECT chronicle.append_batch('seed-1',
	'[{"type": "More", "data": {"n": 2}}, {"type": "More", "data": {"n": 3}}]', 1)}),
	'3',
	'append_batch works without preloading');
is( $node->safe_psql(
		'postgres', q{SELECT string_agg(global_position || ':' || stream_version || ':' || event_type,
	',' ORDER BY global_position) FROM chronicle.read_all()}),
	'1:1:Seeded,2:2:More,3:3:More',
	'read_all returns the events');
is($node->safe_psql('postgres', q{SELECT string_agg(data->>'n', ',') FROM chronicle.read_stream('seed-1')}),
	'1,2,3', 'read_stream returns the events');

# --- helpers for the concurrent scenarios ---------------------------------------------------

# The reader's state: the largest position it has received, and every position received.
my $reader_last = 3;
my @received = (1, 2, 3);

# Events after the reader's last position as [position, stream, version] (one SQL call).
sub parse_events
{
	my ($text) = @_;
	return [ map { [ split /\|/ ] } grep { /^\d+\|/ } split /\n/, $text ];
}

sub record_received
{
	my ($events) = @_;
	for my $e (@$events)
	{
		push @received, $e->[0];
		$reader_last = $e->[0] if $e->[0] > $reader_last;
	}
}

sub read_all_sql
{
	return
	  "SELECT global_position, stream, stream_version FROM chronicle.read_all($reader_last) ORDER BY 1;";
}

# Waits until backend $pid waits for a heavyweight lock.
sub wait_for_lock_wait
{
	my ($pid, $what) = @_;
	ok( $node->poll_query_until(
			'postgres',
			"SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $pid"),
		"$what waits for a lock");
}

sub backend_pid
{
	my ($session) = @_;
	return $session->query_safe('SELECT pg_backend_pid()');
}

# Every committed event was received exactly once.
sub check_received_exactly_once
{
	my ($what) = @_;
	my $committed = $node->safe_psql('postgres',
		q{SELECT string_agg(global_position::text, ',' ORDER BY global_position) FROM chronicle.events});
	is(join(',', sort { $a <=> $b } @received),
		$committed, "$what: every committed event was received exactly once");
}

# --- out-of-order commit: A holds the lower position, B commits first ------------------------

my $a = $node->background_psql('postgres');
my $b = $node->background_psql('postgres');
my $r = $node->background_psql('postgres');
my $r_pid = backend_pid($r);

$a->query_safe('BEGIN');
$a->query_safe(q{SELECT chronicle.append('alpha-1', 'A', '{}')});
$b->query_safe('BEGIN');
$b->query_safe(q{SELECT chronicle.append('beta-1', 'B', '{}')});
$b->query_safe('COMMIT');

# A reader with a lock timeout gives up waiting instead of returning B's event.
my ($ret, $out, $err) = $node->psql(
	'postgres', "SET lock_timeout = '200ms'; " . read_all_sql(),
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($err, qr/55P03/, 'while A is open, a reader with a lock timeout times out')
  or diag "returned: $out";

# A reader without a timeout waits for A.
$r->query_until(qr/reading/, "\\echo reading\n" . read_all_sql() . "\n");
wait_for_lock_wait($r_pid, 'the reader (A still open)');

$a->query_safe('COMMIT');
my $events = parse_events($r->query_until(qr/read done\n/, "\\echo read done\n"));
# The reader's statement snapshot predates A's commit, so this call stops before A's event
# (which it cannot see yet); what matters is that it did not pass A's position.
is_deeply($events, [], 'after waiting, the reader did not return B\'s event without A\'s');
record_received($events);

$events = parse_events($r->query_safe(read_all_sql()));
is_deeply([ map { "$_->[1]:$_->[2]" } @$events ],
	[ 'alpha-1:1', 'beta-1:1' ], 'the next read returns A\'s and B\'s events, in order');
record_received($events);
check_received_exactly_once('out-of-order commit');

# --- the same with A aborting --------------------------------------------------------------

$a->query_safe('BEGIN');
$a->query_safe(q{SELECT chronicle.append('alpha-2', 'A', '{}')});
$b->query_safe(q{SELECT chronicle.append('beta-2', 'B', '{}')});    # autocommit
$r->query_until(qr/reading/, "\\echo reading\n" . read_all_sql() . "\n");
wait_for_lock_wait($r_pid, 'the reader (A open again)');
$a->query_safe('ROLLBACK');
$events = parse_events($r->query_until(qr/read done\n/, "\\echo read done\n"));
is_deeply([ map { "$_->[1]:$_->[2]" } @$events ],
	['beta-2:1'], 'after A aborts the waiting reader moves past A\'s position to B\'s event');
record_received($events);
check_received_exactly_once('A aborted');

# --- A appended in a savepoint it rolled back, then appends again ------------------------------
#
# Without preloading, an appending transaction holds a transaction-level "fallback" lock that
# readers wait for. An append inside a savepoint that is rolled back must not give that lock
# up while the transaction goes on appending (a regression test: it once did, and a reader
# then passed A's second position before its row was written). To make the window
# deterministic, session l holds a SHARE lock on the event table so that A waits after taking
# its position and before writing its row.

my $l = $node->background_psql('postgres');
my $a_pid = backend_pid($a);
my $l_pid = backend_pid($l);

$a->query_safe('BEGIN');
$a->query_safe(
	q{SAVEPOINT s; SELECT chronicle.append('alpha-0', 'A0', '{}'); ROLLBACK TO SAVEPOINT s;});
$b->query_safe('BEGIN');
$b->query_safe(q{SELECT chronicle.append('beta-3', 'B', '{}')});
# l waits for B's ROW EXCLUSIVE lock; A's insert then queues behind l.
$l->query_until(qr/locking/,
	"\\echo locking\nBEGIN; LOCK TABLE chronicle.event_log IN SHARE MODE;\n");
wait_for_lock_wait($l_pid, 'the table locker');
$a->query_until(qr/appending/,
	"\\echo appending\nSELECT chronicle.append('alpha-3', 'A', '{}');\n");
wait_for_lock_wait($a_pid, 'A (after taking its position)');
$b->query_safe(q{SELECT chronicle.append('beta-3', 'B', '{}')});    # above A's position
$b->query_safe('COMMIT');
$l->query_until(qr/locked/, "\\echo locked\n");    # l got its lock; A still waits

($ret, $out, $err) = $node->psql(
	'postgres', "SET lock_timeout = '1s'; " . read_all_sql(),
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
$events = $err =~ /55P03/ ? [] : parse_events($out);
ok(!grep({ $_->[1] eq 'beta-3' && $_->[2] == 2 } @$events),
	'a reader does not return B\'s event above A\'s position while A is open');
record_received($events);

$l->query_safe('COMMIT');
$a->query_until(qr/appended/, "\\echo appended\n");
$a->query_safe('COMMIT');
record_received(parse_events($node->safe_psql('postgres', read_all_sql())));
check_received_exactly_once('after a rolled-back savepoint');

$_->quit for ($a, $b, $r, $l);

# A transaction does not read its own uncommitted appends through read_all (as with preload).
is($node->safe_psql('postgres', q{
	BEGIN;
	SELECT chronicle.append('own-1', 'Mine', '{}');
	SELECT count(*) FROM chronicle.read_all(0, NULL) WHERE stream = 'own-1';
	COMMIT;}), "1\n0", 'read_all stops before the transaction\'s own uncommitted appends');

# Appends still work afterwards.
is($node->safe_psql('postgres', q{SELECT chronicle.append('seed-1', 'Last', '{}', expected_version => 3)}),
	'4', 'a later append continues the stream');

# --- Correlation ids SET before the library is loaded ------------------------------------
# A fresh session has not loaded the library: SET LOCAL makes a placeholder for each setting,
# which the library adopts when the append loads it.
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM pg_settings WHERE name = 'chronicle.correlation_id';
	BEGIN;
	SET LOCAL chronicle.correlation_id = 'tap-conv';
	SET LOCAL chronicle.causation_id = 'tap-cause';
	SELECT chronicle.append('corr-1', 'Tagged', '{}');
	COMMIT;
	SELECT correlation_id || '/' || causation_id FROM chronicle.events WHERE stream = 'corr-1';
	SELECT stream FROM chronicle.read_correlated('tap-conv');}),
	"0
1
tap-conv/tap-cause
corr-1",
	'chronicle.correlation_id and causation_id SET before the library loaded are recorded');
# A placeholder the library cannot adopt (over 255 bytes) is dropped with a warning: the
# event records no id rather than a wrong one.
my ($corr_ret, $corr_out, $corr_err) = $node->psql('postgres', q{
	SET chronicle.correlation_id = '} . ('x' x 256) . q{';
	SELECT chronicle.append('corr-2', 'Untagged', '{}');
	SELECT count(*) FROM chronicle.events WHERE stream = 'corr-2' AND correlation_id IS NULL;});
is($corr_out, "1
1", 'an oversize placeholder is not adopted');
like($corr_err, qr/WARNING:  invalid value for parameter "chronicle.correlation_id"/,
	'with a warning');

# --- DROP EXTENSION while the event log holds events ---------------------------------------
# Each psql is a fresh session: the event trigger loads the library itself, and a setting
# SET before that (a placeholder until the library defines it) is kept.
my ($drop_ret, $drop_out, $drop_err) = $node->psql('postgres', 'DROP EXTENSION chronicle CASCADE');
isnt($drop_ret, 0, 'DROP EXTENSION is refused while the event log holds events');
like($drop_err, qr/cannot drop extension chronicle because its event log holds events/,
	'with the guard\'s message');
is($node->safe_psql('postgres', 'SELECT count(*) > 0 FROM chronicle.events'),
	't', 'the events are still there');
$node->safe_psql('postgres',
	'SET chronicle.allow_drop_with_events = on; DROP EXTENSION chronicle');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_extension WHERE extname = 'chronicle'}),
	'0', 'the setting, SET before the library was loaded, lets the drop through');

$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|PANIC/, 'no crash in the server log');

done_testing();
