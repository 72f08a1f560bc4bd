# Subscriptions under crashes: two consumer groups work while a writer appends, and the server
# is crash-restarted five times by kill -9 of a consumer's backend (every consumer and the
# writer die with it and are started again). Afterwards:
#   * "mailer" (3 members) polls, writes and acknowledges in one transaction: every event was
#     handled exactly once, and each stream's events in version order;
#   * "audit" (2 members) acknowledges in a transaction of its own, after writing: every event
#     was handled at least once, and no event before all earlier events of its stream.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('subscription_crashes');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'chronicle'
restart_after_crash = on
chronicle.max_workers = 0
});
$node->start;

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION chronicle;
SELECT chronicle.create_subscription('mailer', category => 'order', event_types => '{OrderPaid}',
                                     members => 3);
SELECT chronicle.create_subscription('audit', category => 'order', members => 2);
CREATE TABLE emails (position bigint PRIMARY KEY, stream text, version bigint,
                     seq bigserial, member int);
CREATE TABLE audit_log (position bigint, stream text, version bigint,
                        seq bigserial, member int);
CREATE TABLE stop (what text);

-- A consumer: poll, handle, acknowledge, until told to stop. exactly_once: the handling and
-- the ack commit together; otherwise the ack is a transaction of its own, after the handling.
CREATE PROCEDURE consume(subscription text, member int, members int, exactly_once boolean)
LANGUAGE plpgsql AS $$
DECLARE
    last bigint;
BEGIN
    LOOP
        EXIT WHEN EXISTS (SELECT FROM stop WHERE what = 'consumers');
        IF exactly_once THEN
            WITH got AS (
                INSERT INTO emails (position, stream, version, member)
                SELECT e.global_position, e.stream, e.stream_version, consume.member
                  FROM chronicle.poll(subscription, 20, consume.member, members) AS e
                RETURNING position)
            SELECT max(position) INTO last FROM got;
            IF last IS NOT NULL THEN
                PERFORM chronicle.ack(subscription, last, consume.member, members);
            END IF;
            COMMIT;
        ELSE
            WITH got AS (
                INSERT INTO audit_log (position, stream, version, member)
                SELECT e.global_position, e.stream, e.stream_version, consume.member
                  FROM chronicle.poll(subscription, 20, consume.member, members) AS e
                RETURNING position)
            SELECT max(position) INTO last FROM got;
            COMMIT;
            IF last IS NOT NULL THEN
                PERFORM chronicle.ack(subscription, last, consume.member, members);
                COMMIT;
            END IF;
        END IF;
        IF last IS NULL THEN
            PERFORM pg_sleep(0.01);
        END IF;
    END LOOP;
END $$;

-- The writer: created and paid events over 30 streams, a few per transaction.
CREATE PROCEDURE write_orders() LANGUAGE plpgsql AS $$
DECLARE
    i int := 0;
BEGIN
    LOOP
        EXIT WHEN EXISTS (SELECT FROM stop WHERE what = 'writer');
        i := i + 1;
        PERFORM chronicle.append('order-' || (i % 30), CASE WHEN i % 3 = 0 THEN 'OrderCreated' ELSE 'OrderPaid' END,
                                 jsonb_build_object('i', i));
        IF i % 4 = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
    COMMIT;
END $$;
});

my @sessions;

sub start_session
{
	my ($sql) = @_;
	my ($in, $out, $err) = ('', '', '');
	my $h = IPC::Run::start(
		[ 'psql', '-X', '-q', '-d', $node->connstr('postgres'), '-c', $sql ],
		'<', \$in, '>', \$out, '2>', \$err);
	push @sessions, $h;
	return $h;
}

sub start_all
{
	start_session("CALL write_orders()");
	start_session("CALL consume('mailer', $_, 3, true)") for 0 .. 2;
	start_session("CALL consume('audit', $_, 2, false)") for 0 .. 1;
}

# Waits for every background psql to end (they end with the crash, or when told to stop).
sub reap_all
{
	for my $h (@sessions)
	{
		eval { $h->finish; };
	}
	@sessions = ();
}

start_all();
for my $round (1 .. 5)
{
	# Let them work a while, then kill -9 the backend of one consumer.
	$node->poll_query_until('postgres',
		"SELECT count(*) >= $round * 150 FROM emails")
	  or die "the consumers did not progress (round $round)";
	usleep(int(rand(300_000)));
	my $victim = $node->safe_psql('postgres', q{
		SELECT pid FROM pg_stat_activity
		 WHERE query LIKE 'CALL consume(%' ORDER BY random() LIMIT 1});
	ok($victim =~ /^\d+$/, "round $round: a consumer backend to kill ($victim)");
	kill 'KILL', $victim;
	reap_all();
	$node->poll_query_until('postgres', 'SELECT 1', '1')
	  or die "the server did not come back (round $round)";
	start_all();
}

# The writer stops; the consumers catch up with everything committed, then stop.
$node->safe_psql('postgres', "INSERT INTO stop VALUES ('writer')");
usleep(500_000);
$node->poll_query_until(
	'postgres', q{
	SELECT (SELECT count(*) FROM chronicle.events WHERE event_type = 'OrderPaid')
	       = (SELECT count(*) FROM emails)
	   AND (SELECT count(*) FROM chronicle.events WHERE category = 'order')
	       = (SELECT count(DISTINCT position) FROM audit_log)})
  or die "the consumers did not catch up";
$node->safe_psql('postgres', "INSERT INTO stop VALUES ('consumers')");
reap_all();

my $paid = $node->safe_psql('postgres',
	"SELECT count(*) FROM chronicle.events WHERE event_type = 'OrderPaid'");
ok($paid > 450, "the writer appended across the crashes ($paid paid events)");

# mailer: exactly once (the key on position would have refused a second handling; and none
# is missing), by the member that owns the stream, each stream in version order.
is( $node->safe_psql(
		'postgres', q{
	SELECT count(*) FROM chronicle.events e
	  FULL JOIN emails m ON m.position = e.global_position
	 WHERE e.event_type = 'OrderPaid' AND (m.position IS NULL OR e.global_position IS NULL)}),
	'0',
	'mailer: every paid event was handled, none twice');
is( $node->safe_psql(
		'postgres',
		'SELECT count(*) FROM emails WHERE member <> chronicle.stream_member(stream, 3)'),
	'0',
	'mailer: each stream by its own member');
is( $node->safe_psql(
		'postgres', q{
	SELECT count(*) FROM (
	    SELECT version < lag(version) OVER (PARTITION BY stream ORDER BY seq) AS backwards
	      FROM emails) t WHERE backwards}),
	'0',
	'mailer: each stream handled in version order');

# audit: at least once; every delivery of an event came after a delivery of the event before
# it in its stream (redeliveries after a crash restart from the checkpoint, in order).
is( $node->safe_psql(
		'postgres', q{
	SELECT count(*) FROM chronicle.events e
	 WHERE e.category = 'order'
	   AND NOT EXISTS (SELECT FROM audit_log a WHERE a.position = e.global_position)}),
	'0',
	'audit: every event was handled at least once');
is( $node->safe_psql(
		'postgres', q{
	SELECT count(*) FROM audit_log a
	 WHERE a.version > 1
	   AND NOT EXISTS (SELECT FROM audit_log b
	                    WHERE b.stream = a.stream AND b.version = a.version - 1 AND b.seq < a.seq)}),
	'0',
	'audit: no event handled before the event before it in its stream');
my $again = $node->safe_psql('postgres',
	'SELECT count(*) - count(DISTINCT position) FROM audit_log');
note("audit: $again events handled again after the crashes");

# The checkpoints survived the crashes: nothing is left to deliver.
is( $node->safe_psql(
		'postgres', 'SELECT sum(lag_events) FROM chronicle.subscription_status'),
	'0',
	'no lag left');
ok(!grep({ /terminated by signal 6|TRAP:/ } split /\n/, slurp_file($node->logfile)),
	'no assertion failure in the server log');

$node->stop;
done_testing();
