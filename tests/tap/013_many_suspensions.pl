# One transaction that sends away the workers of more databases than any fixed bound (here
# ten, by renaming them): every one of them is resumed when the transaction ends, promptly,
# whether it rolls back or commits; none waits out its 30 s suspension.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $count = 10;
my $node = PostgreSQL::Test::Cluster->new('suspensions');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'chronicle'
max_worker_processes = 24
chronicle.max_workers = 16
chronicle.worker_naptime = '200ms'
});
$node->start;

sub workers_in
{
	my ($like) = @_;
	return $node->safe_psql(
		'postgres', qq{
		SELECT count(DISTINCT datname) FROM pg_stat_activity
		 WHERE backend_type = 'chronicle worker' AND datname LIKE '$like'});
}

sub wait_for_workers
{
	my ($like, $what) = @_;
	$node->poll_query_until(
		'postgres', qq{
		SELECT count(DISTINCT datname) = $count FROM pg_stat_activity
		 WHERE backend_type = 'chronicle worker' AND datname LIKE '$like'})
	  or die "timed out waiting for $what";
}

for my $i (1 .. $count)
{
	$node->safe_psql('postgres', "CREATE DATABASE many_$i");
	$node->safe_psql("many_$i", 'CREATE EXTENSION chronicle');
}
wait_for_workers('many\_%', 'a worker in every database');
pass("$count databases with a worker each");

my $renames = join('', map { "ALTER DATABASE many_$_ RENAME TO renamed_$_;\n" } 1 .. $count);

# Rolled back: the databases keep their names and get their workers back now.
my ($ret, $stdout, $stderr) = $node->psql('postgres', "BEGIN;\n${renames}ROLLBACK;");
is($ret, 0, "$count renames in one transaction, rolled back") or diag($stderr);
my $start = time;
wait_for_workers('many\_%', 'the workers back after the rollback');
cmp_ok(time - $start, '<', 20, "all $count workers are back after the rollback, none suspended for 30 s");

# Committed: the renamed databases get their workers back now.
($ret, $stdout, $stderr) = $node->psql('postgres', "BEGIN;\n${renames}COMMIT;");
is($ret, 0, "$count renames in one transaction, committed") or diag($stderr);
$start = time;
wait_for_workers('renamed\_%', 'the workers back after the commit');
cmp_ok(time - $start, '<', 20, "all $count workers are back after the commit, none suspended for 30 s");
is(workers_in('many\_%'), '0', 'no worker under an old name');

$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal 6/, 'no process aborted (signal 6)');
unlike($log, qr/terminated by signal 11/, 'no process segfaulted (signal 11)');
done_testing();
