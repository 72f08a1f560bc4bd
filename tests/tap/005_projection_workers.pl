# The projection launcher and its per-database workers on a preloaded server: a worker runs
# exactly where the extension is, comes and goes with CREATE/DROP EXTENSION, comes back after
# pg_terminate_backend, kill -9 and a terminated launcher, never blocks DROP DATABASE, keeps
# running across a reload, and is woken by a commit that appended (not by its naptime).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('workers');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'chronicle'
restart_after_crash = on
chronicle.worker_naptime = '200ms'
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION chronicle');

# The pids of the chronicle workers of a database, comma-separated ('' if none).
sub workers_of
{
	my ($db) = @_;
	return $node->safe_psql(
		'postgres', qq{
		SELECT coalesce(string_agg(pid::text, ',' ORDER BY pid), '') FROM pg_stat_activity
		 WHERE backend_type = 'chronicle worker' AND datname = '$db'});
}

# Waits until the database has exactly one worker, other than $old_pid; returns its pid.
sub wait_for_worker
{
	my ($db, $old_pid, $what) = @_;
	$old_pid //= 0;
	$node->poll_query_until(
		'postgres', qq{
		SELECT count(*) = 1 AND bool_and(pid <> $old_pid) FROM pg_stat_activity
		 WHERE backend_type = 'chronicle worker' AND datname = '$db'})
	  or die "timed out waiting for $what";
	return workers_of($db);
}

sub wait_for_no_worker
{
	my ($db, $what) = @_;
	$node->poll_query_until(
		'postgres', qq{
		SELECT count(*) = 0 FROM pg_stat_activity
		 WHERE backend_type = 'chronicle worker' AND datname = '$db'})
	  or die "timed out waiting for $what";
}

sub launcher_pid
{
	return $node->safe_psql('postgres',
		q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'chronicle launcher'});
}

# --- one worker where the extension is, none where it is not ------------------------------

my $launcher = launcher_pid();
like($launcher, qr/^\d+$/, 'one launcher runs');
is( $node->safe_psql(
		'postgres',
		q{SELECT datid IS NULL FROM pg_stat_activity WHERE backend_type = 'chronicle launcher'}),
	't',
	'the launcher is connected to no database');
my $worker = wait_for_worker('postgres', undef, 'the worker of postgres');
like($worker, qr/^\d+$/, 'the database with the extension has one worker');
is( $node->safe_psql(
		'postgres', "SELECT application_name FROM pg_stat_activity WHERE pid = $worker"),
	'chronicle worker',
	'the worker names itself in application_name');

$node->safe_psql('postgres', 'CREATE DATABASE other');
# The launcher tries a worker in the new database at once; it finds no extension and leaves.
# Its one transaction there is how we know it came and went (nobody else connects to it).
$node->poll_query_until(
	'postgres', q{
	SELECT coalesce((SELECT xact_commit FROM pg_stat_database WHERE datname = 'other'), 0) > 0})
  or die 'the launcher never tried a worker in the new database';
pass('the launcher tries a worker in a new database');
# From then on the database has no worker, however often the launcher wakes (200ms).
my $seen = '';
for (1 .. 15)
{
	$seen .= workers_of('other');
	usleep(200_000);
}
is($seen, '', 'a database without the extension gets no worker (3 s of samples)');

# --- CREATE / DROP EXTENSION ------------------------------------------------------------------

my $t0 = time;
$node->safe_psql('other', 'CREATE EXTENSION chronicle');
my $other_worker = wait_for_worker('other', undef, 'a worker after CREATE EXTENSION');
like($other_worker, qr/^\d+$/, 'CREATE EXTENSION starts a worker');
cmp_ok(time - $t0, '<', 5, 'promptly (the launcher is told, it does not poll for it)');

$node->safe_psql('other', 'DROP EXTENSION chronicle');
wait_for_no_worker('other', 'the worker to leave after DROP EXTENSION');
pass('DROP EXTENSION makes the worker exit');
$node->safe_psql('other', 'CREATE EXTENSION chronicle');
$other_worker = wait_for_worker('other', undef, 'a worker after a second CREATE EXTENSION');
pass('CREATE EXTENSION after DROP EXTENSION starts a worker again');

# --- pg_terminate_backend, and a terminated launcher -------------------------------------------

$node->safe_psql('postgres', "SELECT pg_terminate_backend($worker)");
my $new_worker = wait_for_worker('postgres', $worker, 'a new worker after pg_terminate_backend');
isnt($new_worker, $worker, "a terminated worker is replaced (pid $worker -> $new_worker)");
$worker = $new_worker;

$node->safe_psql('postgres', "SELECT pg_terminate_backend($launcher)");
$node->poll_query_until(
	'postgres', qq{
	SELECT count(*) = 1 AND bool_and(pid <> $launcher) FROM pg_stat_activity
	 WHERE backend_type = 'chronicle launcher'})
  or die 'the launcher did not come back';
sleep 1;    # the new launcher has had several rounds to (wrongly) start second workers
is(workers_of('postgres'), $worker,
	'a restarted launcher adopts the running worker instead of starting a second one');
is(workers_of('other'), $other_worker, 'in every database');
$launcher = launcher_pid();

# --- DROP DATABASE ----------------------------------------------------------------------------

for my $force (0, 1)
{
	my $db = $force ? 'doomed_force' : 'doomed';
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'CREATE EXTENSION chronicle');
	wait_for_worker($db, undef, "the worker of $db");
	my $start = time;
	my $with = $force ? ' WITH (FORCE)' : '';
	my ($ret, $stdout, $stderr) = $node->psql('postgres', "DROP DATABASE $db$with");
	is($ret, 0, "DROP DATABASE$with succeeds while the database has a worker")
	  or diag($stderr);
	cmp_ok(time - $start, '<', 4, "DROP DATABASE$with is prompt (no 5 s wait for the worker)");
}
is( $node->safe_psql('postgres',
		q{SELECT count(*) FROM pg_database WHERE datname IN ('doomed', 'doomed_force')}),
	'0', 'both databases are gone');

# A DROP DATABASE that fails (here: inside a transaction block) gives the worker back.
my ($ret, $stdout, $stderr) = $node->psql('postgres', 'BEGIN; DROP DATABASE other; COMMIT;');
like($stderr, qr/cannot run inside a transaction block/, 'a DROP DATABASE that fails');
$new_worker = wait_for_worker('other', $other_worker, 'the worker back after a failed DROP');
isnt($new_worker, $other_worker, 'brings the worker back (a new one)');
$other_worker = $new_worker;

# CREATE DATABASE ... TEMPLATE needs its template without sessions, and gets it.
($ret, $stdout, $stderr) =
  $node->psql('postgres', 'CREATE DATABASE copied TEMPLATE other');
is($ret, 0, 'CREATE DATABASE from a database with a worker as template succeeds')
  or diag($stderr);
wait_for_worker('copied', undef, 'the worker of the copy');
pass('the copy has the extension, and so a worker');
wait_for_worker('other', $other_worker, 'the template\'s worker back');
pass('the template gets its worker back');

# --- reload, and wake-on-commit -----------------------------------------------------------------

$node->safe_psql('postgres',
	q{ALTER SYSTEM SET chronicle.worker_naptime = '1h'; SELECT pg_reload_conf();});
$node->poll_query_until('postgres', 'SHOW chronicle.worker_naptime', '1h')
  or die 'the reload did not take';
pass('SHOW chronicle.worker_naptime reflects the reload');

# The worker woke for the SIGHUP, ran a round and now sleeps for an hour: its state_change
# stays put until something wakes it.
my $state_change_query =
  "SELECT state || ' ' || state_change FROM pg_stat_activity WHERE pid = $worker";
my $before;
for (1 .. 20)
{
	$before = $node->safe_psql('postgres', $state_change_query);
	usleep(1_500_000);
	last if $before eq $node->safe_psql('postgres', $state_change_query);
}
like($before, qr/^idle /, 'after the reload the worker is idle');
is(workers_of('postgres'), $worker, 'the reload kept the worker (same pid)');
is($node->safe_psql('postgres', $state_change_query),
	$before, 'with a naptime of 1h the worker stays asleep');

# No async projection here yet: appends do not wake the worker (they would pay a wake-up,
# and the worker a round, for nothing).
$node->safe_psql('postgres', q{SELECT chronicle.append('nowake-1', 'Ignored', '{}')});
usleep(2_000_000);
is($node->safe_psql('postgres', $state_change_query),
	$before, 'an append where no async projection runs does not wake the worker');

# With one, they do. Creating it wakes the worker (its commit), which then settles again.
$node->safe_psql('postgres', q{
	SELECT chronicle.define_aggregate('wake', '{"initial": {"n": 0}, "on": {"*": [{"count": "n"}]}}',
	                                  category => 'wake');
	SELECT chronicle.create_projection('wake_counts', 'wake');});
for (1 .. 20)
{
	$before = $node->safe_psql('postgres', $state_change_query);
	usleep(1_500_000);
	last if $before eq $node->safe_psql('postgres', $state_change_query);
}
like($before, qr/^idle /, 'after creating a projection the worker is idle again');

my $woken_at = time;
$node->safe_psql('postgres', q{SELECT chronicle.append('wake-1', 'Woken', '{}')});
my $state_change = (split / /, $before, 2)[1];
$node->poll_query_until(
	'postgres', qq{
	SELECT state_change > '$state_change' FROM pg_stat_activity WHERE pid = $worker}, 't')
  or die 'the commit did not wake the worker';
cmp_ok(time - $woken_at, '<', 10, 'a commit that appended woke the worker (naptime is 1h)');
is($node->safe_psql('postgres', q{SELECT chronicle.wait_for_projection('wake_counts', '10s')}),
	't', 'and it applied the event');

$node->safe_psql('postgres',
	q{ALTER SYSTEM RESET chronicle.worker_naptime; SELECT pg_reload_conf();});

# --- kill -9 of a worker: crash restart, and everything comes back ----------------------------

my $log_offset = -s $node->logfile;
is(kill('KILL', $worker), 1, "sent SIGKILL to worker $worker");
$node->wait_for_log(qr/all server processes terminated; reinitializing/, $log_offset);
$node->poll_query_until('postgres', 'SELECT 1', '1')
  or die 'the server did not come back after the crash';
$node->poll_query_until(
	'postgres', qq{
	SELECT count(*) = 1 AND bool_and(pid <> $launcher) FROM pg_stat_activity
	 WHERE backend_type = 'chronicle launcher'})
  or die 'no launcher after the crash restart';
pass('the launcher is back after the crash restart');
wait_for_worker('postgres', $worker, 'the worker after the crash restart');
wait_for_worker('other', $other_worker, 'the other worker after the crash restart');
pass('both databases have a worker again');
is($node->safe_psql('postgres', q{SELECT chronicle.append('wake-1', 'Again', '{}', expected_version => 1)}),
	'2', 'appends work after the crash restart');

$node->stop;

# --- the server log: the only crash is the kill -9 we caused ---------------------------------

my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal 6/, 'no process aborted (signal 6)');
unlike($log, qr/terminated by signal 11/, 'no process segfaulted (signal 11)');
unlike($log, qr/PANIC/, 'no PANIC');
my @killed = ($log =~ /(\(PID \d+\) was terminated by signal 9)/g);
is_deeply(\@killed, ["(PID $worker) was terminated by signal 9"],
	'the only process terminated by signal 9 is the worker we killed');

# --- without preloading: the settings exist, no launcher -----------------------------------

my $plain = PostgreSQL::Test::Cluster->new('not_preloaded');
$plain->init;
$plain->start;
$plain->safe_psql('postgres', 'CREATE EXTENSION chronicle');
is( $plain->safe_psql(
		'postgres', q{LOAD 'chronicle'; SHOW chronicle.worker_naptime; SHOW chronicle.max_workers}),
	"1s\n8",
	'without preloading the settings are known');
is( $plain->safe_psql(
		'postgres',
		q{SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'chronicle%'}),
	'0',
	'and no launcher or worker runs');
is($plain->safe_psql('postgres', q{SELECT chronicle.append('plain-1', 'Works', '{}')}),
	'1', 'appends work without preloading');
$plain->stop;

done_testing();
