# The projection worker (connected as the bootstrap superuser) is steered by nobody: a
# database owner who is no superuser sets the database's and roles' search_path to a schema
# of traps, and handlers leave settings behind with set_config(..., false); no trap is ever
# called as a superuser and every projection keeps advancing. The worker re-checks what it
# reads: a handler whose owner lost EXECUTE, or an aggregate projection whose owner lost its
# rights on the table, fails with 42501 and catches up exactly once after GRANT and
# resume_projection; a handler of the wrong signature written into
# chronicle.projections by hand fails with CH030 instead of crashing the worker.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('identity');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'chronicle'
chronicle.worker_naptime = '200ms'
});
$node->start;

# The test's own sessions (as the superuser) must not call the traps either: they set their
# own search_path before anything else.
sub sql
{
	my ($query) = @_;
	return $node->safe_psql('app', "SET search_path = pg_catalog, public; $query");
}

sub poll
{
	my ($query) = @_;
	foreach (1 .. $PostgreSQL::Test::Utils::timeout_default * 10)
	{
		return 1 if sql($query) eq 't';
		usleep(100_000);
	}
	return 0;
}

$node->safe_psql(
	'postgres', q{
	CREATE ROLE dbo LOGIN;
	CREATE ROLE victim LOGIN;
	CREATE DATABASE app OWNER dbo;});

# Set up as the superuser, then handed to the owners by hand (what a superuser may do).
$node->safe_psql(
	'app', q{
	CREATE EXTENSION chronicle;
	-- Every trap call, with whether it ran as a superuser.
	CREATE TABLE public.trap_log (what text, who text, super boolean);
	GRANT INSERT, SELECT ON public.trap_log TO PUBLIC;

	CREATE SCHEMA victim AUTHORIZATION victim;
	CREATE TABLE victim.seen (stream text, version bigint);
	ALTER TABLE victim.seen OWNER TO victim;
	CREATE FUNCTION victim.count_event(e chronicle.event) RETURNS void LANGUAGE sql
	    AS $$ INSERT INTO victim.seen VALUES (e.stream, e.stream_version) $$;
	ALTER FUNCTION victim.count_event(chronicle.event) OWNER TO victim;
	CREATE FUNCTION victim.wrong(x jsonb) RETURNS void LANGUAGE sql AS $$ SELECT $$;
	ALTER FUNCTION victim.wrong(jsonb) OWNER TO victim;

	SELECT chronicle.define_aggregate('acct', '{"initial": {"n": 0}, "on": {"*": [{"count": "n"}]}}',
	                                  category => 'acct', snapshot_every => 0);
	SELECT chronicle.create_projection('acct_counts', 'acct', table_name => 'victim.acct_counts');
	ALTER TABLE victim.acct_counts OWNER TO victim;
	SELECT chronicle.create_handler_projection('seen', 'victim.count_event(chronicle.event)', 'acct');
	SELECT chronicle.create_handler_projection('wrong', 'victim.count_event(chronicle.event)', 'wr');
	UPDATE chronicle.projections SET owner = 'victim' WHERE name IN ('acct_counts', 'seen', 'wrong');
	UPDATE chronicle.aggregates SET owner = 'victim' WHERE name = 'acct';
	});

# The database owner, no superuser, plants traps: overloads of what the worker's own
# queries use, found first through the database's and its own role's search_path.
$node->safe_psql(
	'app', q{
	SET ROLE dbo;
	CREATE SCHEMA evil;
	GRANT USAGE ON SCHEMA evil TO PUBLIC;
	CREATE FUNCTION evil.record(what text) RETURNS boolean LANGUAGE sql AS $$
	    INSERT INTO public.trap_log
	    SELECT what, current_user, (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user);
	    SELECT true $$;
	CREATE FUNCTION evil.text_eq(a text, b text) RETURNS boolean LANGUAGE sql AS
	    $$ SELECT evil.record('=(text,text)') AND pg_catalog.texteq(a, b) $$;
	CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.text_eq);
	CREATE FUNCTION evil.int8_eq(a bigint, b bigint) RETURNS boolean LANGUAGE sql AS
	    $$ SELECT evil.record('=(bigint,bigint)') AND pg_catalog.int8eq(a, b) $$;
	CREATE OPERATOR evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = evil.int8_eq);
	CREATE FUNCTION evil.nextval(s text) RETURNS bigint LANGUAGE sql AS
	    $$ SELECT evil.record('nextval(text)')::int + pg_catalog.nextval(s::regclass) - 1 $$;
	CREATE FUNCTION evil.to_regclass(s text) RETURNS regclass LANGUAGE sql AS
	    $$ SELECT CASE WHEN evil.record('to_regclass(text)') THEN pg_catalog.to_regclass(s) END $$;
	CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE sql AS
	    $$ SELECT CASE WHEN evil.record('now()') THEN pg_catalog.now() END $$;
	GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA evil TO PUBLIC;

	CREATE TABLE public.dbo_seen (n int);
	GRANT INSERT ON public.dbo_seen TO PUBLIC;
	-- A handler of its own that tries to leave settings behind for the worker.
	CREATE FUNCTION public.dbo_handler(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
	BEGIN
	    PERFORM pg_catalog.set_config('search_path', 'evil, pg_catalog, public', false);
	    PERFORM pg_catalog.set_config('statement_timeout', '1ms', false);
	    PERFORM pg_catalog.set_config('lock_timeout', '1ms', false);
	    INSERT INTO public.dbo_seen VALUES (1);
	END $$;

	ALTER DATABASE app SET search_path = evil, pg_catalog, public;
	ALTER ROLE dbo IN DATABASE app SET search_path = evil, pg_catalog, public;
	});
# The worker connected before the settings: a new one picks them up when it connects.
sql(q{
	SELECT chronicle.create_handler_projection('dbo_handler', 'public.dbo_handler(chronicle.event)', 'acct');
	UPDATE chronicle.projections SET owner = 'dbo' WHERE name = 'dbo_handler';
	SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'chronicle worker';});
poll(
	q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'chronicle worker' AND datname = 'app'})
  or die 'no worker in app';

sub append_acct
{
	my ($from, $to) = @_;
	$node->safe_psql('app',
		qq{SET search_path = pg_catalog, public; SELECT count(chronicle.append('acct-' || (i % 5), 'Counted', '{}'))
		     FROM generate_series($from, $to) i});
}

sub wait_for
{
	my ($projection) = @_;
	return $node->safe_psql('app',
		qq{SET search_path = pg_catalog, public; SELECT chronicle.wait_for_projection('$projection', '20s')});
}

append_acct(1, 50);
is(wait_for('seen'),        't', 'the victim\'s handler projection keeps up');
is(wait_for('acct_counts'), 't', 'the aggregate projection keeps up');
is(wait_for('dbo_handler'), 't', 'the database owner\'s handler runs');
# A second round, after the handler left its settings behind: the worker's own queries
# (the position, the rows, the next batch) run as before.
append_acct(51, 100);
is(wait_for('seen'),        't', 'the handler projection advances after the other handler\'s set_config');
is(wait_for('acct_counts'), 't', 'the aggregate projection advances after the other handler\'s set_config');
is(wait_for('dbo_handler'), 't', 'the set_config handler itself goes on');
is(sql('SELECT count(*) FROM victim.seen'), '100', 'every event handled once');
is(sql(q{SELECT sum((state->>'n')::int) FROM victim.acct_counts}),
	'100', 'every event folded once');
is(sql('SELECT count(*) FROM public.dbo_seen'), '100',
	'the database owner\'s handler saw every event');
is(sql('SELECT count(*) FROM public.trap_log WHERE super'),
	'0', 'no trap was ever called as a superuser');
is( sql(q{SELECT string_agg(DISTINCT name || ':' || state, ',') FROM chronicle.projections}),
	'acct_counts:running,dbo_handler:running,seen:running,wrong:running',
	'every projection is running');

# --- EXECUTE revoked from the handler's owner mid-flight ------------------------------------

sql(
	q{REVOKE EXECUTE ON FUNCTION victim.count_event(chronicle.event) FROM PUBLIC, victim});
append_acct(101, 120);
poll(
	q{SELECT state = 'failed' AND last_error_sqlstate = '42501' FROM chronicle.projections WHERE name = 'seen'})
  or die 'the projection did not fail with 42501';
is(sql(q{SELECT last_error FROM chronicle.projections WHERE name = 'seen'}),
	'permission denied for function victim.count_event(chronicle.event)',
	'the failure names the function');
is(wait_for('acct_counts'), 't', 'the other projections go on');
sql(q{
	GRANT EXECUTE ON FUNCTION victim.count_event(chronicle.event) TO victim;
	SELECT chronicle.resume_projection('seen');});
is(wait_for('seen'), 't', 'resumed after the GRANT');
is(sql('SELECT count(*) FROM victim.seen'), '120', 'caught up exactly once');
is(sql('SELECT count(DISTINCT (stream, version)) FROM victim.seen'),
	'120', 'no event twice');

# --- the owner's rights on an aggregate projection's table, revoked mid-flight -------------

sql(q{REVOKE INSERT, UPDATE ON victim.acct_counts FROM victim});
append_acct(121, 125);
poll(
	q{SELECT state = 'failed' AND last_error_sqlstate = '42501' FROM chronicle.projections WHERE name = 'acct_counts'})
  or die 'the aggregate projection did not fail with 42501';
is(wait_for('seen'), 't', 'the handler projection goes on meanwhile');
sql(
	q{
	GRANT INSERT, UPDATE ON victim.acct_counts TO victim;
	SELECT chronicle.resume_projection('acct_counts');});
is(wait_for('acct_counts'), 't', 'resumed after the GRANT');
is(sql(q{SELECT sum((state->>'n')::int) FROM victim.acct_counts}),
	'125', 'every event folded exactly once');

# --- a handler of the wrong signature, written into the catalog by hand ----------------------

my $log_offset = -s $node->logfile;
sql(q{
	UPDATE chronicle.projections SET handler = 'victim.wrong(jsonb)'::regprocedure WHERE name = 'wrong';
	SELECT chronicle.append('wr-1', 'Anything', '{}');});
poll(
	q{SELECT state = 'failed' AND last_error_sqlstate = 'CH030' FROM chronicle.projections WHERE name = 'wrong'})
  or die 'the wrong handler did not fail with CH030';
like(sql(q{SELECT last_error FROM chronicle.projections WHERE name = 'wrong'}),
	qr/cannot be a handler: its arguments are not \(chronicle\.event\)/, 'the failure says why');
append_acct(126, 130);
is(wait_for('seen'), 't', 'the worker goes on with the others');
is(sql('SELECT count(*) FROM public.trap_log WHERE super'),
	'0', 'still no trap called as a superuser');

# --- the database owner sets who the worker is, and exit_on_error, for the database ---------
# Connected as the bootstrap superuser by OID, the worker keeps its session user whatever
# the database says (before 0.4 it ran its rounds as the role named here); exit_on_error is
# its own, so a failing handler fails its projection and the worker lives on.
$node->safe_psql(
	'app', q{
	SET ROLE dbo;
	ALTER DATABASE app SET session_authorization = 'dbo';
	ALTER DATABASE app SET exit_on_error = on;
	CREATE FUNCTION public.dbo_fails(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
	BEGIN RAISE EXCEPTION 'failing on purpose' USING ERRCODE = '57014'; END $$;
	});
my $worker_pid = sql(q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'chronicle worker' AND datname = 'app'});
sql(q{
	SELECT chronicle.create_handler_projection('dbo_fails', 'public.dbo_fails(chronicle.event)', 'fl');
	UPDATE chronicle.projections SET owner = 'dbo' WHERE name = 'dbo_fails';
	SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'chronicle worker';});
poll(
	qq{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'chronicle worker' AND datname = 'app' AND pid <> $worker_pid})
  or die 'no new worker in app';
is( sql(
		q{SELECT usename FROM pg_stat_activity WHERE backend_type = 'chronicle worker' AND datname = 'app'}),
	'postgres',
	'the worker is the bootstrap superuser despite ALTER DATABASE ... SET session_authorization');
$worker_pid = sql(q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'chronicle worker' AND datname = 'app'});
sql(q{SELECT chronicle.append('fl-1', 'Anything', '{}')});
append_acct(131, 140);
is(wait_for('seen'), 't', 'the projections advance under the database\'s settings');
poll(
	q{SELECT state = 'failed' AND last_error_sqlstate = '57014' FROM chronicle.projections WHERE name = 'dbo_fails'})
  or die 'the failing handler did not fail its projection';
is( sql(
		q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'chronicle worker' AND datname = 'app'}),
	$worker_pid,
	'a handler\'s error with exit_on_error on for the database (and a cancel\'s SQLSTATE) does not end the worker');
is(sql('SELECT count(*) FROM victim.seen'), '140', 'every event handled once');

my $log = slurp_file($node->logfile, $log_offset);
unlike($log, qr/terminated by signal/, 'no process crashed');
$node->stop;
unlike(slurp_file($node->logfile), qr/terminated by signal/, 'no process crashed at all');

done_testing();
