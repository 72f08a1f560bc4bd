# NOTIFY for appending commits (docs/subscriptions.md, "Being woken"), both ways it is sent:
#   1. by the database's worker while someone listens (the appenders then never NOTIFY, so
#      they never wait for each other's): one notification per category and one on
#      chronicle_all, payload the highest position, coalesced across commits; nothing for a
#      rolled-back append;
#   2. by the appending commit itself when the database has no worker (chronicle.max_workers
#      = 0): coalesced per transaction, nothing for a rollback, and an UNLISTEN * that rolls
#      back leaves the session listening.
# In both, a LISTEN by a role that may not read events switches nothing on.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('notify');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'chronicle'
chronicle.worker_naptime = '100ms'
});
$node->start;
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION chronicle;
CREATE ROLE notify_nobody LOGIN;
});

# The notifications a session has received, as [channel, payload, pid], after a round trip.
sub received
{
	my ($session) = @_;
	my $out = $session->query_safe('SELECT 1');
	my @got;
	while ($out =~ /Asynchronous notification "([^"]+)" with payload "([^"]*)" received from server process with PID (\d+)/g)
	{
		push @got, [ $1, $2, $3 ];
	}
	return @got;
}

# Waits until `session` has received a notification on `channel` with `payload` (or gives up
# after 10 s); returns everything it received meanwhile.
sub wait_for_notification
{
	my ($session, $channel, $payload) = @_;
	my @all;
	for (1 .. 200)
	{
		push @all, received($session);
		return @all if grep { $_->[0] eq $channel && $_->[1] eq $payload } @all;
		usleep(50_000);
	}
	return @all;
}

sub position_of
{
	my ($sql) = @_;
	return $node->safe_psql('postgres', $sql);
}

# --- 1. the worker sends them ----------------------------------------------------------------
my $listener = $node->background_psql('postgres');
$listener->query_safe('LISTEN chronicle_order; LISTEN chronicle_all');
my $writer = $node->background_psql('postgres');
my $writer_pid = $writer->query_safe('SELECT pg_backend_pid()');
chomp $writer_pid;

# The worker takes over within its naptime; until then the appenders notify themselves.
$node->poll_query_until('postgres',
	q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'chronicle worker'})
  or die 'no worker';
my $worker_pid = $node->safe_psql('postgres',
	q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'chronicle worker'});
usleep(500_000);
received($listener);    # whatever came before

$writer->query_safe(q{
	BEGIN;
	SELECT chronicle.append('order-1', 'Placed', '{}');
	SELECT chronicle.append('order-2', 'Placed', '{}');
	SELECT chronicle.append('invoice-1', 'Sent', '{}');
	COMMIT;
	BEGIN;
	SELECT chronicle.append('order-3', 'Placed', '{}');
	ROLLBACK;
	SELECT chronicle.append('order-4', 'Placed', '{}');});
my $last_order = position_of(q{SELECT max(global_position) FROM chronicle.events WHERE category = 'order'});
my $invoice = position_of(q{SELECT max(global_position) FROM chronicle.events WHERE category = 'invoice'});
my @got = wait_for_notification($listener, 'chronicle_order', $last_order);
ok((grep { $_->[0] eq 'chronicle_order' && $_->[1] eq $last_order } @got),
	"1. chronicle_order arrives with the highest order position ($last_order)");
@got = (@got, wait_for_notification($listener, 'chronicle_all', $last_order));
ok((grep { $_->[0] eq 'chronicle_all' && $_->[1] eq $last_order } @got),
	'1. chronicle_all arrives with the highest position');
my $rolled_back = $last_order - 1;    # order-3 took the position before order-4's
ok(!(grep { $_->[1] eq $rolled_back } @got), '1. nothing names the rolled-back append');
ok(!(grep { $_->[1] > $last_order } @got), '1. nothing names a position that does not exist');
ok(!(grep { $_->[2] eq $writer_pid } @got), '1. the appending session sent none');
ok((grep { $_->[2] eq $worker_pid } @got), "1. the worker (pid $worker_pid) sent them");

# Coalesced: fifty commits, then the last position arrives, in fewer notifications than commits
# at most.
$writer->query_safe(q{SELECT count(chronicle.append('order-5', 'Placed', '{}')) FROM generate_series(1, 1)});
for (1 .. 49)
{
	$writer->query_safe(q{SELECT chronicle.append('order-5', 'Placed', '{}')});
}
$last_order = position_of(q{SELECT max(global_position) FROM chronicle.events WHERE category = 'order'});
@got = wait_for_notification($listener, 'chronicle_order', $last_order);
my $orders = grep { $_->[0] eq 'chronicle_order' } @got;
ok($orders >= 1 && $orders <= 50, "1. 50 commits: $orders chronicle_order notifications, the last with $last_order");

# A role that may not read events: its LISTEN alone switches nothing on.
$listener->query_safe('UNLISTEN *');
my $nobody = $node->background_psql('postgres', extra_params => [ '-U', 'notify_nobody' ]);
$nobody->query_safe('LISTEN chronicle_order');
usleep(500_000);
$writer->query_safe(q{SELECT chronicle.append('order-6', 'Placed', '{}')});
usleep(1_000_000);
is(scalar(received($nobody)), 0, '1. a LISTEN without the right to read events gets nothing sent');
$nobody->quit;

# --- 2. no worker: the appending commits notify ----------------------------------------------
$listener->quit;
$writer->quit;
$node->append_conf('postgresql.conf', 'chronicle.max_workers = 0');
$node->restart;
$listener = $node->background_psql('postgres');
$listener->query_safe('LISTEN chronicle_order; LISTEN chronicle_all');
$writer = $node->background_psql('postgres');
$writer_pid = $writer->query_safe('SELECT pg_backend_pid()');
chomp $writer_pid;
$writer->query_safe(q{
	BEGIN;
	SELECT chronicle.append('order-7', 'Placed', '{}');
	SELECT chronicle.append('order-8', 'Placed', '{}');
	SELECT chronicle.append('invoice-2', 'Sent', '{}');
	COMMIT;});
$last_order = position_of(q{SELECT max(global_position) FROM chronicle.events WHERE category = 'order'});
my $all = position_of(q{SELECT max(global_position) FROM chronicle.events});
@got = received($listener);
is_deeply(
	[ map { "$_->[0] $_->[1] " . ($_->[2] eq $writer_pid ? 'writer' : 'other') } @got ],
	[ "chronicle_order $last_order writer", "chronicle_all $all writer" ],
	'2. one transaction: one chronicle_order and one chronicle_all, from the appending session');
$writer->query_safe(q{BEGIN; SELECT chronicle.append('order-9', 'Placed', '{}'); ROLLBACK;});
is(scalar(received($listener)), 0, '2. a rolled-back transaction sends nothing');
$listener->query_safe('BEGIN; UNLISTEN *; ROLLBACK');
$writer->query_safe(q{SELECT chronicle.append('order-10', 'Placed', '{}')});
is(scalar(grep { $_->[0] eq 'chronicle_order' } received($listener)),
	1, '2. an UNLISTEN * that rolled back leaves the session listening');
$listener->query_safe('UNLISTEN *');
$nobody = $node->background_psql('postgres', extra_params => [ '-U', 'notify_nobody' ]);
$nobody->query_safe('LISTEN chronicle_order');
$writer->query_safe(q{SELECT chronicle.append('order-11', 'Placed', '{}')});
is(scalar(received($nobody)), 0, '2. a LISTEN without the right to read events gets nothing sent');
$nobody->quit;
$listener->quit;
$writer->quit;

$node->safe_psql('postgres', 'DROP ROLE notify_nobody');
$node->stop;
unlike(slurp_file($node->logfile), qr/terminated by signal|TRAP:/, 'no crash in the server log');
done_testing();
