-- What a user sees of chronicle in psql: \df chronicle.* lists only the public API, and
-- \dd, \d+ and SHOW ALL describe every public function, table, view, sequence, type and
-- setting (issue 11). A new object without a COMMENT fails here.

-- The public API: every function in schema chronicle, and none of them internal.
SELECT p.oid::regprocedure AS public_function
  FROM pg_proc p WHERE p.pronamespace = 'chronicle'::regnamespace
 ORDER BY p.oid::regprocedure::text;

-- Objects of the extension without a comment (none).
SELECT pg_describe_object(d.classid, d.objid, 0) AS without_comment
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'chronicle')
   AND d.deptype = 'e'
   AND d.classid IN ('pg_proc'::regclass, 'pg_class'::regclass, 'pg_type'::regclass,
                     'pg_namespace'::regclass)
   AND NOT (d.classid = 'pg_type'::regclass
            AND EXISTS (SELECT FROM pg_type t WHERE t.oid = d.objid AND t.typrelid <> 0
                        AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) <> 'c'))
   AND NOT (d.classid = 'pg_type'::regclass
            AND EXISTS (SELECT FROM pg_type t WHERE t.oid = d.objid AND t.typelem <> 0
                        AND t.typcategory = 'A'))
   AND obj_description(d.objid, (SELECT relname FROM pg_class WHERE oid = d.classid)) IS NULL
 ORDER BY 1;

-- Internal functions say so at the start of their comment; public ones do not.
SELECT p.oid::regprocedure AS misdescribed
  FROM pg_proc p
 WHERE p.pronamespace IN ('chronicle'::regnamespace, 'chronicle_internal'::regnamespace)
   AND (obj_description(p.oid, 'pg_proc') LIKE 'internal:%')
       <> (p.pronamespace = 'chronicle_internal'::regnamespace)
 ORDER BY p.oid::regprocedure::text;

-- Every setting has a description (the library is preloaded, so all are defined).
SELECT name, short_desc <> '' AS described, context
  FROM pg_settings WHERE name LIKE 'chronicle.%' ORDER BY name;
