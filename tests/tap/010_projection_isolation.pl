# One projection never holds back another (issue 10): a handler that raises SQLSTATE 57014
# itself is retried and then failed without the worker exiting; a handler stuck in
# pg_sleep is cancelled at its time limit, retried, and failed, while the other
# projections of the database keep answering wait_for_projection and pause_projection
# waits at most the time limit; a handler that catches the time limit's cancel does not
# get to go on; a handler projection with on_error 'park' parks the failing event, goes on,
# and delivers it again after replay_parked_events. Every event is counted exactly once.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);

my $node = PostgreSQL::Test::Cluster->new('isolation');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'chronicle'
chronicle.worker_naptime = '200ms'
});
$node->start;

sub sql { return $node->safe_psql('postgres', $_[0]); }

sub poll
{
	my ($query, $seconds) = @_;
	$seconds //= $PostgreSQL::Test::Utils::timeout_default;
	foreach (1 .. $seconds * 10)
	{
		return 1 if sql($query) eq 't';
		usleep(100_000);
	}
	return 0;
}

sql(q{
	CREATE EXTENSION chronicle;
	CREATE TABLE counted (stream text, version bigint, PRIMARY KEY (stream, version));
	CREATE FUNCTION count_it(e chronicle.event) RETURNS void LANGUAGE sql
	    AS $$ INSERT INTO public.counted VALUES ((e).stream, (e).stream_version) $$;
	CREATE FUNCTION raise_57014(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
	BEGIN RAISE EXCEPTION 'not a cancel' USING ERRCODE = '57014'; END $$;
	CREATE FUNCTION sleep_long(e chronicle.event) RETURNS void LANGUAGE plpgsql
	    AS $$ BEGIN PERFORM pg_sleep(3600); END $$;
	CREATE FUNCTION sleep_stubborn(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
	BEGIN
	    BEGIN PERFORM pg_sleep(3600);
	    EXCEPTION WHEN query_canceled THEN NULL;  -- swallows the time limit's cancel
	    END;
	END $$;
	CREATE TABLE fixed (ok boolean);
	CREATE TABLE parked_seen (stream text, version bigint, PRIMARY KEY (stream, version));
	CREATE FUNCTION picky(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
	BEGIN
	    IF (e.data ->> 'bad')::boolean AND NOT EXISTS (SELECT FROM public.fixed) THEN
	        RAISE EXCEPTION 'cannot handle %/%', e.stream, e.stream_version;
	    END IF;
	    INSERT INTO public.parked_seen VALUES (e.stream, e.stream_version);
	END $$;
	SELECT chronicle.create_handler_projection('a_counter', 'count_it(chronicle.event)', 'ok');
	SELECT chronicle.create_handler_projection('poison', 'raise_57014(chronicle.event)', 'poison');
	SELECT chronicle.alter_projection('poison', retries => 2);
});
my $worker_pid =
  sql(q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'chronicle worker'});
ok($worker_pid, 'a worker runs');

# A handler raising 57014 itself: retried (not a cancel of the worker), then failed.
sql(q{SELECT chronicle.append('poison-1', 'E', '{}')});
ok(poll(q{SELECT state = 'retrying' FROM chronicle.projection_status WHERE name = 'poison'}),
	'a handler raising 57014 is retried');
sql(q{SELECT chronicle.append('ok-1', 'E', '{}')});
is(sql(q{SELECT chronicle.wait_for_projection('a_counter', '5 seconds')}),
	't', 'another projection advances while one retries');
ok( poll(
		q{SELECT state = 'failed' AND last_error_sqlstate = '57014' AND last_error = 'not a cancel'
		    FROM chronicle.projection_status WHERE name = 'poison'}),
	'after its retries the projection is failed with its error');
is(sql(q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'chronicle worker'}),
	$worker_pid, 'the worker did not exit');

# A handler stuck in pg_sleep: cancelled at its time limit, every time.
sql(q{
	CREATE TABLE sleeper_seen (n int);
	SELECT chronicle.create_handler_projection('sleeper', 'sleep_long(chronicle.event)', 'slow');
	SELECT chronicle.alter_projection('sleeper', time_limit => '2 seconds', retries => 1);
	SELECT chronicle.append('slow-1', 'E', '{}');
});
ok( poll(
		q{SELECT count(*) = 1 FROM pg_stat_activity
		   WHERE backend_type = 'chronicle worker' AND wait_event = 'PgSleep'}),
	'the stuck handler sleeps in the worker');
my $started = time;
foreach my $n (2 .. 6)
{
	sql(qq{SELECT chronicle.append('ok-$n', 'E', '{}')});
	is(sql(q{SELECT chronicle.wait_for_projection('a_counter', '5 seconds')}),
		't', "event $n reaches the other projection within the stuck one's time limit");
}
ok( poll(
		q{SELECT state = 'failed' AND last_error LIKE '%time limit of 2000 ms%'
		    FROM chronicle.projection_status WHERE name = 'sleeper'}),
	'the stuck projection fails at its time limit after its retry');
my $elapsed = time - $started;
cmp_ok($elapsed, '<', 30, 'two attempts of two seconds and one back-off, not an hour');

# pause_projection waits for a stuck batch at most its time limit.
sql(q{
	SELECT chronicle.alter_projection('sleeper', time_limit => '3 seconds');
	SELECT chronicle.resume_projection('sleeper');
});
ok( poll(
		q{SELECT count(*) = 1 FROM pg_stat_activity
		   WHERE backend_type = 'chronicle worker' AND wait_event = 'PgSleep'}),
	'the stuck handler sleeps again');
$started = time;
sql(q{SELECT chronicle.pause_projection('sleeper')});
cmp_ok(time - $started, '<', 10, 'pause_projection returned within the time limit');
is(sql(q{SELECT state FROM chronicle.projection_status WHERE name = 'sleeper'}),
	'paused', 'and the projection is paused');

# A handler that swallows the cancel does not get to go on with its batch.
sql(q{
	SELECT chronicle.create_handler_projection('stubborn', 'sleep_stubborn(chronicle.event)', 'stub');
	SELECT chronicle.alter_projection('stubborn', time_limit => '1 second', retries => 0);
	SELECT chronicle.append('stub-1', 'E', '{}');
	SELECT chronicle.append('stub-2', 'E', '{}');
});
ok( poll(
		q{SELECT state = 'failed' AND last_error LIKE '%time limit%'
		         AND position < (SELECT min(global_position) FROM chronicle.events WHERE stream = 'stub-1')
		    FROM chronicle.projection_status WHERE name = 'stubborn'}),
	'a handler that catches the cancel is still stopped at the end of its call');

# Parking: the failing event is set aside, the projection goes on, a replay delivers it.
sql(q{
	SELECT chronicle.create_handler_projection('picky', 'picky(chronicle.event)', 'pk');
	SELECT chronicle.alter_projection('picky', on_error => 'park');
	SELECT chronicle.append('pk-1', 'E', '{}');
	SELECT chronicle.append('pk-2', 'E', '{"bad": true}');
	SELECT chronicle.append('pk-3', 'E', '{}');
});
is(sql(q{SELECT chronicle.wait_for_projection('picky', '10 seconds')}),
	't', 'a parking projection goes on past the failing event');
is(sql(q{SELECT string_agg(stream, ',' ORDER BY stream) FROM parked_seen}),
	'pk-1,pk-3', 'the events around the parked one are handled');
is( sql(
		q{SELECT stream || '/' || stream_version || ' ' || error_sqlstate || ' ' || error
		    FROM chronicle.projection_parked_events WHERE projection = 'picky'}),
	'pk-2/1 P0001 cannot handle pk-2/1',
	'the parked event is listed with its error');
is(sql(q{SELECT state || ' ' || parked_events FROM chronicle.projection_status WHERE name = 'picky'}),
	'running 1', 'the projection runs with one parked event');
is( sql(
		q{SELECT chronicle.replay_parked_events('picky')}), '1',
	'replay_parked_events asks for one event');
ok( poll(
		q{SELECT replay_requested_at IS NULL AND attempts = 2
		    FROM chronicle.projection_parked_events WHERE projection = 'picky'}),
	'replayed while still failing, it is parked again');
sql(q{INSERT INTO fixed VALUES (true)});
sql(q{SELECT chronicle.replay_parked_events('picky')});
ok(poll(q{SELECT count(*) = 0 FROM chronicle.projection_parked_events}),
	'once fixed, the replayed event is no longer parked');
is(sql(q{SELECT string_agg(stream, ',' ORDER BY stream) FROM parked_seen}),
	'pk-1,pk-2,pk-3', 'and was handled once');

# Aggregate projections stop; they cannot park.
sql(q{SELECT chronicle.define_aggregate('okagg', '{"initial": {"n": 0}, "on": {"*": [{"count": "n"}]}}', category => 'ok')});
sql(q{SELECT chronicle.create_projection('okagg', 'okagg')});
my ($rc, $out, $err) = $node->psql('postgres',
	q{SELECT chronicle.alter_projection('okagg', on_error => 'park')});
like($err, qr/cannot park events: it is an aggregate projection/, 'aggregate projections cannot park');

# An aggregate projection that cannot fold an event: failed at once (the user's own error),
# with the event's position, looked up once the failed batch was rolled back.
sql(q{
	SELECT chronicle.define_aggregate('sums', '{"initial": {"t": 0}, "on": {"*": [{"add": "t", "from": "x"}]}}', category => 'sum');
	SELECT chronicle.create_projection('sums', 'sums');
	SELECT chronicle.append('sum-1', 'E', '{"x": 1}');
	SELECT chronicle.append('sum-2', 'E', '{"x": "not a number"}');
	SELECT chronicle.append('sum-1', 'E', '{"x": 2}');
});
my $bad = sql(q{SELECT global_position FROM chronicle.events WHERE stream = 'sum-2'});
ok( poll(
		qq{SELECT state = 'failed' AND last_error_sqlstate = 'CH022' AND attempts = 0
		         AND last_error_position = $bad AND position < $bad
		    FROM chronicle.projection_status WHERE name = 'sums'}),
	'a fold error fails an aggregate projection at once, at the failing event');

# Every event of the counted category exactly once, whatever the others did.
is(sql(q{SELECT chronicle.wait_for_projection('a_counter', '5 seconds')}), 't', 'caught up');
is(sql(q{SELECT count(*) || ' ' || count(DISTINCT (stream, version)) FROM counted}),
	'6 6', 'the other projection counted every event once');
is(sql(q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'chronicle worker'}),
	$worker_pid, 'one worker did all of it, without exiting');

my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|TRAP:/, 'no process crashed');
like($log, qr/projection "poison" will retry its batch/, 'the retries are logged');
$node->stop;
done_testing();
