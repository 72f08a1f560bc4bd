# chronicle 0.3 projections across the life of their worker: CREATE and DROP EXTENSION, a
# database without the extension, DROP DATABASE while a worker is catching up, a poison event,
# pg_dump / pg_restore, and a reload. Every scenario ends with the same two checks, made after
# wait_for_projection said the projections are current:
#   (a) the aggregate projection equals a fresh fold of every stream of its category;
#   (b) a counting handler projection counted every matching event exactly once.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $started = time;

my $node = PostgreSQL::Test::Cluster->new('lifecycle');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'chronicle'
max_worker_processes = 16
chronicle.worker_naptime = '100ms'
});
$node->start;

# --- helpers ------------------------------------------------------------------------------------

# One psql session per database, kept open: starting psql costs most of a second on a busy
# machine, and this file runs a few hundred statements. Each statement sent is its own
# transaction (autocommit) unless it says otherwise.
my %sessions;

sub sql
{
	my ($db, $query) = @_;
	if (!$sessions{$db})
	{
		$sessions{$db} = $node->background_psql($db);
		$sessions{$db}->set_query_timer_restart;
		$sessions{$db}->query_safe('SET client_min_messages = warning');
	}
	return $sessions{$db}->query_safe($query);
}

sub end_session
{
	my ($db) = @_;
	my $session = delete $sessions{$db};
	# A session whose backend was terminated has no psql left to quit.
	eval { $session->quit if $session; };
	return;
}

# Like poll_query_until, in the database's session.
sub poll_sql
{
	my ($db, $query, $expected) = @_;
	$expected //= 't';
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	my $got;
	while (time < $deadline)
	{
		$got = sql($db, $query);
		return 1 if $got eq $expected;
		usleep(100_000);
	}
	diag("timed out waiting for\n$query\nto return '$expected'; last: '$got'");
	return 0;
}

# The extension (unless there), the aggregate `order`, the async aggregate projection
# `orders` and the handler projection `counter`, which counts the Placed and ItemAdded
# events of each order stream in public.counts (one row per projection and stream).
sub setup_database
{
	my ($db) = @_;
	sql(
		$db, q{
		CREATE EXTENSION IF NOT EXISTS chronicle;
		SELECT chronicle.define_aggregate('order', $${
		  "initial": {"status": "NEW", "items": 0, "total": 0},
		  "on": {"Placed":    [{"set": "customer", "from": "customer"}],
		         "ItemAdded": [{"add": "total", "from": "price"}, {"count": "items"}],
		         "Paid":      [{"set": "status", "value": "PAID"}],
		         "*":         [{"count": "others"}]}}$$,
		  category => 'order', snapshot_every => 5);
		SELECT chronicle.create_projection('orders', 'order',
		  columns => '{"total": "numeric", "items": "integer", "customer": "text"}');
		CREATE TABLE public.counts (projection text, stream text, n bigint NOT NULL,
		                            PRIMARY KEY (projection, stream));
		CREATE FUNCTION public.count_event(e chronicle.event) RETURNS void LANGUAGE sql AS $$
		  INSERT INTO public.counts AS c VALUES ('counter', e.stream, 1)
		  ON CONFLICT (projection, stream) DO UPDATE SET n = c.n + 1 $$;
		SELECT chronicle.create_handler_projection('counter', 'public.count_event(chronicle.event)',
		  category => 'order', event_types => ARRAY['Placed', 'ItemAdded']);});
	return;
}

# Orders $first..$last get four events each, in one commit; invoices, of another category,
# one each. Streams that exist already grow (past their snapshots).
sub append_orders
{
	my ($db, $first, $last) = @_;
	sql(
		$db, qq{
		BEGIN;
		SELECT count(chronicle.append_batch('order-' || i, jsonb_build_array(
		  jsonb_build_object('type', 'Placed', 'data', jsonb_build_object('customer', 'c-' || i % 7)),
		  jsonb_build_object('type', 'ItemAdded', 'data', jsonb_build_object('price', i % 13 + 0.25)),
		  jsonb_build_object('type', 'ItemAdded', 'data', jsonb_build_object('price', 2)),
		  jsonb_build_object('type', 'Paid', 'data', '{}'::jsonb))))
		  FROM generate_series($first, $last) i;
		SELECT count(chronicle.append('invoice-' || i, 'Issued', '{}'))
		  FROM generate_series($first, $last) i;
		COMMIT;});
	return;
}

sub wait_for_projection
{
	my ($db, $name) = @_;
	return sql($db, qq{SELECT chronicle.wait_for_projection('$name', timeout => '60 s')});
}

# A handler projection `slow` that sleeps 3 ms per order event: it keeps the worker inside
# its rounds for seconds (each batch, and so each round, takes 3 s); waits until the worker
# is in the handler.
sub add_slow_projection
{
	my ($db, $worker_pid) = @_;
	sql(
		$db, q{
		CREATE FUNCTION public.slow_event(e chronicle.event) RETURNS void LANGUAGE sql
		  AS $$ SELECT pg_sleep(0.003) $$;
		SELECT chronicle.create_handler_projection('slow', 'public.slow_event(chronicle.event)',
		  category => 'order');});
	poll_sql('postgres',
		qq{SELECT wait_event FROM pg_stat_activity WHERE pid = $worker_pid}, 'PgSleep')
	  or die "the worker of $db never ran the slow handler";
	return;
}

# (a): every stream of the category has its row, with the fold's state and the stream's
# version, and no row is without its stream. The category filter sits inside the join: in a
# WHERE clause it would drop the rows that have no stream.
my $fresh_fold_sql = q{
	SELECT count(*)
	  FROM (SELECT * FROM chronicle.streams WHERE category = 'order') s
	  FULL JOIN public.orders o USING (stream)
	 WHERE o.stream IS NULL OR s.stream IS NULL
	    OR o.state IS DISTINCT FROM chronicle.fold('order', s.stream)
	    OR o.version <> s.version
	    OR o.total IS DISTINCT FROM (o.state->>'total')::numeric};

# (b) for one handler projection: "counted|matching events|streams whose count is wrong";
# matching = the projection's own category and event types, read from its catalog row.
sub handler_counts_sql
{
	my ($projection) = @_;
	return qq{
		WITH matching AS (
		  SELECT e.stream, count(*) AS n
		    FROM chronicle.events e JOIN chronicle.projections p ON p.name = '$projection'
		   WHERE (p.category IS NULL OR e.category = p.category)
		     AND (p.event_types IS NULL OR e.event_type = ANY (p.event_types))
		   GROUP BY e.stream),
		counted AS (SELECT stream, n FROM public.counts WHERE projection = '$projection')
		SELECT (SELECT coalesce(sum(n), 0) FROM counted) || '|'
		    || (SELECT coalesce(sum(n), 0) FROM matching) || '|'
		    || (SELECT count(*) FROM matching m FULL JOIN counted c USING (stream)
		         WHERE m.n IS DISTINCT FROM c.n)};
}

sub check_counts
{
	my ($counts, $projection, $what) = @_;
	my ($counted, $matching, $wrong) = split /\|/, $counts;
	cmp_ok($matching, '>', 0, "$what: there are events for $projection to count");
	is($counted, $matching,
		"$what: a counting handler projection's count ($projection) equals count(*) of matching events"
	);
	is($wrong, '0', "$what: and so does every stream's count ($projection)");
	return;
}

sub check_counted_exactly_once
{
	my ($db, $projection, $what) = @_;
	check_counts(sql($db, handler_counts_sql($projection)), $projection, $what);
	return;
}

# The two checks that end every scenario (each statement its own transaction, so that the
# checks see what the waits waited for).
sub check_projections
{
	my ($db, $what) = @_;
	my @out = split /\n/,
	  sql($db,
		    qq{SELECT chronicle.wait_for_projection('orders', timeout => '60 s');\n}
		  . qq{SELECT chronicle.wait_for_projection('counter', timeout => '60 s');\n}
		  . qq{$fresh_fold_sql;\n}
		  . handler_counts_sql('counter'));
	is($out[0], 't', "$what: wait_for_projection('orders') returns t");
	is($out[1], 't', "$what: wait_for_projection('counter') returns t");
	is($out[2], '0', "$what: the projection equals a fresh fold of every stream");
	check_counts($out[3], 'counter', $what);
	return;
}

# The pids of the chronicle workers of a database, comma-separated ('' if none).
sub workers_of
{
	my ($db) = @_;
	return sql(
		'postgres', qq{
		SELECT coalesce(string_agg(pid::text, ',' ORDER BY pid), '') FROM pg_stat_activity
		 WHERE backend_type = 'chronicle worker' AND datname = '$db'});
}

# Waits until the database has exactly one worker; returns its pid.
sub wait_for_worker
{
	my ($db, $what) = @_;
	poll_sql(
		'postgres', qq{
		SELECT count(*) = 1 FROM pg_stat_activity
		 WHERE backend_type = 'chronicle worker' AND datname = '$db'})
	  or die "timed out waiting for $what";
	return workers_of($db);
}

sub wait_for_no_worker
{
	my ($db, $what) = @_;
	poll_sql(
		'postgres', qq{
		SELECT count(*) = 0 FROM pg_stat_activity
		 WHERE backend_type = 'chronicle worker' AND datname = '$db'})
	  or die "timed out waiting for $what";
	return;
}

sub scenario
{
	my ($title) = @_;
	note(sprintf('%.1f s: %s', time - $started, $title));
	return;
}

# --- 1. CREATE / DROP EXTENSION -----------------------------------------------------------------
scenario('1. CREATE / DROP EXTENSION');

sql('postgres', 'CREATE DATABASE life');
setup_database('life');
my $worker = wait_for_worker('life', 'the worker of life');
like($worker, qr/^\d+$/, 'CREATE EXTENSION: the database gets a worker');
append_orders('life', 1, 40);
append_orders('life', 21, 60);    # orders 21..40 get a second round of events
check_projections('life', 'after CREATE EXTENSION');

# Check (a) is not vacuous: a changed state, a missing row and a row without a stream are
# each caught (in a transaction that is rolled back).
is( sql(
		'life', qq{
		BEGIN;
		UPDATE public.orders SET state = state || '{"total": 0}' WHERE stream = 'order-3';
		$fresh_fold_sql;
		ROLLBACK;
		BEGIN;
		DELETE FROM public.orders WHERE stream = 'order-4';
		$fresh_fold_sql;
		ROLLBACK;
		BEGIN;
		INSERT INTO public.orders SELECT 'order-999', version, state, updated_at FROM public.orders
		 WHERE stream = 'order-5';
		$fresh_fold_sql;
		ROLLBACK;}),
	"1\n1\n1",
	'check (a) catches a tampered state, a missing row and a row without a stream');

# DROP EXTENSION while the worker is busy, inside a round. A round takes the extension's
# relations in another order than the DROP (chronicle.projections, then the position
# sequence), so the two would deadlock: the DROP sends the worker away first. The worker
# comes back once the DROP has committed, finds no extension and leaves.
append_orders('life', 61, 400);
add_slow_projection('life', $worker);
my $drop_started = -s $node->logfile;
# The events go with it: the session says it means that.
my ($ret, $stdout, $stderr) = $node->psql('life',
	'SET chronicle.allow_drop_with_events = on; DROP EXTENSION chronicle CASCADE');
is($ret, 0, 'DROP EXTENSION chronicle CASCADE succeeds while the worker is inside a round')
  or diag($stderr);
wait_for_no_worker('life', 'the worker to exit after DROP EXTENSION');
pass('DROP EXTENSION: the worker exits');
my $drop_log = slurp_file($node->logfile, $drop_started);
unlike($drop_log, qr/deadlock detected|lock timeout/,
	'DROP EXTENSION and the worker\'s round do not deadlock');
unlike($drop_log, qr/^\S+ \S+ UTC \[\d+\] ERROR:/m, 'the worker leaves without an error');
is( sql(
		'life', q{
		SELECT count(*) > 0 AND count(*) = count(DISTINCT stream) AND bool_and(state ? 'total')
		  FROM public.orders}),
	't',
	'the projection table remains, a plain table with its rows');
is( sql(
		'life', q{
		SELECT count(*) FROM pg_depend
		 WHERE objid = 'public.orders'::regclass AND deptype = 'e'}),
	'0', 'which is not a member of any extension');
is(sql('life', q{SELECT sum(n) > 0 FROM public.counts}),
	't', 'the handler\'s table remains too (its handler went with CASCADE)');

# CREATE EXTENSION again: the old table is in the way of a projection of the same name.
($ret, $stdout, $stderr) = $node->psql(
	'life', q{
	CREATE EXTENSION chronicle;
	SELECT chronicle.define_aggregate('order', '{"on": {"*": [{"count": "n"}]}}', 'order');
	SELECT chronicle.create_projection('orders', 'order');},
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($stderr, qr/42P07/, 'a projection table left behind is not reused (42P07)');
sql('life', 'DROP TABLE public.orders, public.counts');
setup_database('life');
$worker = wait_for_worker('life', 'a worker after CREATE EXTENSION again');
like($worker, qr/^\d+$/, 'CREATE EXTENSION again: a worker comes back');
append_orders('life', 1, 50);
append_orders('life', 41, 60);
check_projections('life', 'after CREATE EXTENSION again');

# --- 2. a database without the extension --------------------------------------------------------
scenario('2. a database without the extension');

sql('postgres', 'CREATE DATABASE bare');
# The launcher tries a worker in the new database at once; its one transaction there (nobody
# else connects) is how we know it came, found no extension and left.
poll_sql(
	'postgres', q{
	SELECT coalesce((SELECT xact_commit FROM pg_stat_database WHERE datname = 'bare'), 0) > 0})
  or die 'the launcher never tried a worker in bare';
# 15 samples over 3 s, each in its own transaction (a transaction reads pg_stat_activity
# once); life gets an event with every sample.
is( sql(
		'life', q{
		CREATE TEMP TABLE samples (bare bigint, life bigint);
		DO $$
		BEGIN
		  FOR i IN 1 .. 15 LOOP
		    INSERT INTO samples
		      SELECT count(*) FILTER (WHERE datname = 'bare'), count(*) FILTER (WHERE datname = 'life')
		        FROM pg_stat_activity WHERE backend_type = 'chronicle worker';
		    PERFORM chronicle.append('order-' || (60 + i), 'ItemAdded', '{"price": 3}');
		    COMMIT;
		    PERFORM pg_sleep(0.2);
		  END LOOP;
		END $$;
		SELECT string_agg(bare::text, '') || ' ' || string_agg(life::text, '') FROM samples;
		DROP TABLE samples;}),
	('0' x 15) . ' ' . ('1' x 15),
	'a database without the extension gets no worker (15 samples over 3 s), the first keeps one');
is(workers_of('life'), $worker, 'the first database keeps the same worker');
check_projections('life', 'while bare has no worker');

# --- 3. DROP DATABASE while its worker catches up -----------------------------------------------
scenario('3. DROP DATABASE');

for my $force (0, 1)
{
	my $db = $force ? 'doomed_force' : 'doomed';
	my $with = $force ? ' WITH (FORCE)' : '';
	sql('postgres', "CREATE DATABASE $db");
	setup_database($db);
	append_orders($db, 1, 500);
	is(wait_for_projection($db, 'orders'), 't', "$db: orders is current");
	# 2000 matching events for slow: at least 6 s of catching up.
	add_slow_projection($db, wait_for_worker($db, "the worker of $db"));
	is(sql($db, q{SELECT state, lag_events > 0 FROM chronicle.projection_status WHERE name = 'slow'}),
		'catching_up|t', "$db: the worker is applying projection slow, which is catching up");
	# Without FORCE the database must have no other session; with FORCE one stays connected.
	end_session($db) unless $force;
	my $start = time;
	($ret, $stdout, $stderr) = $node->psql('postgres', "DROP DATABASE $db$with");
	my $took = time - $start;
	is($ret, 0, "DROP DATABASE$with succeeds while the worker catches up") or diag($stderr);
	cmp_ok($took, '<', 10, sprintf('DROP DATABASE%s is prompt (%.1f s)', $with, $took));
	end_session($db);
	wait_for_no_worker($db, "the worker of $db to be gone");
}
is( sql('postgres',
		q{SELECT count(*) FROM pg_database WHERE datname IN ('doomed', 'doomed_force')}),
	'0', 'both databases are gone');
is(workers_of('life'), $worker, 'the other database keeps its worker (same pid)');
append_orders('life', 90, 120);
check_projections('life', 'after DROP DATABASE of another database');

# --- 4. a poison event --------------------------------------------------------------------------
scenario('4. a poison event');

sql(
	'life', q{
	CREATE FUNCTION public.strict_count(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
	BEGIN
	  IF e.data->>'poison' = 'true' THEN
	    RAISE EXCEPTION 'poison in % at position %', e.stream, e.global_position
	      USING ERRCODE = 'PZ042';
	  END IF;
	  INSERT INTO public.counts AS c VALUES ('strict_counter', e.stream, 1)
	  ON CONFLICT (projection, stream) DO UPDATE SET n = c.n + 1;
	END $$;
	SELECT chronicle.create_handler_projection('strict_counter',
	  'public.strict_count(chronicle.event)', category => 'order');});
is(wait_for_projection('life', 'strict_counter'), 't', 'strict_counter catches up with history');
my $log_offset = -s $node->logfile;
append_orders('life', 121, 130);
my $poison = sql('life',
	q{SELECT chronicle.append('order-125', 'ItemAdded', '{"price": 1, "poison": true}');
	  SELECT max(global_position) FROM chronicle.events});
$poison = (split /\n/, $poison)[1];
append_orders('life', 125, 135);
poll_sql('life',
	q{SELECT state FROM chronicle.projection_status WHERE name = 'strict_counter'}, 'failed')
  or die 'strict_counter never failed';
is( sql(
		'life', qq{
		SELECT last_error_sqlstate, last_error_position = $poison, position < $poison,
		       last_error_at IS NOT NULL
		  FROM chronicle.projection_status WHERE name = 'strict_counter'}),
	'PZ042|t|t|t',
	'strict_counter failed: its SQLSTATE, the poison event\'s position, a position before it');
is( sql('life',
		q{SELECT last_error FROM chronicle.projection_status WHERE name = 'strict_counter'}),
	"poison in order-125 at position $poison",
	'last_error is the handler\'s message');
my $t0 = time;
is(wait_for_projection('life', 'strict_counter'), 'f', 'wait_for_projection on a failed projection returns f');
cmp_ok(time - $t0, '<', 5, 'at once, not after its timeout');
$node->wait_for_log(
	qr/WARNING:  projection "strict_counter" failed at position $poison/, $log_offset);
pass('the server log has a WARNING naming the projection and the position');
check_projections('life', 'past the poison event');
is( sql(
		'life', qq{
		SELECT count(*) FROM chronicle.events
		 WHERE category = 'order' AND global_position > $poison}),
	'44', '(the other projections went past 44 events after the poison event)');
is(workers_of('life'), $worker, 'the poison event did not cost the worker its life');

sql(
	'life', q{
	CREATE OR REPLACE FUNCTION public.strict_count(e chronicle.event) RETURNS void
	LANGUAGE plpgsql AS $$
	BEGIN
	  INSERT INTO public.counts AS c VALUES ('strict_counter', e.stream, 1)
	  ON CONFLICT (projection, stream) DO UPDATE SET n = c.n + 1;
	END $$;
	SELECT chronicle.resume_projection('strict_counter');});
is(wait_for_projection('life', 'strict_counter'), 't',
	'after the fix and resume_projection, strict_counter catches up');
is(sql('life', q{SELECT state, lag_events FROM chronicle.projection_status WHERE name = 'strict_counter'}),
	'running|0', 'and runs again');
check_counted_exactly_once('life', 'strict_counter', 'after resume');
check_projections('life', 'after the poison event');

# --- 5. pg_dump / pg_restore --------------------------------------------------------------------
scenario('5. pg_dump / pg_restore');

# The source is quiet when it is dumped, so that the restore can be compared with it.
append_orders('life', 136, 150);
check_projections('life', 'before pg_dump');
is(wait_for_projection('life', 'strict_counter'), 't', 'strict_counter is current before pg_dump');

my $catalog_sql = q{SELECT p::text FROM chronicle.projections p ORDER BY name};
my $orders_sql = q{SELECT o::text FROM public.orders o ORDER BY stream};
my $counts_sql = q{SELECT c::text FROM public.counts c ORDER BY projection, stream};
my %source = (
	catalog => sql('life', $catalog_sql),
	orders => sql('life', $orders_sql),
	counts => sql('life', $counts_sql));

my $dump = $node->basedir . '/life.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', 'life' ],
	'pg_dump of a database with running projections');
sql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'pg_restore', '--exit-on-error', '--single-transaction', '-d', 'restored', $dump ],
	'pg_restore in one transaction, as docs/operations.md advises where workers run');

is(sql('restored', $catalog_sql),
	$source{catalog}, 'chronicle.projections: the same definitions, states and positions');
like($source{catalog}, qr/strict_counter/, '(all three projections)');
is(sql('restored', $orders_sql), $source{orders}, 'the projection table has its rows');
is(sql('restored', $counts_sql), $source{counts}, 'the handler\'s table has its rows');
my $restored_worker = wait_for_worker('restored', 'the worker of the restored database');
like($restored_worker, qr/^\d+$/, 'the restored database has a worker');
check_projections('restored', 'right after pg_restore');
append_orders('restored', 140, 170);
check_projections('restored', 'appends after pg_restore');
is(wait_for_projection('restored', 'strict_counter'), 't', 'strict_counter resumes in the restored database');
check_counted_exactly_once('restored', 'strict_counter', 'appends after pg_restore');
is(sql('life', $orders_sql), $source{orders}, 'the source is untouched by the appends to the copy');

# --- 6. SIGHUP ----------------------------------------------------------------------------------
scenario('6. SIGHUP');

# Which transaction (worker round) applied each event: a round applies at most
# chronicle.worker_batch_size events of a projection.
sql(
	'life', q{
	CREATE TABLE public.rounds (xid bigint NOT NULL, position bigint NOT NULL);
	CREATE FUNCTION public.note_round(e chronicle.event) RETURNS void LANGUAGE sql
	  AS $$ INSERT INTO public.rounds VALUES (txid_current(), e.global_position) $$;
	SELECT chronicle.create_handler_projection('rounds', 'public.note_round(chronicle.event)',
	  category => 'burst');});
my $burst_sql = q{
	BEGIN;
	SELECT count(chronicle.append('burst-' || i % 3, 'Burst', '{}')) FROM generate_series(1, 50) i;
	COMMIT;};
my $rounds_sql = q{
	SELECT count(*) || '|' || max(n) FROM (
	  SELECT xid, count(*) AS n FROM public.rounds WHERE position > HEAD GROUP BY xid) r};
my $launcher = sql('postgres',
	q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'chronicle launcher'});

my $head = sql('life', 'SELECT max(global_position) FROM chronicle.events');
sql('life', $burst_sql);
is(wait_for_projection('life', 'rounds'), 't', 'a burst of 50 events in one commit is applied');
is(sql('life', $rounds_sql =~ s/HEAD/$head/r), '1|50', 'with the default batch size: in one round');

sql('life', q{ALTER SYSTEM SET chronicle.worker_batch_size = 7; SELECT pg_reload_conf();});
poll_sql('life', 'SHOW chronicle.worker_batch_size', '7') or die 'the reload did not take';
$head = sql('life', 'SELECT max(global_position) FROM chronicle.events');
sql('life', $burst_sql);
is(wait_for_projection('life', 'rounds'), 't', 'after the reload the burst is applied');
my ($rounds, $largest) = split /\|/, sql('life', $rounds_sql =~ s/HEAD/$head/r);
cmp_ok($largest, '<=', 7, "after the reload a round applies at most 7 events (largest: $largest)");
cmp_ok($rounds, '>=', 8, "so the 50 events took at least 8 rounds ($rounds)");
is(workers_of('life'), $worker, 'the worker kept its pid across the reload');
is(sql('postgres', q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'chronicle launcher'}),
	$launcher, 'so did the launcher');
append_orders('life', 150, 160);
check_projections('life', 'after the reload');
sql('life', q{ALTER SYSTEM RESET chronicle.worker_batch_size; SELECT pg_reload_conf();});

# --- the server log -----------------------------------------------------------------------------
scenario('the server log');

end_session($_) for keys %sessions;
$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal 6/, 'no process aborted (signal 6)');
unlike($log, qr/terminated by signal 11/, 'no process segfaulted (signal 11)');
unlike($log, qr/PANIC/, 'no PANIC');
# Errors of background processes (the test's own sessions name themselves in the prefix):
# none.
my @errors = ($log =~ /^\S+ \S+ UTC \[\d+\] ERROR:  (.*)$/mg);
is_deeply(\@errors, [], 'no worker logged an error');
note(sprintf('the file ran for %.1f s', time - $started));

done_testing();
