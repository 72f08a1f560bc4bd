# Folding never writes: on a hot standby, fold (with and without snapshots, now, at a version
# and as of a time) and history return what they return on the primary, and a redefinition
# on the primary reaches the standby's compiled definitions (relcache invalidation replayed
# from WAL). The server logs show no crash.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', "shared_preload_libraries = 'chronicle'\n");
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION chronicle');
$primary->safe_psql(
	'postgres', q{
	SELECT chronicle.define_aggregate('order', '{
	  "initial": {"status": "NEW", "items": [], "total": 0},
	  "on": {"ItemAdded": [{"append": "items", "from": "sku"}, {"add": "total", "from": "price"}],
	         "OrderPaid": [{"set": "status", "value": "PAID"}]}}',
	  category => 'order', snapshot_every => 3);
	SELECT chronicle.define_aggregate('order_nosnap', definition, 'order', 0)
	  FROM chronicle.aggregates WHERE name = 'order';});
# Ten transactions, so that recorded_at differs from event to event.
for my $i (1 .. 10)
{
	$primary->safe_psql('postgres',
		"SELECT chronicle.append('order-1', 'ItemAdded', '{\"sku\": \"s$i\", \"price\": $i.5}')");
}
$primary->safe_psql('postgres', "SELECT chronicle.append('order-1', 'OrderPaid', '{}')");
is( $primary->safe_psql('postgres',
		"SELECT string_agg(stream_version::text, ',' ORDER BY stream_version) FROM chronicle.snapshots"),
	'3,6,9',
	'the primary took snapshots at 3, 6 and 9');

$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery');

my $compare = q{
	SELECT count(*) FILTER (WHERE chronicle.fold('order', 'order-1', at_version => v)
	                              IS DISTINCT FROM chronicle.fold('order_nosnap', 'order-1', at_version => v))
	     + count(*) FILTER (WHERE chronicle.fold('order', 'order-1', as_of => t)
	                              IS DISTINCT FROM h.state)
	  FROM (SELECT stream_version AS v, recorded_at AS t, state
	          FROM chronicle.history('order_nosnap', 'order-1')) h};
is($standby->safe_psql('postgres', $compare), '0',
	'on the standby, fold with snapshots equals fold without, at every version and time');
is( $standby->safe_psql('postgres', "SELECT chronicle.fold('order', 'order-1')"),
	$primary->safe_psql('postgres', "SELECT chronicle.fold('order', 'order-1')"),
	'the current state on the standby equals the primary\'s');
is( $standby->safe_psql('postgres', "SELECT count(*) FROM chronicle.history('order', 'order-1')"),
	'11', 'history works on the standby');
like(
	$standby->safe_psql('postgres', "SELECT chronicle.fold('order', 'order-1')"),
	qr/"total": 60\.0,/,
	'the folded total is exact (1.5 + 2.5 + ... + 10.5 = 60.0)');
# load and fold_events write nothing either.
is( $standby->safe_psql(
		'postgres', q{
	SELECT count(*) FILTER (WHERE (l.state, l.version) IS DISTINCT FROM
	                              (chronicle.fold('order', 'order-1', at_version => v),
	                               CASE WHEN v <= 11 THEN v ELSE 0 END))
	  FROM generate_series(0, 12) v, chronicle.load('order', 'order-1', at_version => v) l}),
	'0',
	'on the standby, load returns fold\'s state and the version it is at (0 past the end)');
is( $standby->safe_psql('postgres', "SELECT version FROM chronicle.load('order', 'order-1')"),
	'11', 'load on the standby: the stream\'s version');
is( $standby->safe_psql(
		'postgres', q{
	SELECT chronicle.fold_events('order', '[{"type": "ItemAdded", "data": {"sku": "a", "price": 2}},
	                                        {"type": "OrderPaid", "data": {}}]')}),
	'{"items": ["a"], "total": 2, "status": "PAID"}',
	'fold_events works on the standby');

# A redefinition on the primary is seen by the standby's backends, old snapshots unused.
my $session = $standby->background_psql('postgres');
$session->query_safe("SELECT chronicle.fold('order', 'order-1')");
$primary->safe_psql(
	'postgres', q{
	SELECT chronicle.define_aggregate('order', '{
	  "initial": {"count": 0},
	  "on": {"ItemAdded": [{"count": "count"}]}}', category => 'order', snapshot_every => 3);});
$primary->wait_for_catchup($standby);
is($session->query_safe("SELECT chronicle.fold('order', 'order-1')"),
	'{"count": 10}', 'a session open on the standby folds with the new definition');
is($session->query_safe("SELECT chronicle.fold('order', 'order-1', at_version => 7)"),
	'{"count": 7}', 'and never from a snapshot of the old one');
$session->quit;

my ($ret, $stdout, $stderr) =
  $standby->psql('postgres', "SELECT chronicle.define_aggregate('x', '{\"on\": {}}')");
isnt($ret, 0, 'define_aggregate is refused on the standby');
like($stderr, qr/read-only|recovery/, 'with a message about recovery');

$standby->stop;
$primary->stop;
for my $node ($primary, $standby)
{
	my $log = slurp_file($node->logfile);
	unlike($log, qr/terminated by signal (6|11)/, $node->name . ': no crash in the server log');
}

done_testing();
