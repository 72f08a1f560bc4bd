# A fresh CREATE EXTENSION (chronicle--0.6.sql, the complete script) and the upgrade chain
# from 0.1 give the same catalog: every object of the extension, compared by name with its
# definition, privileges and comment. Also: the library serves a database still at 0.5.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('install_equals_upgrade');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'chronicle'\n");
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('postgres', 'CREATE DATABASE chain');
$node->safe_psql('fresh', 'CREATE EXTENSION chronicle');
$node->safe_psql('chain', q{CREATE EXTENSION chronicle VERSION '0.1'});
$node->safe_psql('chain', 'ALTER EXTENSION chronicle UPDATE');

# One line per object and property, sorted: the members of the extension (pg_depend 'e'),
# the columns, constraints, indexes and triggers of its relations, its schemas and its
# extconfig. Function bodies are compared by md5 and length (a differing body is named).
my $describe = <<'SQL';
WITH ext AS (SELECT oid, extconfig, extcondition FROM pg_extension WHERE extname = 'chronicle'),
members AS (
    SELECT d.classid, d.objid FROM pg_depend d, ext
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
rels AS (SELECT c.oid FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid)
SELECT line FROM (
  SELECT format('extension version=%s relocatable=%s schema=%s', x.extversion, x.extrelocatable,
         x.extnamespace::regnamespace) AS line
    FROM pg_extension x WHERE x.extname = 'chronicle'
  UNION ALL
  -- functions
  SELECT format('function %s.%s(%s) returns %s | lang=%s | src=%s | bin=%s | config=%s | secdef=%s | vol=%s | strict=%s | parallel=%s | rows=%s | cost=%s | owner_is_ext=%s | acl=%s | comment=%s',
         n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), pg_get_function_result(p.oid),
         l.lanname, md5(p.prosrc) || ':' || length(p.prosrc), p.probin, p.proconfig, p.prosecdef, p.provolatile,
         p.proisstrict, p.proparallel, p.prorows, p.procost,
         p.proowner = (SELECT extowner FROM pg_extension WHERE extname = 'chronicle'),
         p.proacl, obj_description(p.oid, 'pg_proc')) ||
         format(' | args=%s', pg_get_function_arguments(p.oid))
    FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
    JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
  UNION ALL
  -- relations
  SELECT format('relation %s kind=%s persistence=%s acl=%s comment=%s options=%s',
         c.oid::regclass, c.relkind, c.relpersistence, c.relacl, obj_description(c.oid, 'pg_class'), c.reloptions)
    FROM pg_class c JOIN rels r ON r.oid = c.oid
  UNION ALL
  SELECT format('column %s.%s #%s type=%s collation=%s notnull=%s default=%s identity=%s generated=%s acl=%s comment=%s',
         a.attrelid::regclass, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.attcollation::regcollation,
         a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated, a.attacl,
         col_description(a.attrelid, a.attnum))
    FROM pg_attribute a JOIN rels r ON r.oid = a.attrelid
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
   WHERE a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT format('constraint %s on %s: %s deferrable=%s comment=%s', co.conname, co.conrelid::regclass,
         pg_get_constraintdef(co.oid), co.condeferrable, obj_description(co.oid, 'pg_constraint'))
    FROM pg_constraint co JOIN rels r ON r.oid = co.conrelid
  UNION ALL
  SELECT format('index %s: %s comment=%s', i.indexrelid::regclass, pg_get_indexdef(i.indexrelid),
         obj_description(i.indexrelid, 'pg_class'))
    FROM pg_index i JOIN rels r ON r.oid = i.indrelid
  UNION ALL
  SELECT format('view %s: %s', c.oid::regclass, pg_get_viewdef(c.oid))
    FROM pg_class c JOIN rels r ON r.oid = c.oid WHERE c.relkind IN ('v', 'm')
  UNION ALL
  SELECT format('sequence %s: type=%s start=%s inc=%s max=%s min=%s cache=%s cycle=%s owned_by=%s',
         s.seqrelid::regclass, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmax, s.seqmin,
         s.seqcache, s.seqcycle,
         (SELECT d.refobjid::regclass || '.' || d.refobjsubid FROM pg_depend d
           WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid AND d.deptype = 'a'
             AND d.refclassid = 'pg_class'::regclass))
    FROM pg_sequence s JOIN rels r ON r.oid = s.seqrelid
  UNION ALL
  SELECT format('trigger %s enabled=%s: %s', t.tgname, t.tgenabled, pg_get_triggerdef(t.oid))
    FROM pg_trigger t JOIN rels r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal
  UNION ALL
  SELECT format('type %s kind=%s comment=%s', t.oid::regtype, t.typtype, obj_description(t.oid, 'pg_type'))
    FROM pg_type t JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
  UNION ALL
  SELECT format('type attribute %s.%s #%s type=%s comment=%s', t.oid::regtype, a.attname, a.attnum,
         format_type(a.atttypid, a.atttypmod), col_description(t.typrelid, a.attnum))
    FROM pg_type t JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
    JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0
  UNION ALL
  SELECT format('schema %s owner_is_ext=%s acl=%s comment=%s member=%s', n.nspname,
         n.nspowner = (SELECT extowner FROM pg_extension WHERE extname = 'chronicle'), n.nspacl,
         obj_description(n.oid, 'pg_namespace'),
         EXISTS (SELECT 1 FROM members m WHERE m.classid = 'pg_namespace'::regclass AND m.objid = n.oid))
    FROM pg_namespace n
   WHERE n.oid IN (SELECT objid FROM members WHERE classid = 'pg_namespace'::regclass)
      OR n.oid = (SELECT extnamespace FROM pg_extension WHERE extname = 'chronicle')
  UNION ALL
  SELECT format('event trigger %s on %s tags=%s enabled=%s function=%s', e.evtname, e.evtevent, e.evttags,
         e.evtenabled, e.evtfoid::regprocedure)
    FROM pg_event_trigger e JOIN members m ON m.classid = 'pg_event_trigger'::regclass AND m.objid = e.oid
  UNION ALL
  SELECT format('extconfig #%s %s condition=%s', c.n, c.cfg::regclass, c.cond)
    FROM ext, unnest(ext.extconfig, ext.extcondition) WITH ORDINALITY AS c(cfg, cond, n)
  UNION ALL
  SELECT format('member of other class %s: %s', m.classid::regclass, pg_describe_object(m.classid, m.objid, 0))
    FROM members m
   WHERE m.classid NOT IN ('pg_proc'::regclass, 'pg_class'::regclass, 'pg_type'::regclass,
                           'pg_namespace'::regclass, 'pg_event_trigger'::regclass)
) lines
ORDER BY line COLLATE "C";
SQL

my @fresh = split /\n/, $node->safe_psql('fresh', $describe);
my @chain = split /\n/, $node->safe_psql('chain', $describe);
my %in_fresh = map { $_ => 1 } @fresh;
my %in_chain = map { $_ => 1 } @chain;
my @only_fresh = grep { !$in_chain{$_} } @fresh;
my @only_chain = grep { !$in_fresh{$_} } @chain;
ok(scalar(@fresh) > 250, 'the description lists the catalog (' . scalar(@fresh) . ' lines)');
is(scalar(@only_fresh) + scalar(@only_chain), 0,
	'a fresh install and the upgrade chain give the same catalog')
  or diag(join("\n",
		'only in the fresh install:', (map { "  $_" } @only_fresh),
		'only after the upgrade chain:', (map { "  $_" } @only_chain)));

# \df chronicle.* shows only the public API; every object has a comment.
is( $node->safe_psql(
		'fresh', q{
	SELECT string_agg(p.proname, ',' ORDER BY p.proname) FROM pg_proc p
	 WHERE p.pronamespace = 'chronicle'::regnamespace AND p.proname LIKE '\_%'}),
	'', 'no internal function in schema chronicle');
is( $node->safe_psql(
		'fresh', q{
	SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY 1) FROM pg_proc p
	 WHERE p.pronamespace IN ('chronicle'::regnamespace, 'chronicle_internal'::regnamespace)
	   AND (obj_description(p.oid, 'pg_proc') IS NULL
	        OR (p.pronamespace = 'chronicle_internal'::regnamespace)
	           <> (obj_description(p.oid, 'pg_proc') LIKE 'internal: %'))}),
	'', 'every function has a comment, internal ones starting "internal:"');

# A schema chronicle_internal made by someone else makes CREATE EXTENSION fail.
$node->safe_psql('postgres', 'CREATE DATABASE squatted');
$node->safe_psql('squatted', 'CREATE SCHEMA chronicle_internal');
my ($rc, $out, $err) = $node->psql('squatted', 'CREATE EXTENSION chronicle');
isnt($rc, 0, 'CREATE EXTENSION fails over a squatted chronicle_internal');
like($err, qr/schema "chronicle_internal" already exists/, '... with PostgreSQL\'s error');

# The new library with a database not yet updated (0.5): the management functions find their
# internal steps in schema chronicle.
$node->safe_psql('postgres', 'CREATE DATABASE old');
$node->safe_psql('old', q{CREATE EXTENSION chronicle VERSION '0.5'});
is( $node->safe_psql(
		'old', q{
	SELECT chronicle.define_aggregate('n', '{"initial": {"n": 0}, "on": {"E": [{"add": "n", "value": 1}]}}',
	                                  'old');
	SELECT chronicle.append('old-1', 'E', '{}');
	SELECT chronicle.create_projection('old_n', 'n', mode => 'inline');
	SELECT chronicle.append('old-1', 'E', '{}');
	SELECT chronicle.pause_projection('old_n');
	SELECT chronicle.drop_projection('old_n');
	SELECT count(*) FROM chronicle.projections}),
	"\n1\nold_n\n2\n\n\n0", 'management functions work on a database still at 0.5');

# In that database a role that may create schemas makes its own chronicle_internal with a
# look-alike internal step: the management functions must not call it (they use only the
# extension's own schema), nor may ALTER EXTENSION UPDATE adopt it.
$node->safe_psql('old', q{
	CREATE ROLE squatter LOGIN;
	GRANT CREATE ON DATABASE old TO squatter;
	GRANT EXECUTE ON FUNCTION chronicle.create_projection(text, text, text, text, jsonb, text),
	                          chronicle.pause_projection(text) TO squatter;
	GRANT USAGE ON SCHEMA chronicle TO squatter});
$node->safe_psql('old', q{
	SET ROLE squatter;
	CREATE SCHEMA chronicle_internal;
	CREATE FUNCTION chronicle_internal._pause_projection(caller regrole, caller_path text, name text)
	    RETURNS void LANGUAGE sql AS 'CREATE TABLE public.squatter_ran ()';
	GRANT USAGE ON SCHEMA chronicle_internal TO PUBLIC});
$node->safe_psql('old', q{SELECT chronicle.create_projection('old_m', 'n', mode => 'inline')});
$node->safe_psql('old', q{SELECT chronicle.pause_projection('old_m')});
is( $node->safe_psql(
		'old', q{
	SELECT (SELECT state FROM chronicle.projections WHERE name = 'old_m'),
	       to_regclass('public.squatter_ran') IS NULL}),
	'paused|t', 'a squatted chronicle_internal receives no management call (the real step ran)');
($rc, $out, $err) = $node->psql('old', 'ALTER EXTENSION chronicle UPDATE');
isnt($rc, 0, 'ALTER EXTENSION UPDATE fails over a squatted chronicle_internal');

$node->stop;
done_testing();
