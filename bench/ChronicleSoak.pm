# The soak test of chronicle, shared by bench/soak (10 minutes, its own cluster) and
# tests/tap/011_soak.pl (90 seconds, a PostgreSQL::Test::Cluster node). See bench/README.md.
#
# While writers append (with expected versions, conflicts retried, batches, savepoints and
# whole transactions rolled back, idempotent retries), subscribers page through read_all and
# projections (async, inline, handler) follow, an injector kills, stops, terminates, pauses
# and rebuilds. After a quiet period every invariant is checked against what the clients saw.
#
# Every client is a forked process driving one psql over pipes: no DBD::Pg is needed, and a
# kill -9 of the server process behind it is seen as the connection lost (psql exits), which
# the client survives, reconnects and resolves (an uncertain commit is retried with the same
# event ids: chronicle's idempotent retry tells whether it had committed).
package ChronicleSoak;

use strict;
use warnings;

use List::Util ();
use IO::Handle;
use IO::Select;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

# --- configuration ------------------------------------------------------------------------

# Categories, their event types (with the data each carries) and how often writers pick them.
my %CATEGORIES = (
	acct  => { weight => 4, types => [qw(Deposited Withdrawn Frozen)] },
	order => { weight => 3, types => [qw(Placed ItemAdded Shipped)] },
	cart  => { weight => 2, types => [qw(Added Removed)] },
	note  => { weight => 1, types => [qw(Noted)] },);
my @CATEGORY_NAMES = sort keys %CATEGORIES;

# The projections. Aggregate ones are checked row by row against chronicle.fold; handler ones
# by their counts against the log's.
my @PROJECTIONS = (
	{ name => 'acct_async',  kind => 'aggregate', mode => 'async',  aggregate => 'acct',  category => 'acct' },
	{ name => 'acct_inline', kind => 'aggregate', mode => 'inline', aggregate => 'acct',  category => 'acct' },
	{ name => 'order_async', kind => 'aggregate', mode => 'async',  aggregate => 'order', category => 'order', typed => 1 },
	{ name => 'order_inline', kind => 'aggregate', mode => 'inline', aggregate => 'order', category => 'order', typed => 1 },
	{ name => 'cart_async',  kind => 'aggregate', mode => 'async',  aggregate => 'cart',  category => 'cart' },
	{ name => 'count_all',   kind => 'handler', mode => 'async', category => undef, types => undef },
	{ name => 'count_order', kind => 'handler', mode => 'async', category => 'order', types => [qw(ItemAdded Shipped)] },);

# Subscribers: isolation level, optional category filter.
my @SUBSCRIBERS = (
	{ name => 'sub-rc-all',   iso => 'read committed',  category => undef },
	{ name => 'sub-rr-all',   iso => 'repeatable read', category => undef },
	{ name => 'sub-rc-acct',  iso => 'read committed',  category => 'acct' },
	{ name => 'sub-rr-order', iso => 'repeatable read', category => 'order' },);

our @FAULT_KINDS = qw(kill_writer kill_worker kill_launcher immediate_restart terminate_worker
  pause_resume rebuild_async rebuild_inline rebuild_handler);

# SQLSTATEs that a fault explains: the connection was cut or the server is (re)starting.
sub fault_sqlstate { my ($s) = @_; return $s =~ /^(?:08...|57P0[1-4])$/; }

# --- small helpers ------------------------------------------------------------------------

sub new_uuid
{
	my @b = map { int(rand(256)) } 1 .. 16;
	$b[6] = ($b[6] & 0x0f) | 0x40;
	$b[8] = ($b[8] & 0x3f) | 0x80;
	return sprintf('%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x', @b);
}

sub pick { my @a = @_; return $a[ int(rand(@a)) ]; }

sub pick_weighted
{
	my (%w) = @_;
	my $total = 0;
	$total += $_ for values %w;
	my $r = rand($total);
	for my $k (sort keys %w)
	{
		return $k if ($r -= $w{$k}) < 0;
	}
	return (sort keys %w)[0];
}

sub open_log
{
	my ($path) = @_;
	open(my $fh, '>>', $path) or die "cannot open $path: $!";
	$fh->autoflush(1);
	return $fh;
}

sub stamp { my ($t0) = @_; return sprintf('%.1f', time - $t0); }

# --- a psql session -----------------------------------------------------------------------

package ChronicleSoak::Session;

use IO::Select;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

sub new
{
	my ($class, $cfg, $app, $errlog) = @_;
	return bless { cfg => $cfg, app => $app, errlog => $errlog, n => 0 }, $class;
}

sub psql_path
{
	my ($cfg) = @_;
	return $cfg->{bindir} ? "$cfg->{bindir}/psql" : 'psql';
}

# Starts psql; true when the server answered a first query.
sub try_connect
{
	my ($self) = @_;
	$self->close;
	my $cfg = $self->{cfg};
	pipe(my $child_in, my $to_psql) or die "pipe: $!";
	pipe(my $from_psql, my $child_out) or die "pipe: $!";
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		close $to_psql;
		close $from_psql;
		open(STDIN,  '<&', $child_in)  or POSIX::_exit(2);
		open(STDOUT, '>&', $child_out) or POSIX::_exit(2);
		open(STDERR, '>>', $self->{errlog} // '/dev/null') or POSIX::_exit(2);
		$ENV{PGAPPNAME}       = $self->{app};
		$ENV{PGCONNECT_TIMEOUT} = '5';
		$ENV{PGOPTIONS}       = '-c client_min_messages=warning';
		my @conn = ('-h', $cfg->{host}, '-p', $cfg->{port}, '-d', $cfg->{db});
		push @conn, ('-U', $cfg->{user}) if $cfg->{user};
		exec(psql_path($cfg), '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=0', @conn)
		  or POSIX::_exit(2);
	}
	close $child_in;
	close $child_out;
	$to_psql->autoflush(1);
	@{$self}{qw(pid in out buf)} = ($pid, $to_psql, $from_psql, '');
	my $r = $self->query('SELECT 1;', 30);
	return 1 if $r->{ok};
	$self->close;
	return 0;
}

# Connects, waiting for the server for up to $timeout seconds (it may be restarting).
sub connect
{
	my ($self, $timeout) = @_;
	my $deadline = time + ($timeout // 300);
	while (time < $deadline)
	{
		return $self if $self->try_connect;
		sleep(0.2);
	}
	die "$self->{app}: could not connect within " . ($timeout // 300) . " s\n";
}

sub close
{
	my ($self) = @_;
	return unless $self->{pid};
	close $self->{in};
	close $self->{out};
	kill 'KILL', $self->{pid};
	waitpid($self->{pid}, 0);
	delete @{$self}{qw(pid in out)};
}

sub connected { return defined $_[0]->{pid}; }

# Runs one statement (ending in ';'). Returns {ok => 1, rows => [[...], ...]}, or
# {ok => 0, sqlstate, message}, or {lost => 1} when psql exited (the connection was lost),
# or {timeout => 1} when no answer came within $timeout seconds (psql is then killed).
sub query
{
	my ($self, $sql, $timeout) = @_;
	return { lost => 1 } unless $self->{pid};
	my $tag = '@@soak' . ++$self->{n};
	my $ok = print { $self->{in} } "$sql\n\\echo $tag :SQLSTATE :LAST_ERROR_MESSAGE\n\\echo $tag.end\n";
	unless ($ok)
	{
		$self->close;
		return { lost => 1 };
	}
	my $deadline = time + ($timeout // 600);
	my $sel = IO::Select->new($self->{out});
	while ($self->{buf} !~ /^\Q$tag\E\.end$/m)
	{
		my $left = $deadline - time;
		if ($left <= 0)
		{
			$self->close;
			return { timeout => 1 };
		}
		next unless $sel->can_read($left < 1 ? $left : 1);
		my $n = sysread($self->{out}, $self->{buf}, 65536, length $self->{buf});
		if (!$n)
		{
			$self->close;
			$self->{buf} = '';
			return { lost => 1 };
		}
	}
	$self->{buf} =~ s/\A(.*?)^\Q$tag\E (\S*) ?(.*?)^\Q$tag\E\.end\n//ms
	  or die "cannot parse psql output";
	my ($rows, $sqlstate, $message) = ($1, $2, $3);
	chomp $message;
	if ($sqlstate eq '' || ChronicleSoak::fault_sqlstate($sqlstate))
	{
		# No SQLSTATE (libpq's own failure: the connection broke), or the server ending the
		# session (terminated, crash of another process, shutdown): the connection is gone,
		# and a COMMIT that met it may or may not have committed.
		$self->close;
		return { lost => 1 };
	}
	if ($sqlstate ne '00000')
	{
		return { ok => 0, sqlstate => $sqlstate, message => $message };
	}
	return { ok => 1, rows => [ map { [ split /\|/, $_, -1 ] } split /\n/, $rows ] };
}

# The first column of the first row, or dies.
sub value
{
	my ($self, $sql, $timeout) = @_;
	my $r = $self->query($sql, $timeout);
	die "$self->{app}: $sql: " . describe($r) . "\n" unless $r->{ok};
	return $r->{rows}[0][0];
}

sub describe
{
	my ($r) = @_;
	return 'connection lost' if $r->{lost};
	return 'timed out'       if $r->{timeout};
	return 'ok'              if $r->{ok};
	return "$r->{sqlstate} $r->{message}";
}

package ChronicleSoak;

# --- setup --------------------------------------------------------------------------------

sub aggregate_definition
{
	my ($name) = @_;
	my @common = ({ count => 'n' }, { add => 'pos', event => 'position' }, { set => 'last', event => 'id' });
	my %on;
	if ($name eq 'acct')
	{
		%on = (
			Deposited => [ @common, { add => 'deposits', from => 'amount' } ],
			Withdrawn => [ @common, { add => 'withdrawals', from => 'amount' } ],
			'*'       => [ @common, { set => 'frozen', value => JSON::PP::true() } ],);
		return { initial => { n => 0, pos => 0, deposits => 0, withdrawals => 0 }, on => \%on };
	}
	if ($name eq 'order')
	{
		%on = (
			ItemAdded => [ @common, { add => 'total', from => 'amount' }, { add => [ 'by', { from => 'w' } ], value => 1 } ],
			Shipped   => [ @common, { set => 'status', value => 'SHIPPED' } ],
			'*'       => [ @common, { set => 'status', value => 'PLACED', if => { state => 'status', eq => 'NEW' } } ],);
		return { initial => { n => 0, pos => 0, total => 0, status => 'NEW', by => {} }, on => \%on };
	}
	%on = (
		Added   => [ @common, { add => 'qty', from => 'amount' } ],
		Removed => [ @common, { add => 'removed', from => 'amount' } ],);
	return { initial => { n => 0, pos => 0, qty => 0, removed => 0 }, on => \%on };
}

sub setup_sql
{
	require JSON::PP;
	my $json = JSON::PP->new->canonical;
	my @sql  = (
		'CREATE EXTENSION IF NOT EXISTS chronicle;',
		'CREATE SCHEMA soak;',
		# The handlers' counts: one row per projection, category and event type, with the sum of
		# the positions counted (a missing, doubled or foreign event changes it).
		'CREATE TABLE soak.handler_counts (projection text, category text, event_type text,
		   n bigint NOT NULL, pos_sum numeric NOT NULL, PRIMARY KEY (projection, category, event_type));');
	for my $h (grep { $_->{kind} eq 'handler' } @PROJECTIONS)
	{
		push @sql, qq{CREATE FUNCTION soak.$h->{name}(e chronicle.event) RETURNS void LANGUAGE sql AS \$\$
		  INSERT INTO soak.handler_counts AS c
		  VALUES ('$h->{name}', chronicle.category(e.stream), e.event_type, 1, e.global_position)
		  ON CONFLICT (projection, category, event_type)
		  DO UPDATE SET n = c.n + 1, pos_sum = c.pos_sum + excluded.pos_sum \$\$;};
	}
	for my $agg (qw(acct order cart))
	{
		my $def = $json->encode(aggregate_definition($agg));
		# acct snapshots often, so that folds and projections start from snapshots too.
		my $every = $agg eq 'acct' ? 20 : 100;
		push @sql, "SELECT chronicle.define_aggregate('$agg', \$j\$$def\$j\$, category => '$agg', snapshot_every => $every);";
	}
	for my $p (@PROJECTIONS)
	{
		if ($p->{kind} eq 'aggregate')
		{
			my $cols = $p->{typed} ? q{, columns => '{"n": "bigint", "total": "numeric", "status": "text"}'} : '';
			push @sql, "SELECT chronicle.create_projection('$p->{name}', '$p->{aggregate}', table_name => 'soak.$p->{name}', mode => '$p->{mode}'$cols);";
		}
		else
		{
			my $cat   = defined $p->{category} ? "'$p->{category}'" : 'NULL';
			my $types = $p->{types} ? "'{" . join(',', @{ $p->{types} }) . "}'" : 'NULL';
			push @sql, "SELECT chronicle.create_handler_projection('$p->{name}', 'soak.$p->{name}(chronicle.event)', category => $cat, event_types => $types);";
		}
	}
	return @sql;
}

# --- the operations writers run -----------------------------------------------------------

# An op is one transaction (or one autocommitted statement):
#   steps  => [ { stream, batch, events => [{id, type, data}], exp } | { savepoint => [appends] } ]
#   tx     => run in BEGIN ... COMMIT/ROLLBACK (else one autocommitted append)
#   end    => 'commit' | 'rollback'
#   hold   => seconds to sit in the open transaction before its end
# Appends are in stream order, so that two ops never lock streams in opposite orders.

sub append_sql
{
	my ($a) = @_;
	my $exp = defined $a->{exp} ? $a->{exp} : 'NULL';
	if ($a->{batch})
	{
		my $arr = join(',', map { qq({"type":"$_->{type}","data":$_->{data},"id":"$_->{id}"}) } @{ $a->{events} });
		return "SELECT chronicle.append_batch('$a->{stream}', \$j\$[$arr]\$j\$, $exp);";
	}
	my $e = $a->{events}[0];
	return "SELECT chronicle.append('$a->{stream}', '$e->{type}', \$j\$$e->{data}\$j\$, NULL, $exp, '$e->{id}');";
}

sub op_appends
{
	my ($op) = @_;
	return grep { !$_->{savepoint} } @{ $op->{steps} };
}

sub op_savepoint_appends
{
	my ($op) = @_;
	return map { @{ $_->{savepoint} } } grep { $_->{savepoint} } @{ $op->{steps} };
}

# One attempt of an op. Returns 'committed', 'rolled_back', 'conflict', 'error' (with the
# result in $ctx->{last_error}), 'lost' (before COMMIT was sent: nothing committed) or
# 'uncertain' (lost while the commit was under way).
sub attempt_op
{
	my ($ctx, $op) = @_;
	my $s = $ctx->{session};
	return 'lost' unless $s->connected;    # nothing was sent
	my $q = sub { my $r = $s->query($_[0], $ctx->{cfg}{statement_timeout}); check_timeout($ctx, $r, $_[0]); return $r; };
	if (!$op->{tx})
	{
		my ($a) = op_appends($op);
		my $r = $q->(append_sql($a));
		return 'uncertain' if $r->{lost} || $r->{timeout};
		if ($r->{ok}) { $a->{returned} = $r->{rows}[0][0]; return 'committed'; }
		return 'conflict' if $r->{sqlstate} eq 'CH001';
		$ctx->{last_error} = $r;
		return 'error';
	}
	my $r = $q->('BEGIN;');
	return 'lost' unless $r->{ok};
	my $fail = sub {
		my ($r) = @_;
		return 'lost' if $r->{lost} || $r->{timeout};
		$q->('ROLLBACK;');
		return 'conflict' if $r->{sqlstate} eq 'CH001';
		$ctx->{last_error} = $r;
		return 'error';
	};
	for my $step (@{ $op->{steps} })
	{
		if ($step->{savepoint})
		{
			$r = $q->('SAVEPOINT sp;');
			return $fail->($r) unless $r->{ok};
			for my $a (@{ $step->{savepoint} })
			{
				$r = $q->(append_sql($a));
				return 'lost' if $r->{lost} || $r->{timeout};
				last unless $r->{ok};
			}
			$r = $q->('ROLLBACK TO SAVEPOINT sp;');
			return $fail->($r) unless $r->{ok};
			$ctx->{stats}{savepoint_rollbacks}++;
			next;
		}
		$r = $q->(append_sql($step));
		return $fail->($r) unless $r->{ok};
		$step->{returned} = $r->{rows}[0][0];
	}
	sleep($op->{hold}) if $op->{hold};
	if ($op->{end} eq 'rollback')
	{
		$r = $q->('ROLLBACK;');
		return 'rolled_back';    # lost or not: nothing was committed
	}
	$r = $q->('COMMIT;');
	return 'uncertain' if $r->{lost} || $r->{timeout};
	return 'committed' if $r->{ok};
	$ctx->{last_error} = $r;
	return 'error';
}

sub check_timeout
{
	my ($ctx, $r, $sql) = @_;
	return unless $r->{timeout};
	violation($ctx, "no answer within $ctx->{cfg}{statement_timeout} s to: " . substr($sql, 0, 200));
}

sub violation
{
	my ($ctx, $msg) = @_;
	print { $ctx->{log} } "V " . stamp($ctx->{t0}) . " $ctx->{name}: $msg\n";
}

sub log_events
{
	my ($ctx, $mark, @appends) = @_;
	my $fh = $ctx->{log};
	for my $a (@appends)
	{
		print $fh "$mark $_->{id} $a->{stream} $_->{type}\n" for @{ $a->{events} };
	}
}

sub reconnect
{
	my ($ctx) = @_;
	$ctx->{stats}{reconnects}++;
	$ctx->{session}->connect($ctx->{cfg}{connect_timeout});
}

sub refresh_versions
{
	my ($ctx, $op) = @_;
	for my $a (op_appends($op))
	{
		next unless defined $a->{exp};
		my $r = $ctx->{session}->query("SELECT chronicle.stream_version('$a->{stream}');");
		return 0 unless $r->{ok};
		$a->{exp} = $r->{rows}[0][0];
		$ctx->{versions}{ $a->{stream} } = $a->{exp};
	}
	return 1;
}

# Runs an op to its end: conflicts are retried with fresh expected versions (same event ids),
# lost connections are reconnected, an uncertain commit is retried as it was (the idempotent
# retry commits it or finds it committed). Logs every event as C (committed), R (not
# committed) or U (uncertain to the end).
sub run_op
{
	my ($ctx, $op) = @_;
	my $uncertain = 0;
	my $errors    = 0;
	for (my $attempt = 1;; $attempt++)
	{
		my $res = attempt_op($ctx, $op);
		if ($res eq 'committed')
		{
			$ctx->{stats}{uncertain_resolved}++ if $uncertain;
			for my $a (op_appends($op))
			{
				my $n = @{ $a->{events} };
				if (defined $a->{exp} && $a->{returned} != $a->{exp} + $n)
				{
					violation($ctx, "append to $a->{stream} with expected version $a->{exp} of $n events returned version $a->{returned}");
				}
				$ctx->{versions}{ $a->{stream} } = $a->{returned};
				$ctx->{stats}{events} += $n;
			}
			log_events($ctx, 'C', op_appends($op));
			log_events($ctx, 'R', op_savepoint_appends($op));
			return 1;
		}
		if ($res eq 'rolled_back')
		{
			log_events($ctx, 'R', op_appends($op), op_savepoint_appends($op));
			$ctx->{stats}{rollbacks}++;
			return 0;
		}
		if ($res eq 'conflict')
		{
			# An uncertain op that meets a wrong expected version did not commit: its first
			# event is not where it would be.
			$uncertain = 0;
			$ctx->{stats}{conflicts}++;
		}
		elsif ($res eq 'uncertain')
		{
			$uncertain = 1;
			$ctx->{stats}{uncertain_commits}++;
		}
		elsif ($res eq 'error')
		{
			my $e = $ctx->{last_error};
			unless (fault_sqlstate($e->{sqlstate}))
			{
				print { $ctx->{log} } "E " . stamp($ctx->{t0}) . " $ctx->{name} $e->{sqlstate} $e->{message}\n";
				$ctx->{stats}{errors}++;
				$errors++;
			}
		}
		if ($op->{end} eq 'rollback' && $res ne 'conflict' && $res ne 'error')
		{
			# A lost rollback op committed nothing.
			log_events($ctx, 'R', op_appends($op), op_savepoint_appends($op));
			return 0;
		}
		if ($attempt >= 50 || $errors >= 5 || ($op->{end} eq 'rollback'))
		{
			log_events($ctx, $uncertain ? 'U' : 'R', op_appends($op));
			log_events($ctx, 'R', op_savepoint_appends($op));
			return 0;
		}
		reconnect($ctx) unless $ctx->{session}->connected;
		# An uncertain op is sent again exactly as it was (its expected versions too): only
		# then does chronicle recognise a retry of what committed.
		until ($uncertain || refresh_versions($ctx, $op))
		{
			sleep(0.1);
			reconnect($ctx) unless $ctx->{session}->connected;
		}
		sleep(0.01 * $attempt) if $res eq 'error';
	}
}

# --- writers ------------------------------------------------------------------------------

sub new_events
{
	my ($ctx, $cat, $n) = @_;
	my @types = @{ $CATEGORIES{$cat}{types} };
	my @ev;
	for (1 .. $n)
	{
		my $seq = ++$ctx->{seq};
		push @ev, {
			id   => new_uuid(),
			type => pick(@types),
			data => qq({"w": "$ctx->{name}", "seq": $seq, "amount": ) . (1 + int(rand(100))) . '}' };
	}
	return \@ev;
}

sub pick_stream
{
	my ($ctx, $cat) = @_;
	$cat //= pick_weighted(map { $_ => $CATEGORIES{$_}{weight} } @CATEGORY_NAMES);
	# Now and then a new stream (expected version 0); mostly one of a shared pool, so that
	# writers meet on streams and their expected versions conflict.
	if (rand() < 0.03)
	{
		my $k = ++$ctx->{new_streams};
		return ("$cat-$ctx->{name}x$k", $cat, 0);
	}
	my $stream = "$cat-" . (1 + int(rand($ctx->{cfg}{pool_streams})));
	return ($stream, $cat, $ctx->{versions}{$stream});
}

# An append step: expected version from the writer's cache (stale when another writer
# appended meanwhile: a conflict, retried), now and then NULL (any version).
sub new_append
{
	my ($ctx, $n, $stream, $cat) = @_;
	my $exp;
	($stream, $cat, $exp) = pick_stream($ctx) unless defined $stream;
	if (!defined $exp && $stream =~ /x\d+$/) { $exp = 0; }
	if (!defined $exp)
	{
		my $r = $ctx->{session}->query("SELECT chronicle.stream_version('$stream');");
		$exp = $r->{ok} ? $r->{rows}[0][0] : 0;
	}
	# A batch always names its expected version: only then is its retry well defined.
	my $batch = $n > 1 || rand() < 0.05;
	$exp = undef if !$batch && rand() < 0.1;
	return { stream => $stream, batch => $batch, events => new_events($ctx, $cat, $n), exp => $exp };
}

sub distinct_appends
{
	my ($ctx, $count) = @_;
	my %seen;
	my @a;
	for (1 .. $count * 3)
	{
		last if @a >= $count;
		my ($stream, $cat, $exp) = pick_stream($ctx);
		next if $seen{$stream}++;
		push @a, new_append($ctx, rand() < 0.3 ? 2 + int(rand(4)) : 1, $stream, $cat);
	}
	return @a;
}

sub writer_main
{
	my ($ctx) = @_;
	$ctx->{session}->connect($ctx->{cfg}{connect_timeout});
	my @recent;    # committed autocommitted appends, for idempotent retries
	while (!stopping($ctx))
	{
		reconnect($ctx) unless $ctx->{session}->connected;
		my $r = rand();
		if ($r < 0.45)
		{
			my $op = { steps => [ new_append($ctx, 1) ], end => 'commit' };
			$ctx->{stats}{single}++;
			remember(\@recent, $op) if run_op($ctx, $op);
		}
		elsif ($r < 0.60)
		{
			my $op = { steps => [ new_append($ctx, 2 + int(rand(19))) ], end => 'commit' };
			$ctx->{stats}{batches}++;
			remember(\@recent, $op) if run_op($ctx, $op);
		}
		elsif ($r < 0.75)
		{
			# Several streams in one transaction, with a savepoint rolled back among them (its
			# stream in the same order as the others').
			my ($sp, @appends) = distinct_appends($ctx, 2 + int(rand(3)));
			my @steps = sort { step_stream($a) cmp step_stream($b) } (@appends, { savepoint => [$sp] });
			$ctx->{stats}{transactions}++;
			run_op($ctx, { steps => \@steps, tx => 1, end => 'commit' });
		}
		elsif ($r < 0.85)
		{
			$ctx->{stats}{whole_rollbacks}++;
			run_op($ctx, { steps => [ sort { $a->{stream} cmp $b->{stream} } distinct_appends($ctx, 1 + int(rand(3))) ], tx => 1, end => 'rollback' });
		}
		elsif (@recent)
		{
			idempotent_retry($ctx, pick(@recent));
		}
		sleep($ctx->{cfg}{writer_pause}) if $ctx->{cfg}{writer_pause};
	}
}

sub step_stream { my ($step) = @_; return $step->{savepoint} ? $step->{savepoint}[0]{stream} : $step->{stream}; }

sub remember
{
	my ($recent, $op) = @_;
	my ($a) = op_appends($op);
	return unless defined $a->{exp};
	push @$recent, $op;
	shift @$recent if @$recent > 100;
}

# Sends an already committed append again, exactly as it was: it must succeed, write
# nothing and return the version it returned the first time.
sub idempotent_retry
{
	my ($ctx, $op) = @_;
	my ($a) = op_appends($op);
	my $r = $ctx->{session}->query(append_sql($a), $ctx->{cfg}{statement_timeout});
	check_timeout($ctx, $r, 'idempotent retry');
	if ($r->{lost} || $r->{timeout})
	{
		reconnect($ctx);
		return;
	}
	if (!$r->{ok})
	{
		if (fault_sqlstate($r->{sqlstate})) { return; }
		violation($ctx, "idempotent retry of " . scalar(@{ $a->{events} }) . " event(s) to $a->{stream} at expected version $a->{exp} failed: $r->{sqlstate} $r->{message}");
		return;
	}
	$ctx->{stats}{idempotent_retries}++;
	violation($ctx, "idempotent retry to $a->{stream} returned version $r->{rows}[0][0], the first time $a->{returned}")
	  if $r->{rows}[0][0] != $a->{returned};
}

# The holder: transactions that append and then sit on their position for a while, so that
# read_all, projections and rebuild swaps meet an in-flight position below committed events.
sub holder_main
{
	my ($ctx) = @_;
	$ctx->{session}->connect($ctx->{cfg}{connect_timeout});
	while (!stopping($ctx))
	{
		nap($ctx, $ctx->{cfg}{hold_gap} * (0.5 + rand()));
		last if stopping($ctx);
		my $end  = rand() < 0.7 ? 'commit' : 'rollback';
		my $hold = $ctx->{cfg}{hold_seconds} * (0.3 + rand());
		my $cat  = pick(@CATEGORY_NAMES);
		print { $ctx->{log} } "F " . stamp($ctx->{t0}) . " hold_$end " . sprintf('%.1f s', $hold) . "\n";
		run_op($ctx, { steps => [ new_append($ctx, 1 + int(rand(2)), undef, undef) ], tx => 1, end => $end, hold => $hold });
	}
}

# --- subscribers --------------------------------------------------------------------------

# Pages through read_all from its checkpoint, writing every event it gets (position, id) to
# its log; READ COMMITTED: one statement per page; REPEATABLE READ: pages within one
# transaction until a short page, then a new transaction. After the final mark it reads on
# until a read from a fresh snapshot returns nothing.
sub subscriber_main
{
	my ($ctx, $sub) = @_;
	my $s  = $ctx->{session};
	my $cp = 0;
	my $cat = defined $sub->{category} ? "'$sub->{category}'" : 'NULL';
	my $rr  = $sub->{iso} eq 'repeatable read';
	$s->connect($ctx->{cfg}{connect_timeout});
	my $final_pass = 0;
	my $in_tx = 0;
	while (1)
	{
		my $final = -e "$ctx->{dir}/final";
		if ($rr && !$in_tx)
		{
			my $r = $s->query('BEGIN ISOLATION LEVEL REPEATABLE READ;');
			if (!$r->{ok}) { reconnect($ctx) unless $s->connected; next; }
			$in_tx = 1;
		}
		my $page = 1 + int(rand($ctx->{cfg}{page_max}));
		my $r = $s->query("SELECT global_position, event_id FROM chronicle.read_all($cp, $page, category => $cat);",
			$ctx->{cfg}{statement_timeout});
		check_timeout($ctx, $r, 'read_all');
		if (!$r->{ok})
		{
			if ($r->{lost} || $r->{timeout}) { $in_tx = 0; $ctx->{stats}{reconnects}++; $s->connect($ctx->{cfg}{connect_timeout}); next; }
			if (!fault_sqlstate($r->{sqlstate}))
			{
				print { $ctx->{log} } "E " . stamp($ctx->{t0}) . " $ctx->{name} $r->{sqlstate} $r->{message}\n";
				$ctx->{stats}{errors}++;
			}
			$s->query('ROLLBACK;') if $in_tx;
			$in_tx = 0;
			sleep(0.1);
			next;
		}
		my $rows = $r->{rows};
		if (@$rows)
		{
			my $fh = $ctx->{events_fh};
			print $fh "$_->[0] $_->[1]\n" for @$rows;
			$cp = $rows->[-1][0];
			$ctx->{stats}{events} += @$rows;
			$ctx->{stats}{pages}++;
		}
		if (@$rows < $page)
		{
			if ($in_tx) { $s->query('COMMIT;'); $in_tx = 0; }
			if ($final)
			{
				# Done once a read that started after the final mark found nothing more.
				last if $final_pass && !@$rows;
				$final_pass = 1;
				next;
			}
			sleep($ctx->{cfg}{subscriber_nap});
		}
	}
}

# --- the fault injector -------------------------------------------------------------------

sub projections_of
{
	my (%want) = @_;
	return grep {
		my $p = $_;
		!grep { ($p->{$_} // '') ne $want{$_} } keys %want
	} @PROJECTIONS;
}

sub server_pids
{
	my ($ctx, $where) = @_;
	my $r = $ctx->{session}->query("SELECT pid FROM pg_stat_activity WHERE $where;");
	return () unless $r->{ok};
	return map { $_->[0] } @{ $r->{rows} };
}

sub wait_for_server
{
	my ($ctx) = @_;
	sleep(0.5);
	$ctx->{session}->connect($ctx->{cfg}{connect_timeout});
}

sub do_fault
{
	my ($ctx, $kind) = @_;
	my $s   = $ctx->{session};
	my $db  = $ctx->{cfg}{db};
	my $detail = '';
	if ($kind eq 'kill_writer' || $kind eq 'kill_worker' || $kind eq 'kill_launcher')
	{
		my $where = {
			kill_writer   => "application_name LIKE 'soak writer%' AND datname = '$db'",
			kill_worker   => "backend_type = 'chronicle worker' AND datname = '$db'",
			kill_launcher => "backend_type = 'chronicle launcher'" }->{$kind};
		# A writer inside a transaction when there is one: the crash cuts it in the middle.
		my @pids = server_pids($ctx, "$where AND state IN ('active', 'idle in transaction')");
		@pids = server_pids($ctx, $where) unless @pids;
		return 'none found' unless @pids;
		my $pid = pick(@pids);
		kill 'KILL', $pid or return "failed: kill $pid: $!";
		$detail = "pid $pid";
		wait_for_server($ctx);
	}
	elsif ($kind eq 'immediate_restart')
	{
		$s->close;
		$ctx->{cfg}{restart}->();
		wait_for_server($ctx);
	}
	elsif ($kind eq 'terminate_worker')
	{
		my @pids = server_pids($ctx, "backend_type = 'chronicle worker' AND datname = '$db'");
		return 'none found' unless @pids;
		$detail = "pid $pids[0]";
		$s->query("SELECT pg_terminate_backend($pids[0]);");
	}
	elsif ($kind eq 'pause_resume')
	{
		my $p = pick(@PROJECTIONS);
		$detail = $p->{name};
		my $r = $s->query("SELECT chronicle.pause_projection('$p->{name}');");
		return "failed: $detail: pause: " . ChronicleSoak::Session::describe($r) unless $r->{ok};
		nap($ctx, 1 + rand(3));
		# Resuming must happen whatever the server went through meanwhile.
		for (1 .. 100)
		{
			$r = $s->query("SELECT chronicle.resume_projection('$p->{name}');");
			last if $r->{ok};
			reconnect($ctx) unless $s->connected;
			sleep(0.2);
		}
		return "failed: $detail: resume: " . ChronicleSoak::Session::describe($r) unless $r->{ok};
	}
	elsif ($kind =~ /^rebuild_(async|inline|handler)$/)
	{
		my @p = $1 eq 'handler' ? projections_of(kind => 'handler') : projections_of(kind => 'aggregate', mode => $1);
		my $p = pick(@p);
		$detail = $p->{name};
		if ($1 eq 'handler')
		{
			# rebuild_projection first: it locks the projection's row, waiting for a batch the
			# worker is applying; the counts it committed are then visible to the DELETE.
			$s->query('BEGIN;');
			my $r = $s->query("SELECT chronicle.rebuild_projection('$p->{name}');");
			$r = $s->query("DELETE FROM soak.handler_counts WHERE projection = '$p->{name}';") if $r->{ok};
			$r = $s->query($r->{ok} ? 'COMMIT;' : 'ROLLBACK;');
			return "failed: $detail: " . ChronicleSoak::Session::describe($r) unless $r->{ok};
		}
		else
		{
			my $r = $s->query("SELECT chronicle.rebuild_projection('$p->{name}');");
			return "failed: $detail: " . ChronicleSoak::Session::describe($r) unless $r->{ok};
		}
	}
	else
	{
		die "unknown fault $kind";
	}
	return $detail;
}

sub injector_main
{
	my ($ctx) = @_;
	$ctx->{session}->connect($ctx->{cfg}{connect_timeout});
	# Every kind once, in a random order, then at random.
	my @queue = List::Util::shuffle(@FAULT_KINDS);
	my %weight = (kill_writer => 2, kill_worker => 2, kill_launcher => 1, immediate_restart => 2,
		terminate_worker => 2, pause_resume => 2, rebuild_async => 2, rebuild_inline => 2, rebuild_handler => 1);
	nap($ctx, $ctx->{cfg}{fault_gap} * 0.5);
	while (!stopping($ctx))
	{
		my $kind = @queue ? shift @queue : pick_weighted(%weight);
		reconnect($ctx) unless $ctx->{session}->connected;
		my $t = stamp($ctx->{t0});
		my $detail = eval { do_fault($ctx, $kind) } // "failed: $@";
		chomp $detail;
		if ($detail =~ /^(?:none found|failed)/)
		{
			# Not done: noted apart, and tried again later.
			print { $ctx->{log} } "N $t $kind $detail\n";
			push @queue, $kind;
		}
		else
		{
			print { $ctx->{log} } "F $t $kind $detail\n";
		}
		nap($ctx, $ctx->{cfg}{fault_gap} * (0.5 + rand()));
	}
}

# --- the live inline check ----------------------------------------------------------------

# An inline projection is updated in the appending transaction: in any snapshot, every
# stream of its category has its row at the stream's version (while the projection runs).
# Checked every few seconds while the faults go on; a rebuild's swap that loses an event's
# effect shows here even if a later append repairs the row before the end.
sub inline_checker_main
{
	my ($ctx) = @_;
	my $s = $ctx->{session};
	$s->connect($ctx->{cfg}{connect_timeout});
	my %reported;    # a disagreement that stays is reported once
	# It goes on through the quiet period, until the projections have settled: a rebuild's
	# swap may come after the writers stopped.
	while (!-e "$ctx->{dir}/settled")
	{
		sleep($ctx->{cfg}{inline_check_gap});
		for my $p (projections_of(mode => 'inline'))
		{
			reconnect($ctx) unless $s->connected;
			my $r = $s->query('BEGIN ISOLATION LEVEL REPEATABLE READ;');
			next unless $r->{ok};
			$r = $s->query(qq{
			  SELECT coalesce(string_agg(format('%s: row at version %s, stream at %s', coalesce(p.stream, s.stream), p.version, s.version), '; '), '')
			    FROM (SELECT stream, max(stream_version) AS version FROM chronicle.event_log
			           WHERE category = '$p->{category}' GROUP BY stream) s
			    FULL JOIN soak.$p->{name} p USING (stream)
			   WHERE (SELECT state FROM chronicle.projections WHERE name = '$p->{name}') = 'running'
			     AND (p.version IS DISTINCT FROM s.version);}, $ctx->{cfg}{statement_timeout});
			my $rb = $s->query("SELECT rebuild_table IS NOT NULL FROM chronicle.projections WHERE name = '$p->{name}';");
			$s->query('COMMIT;');
			if (!$r->{ok}) { reconnect($ctx) unless $s->connected; next; }
			$ctx->{stats}{inline_checks}++;
			my $bad = $r->{rows}[0][0] // '';
			next if $bad eq '' || $reported{"$p->{name} $bad"}++;
			my $n = () = $bad =~ /; /g;
			violation($ctx, "inline projection $p->{name} disagrees with the log in one snapshot (" . ($n + 1)
				  . " streams" . (($rb->{ok} && $rb->{rows}[0][0] eq 't') ? ', rebuild in progress' : '')
				  . "): " . substr($bad, 0, 400));
		}
	}
}

# --- process plumbing ---------------------------------------------------------------------

sub stopping { return -e "$_[0]->{dir}/stop"; }

# Sleeps up to $secs, waking early when the run stops.
sub nap
{
	my ($ctx, $secs) = @_;
	my $until = time + $secs;
	while (time < $until && !stopping($ctx)) { sleep(($until - time) < 0.2 ? $until - time : 0.2); }
}

sub new_ctx
{
	my ($cfg, $name) = @_;
	my $ctx = {
		cfg      => $cfg,
		name     => $name,
		dir      => $cfg->{dir},
		t0       => $cfg->{t0},
		stats    => {},
		versions => {},
		seq      => 0,
		log      => open_log("$cfg->{dir}/$name.log"),};
	$ctx->{session} = ChronicleSoak::Session->new($cfg, "soak $name", "$cfg->{dir}/$name.psql.err");
	return $ctx;
}

# Forks a client; it writes its stats as 'S key value' lines when it ends.
sub spawn
{
	my ($cfg, $name, $main, @args) = @_;
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	return $pid if $pid;
	srand(time() ^ ($$ << 8));
	# Writing to a psql that has just exited (its connection was cut) must fail the write,
	# not kill the client.
	$SIG{PIPE} = 'IGNORE';
	my $ctx = new_ctx($cfg, $name);
	my $ok  = eval { $main->($ctx, @args); 1 };
	print { $ctx->{log} } "V " . stamp($ctx->{t0}) . " $name: client died: $@" unless $ok;
	print { $ctx->{log} } "S $_ $ctx->{stats}{$_}\n" for sort keys %{ $ctx->{stats} };
	$ctx->{session}->close;
	# Never run the parent's END blocks (a TAP test's would stop its node).
	POSIX::_exit(0);
}

# Waits for the clients; returns a complaint for each that did not end, or did not end well.
sub wait_children
{
	my ($pids, $timeout) = @_;
	my $deadline = time + $timeout;
	my @bad;
	while (%$pids && time < $deadline)
	{
		for my $pid (keys %$pids)
		{
			next if waitpid($pid, WNOHANG) == 0;
			push @bad, "client $pids->{$pid} ended with status $?" if $?;
			delete $pids->{$pid};
		}
		sleep(0.2);
	}
	push @bad, map { "client $pids->{$_} did not end within $timeout s" } sort keys %$pids;
	for my $pid (keys %$pids) { kill 'KILL', $pid; waitpid($pid, 0); }
	return @bad;
}

# --- the run ------------------------------------------------------------------------------

# run(%cfg): the whole soak; returns (violation count, summary text). cfg:
#   host, port, db, user, bindir   where the server is; the database must exist
#   restart                        sub: stops the server with -m immediate and starts it again
#   server_log                     the server's log (scanned for crashes other than our kill -9s)
#   dir                            an empty directory for the clients' logs
#   seconds, writers, fault_gap, hold_gap, hold_seconds, ... (defaults below)
#   say                            sub printing a progress line
sub run
{
	my (%cfg) = @_;
	my %defaults = (
		seconds            => 600,
		writers            => 4,
		pool_streams       => 30,
		fault_gap          => 12,
		hold_gap           => 8,
		hold_seconds       => 4,
		inline_check_gap   => 3,
		page_max           => 400,
		subscriber_nap     => 0.05,
		writer_pause       => 0,
		statement_timeout  => 300,
		connect_timeout    => 300,
		quiet_timeout      => 600,
		say                => sub { print STDERR "@_\n" },);
	$cfg{$_} //= $defaults{$_} for keys %defaults;
	my $say = $cfg{say};
	$cfg{t0} = time;
	local $SIG{PIPE} = 'IGNORE';

	my $admin = ChronicleSoak::Session->new(\%cfg, 'soak admin', "$cfg{dir}/admin.psql.err");
	$admin->connect(60);
	for my $sql (setup_sql())
	{
		my $r = $admin->query($sql);
		die "setup failed: $sql: " . ChronicleSoak::Session::describe($r) . "\n" unless $r->{ok};
	}
	$say->("soak: set up; $cfg{writers} writers, " . scalar(@SUBSCRIBERS) . " subscribers, "
		  . scalar(@PROJECTIONS) . " projections; running $cfg{seconds} s");
	$admin->close;

	my %pids;
	my %sub_pids;
	for my $w (1 .. $cfg{writers})
	{
		$pids{ spawn(\%cfg, "writer$w", \&writer_main) } = "writer$w";
	}
	$pids{ spawn(\%cfg, 'holder', \&holder_main) }             = 'holder';
	$pids{ spawn(\%cfg, 'injector', \&injector_main) }         = 'injector';
	my %checker_pid = (spawn(\%cfg, 'inline_checker', \&inline_checker_main) => 'inline_checker');
	for my $sub (@SUBSCRIBERS)
	{
		$sub_pids{
			spawn(\%cfg, $sub->{name}, sub {
				my ($ctx) = @_;
				$ctx->{events_fh} = open_log("$cfg{dir}/$sub->{name}.events");
				subscriber_main($ctx, $sub);
			}) } = $sub->{name};
	}

	# The load lasts the given time, and on until every kind of fault has happened once
	# (a slow machine takes longer per fault), for at most 5 minutes more.
	my $last_note = time;
	my $all_faults = sub {
		my %seen = map { (split / /, $_->[2])[1] => 1 } read_lines(\%cfg, 'F', '{injector,holder}');
		return (!grep { !$seen{$_} } @FAULT_KINDS) && (grep { /^hold_/ } keys %seen) ? 1 : 0;
	};
	while (time - $cfg{t0} < $cfg{seconds} || (!$all_faults->() && time - $cfg{t0} < $cfg{seconds} + 300))
	{
		sleep(1);
		if (time - $last_note >= 60)
		{
			$last_note = time;
			$say->(sprintf('soak: %d s, %d faults so far', time - $cfg{t0}, scalar(read_lines(\%cfg, 'F', '{injector,holder}'))));
		}
	}

	# The quiet period: writers, holder and injector finish what they are doing.
	open(my $stop, '>', "$cfg{dir}/stop") or die;
	close $stop;
	my @violations;
	push @violations, wait_children(\%pids, 600);
	my $load_seconds = time - $cfg{t0};
	$say->(sprintf('soak: writers stopped after %.0f s; waiting for the projections', $load_seconds));

	$admin->connect(120);
	push @violations, settle_projections(\%cfg, $admin);
	open(my $settled, '>', "$cfg{dir}/settled") or die;
	close $settled;
	push @violations, wait_children(\%checker_pid, 600);

	open(my $final, '>', "$cfg{dir}/final") or die;
	close $final;
	push @violations, wait_children(\%sub_pids, 600);

	$say->('soak: checking');
	my ($checks, $summary) = check_all(\%cfg, $admin, \@violations, $load_seconds);
	$admin->close;
	return (scalar(@violations) + ($cfg{unlisted_violations} // 0), $summary, \@violations, $checks);
}

# Waits until every projection runs, has no rebuild in progress and has applied every event.
sub settle_projections
{
	my ($cfg, $admin) = @_;
	my @v;
	my $deadline = time + $cfg->{quiet_timeout};
	for my $p (@PROJECTIONS)
	{
		my $state = $admin->value("SELECT state FROM chronicle.projections WHERE name = '$p->{name}';");
		if ($state eq 'paused')
		{
			push @v, "projection $p->{name} was left paused";
			$admin->value("SELECT chronicle.resume_projection('$p->{name}') IS NULL;");
		}
	}
	for my $p (@PROJECTIONS)
	{
		my $done = 0;
		while (time < $deadline)
		{
			my $r = $admin->query(qq{SELECT state, rebuild_table IS NULL,
			    chronicle.wait_for_projection('$p->{name}', '5 seconds')
			  FROM chronicle.projections WHERE name = '$p->{name}';}, 60);
			if (!$r->{ok}) { $admin->connect(60) unless $admin->connected; next; }
			my ($state, $no_rebuild, $caught_up) = @{ $r->{rows}[0] };
			last if $state eq 'failed';
			if ($no_rebuild eq 't' && $caught_up eq 't') { $done = 1; last; }
		}
		next if $done;
		my $status = $admin->query(qq{SELECT format('state %s, position %s, lag %s events, rebuild_position %s, last error %s %s at %s',
		    state, position, lag_events, rebuild_position, last_error_sqlstate, last_error, last_error_at)
		  FROM chronicle.projection_status WHERE name = '$p->{name}';});
		push @v, "projection $p->{name} did not catch up: " . ($status->{ok} ? $status->{rows}[0][0] : '?');
	}
	return @v;
}

sub read_lines
{
	my ($cfg, $mark, $files) = @_;
	my @out;
	for my $f (glob("$cfg->{dir}/" . ($files // '*') . '.log'))
	{
		open(my $fh, '<', $f) or next;
		while (<$fh>)
		{
			chomp;
			push @out, [ $f, split / /, $_, 2 ] if substr($_, 0, 2) eq "$mark ";
		}
	}
	return @out;
}

sub copy_in
{
	my ($cfg, $table, $path) = @_;
	my @conn = ('-h', $cfg->{host}, '-p', $cfg->{port}, '-d', $cfg->{db});
	push @conn, ('-U', $cfg->{user}) if $cfg->{user};
	system(ChronicleSoak::Session::psql_path($cfg), '-X', '-q', @conn, '-v', 'ON_ERROR_STOP=1',
		'-c', "\\copy $table FROM '$path' WITH (FORMAT text, DELIMITER ' ')") == 0
	  or die "loading $path into $table failed\n";
}

sub check_all
{
	my ($cfg, $admin, $violations, $load_seconds) = @_;
	my %checks;    # name => [passed, detail]
	my $check = sub {
		my ($name, @bad) = @_;
		$checks{$name} = [ !@bad, scalar(@bad) ];
		# The first few of a kind, precisely; the count of the rest.
		push @$violations, map { "$name: $_" } @bad[ 0 .. ($#bad < 19 ? $#bad : 19) ];
		if (@bad > 20)
		{
			push @$violations, "$name: ... and " . (@bad - 20) . ' more';
			$cfg->{unlisted_violations} += @bad - 21;
		}
	};

	# What the clients reported while they ran.
	$check->('clients saw no violation', map { my (undef, undef, $rest) = @$_; $rest } read_lines($cfg, 'V'));
	my @errors = read_lines($cfg, 'E');
	my %allowed = map { $_ => 1 } split /[\s,]+/, ($cfg->{allow_errors} // '');
	$check->('no unexpected error',
		map { my (undef, undef, $rest) = @$_; $rest } grep { my ($st) = $_->[2] =~ /^\S+ \S+ (\S+)/; !$allowed{$st // ''} } @errors);

	# The clients' records go into tables, so that the comparisons with the log (millions of
	# events in a long run) are joins in the server, not hashes in Perl.
	my $marks = "$cfg->{dir}/marks.txt";
	open(my $mf, '>', $marks) or die;
	for my $f (glob("$cfg->{dir}/*.log"))
	{
		open(my $fh, '<', $f) or die "$f: $!";
		while (<$fh>) { print $mf $_ if /^[CRU] /; }
		close $fh;
	}
	close $mf;
	my $q = sub {
		my ($sql, $timeout) = @_;
		my $r = $admin->query($sql, $timeout // 1800);
		die "check query failed: " . ChronicleSoak::Session::describe($r) . "\n$sql\n" unless $r->{ok};
		return map { $_->[0] } @{ $r->{rows} };
	};
	$q->('CREATE TABLE soak.client_events (mark text, event_id uuid, stream text, event_type text);');
	$q->('CREATE TABLE soak.subscriber_events (subscriber text, n bigint, global_position bigint, event_id uuid);');
	copy_in($cfg, 'soak.client_events', $marks);
	for my $sub (@SUBSCRIBERS)
	{
		my $tmp = "$cfg->{dir}/$sub->{name}.copy";
		open(my $in, '<', "$cfg->{dir}/$sub->{name}.events") or die "$sub->{name}: $!";
		open(my $out, '>', $tmp) or die;
		my $n = 0;
		while (<$in>) { $n++; print $out "$sub->{name} $n $_"; }
		close $in;
		close $out;
		copy_in($cfg, 'soak.subscriber_events', $tmp);
	}
	$q->('CREATE INDEX ON soak.client_events (event_id); CREATE INDEX ON soak.subscriber_events (subscriber, n); ANALYZE soak.client_events, soak.subscriber_events;');

	# 1. The log: dense stream versions, in position order; unique positions and event ids.
	$check->('log: stream versions dense and in position order, positions and event ids unique',
		$q->(q{SELECT format('stream %s: %s events, versions %s to %s', stream, count(*), min(stream_version), max(stream_version))
		         FROM chronicle.event_log GROUP BY stream
		        HAVING count(*) <> max(stream_version) OR min(stream_version) <> 1 ORDER BY 1 LIMIT 100;}),
		$q->(q{SELECT format('stream %s: version %s at position %s follows version %s', stream, stream_version, global_position, prev)
		         FROM (SELECT stream, stream_version, global_position,
		                      lag(stream_version) OVER (PARTITION BY stream ORDER BY global_position) AS prev
		                 FROM chronicle.event_log) v
		        WHERE stream_version <> coalesce(prev, 0) + 1 ORDER BY 1 LIMIT 100;}),
		$q->(q{SELECT format('position %s is held by %s events', global_position, count(*)) FROM chronicle.event_log
		        GROUP BY global_position HAVING count(*) > 1 LIMIT 100;}),
		$q->(q{SELECT format('event id %s is at %s positions', event_id, count(*)) FROM chronicle.event_log
		        GROUP BY event_id HAVING count(*) > 1 LIMIT 100;}));

	# 2. What writers saw committed is there once; what they rolled back is not; nothing else.
	$check->('writers: every committed event in the log once, no rolled-back one, nothing else',
		$q->(q{SELECT format('committed event %s (%s to %s) is %s', c.event_id, c.event_type, c.stream,
		                     CASE WHEN l.event_id IS NULL THEN 'not in the log'
		                          ELSE format('in the log as %s to %s at position %s', l.event_type, l.stream, l.global_position) END)
		         FROM soak.client_events c LEFT JOIN chronicle.event_log l USING (event_id)
		        WHERE c.mark = 'C' AND (l.event_id IS NULL OR l.stream <> c.stream OR l.event_type <> c.event_type)
		        ORDER BY 1 LIMIT 100;}),
		$q->(q{SELECT format('rolled-back event %s (%s to %s) is in the log at position %s', r.event_id, r.event_type, r.stream, l.global_position)
		         FROM soak.client_events r JOIN chronicle.event_log l USING (event_id)
		        WHERE r.mark = 'R' AND NOT EXISTS (SELECT FROM soak.client_events c WHERE c.event_id = r.event_id AND c.mark = 'C')
		        ORDER BY 1 LIMIT 100;}),
		$q->(q{SELECT format('event %s was recorded both committed and rolled back', event_id) FROM soak.client_events
		        GROUP BY event_id HAVING count(*) FILTER (WHERE mark = 'C') > 0 AND count(*) FILTER (WHERE mark = 'R') > 0
		        ORDER BY 1 LIMIT 100;}),
		$q->(q{SELECT format('event %s (%s to %s) at position %s was committed by no client', l.event_id, l.event_type, l.stream, l.global_position)
		         FROM chronicle.event_log l
		        WHERE NOT EXISTS (SELECT FROM soak.client_events c WHERE c.event_id = l.event_id AND c.mark IN ('C', 'U'))
		        ORDER BY l.global_position LIMIT 100;}));

	# 3. Subscribers saw the log, in order, each event once: their n-th event is the log's n-th.
	my %sub_seen;
	for my $sub (@SUBSCRIBERS)
	{
		my $filter = defined $sub->{category} ? "WHERE category = '$sub->{category}'" : '';
		my ($first) = $q->(qq{
		  SELECT format('event %s is %s, the log''s is %s', coalesce(s.n, l.n),
		                coalesce(format('position %s (%s)', s.global_position, s.event_id), 'missing (it stopped)'),
		                coalesce(format('position %s (%s)', l.global_position, l.event_id), 'none (the log has no more)'))
		               || CASE WHEN s.global_position < l.global_position THEN ': a duplicate or out of order'
		                       WHEN s.global_position > l.global_position THEN ': position ' || l.global_position || ' was skipped'
		                       ELSE '' END
		    FROM (SELECT row_number() OVER (ORDER BY global_position) AS n, global_position, event_id
		            FROM chronicle.event_log $filter) l
		    FULL JOIN (SELECT n, global_position, event_id FROM soak.subscriber_events WHERE subscriber = '$sub->{name}') s USING (n)
		   WHERE s.global_position IS DISTINCT FROM l.global_position OR s.event_id IS DISTINCT FROM l.event_id
		   ORDER BY coalesce(s.n, l.n) LIMIT 1;});
		($sub_seen{ $sub->{name} }) = $q->("SELECT count(*) FROM soak.subscriber_events WHERE subscriber = '$sub->{name}';");
		$check->("subscriber $sub->{name} ($sub->{iso}" . (defined $sub->{category} ? ", category $sub->{category}" : '')
			  . "): every event once, in position order", defined $first ? ($first) : ());
	}

	# 4. Aggregate projections equal a fresh fold of every stream.
	for my $p (projections_of(kind => 'aggregate'))
	{
		my $typed = $p->{typed}
		  ? q{ OR p.n IS DISTINCT FROM (p.state->>'n')::bigint OR p.total IS DISTINCT FROM (p.state->>'total')::numeric
		       OR p.status IS DISTINCT FROM p.state->>'status'} : '';
		my $r = $admin->query(qq{
		  SELECT format('%s: row %s, stream %s%s', coalesce(p.stream, s.stream),
		           CASE WHEN p.stream IS NULL THEN 'missing' ELSE 'version ' || p.version END,
		           CASE WHEN s.stream IS NULL THEN 'does not exist' ELSE 'version ' || s.version END,
		           CASE WHEN p.state IS DISTINCT FROM s.folded THEN ', state ' || coalesce(p.state::text, 'none') || ' but fold ' || coalesce(s.folded::text, 'none') ELSE '' END)
		    FROM (SELECT stream, max(stream_version) AS version, chronicle.fold('$p->{aggregate}', stream) AS folded
		            FROM chronicle.event_log WHERE category = '$p->{category}' GROUP BY stream) s
		    FULL JOIN soak.$p->{name} p USING (stream)
		   WHERE p.stream IS NULL OR s.stream IS NULL OR p.version <> s.version OR p.state IS DISTINCT FROM s.folded $typed
		   ORDER BY 1;}, 1800);
		$check->("projection $p->{name} ($p->{mode}): every row equals a fresh fold",
			$r->{ok} ? (map { $_->[0] } @{ $r->{rows} }) : ('query failed: ' . ChronicleSoak::Session::describe($r)));
	}

	# 5. Handler projections counted every matching event once.
	for my $p (projections_of(kind => 'handler'))
	{
		my $filter = join(' AND ', 'true',
			defined $p->{category} ? "category = '$p->{category}'" : (),
			$p->{types} ? 'event_type IN (' . join(',', map {"'$_'"} @{ $p->{types} }) . ')' : ());
		my $r = $admin->query(qq{
		  SELECT format('%s/%s: counted %s (positions summing to %s), the log has %s (%s)',
		                coalesce(l.category, c.category), coalesce(l.event_type, c.event_type),
		                coalesce(c.n, 0), coalesce(c.pos_sum, 0), coalesce(l.n, 0), coalesce(l.pos_sum, 0))
		    FROM (SELECT category, event_type, count(*) AS n, sum(global_position) AS pos_sum
		            FROM chronicle.event_log WHERE $filter GROUP BY 1, 2) l
		    FULL JOIN (SELECT * FROM soak.handler_counts WHERE projection = '$p->{name}') c USING (category, event_type)
		   WHERE l.n IS DISTINCT FROM c.n OR l.pos_sum IS DISTINCT FROM c.pos_sum ORDER BY 1;}, 600);
		$check->("handler projection $p->{name}: counts equal the log's",
			$r->{ok} ? (map { $_->[0] } @{ $r->{rows} }) : ('query failed: ' . ChronicleSoak::Session::describe($r)));
	}

	# 6. The server never crashed by itself (only our kill -9s), never PANICked or hit an Assert.
	my @crash;
	if ($cfg->{server_log} && open(my $sl, '<', $cfg->{server_log}))
	{
		while (<$sl>)
		{
			chomp;
			push @crash, $_ if (/terminated by signal (\d+)/ && $1 != 9) || /\bPANIC:|TRAP:|was terminated by exception/;
		}
	}
	$check->('server log: no crash but the injected ones', @crash);

	# The summary.
	my %stats;
	for my $l (read_lines($cfg, 'S'))
	{
		my ($k, $v) = split / /, $l->[2];
		$stats{$k} += $v;
	}
	my %faults;
	$faults{ (split / /, $_->[2])[1] }++ for read_lines($cfg, 'F');
	my $fault_total = 0;
	$fault_total += $_ for values %faults;
	my @lines;
	push @lines, sprintf('run: %.0f s of load, %d writers, %d subscribers, %d projections (%s)', $load_seconds,
		$cfg->{writers}, scalar(@SUBSCRIBERS), scalar(@PROJECTIONS),
		join(', ', map { "$_->{name} $_->{mode} $_->{kind}" } @PROJECTIONS));
	my ($log_events, $log_streams) = @{ $admin->query(q{SELECT count(*), count(DISTINCT stream) FROM chronicle.event_log;})->{rows}[0] };
	my ($committed, $uncertain, $uncertain_in_log, $rolled_back) = @{ $admin->query(q{
	  SELECT count(*) FILTER (WHERE mark = 'C'), count(*) FILTER (WHERE mark = 'U'),
	         count(*) FILTER (WHERE mark = 'U' AND EXISTS (SELECT FROM chronicle.event_log l WHERE l.event_id = c.event_id)),
	         count(*) FILTER (WHERE mark = 'R')
	    FROM soak.client_events c;})->{rows}[0] };
	push @lines, sprintf('events in the log: %d in %d streams (writers committed %d, %d uncertain at the end of which %d in the log)',
		$log_events, $log_streams, $committed, $uncertain, $uncertain_in_log);
	push @lines, 'writers: ' . join(', ', map { "$_ " . ($stats{$_} // 0) }
		  qw(single batches transactions savepoint_rollbacks whole_rollbacks rollbacks idempotent_retries conflicts uncertain_commits uncertain_resolved reconnects errors));
	push @lines, "events rolled back: $rolled_back";
	push @lines, 'subscribers: ' . join(', ', map { "$_ $sub_seen{$_}" } map { $_->{name} } @SUBSCRIBERS);
	push @lines, 'inline snapshot checks: ' . ($stats{inline_checks} // 0);
	push @lines, "faults: $fault_total (" . join(', ', map { "$_ $faults{$_}" } sort keys %faults) . ')';
	push @lines, sprintf('unexpected errors: %d%s', scalar(@errors), @errors ? ' (' . join(', ', map { my ($st) = $_->[2] =~ /^\S+ \S+ (\S+)/; $st } @errors[0 .. ($#errors < 4 ? $#errors : 4)]) . (@errors > 5 ? ', ...' : '') . ')' : '');
	my $passed = grep { $checks{$_}[0] } keys %checks;
	push @lines, sprintf('checks: %d of %d passed', $passed, scalar(keys %checks));
	push @lines, map { sprintf('  %-4s %s%s', $checks{$_}[0] ? 'ok' : 'FAIL', $_, $checks{$_}[0] ? '' : " ($checks{$_}[1])") } sort keys %checks;
	return (\%checks, join("\n", @lines) . "\n");
}

1;
