# pg_upgrade from PostgreSQL 15 to the server under test (18): a database with events, burned
# positions, declarative and reducer aggregates with snapshots, async, inline and handler
# projections, and a projection paused in the middle of a rebuild. After the upgrade every event,
# version and position is there, folds are equal, the workers start, every projection resumes
# (the rebuild finishes) and equals fresh folds, and appends go on where they stopped.
#
# The old installation is $CHRONICLE_UPGRADE_FROM, a bindir: scripts/test --pg 18 builds
# PostgreSQL 15 from Debian's source, installs this tree's chronicle into it and sets it. (Not
# Debian's 15.20 package: it records an option on every column that 18.6 refuses, whatever the
# table; docs/operations.md.) Skipped when it is unset or when the server under test is not
# newer. docs/operations.md describes the procedure this test follows.
use strict;
use warnings;

use Cwd;
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $old_bindir = $ENV{CHRONICLE_UPGRADE_FROM} // '';
plan skip_all => 'no old installation to upgrade from (CHRONICLE_UPGRADE_FROM; scripts/test --pg 18 sets it)'
  unless $old_bindir ne '' && -x "$old_bindir/postgres";

my $new = PostgreSQL::Test::Cluster->new('new');
my $old = PostgreSQL::Test::Cluster->new('old', install_path => dirname($old_bindir));
plan skip_all => 'the server under test (' . $new->pg_version . ') is not newer than ' . $old->pg_version
  unless $new->pg_version->major > $old->pg_version->major;
note 'upgrading from ' . $old->pg_version . ' to ' . $new->pg_version;

# pg_upgrade needs the same checksum setting on both sides; 18's initdb turns them on by default.
my $settings = qq{
shared_preload_libraries = 'chronicle'
chronicle.worker_naptime = '100ms'
chronicle.worker_batch_size = 5
};
$old->init(extra => ['--data-checksums']);
$old->append_conf('postgresql.conf', $settings);
$old->start;

$old->safe_psql('postgres', 'CREATE DATABASE shop');
$old->safe_psql(
	'shop', q{
	CREATE EXTENSION chronicle;
	-- A reducer with its own schema and a type of its own in the signature's neighbourhood:
	-- recorded by name, found again after pg_upgrade has given every function a new OID.
	CREATE SCHEMA logic;
	CREATE FUNCTION logic.count_events(state jsonb, e chronicle.event) RETURNS jsonb
	    LANGUAGE sql STABLE AS $$
	    SELECT jsonb_build_object('n', coalesce((state->>'n')::int, 0) + 1,
	                              'last', e.event_type) $$;
	-- A slow one, for the projection caught in the middle of its rebuild.
	CREATE FUNCTION logic.slow_count(state jsonb, e chronicle.event) RETURNS jsonb
	    LANGUAGE plpgsql AS $$
	BEGIN
	    PERFORM pg_sleep(0.02);
	    RETURN jsonb_build_object('n', coalesce((state->>'n')::int, 0) + 1);
	END $$;
	CREATE TABLE public.handled (global_position bigint PRIMARY KEY, stream text, stream_version bigint);
	CREATE FUNCTION logic.record_event(e chronicle.event) RETURNS void LANGUAGE sql AS $$
	    INSERT INTO public.handled VALUES (e.global_position, e.stream, e.stream_version) $$;

	SELECT chronicle.define_aggregate('order_state',
	    '{"initial": {"total": 0, "items": 0},
	      "on": {"Placed": [{"set": "status", "value": "PLACED"}],
	             "ItemAdded": [{"add": "total", "from": "price"}, {"count": "items"}],
	             "Paid": [{"set": "status", "value": "PAID"}]}}',
	    category => 'order', snapshot_every => 3);
	SELECT chronicle.define_aggregate('order_count', '{"reducer": "logic.count_events"}',
	    category => 'order', snapshot_every => 4);
	SELECT chronicle.define_aggregate('slow', '{"reducer": "logic.slow_count"}');

	SELECT chronicle.create_projection('orders_async', 'order_state', 'order',
	    columns => '{"status": "text", "total": "numeric", "items": "integer"}');
	SELECT chronicle.create_projection('orders_inline', 'order_count', 'order',
	    columns => '{"n": "integer"}', mode => 'inline');
	SELECT chronicle.create_handler_projection('handled', 'logic.record_event(chronicle.event)');
	SELECT chronicle.create_projection('orders_slow', 'slow', 'order');});

# Events: 30 orders of 1 to 8 events each, and appends that roll back (burned positions).
$old->safe_psql(
	'shop', q{
	SELECT chronicle.append('order-' || o, 'Placed', jsonb_build_object('customer', 'c-' || o % 7))
	  FROM generate_series(1, 30) o;
	SELECT chronicle.append('order-' || o, 'ItemAdded', jsonb_build_object('price', o * i))
	  FROM generate_series(1, 30) o, generate_series(1, 6) i WHERE i <= o % 7;
	SELECT chronicle.append('order-' || o, 'Paid', '{}') FROM generate_series(1, 30, 3) o;});
$old->safe_psql('shop', q{SELECT chronicle.append('order-5', 'ItemAdded', '{"price": 1}')});
$old->safe_psql('shop',
	q{BEGIN; SELECT chronicle.append('order-99', 'Placed', '{}'); ROLLBACK;});

for my $projection ('orders_async', 'handled', 'orders_slow')
{
	is($old->safe_psql('shop', "SELECT chronicle.wait_for_projection('$projection', '120 s')"),
		't', "before: $projection has caught up");
}

# orders_slow is rebuilt, and paused when it is part of the way through: its rebuild table and
# rebuild position are what the upgrade has to carry.
$old->safe_psql('shop', q{SELECT chronicle.rebuild_projection('orders_slow')});
$old->poll_query_until('shop',
	q{SELECT rebuild_position > 0 FROM chronicle.projections WHERE name = 'orders_slow'})
  or die 'the rebuild of orders_slow made no progress';
$old->safe_psql('shop', q{SELECT chronicle.pause_projection('orders_slow')});
my $mid_rebuild = $old->safe_psql('shop',
	q{SELECT rebuild_table IS NOT NULL, rebuild_position > 0,
	         rebuild_position < (SELECT max(global_position) FROM chronicle.events), state
	    FROM chronicle.projections WHERE name = 'orders_slow'});
is($mid_rebuild, 't|t|t|paused', 'before: orders_slow is paused in the middle of its rebuild');

my %queries = (
	events => q{SELECT global_position, stream, stream_version, event_id, event_type, data,
	                   metadata, recorded_at, category FROM chronicle.events ORDER BY global_position},
	sequence => q{SELECT last_value, is_called FROM chronicle.global_position_seq},
	streams => q{SELECT stream, version FROM chronicle.streams ORDER BY stream},
	aggregates => q{SELECT name, definition, category, snapshot_every, revision, reducer,
	                       reducer_owner FROM chronicle.aggregates ORDER BY name},
	snapshots => q{SELECT stream, stream_version, revision, state FROM chronicle.snapshots
	                ORDER BY stream, stream_version, revision},
	folds => q{SELECT s.stream, chronicle.fold('order_state', s.stream),
	                  chronicle.fold('order_count', s.stream),
	                  chronicle.fold('order_state', s.stream, at_version => 2)
	             FROM chronicle.streams s ORDER BY s.stream},
	projections => q{SELECT name, kind, mode, state, position, handler, handler_owner,
	                        rebuild_position FROM chronicle.projections ORDER BY name},
	orders_async => q{SELECT stream, version, state, status, total, items FROM public.orders_async
	                   ORDER BY stream},
	orders_inline => q{SELECT stream, version, state, n FROM public.orders_inline ORDER BY stream},
	handled => q{SELECT * FROM public.handled ORDER BY global_position},);
my %before = map { $_ => $old->safe_psql('shop', $queries{$_}) } keys %queries;
my $reducer_oid_before = $old->safe_psql('shop', q{SELECT 'logic.count_events'::regproc::oid});
ok($before{snapshots} ne '', 'before: appends have written snapshots');

$old->stop;

# --- the upgrade -----------------------------------------------------------------------------

$new->init(extra => ['--data-checksums']);
$new->append_conf('postgresql.conf', $settings);
my $work = PostgreSQL::Test::Utils::tempdir;
my @upgrade = (
	'pg_upgrade', '--no-sync',
	'-d', $old->data_dir, '-D', $new->data_dir,
	'-b', $old->config_data('--bindir'), '-B', $new->config_data('--bindir'),
	'-s', $new->host, '-p', $old->port, '-P', $new->port);
command_ok([ @upgrade, '--check' ], 'pg_upgrade --check accepts the cluster');
{
	# pg_upgrade writes into its working directory.
	my $cwd = Cwd::getcwd();
	chdir $work;
	command_ok(\@upgrade, 'pg_upgrade');
	chdir $cwd;
}

$new->start;
is($new->safe_psql('shop', q{SELECT extversion FROM pg_extension WHERE extname = 'chronicle'}),
	$new->safe_psql('shop', q{SELECT default_version FROM pg_available_extensions WHERE name = 'chronicle'}),
	'after: the extension is at the installed version (ALTER EXTENSION chronicle UPDATE has nothing to do)');
$new->safe_psql('shop', 'ALTER EXTENSION chronicle UPDATE');

for my $what (qw(events sequence streams aggregates snapshots folds projections orders_async
	orders_inline handled))
{
	is($new->safe_psql('shop', $queries{$what}), $before{$what}, "after: $what are as they were");
}
isnt($new->safe_psql('shop', q{SELECT 'logic.count_events'::regproc::oid}),
	$reducer_oid_before, 'the reducer has a new OID (and is found by its recorded name)');

# --- the workers start, and every projection goes on ------------------------------------------

$new->poll_query_until('shop',
	q{SELECT count(*) > 0 FROM pg_stat_activity WHERE backend_type = 'chronicle worker' AND datname = 'shop'})
  or die 'no worker started for shop';
pass('after: a worker runs for the database');

my ($version_before) = $before{streams} =~ /^order-1\|(\d+)$/m;
is( $new->safe_psql(
		'shop', "SELECT chronicle.append('order-1', 'Paid', '{}', expected_version => $version_before)"),
	$version_before + 1, 'after: an append with the expected version from before the upgrade succeeds');
$new->safe_psql(
	'shop', q{
	SELECT chronicle.append('order-' || o, 'ItemAdded', '{"price": 5}') FROM generate_series(1, 30, 2) o;
	SELECT chronicle.append('order-31', 'Placed', '{}');
	SELECT chronicle.resume_projection('orders_slow');});
my ($last_event_before) = $before{events} =~ /^(\d+)\|[^\n]*\z/m;
my ($last_handed_out) = $before{sequence} =~ /^(\d+)\|/;
ok($last_handed_out > $last_event_before, 'before: positions were burned past the last event');
is( $new->safe_psql(
		'shop', qq{SELECT count(*) FILTER (WHERE global_position <= $last_handed_out),
		                  count(*) FROM chronicle.events WHERE global_position > $last_event_before}),
	'0|17', 'after: the 17 new events take positions beyond every one handed out before');

for my $projection ('orders_async', 'handled', 'orders_slow')
{
	is($new->safe_psql('shop', "SELECT chronicle.wait_for_projection('$projection', '120 s')"),
		't', "after: $projection catches up");
}
$new->poll_query_until('shop',
	q{SELECT rebuild_table IS NULL FROM chronicle.projections WHERE name = 'orders_slow'})
  or die 'the rebuild of orders_slow did not finish';
is( $new->safe_psql(
		'shop', q{SELECT state, rebuild_table IS NULL FROM chronicle.projections WHERE name = 'orders_slow'}),
	'running|t', 'after: the rebuild that was in flight finished and was swapped in');
is($new->safe_psql('shop', "SELECT chronicle.wait_for_projection('orders_slow', '120 s')"),
	't', 'after: orders_slow has caught up after its rebuild');

# Every projection equals fresh folds of every stream.
my %fresh = (
	orders_async => q{SELECT count(*) FROM chronicle.streams s
	                   FULL JOIN public.orders_async p ON p.stream = s.stream
	                  WHERE s.category = 'order'
	                    AND (p.stream IS NULL OR s.stream IS NULL
	                         OR p.state IS DISTINCT FROM chronicle.fold('order_state', s.stream)
	                         OR p.version <> s.version)},
	orders_inline => q{SELECT count(*) FROM chronicle.streams s
	                    FULL JOIN public.orders_inline p ON p.stream = s.stream
	                   WHERE s.category = 'order'
	                     AND (p.stream IS NULL OR s.stream IS NULL
	                          OR p.state IS DISTINCT FROM chronicle.fold('order_count', s.stream)
	                          OR p.n <> (p.state->>'n')::int OR p.version <> s.version)},
	orders_slow => q{SELECT count(*) FROM chronicle.streams s
	                  FULL JOIN public.orders_slow p ON p.stream = s.stream
	                 WHERE s.category = 'order'
	                   AND (p.stream IS NULL OR s.stream IS NULL
	                        OR p.state IS DISTINCT FROM chronicle.fold('slow', s.stream))},
	handled => q{SELECT count(*) FROM chronicle.events e FULL JOIN public.handled h USING (global_position)
	              WHERE h.global_position IS NULL OR e.global_position IS NULL
	                 OR h.stream <> e.stream OR h.stream_version <> e.stream_version},);
for my $projection (sort keys %fresh)
{
	is($new->safe_psql('shop', $fresh{$projection}), '0', "after: $projection equals fresh folds of every event");
}
is( $new->safe_psql(
		'shop', q{SELECT bool_and(chronicle.fold('order_state', stream) =
		                          (SELECT state FROM chronicle.history('order_state', s.stream)
		                            ORDER BY stream_version DESC LIMIT 1))
		            FROM chronicle.streams s WHERE category = 'order'}),
	't', 'after: folds from the upgraded snapshots equal full replays');

$new->stop;
for my $node ($old, $new)
{
	unlike(slurp_file($node->logfile), qr/TRAP:|terminated by signal|PANIC/,
		$node->name . ': no crash or failed assertion in the server log');
}

done_testing();
