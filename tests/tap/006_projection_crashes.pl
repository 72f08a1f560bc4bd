# Projections under crashes: an aggregate projection (orders) and a counting handler
# projection (counter) come out exact after
#   1. kill -9 of the worker in the middle of a batch (crash restart of the whole server),
#   2. an immediate stop in the middle of a rebuild,
#   3. pg_terminate_backend of the worker in the middle of a batch, while appends go on,
#   4. kill -9 of a client backend in the middle of an appending transaction.
# After each: the projection table equals a fresh fold of every stream, and the handler has
# counted every matching committed event exactly once. The mid-batch moments are made, not
# hoped for: the handler waits at a 'Gate' event while a gate table has a row, and a client
# holding a projection row FOR UPDATE makes the worker wait on that row.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $started_at = time;

my $node = PostgreSQL::Test::Cluster->new('crashes');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'chronicle'
restart_after_crash = on
max_worker_processes = 16
chronicle.worker_naptime = '100ms'
});
$node->start;

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION chronicle;
SELECT chronicle.define_aggregate('order', $${
  "initial": {"events": 0, "total": 0},
  "on": {"*": [{"count": "events"}, {"add": "total", "from": "amount"}]}
}$$, category => 'order');
SELECT chronicle.create_projection('orders', 'order',
                                   columns => '{"events": "bigint", "total": "numeric"}');

-- The counting handler: one row per event type. While counter_gate has a row it waits at
-- every 'Gate' event: the worker then sits in the middle of its batch, for as long as the
-- test needs (pg_sleep is not subject to the worker's lock_timeout).
CREATE TABLE event_counts (event_type text PRIMARY KEY, n bigint NOT NULL);
CREATE TABLE counter_gate (closed boolean);
CREATE FUNCTION count_event(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.event_counts AS c VALUES (e.event_type, 1)
    ON CONFLICT (event_type) DO UPDATE SET n = c.n + 1;
  IF e.event_type = 'Gate' THEN
    WHILE EXISTS (SELECT FROM public.counter_gate) LOOP
      PERFORM pg_sleep(0.02);
    END LOOP;
  END IF;
END $$;
SELECT chronicle.create_handler_projection('counter', 'count_event(chronicle.event)',
                                           category => 'order');

-- Background appenders loop until this table has a row.
CREATE TABLE stop_appending (stop boolean);
});

# --- the two checks ---------------------------------------------------------------------------

# Rows of orders that differ from a fresh fold of their stream, or lack a stream, or a stream
# that lacks its row. (The category filter sits inside the derived table: in the WHERE of the
# FULL JOIN it would drop the rows of orders that have no stream, and never see them.)
my $projection_differs = q{
	SELECT count(*)
	  FROM (SELECT stream, version FROM chronicle.streams WHERE category = 'order') s
	  FULL JOIN orders o USING (stream)
	 WHERE o.stream IS NULL OR s.stream IS NULL
	    OR o.state IS DISTINCT FROM chronicle.fold('order', s.stream)
	    OR o.version <> s.version};

# Matching events, what the handler counted, and the event types whose count differs.
my $counter_totals = q{
	SELECT (SELECT count(*) FROM chronicle.events WHERE category = 'order')
	       || '|' || (SELECT coalesce(sum(n), 0) FROM event_counts)
	       || '|' || (SELECT count(*)
	                    FROM (SELECT event_type, count(*) AS n FROM chronicle.events
	                           WHERE category = 'order' GROUP BY event_type) e
	                    FULL JOIN event_counts c USING (event_type)
	                   WHERE e.n IS DISTINCT FROM c.n)};

# Both projections have applied every committed event. After a crash the worker needs a
# moment to come back: poll (wait_for_projection returns false until it has caught up).
sub wait_caught_up
{
	my ($what) = @_;
	$node->poll_query_until(
		'postgres', q{
		SELECT chronicle.wait_for_projection('orders', '10 seconds')
		   AND chronicle.wait_for_projection('counter', '10 seconds')})
	  or die "the projections did not catch up ($what)";
}

sub check_projections
{
	my ($what) = @_;
	wait_caught_up($what);
	my ($streams, $rows) = split /\|/, $node->safe_psql(
		'postgres', q{
		SELECT (SELECT count(*) FROM chronicle.streams WHERE category = 'order')
		       || '|' || (SELECT count(*) FROM orders)});
	is($node->safe_psql('postgres', $projection_differs),
		'0', "$what: the projection equals a fresh fold of every stream ($rows rows, $streams streams)");
	my ($events, $counted, $types_off) = split /\|/, $node->safe_psql('postgres', $counter_totals);
	is($counted, $events,
		"$what: the handler counted each of the $events matching events exactly once");
	is($types_off, '0', "$what: and per event type");
}

# The worker of the test database ('' if none).
sub worker_pid
{
	return $node->safe_psql(
		'postgres', q{
		SELECT coalesce(string_agg(pid::text, ','), '') FROM pg_stat_activity
		 WHERE backend_type = 'chronicle worker' AND datname = current_database()});
}

# Waits for exactly one worker, other than $old; returns its pid.
sub wait_for_new_worker
{
	my ($old, $what) = @_;
	$node->poll_query_until(
		'postgres', qq{
		SELECT count(*) = 1 AND bool_and(pid <> $old) FROM pg_stat_activity
		 WHERE backend_type = 'chronicle worker' AND datname = current_database()})
	  or die "no new worker ($what)";
	return worker_pid();
}

# A background psql whose server connection was cut by a crash restart has exited: quitting
# it writes to a closed pipe, which IPC::Run reports by dying. Only reap it.
sub reap
{
	my ($session) = @_;
	eval { $session->quit; };
}

sub position_of
{
	my ($projection) = @_;
	return $node->safe_psql('postgres',
		"SELECT position FROM chronicle.projections WHERE name = '$projection'");
}

sub set_batch_size
{
	my ($size) = @_;
	$node->safe_psql('postgres',
		"ALTER SYSTEM SET chronicle.worker_batch_size = $size; SELECT pg_reload_conf();");
	$node->poll_query_until('postgres', 'SHOW chronicle.worker_batch_size', $size)
	  or die 'the reload did not take';
}

# The appends of $count events of the order category, in one statement: streams order-0 ..
# order-($streams - 1) from $first on, amounts 0..6.
sub append_sql
{
	my ($count, $type, %opt) = @_;
	my $streams = $opt{streams} // 1000;
	my $first = $opt{first} // 0;
	my $prefix = $opt{prefix} // 'order-';
	return qq{SELECT count(chronicle.append('$prefix' || ($first + i % $streams), '$type',
	                                          jsonb_build_object('amount', i % 7)))
	            FROM generate_series(1, $count) i};
}

# --- the checks can fail ----------------------------------------------------------------------

$node->safe_psql('postgres', append_sql(2000, 'ItemAdded', streams => 100));
wait_caught_up('setup');
is($node->safe_psql('postgres', $projection_differs), '0', 'setup: the projection is exact');
my @tampers = (
	[ 'a changed state', q{UPDATE orders SET state = state || '{"total": -1}' WHERE stream = 'order-7'} ],
	[ 'a stale version', q{UPDATE orders SET version = version - 1 WHERE stream = 'order-7'} ],
	[ 'a missing row', q{DELETE FROM orders WHERE stream = 'order-7'} ],
	[ 'a row without a stream', q{INSERT INTO orders VALUES ('order-none', 1, '{}', now())} ]);
my @caught = split /\n/, $node->safe_psql('postgres',
	join('', map { "BEGIN; $_->[1]; $projection_differs; ROLLBACK;\n" } @tampers));
is($caught[$_], '1', "the projection check catches $tampers[$_][0]") for 0 .. $#tampers;
is( $node->safe_psql(
		'postgres', q{BEGIN; UPDATE event_counts SET n = n + 1 WHERE event_type = 'ItemAdded';}
		  . "$counter_totals; ROLLBACK;"),
	'2000|2001|1',
	'the count check catches an event counted twice');

# --- 1. kill -9 of the worker in the middle of a batch ------------------------------------------

# Big batches keep the worker busy. One transaction holds the Gate event after 12,345 others,
# so that (batches of 5000 from position 2000) it sits in the middle of the batch from
# 12000: when the worker is killed there, the events before it in that batch are applied,
# uncommitted.
set_batch_size(5000);
$node->safe_psql('postgres', 'INSERT INTO counter_gate VALUES (true)');
$node->safe_psql(
	'postgres', q{BEGIN;} . append_sql(12345, 'ItemAdded') . q{;
	SELECT chronicle.append('order-gate', 'Gate', '{"amount": 0}');}
	  . append_sql(7654, 'Paid') . q{;
	COMMIT;});
my $gate_position = $node->safe_psql('postgres',
	q{SELECT global_position FROM chronicle.events WHERE event_type = 'Gate'});
# The rest arrives while the worker is held; another category's events are never counted.
$node->safe_psql('postgres', append_sql(8000, 'ItemAdded'))
  for 1 .. 3;
$node->safe_psql('postgres', append_sql(1000, 'CartOpened', prefix => 'cart-'));

$node->poll_query_until(
	'postgres', q{
	SELECT count(*) = 1 FROM pg_stat_activity
	 WHERE backend_type = 'chronicle worker' AND datname = current_database()
	   AND wait_event = 'PgSleep' AND backend_xid IS NOT NULL})
  or die 'the worker never reached the gate';
my $killed_worker = worker_pid();
my $worker_xid = $node->safe_psql('postgres',
	"SELECT backend_xid FROM pg_stat_activity WHERE pid = $killed_worker");
my $counter_at_kill = position_of('counter');
my $orders_at_kill = position_of('orders');
my $head = $node->safe_psql('postgres', 'SELECT max(global_position) FROM chronicle.event_log');
cmp_ok($counter_at_kill, '<', $gate_position - 1,
	"the worker waits in its batch at the gate ($gate_position), events after its committed "
	  . "position $counter_at_kill already applied in the batch");
cmp_ok($orders_at_kill, '<', $head, "orders is behind as well ($orders_at_kill of $head)");

my $log_offset = -s $node->logfile;
is(kill('KILL', $killed_worker), 1, "sent SIGKILL to worker $killed_worker (transaction $worker_xid)");
$node->wait_for_log(qr/all server processes terminated; reinitializing/, $log_offset);
$node->poll_query_until('postgres', 'SELECT 1', '1')
  or die 'the server did not come back after the crash';
# (Not pg_xact_status of the killed transaction: the worker commits each projection's batch
# on its own, and a transaction whose WAL was not yet flushed when it was killed may leave its
# xid to be handed out again after the restart, to a transaction still in progress.)
is(position_of('counter'), $counter_at_kill,
	'the killed batch\'s transaction rolled back: the counter did not move');

# The new worker runs into the gate again: the killed batch left nothing behind.
my $worker2 = wait_for_new_worker($killed_worker, 'after the crash restart');
$node->poll_query_until(
	'postgres', qq{
	SELECT wait_event = 'PgSleep' FROM pg_stat_activity WHERE pid = $worker2})
  or die 'the new worker did not reach the gate';
is(position_of('counter'), $counter_at_kill,
	'after the crash the counter resumes from its committed position');
is( $node->safe_psql(
		'postgres', qq{
		SELECT (SELECT coalesce(sum(n), 0) FROM event_counts)
		       = (SELECT count(*) FROM chronicle.events
		           WHERE category = 'order' AND global_position <= $counter_at_kill)}),
	't',
	'and has counted exactly the events up to it');
$node->safe_psql('postgres', 'DELETE FROM counter_gate');
check_projections('1. kill -9 of a worker mid-batch');

# --- 2. immediate stop in the middle of a rebuild ----------------------------------------------

# Small batches: the rebuild of ~47,000 events takes a few seconds, a batch per round. Stopped
# before half-way, it has well over a hundred rounds to go when the first query after the
# restart runs (a few rounds have gone by then).
set_batch_size(200);
my $orders_oid = $node->safe_psql('postgres', q{SELECT 'orders'::regclass::oid});
my $rebuild_called_at = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
$node->safe_psql('postgres', q{SELECT chronicle.rebuild_projection('orders')});
$node->poll_query_until(
	'postgres', q{
	SELECT state = 'rebuilding' AND rebuild_progress > 0 AND rebuild_progress < 0.5
	  FROM chronicle.projection_status WHERE name = 'orders'})
  or die 'the rebuild did not get under way';
my ($state_at_stop, $rebuild_at_stop) = split /\|/, $node->safe_psql(
	'postgres', q{
	SELECT state || '|' || rebuild_position FROM chronicle.projection_status WHERE name = 'orders'});
is($state_at_stop, 'rebuilding', "stopping in the middle of the rebuild (at position $rebuild_at_stop)");
$node->stop('immediate');
$node->start;

# One snapshot: the live table and the rebuild's state.
my ($rows_live, $streams_live, $state_live, $rebuild_live) = split /\|/, $node->safe_psql(
	'postgres', q{
	SELECT (SELECT count(*) FROM orders)
	       || '|' || (SELECT count(*) FROM chronicle.streams WHERE category = 'order')
	       || '|' || state || '|' || rebuild_position
	  FROM chronicle.projection_status WHERE name = 'orders'});
is($state_live, 'rebuilding', 'right after the start the rebuild is still going');
is($rows_live, $streams_live, "and the live table serves every stream ($rows_live rows)");
cmp_ok($rebuild_live, '>=', $rebuild_at_stop,
	"the rebuild goes on from where its last batch committed ($rebuild_live >= $rebuild_at_stop)");
# Events that arrive during the rebuild reach both the live table and the rebuilt one.
$node->safe_psql('postgres', append_sql(500, 'Refunded', streams => 50, first => 2000));

$node->poll_query_until(
	'postgres', q{
	SELECT state = 'running' AND rebuild_progress IS NULL AND rebuild_position IS NULL
	   AND to_regclass('public.orders_chronicle_rebuild') IS NULL
	  FROM chronicle.projection_status WHERE name = 'orders'})
  or die 'the rebuild did not finish';
pass('the rebuild finished: running, no progress, the rebuild table is gone');
is($node->safe_psql('postgres', q{SELECT 'orders'::regclass::oid}),
	$orders_oid, 'the live table is the same table');
is( $node->safe_psql(
		'postgres', "SELECT count(*) FROM orders WHERE updated_at < '$rebuild_called_at'"),
	'0', 'every row was written by the rebuild');
check_projections('2. immediate stop mid-rebuild');

# --- 3. pg_terminate_backend of the worker in the middle of a batch, appends going on --------

set_batch_size(1000);
my $worker = worker_pid();
# A client holds one row of orders: the worker's batch that touches it waits on the row lock
# (for its lock_timeout of a second, round after round), with the round's work uncommitted.
my $locker = $node->background_psql('postgres');
$locker->query_safe(q{BEGIN; SELECT stream FROM orders WHERE stream = 'order-7' FOR UPDATE;});
my $locker_pid = $locker->query_safe('SELECT pg_backend_pid()');
my $events_before = $node->safe_psql('postgres', 'SELECT count(*) FROM chronicle.events');

my $appender = $node->background_psql('postgres');
$appender->query_until(
	qr/appending/, q{
\echo appending
DO $$
BEGIN
  FOR b IN 1..400 LOOP
    PERFORM chronicle.append('order-' || (i % 1000), 'ItemAdded', jsonb_build_object('amount', i % 5))
       FROM generate_series(1, 100) i;
    COMMIT;
    PERFORM pg_sleep(0.1);
    EXIT WHEN EXISTS (SELECT FROM stop_appending);
  END LOOP;
END $$;
});

# Detection and termination in one statement: the worker is waiting on the locker's row.
my ($victim, $victim_xid);
my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
while (time < $deadline)
{
	my $r = $node->safe_psql(
		'postgres', qq{
		SELECT pid || '|' || backend_xid || '|' || pg_terminate_backend(pid)::int
		  FROM pg_stat_activity
		 WHERE backend_type = 'chronicle worker' AND datname = current_database()
		   AND backend_xid IS NOT NULL AND $locker_pid = ANY (pg_blocking_pids(pid))});
	if ($r ne '')
	{
		my $ok;
		($victim, $victim_xid, $ok) = split /\|/, $r;
		is($ok, '1', "terminated worker $victim while it waited in its batch (transaction $victim_xid)");
		last;
	}
	usleep(50_000);
}
die 'the worker never waited on the locked row' unless defined $victim;
is($victim, $worker, 'the terminated worker was the database\'s worker');
$locker->query_safe('ROLLBACK');
$locker->quit;

my $worker3 = wait_for_new_worker($victim, 'after pg_terminate_backend');
isnt($worker3, $victim, "a new worker comes back ($victim -> $worker3)");
# The appender is still at it, after the new worker started.
my $events_now = $node->safe_psql('postgres', 'SELECT count(*) FROM chronicle.events');
$node->poll_query_until('postgres',
	"SELECT count(*) > $events_now FROM chronicle.events")
  or die 'the appender stopped';
pass('appends go on while the new worker runs');
$node->safe_psql('postgres', 'INSERT INTO stop_appending VALUES (true)');
$appender->query_safe('SELECT 1');
$appender->quit;
is($node->safe_psql('postgres', "SELECT pg_xact_status('$victim_xid'::xid8)"),
	'aborted', 'the terminated batch\'s transaction rolled back');
my $appended = $node->safe_psql('postgres', 'SELECT count(*) FROM chronicle.events') - $events_before;
note("scenario 3: $appended events appended concurrently");
check_projections('3. pg_terminate_backend of a worker mid-batch');

# --- 4. kill -9 of a client backend in the middle of an appending transaction ------------------

$node->safe_psql('postgres', 'TRUNCATE stop_appending');
$events_before = $node->safe_psql('postgres', 'SELECT count(*) FROM chronicle.events');
# Commits all the while, to streams order-500 .. order-999.
my $committer = $node->background_psql('postgres', on_error_stop => 0);
$committer->query_until(
	qr/committing/, q{
\echo committing
DO $$
BEGIN
  FOR b IN 1..400 LOOP
    PERFORM chronicle.append('order-' || (500 + i % 500), 'ItemAdded', jsonb_build_object('amount', 1))
       FROM generate_series(1, 100) i;
    COMMIT;
    PERFORM pg_sleep(0.1);
    EXIT WHEN EXISTS (SELECT FROM stop_appending);
  END LOOP;
END $$;
});
# Appends to new streams, then to order-0 .. order-499 in a statement far too long to end
# before the kill; it never commits.
my $doomed = $node->background_psql('postgres', on_error_stop => 0);
$doomed->query_safe('BEGIN');
$doomed->query_safe(append_sql(1000, 'Doomed', prefix => 'order-doomed-'));
my $doomed_first = $doomed->query_safe(
	q{SELECT min(global_position) FROM chronicle.events WHERE event_type = 'Doomed'});
my $doomed_pid = $doomed->query_safe('SELECT pg_backend_pid()');
$doomed->query_until(qr/appending more/,
	"\\echo appending more\n" . append_sql(200000, 'Doomed', streams => 500) . ";\n");
$node->poll_query_until(
	'postgres', qq{
	SELECT state = 'active' AND backend_xid IS NOT NULL FROM pg_stat_activity WHERE pid = $doomed_pid})
  or die 'the doomed append did not start';
# The committer got on meanwhile; the worker does not pass the open transaction's position.
$node->poll_query_until('postgres',
	"SELECT count(*) > $events_before FROM chronicle.events")
  or die 'the committer commits nothing';
cmp_ok(position_of('orders'), '<', $doomed_first,
	"the projection waits below the open transaction's first position ($doomed_first)");

is($node->safe_psql('postgres', "SELECT state FROM pg_stat_activity WHERE pid = $doomed_pid"),
	'active', 'the doomed backend is still in its append statement');
$log_offset = -s $node->logfile;
is(kill('KILL', $doomed_pid), 1, "sent SIGKILL to backend $doomed_pid in the middle of its append");
$node->wait_for_log(qr/all server processes terminated; reinitializing/, $log_offset);
reap($doomed);
reap($committer);
$node->poll_query_until('postgres', 'SELECT 1', '1')
  or die 'the server did not come back after the crash';
my $committed = $node->safe_psql('postgres', 'SELECT count(*) FROM chronicle.events') - $events_before;
cmp_ok($committed, '>', 0, "the committer's transactions before the crash stay ($committed events)");
$node->safe_psql('postgres', append_sql(100, 'AfterCrash', streams => 100));
check_projections('4. kill -9 of a client backend mid-append');
is( $node->safe_psql(
		'postgres', q{
		SELECT (SELECT count(*) FROM chronicle.events WHERE event_type = 'Doomed')
		     + (SELECT count(*) FROM event_counts WHERE event_type = 'Doomed')
		     + (SELECT count(*) FROM orders WHERE stream LIKE 'order-doomed-%')}),
	'0',
	'no event of the killed transaction is stored, counted or folded');
cmp_ok(position_of('orders'), '>', $doomed_first, 'the projection went past the dead positions');

$node->stop;

# --- the server log: the only crashes are the kill -9s we caused -------------------------------

my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal 6/, 'no process aborted (signal 6)');
unlike($log, qr/terminated by signal 11/, 'no process segfaulted (signal 11)');
unlike($log, qr/PANIC/, 'no PANIC');
my @killed = ($log =~ /\(PID (\d+)\) was terminated by signal 9/g);
is_deeply(\@killed, [ $killed_worker, $doomed_pid ],
	'the only processes terminated by signal 9 are the worker and the backend we killed');
note(sprintf('run time %.1f s', time - $started_at));

done_testing();
