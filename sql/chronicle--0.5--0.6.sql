-- chronicle 0.5 -> 0.6
\echo Use "ALTER EXTENSION chronicle UPDATE TO '0.6'" to load this file. \quit

-- projsql: the projection feature in one language at run time ------------------------------
-- The worker and inline appends build the statements of a projection table in C++
-- (src/core/projection_sql.cpp) and swap a rebuild's rows in C++: nothing asks PL/pgSQL for
-- SQL text any more. Dropping the old helpers also takes the last two internal functions
-- PUBLIC could execute for projections out of its reach.
DROP FUNCTION chronicle._projection_statements(regclass, jsonb);
DROP FUNCTION chronicle._projection_swap(regclass, regclass, jsonb);
-- The worker drops a finished rebuild's table with the same C code (one check: only the
-- rebuild tables chronicle made). OR REPLACE keeps its ACL (nothing for PUBLIC).
CREATE OR REPLACE FUNCTION chronicle._drop_rebuild_table(projection_name text, rebuild regclass)
    RETURNS void AS 'MODULE_PATHNAME', 'chronicle_drop_rebuild_table' LANGUAGE C VOLATILE;
-- end projsql ------------------------------------------------------------------------------
