# The soak test, 90 seconds of it (bench/soak runs the same code for 10 minutes): writers
# with expected versions, conflicts, batches, savepoints and rollbacks, idempotent retries;
# subscribers reading read_all in READ COMMITTED and REPEATABLE READ; async, inline and handler
# projections; while faults of every kind hit the server: kill -9 of a writer, a worker and
# the launcher, an immediate stop and restart, pg_terminate_backend of the worker, a pause and
# resume, rebuilds of an async, an inline and a handler projection, transactions holding a
# position. Then every invariant: the log is dense, every committed event is in it once and no
# rolled-back one, every subscriber saw every event once in order, every aggregate projection
# row equals a fresh fold, every handler counted every event once, the server never crashed
# by itself. The workload and the checks are in bench/ChronicleSoak.pm.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(make_path);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use lib dirname(abs_path(__FILE__)) . '/../../bench';
use ChronicleSoak;

my $seconds = $ENV{CHRONICLE_SOAK_SECONDS} // 90;

my $node = PostgreSQL::Test::Cluster->new('soak');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'chronicle'
restart_after_crash = on
max_worker_processes = 16
chronicle.worker_naptime = '200ms'
});
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE soak');

my $dir = "$PostgreSQL::Test::Utils::tmp_check/soak";
make_path($dir);

my ($violations, $summary, $list, $checks) = ChronicleSoak::run(
	host         => $node->host,
	port         => $node->port,
	db           => 'soak',
	dir          => $dir,
	server_log   => $node->logfile,
	seconds      => $seconds,
	writers      => 3,
	# Fewer faults than the full run, but every kind: the injector goes through all kinds
	# once, in a random order, before it picks at random.
	fault_gap    => 4,
	hold_gap     => 6,
	hold_seconds => 3,
	restart      => sub {
		system('pg_ctl', '-D', $node->data_dir, '-m', 'immediate', '-w', 'stop');
		system('pg_ctl', '-D', $node->data_dir, '-l', $node->logfile, '-w', 'start');
	},
	say => sub { note(@_) },);

diag("soak summary:\n$summary");
for my $name (sort keys %$checks)
{
	ok($checks->{$name}[0], $name);
}
diag("violation: $_") for @$list;
is($violations, 0, 'the soak found no violation');

# Every kind of fault happened at least once.
my %faults;
for my $log (glob("$dir/*.log"))
{
	open(my $fh, '<', $log) or die;
	while (<$fh>)
	{
		$faults{$1}++ if /^F \S+ (\S+)/;
	}
}
for my $kind (@ChronicleSoak::FAULT_KINDS, 'hold_commit|hold_rollback')
{
	ok(scalar(grep { /^(?:$kind)$/ } keys %faults), "fault $kind happened");
}

done_testing();
