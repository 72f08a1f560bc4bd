-- wait_for_projection in a transaction that appended: it fails at once with CH004 (its own
-- events cannot be applied before it commits, and its position holds the projection back),
-- except for an inline projection, which is current with them. After COMMIT it waits as
-- usual. (Issue 10, defect 8: it used to return true, the caller's events not applied.)
\set SHOW_CONTEXT never
\set VERBOSITY default

SELECT chronicle.define_aggregate('pwait_count', $${
  "initial": {"n": 0}, "on": {"E": [{"count": "n"}]}}$$, category => 'pwait');
SELECT chronicle.create_projection('pwait_async', 'pwait_count');
SELECT chronicle.create_projection('pwait_inline', 'pwait_count', mode => 'inline');
SELECT chronicle.append('pwait-1', 'E', '{}');
SELECT chronicle.wait_for_projection('pwait_async', '30 seconds');

BEGIN;
SELECT chronicle.append('pwait-1', 'E', '{}');
SELECT chronicle.wait_for_projection('pwait_async', '30 seconds');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- An inline projection already holds the transaction's own events.
BEGIN;
SELECT chronicle.append('pwait-1', 'E', '{}');
SELECT chronicle.wait_for_projection('pwait_inline');
SELECT version, state FROM pwait_inline WHERE stream = 'pwait-1';
COMMIT;

-- A savepoint rolled back still leaves the transaction holding its position: refused too.
BEGIN;
SAVEPOINT s;
SELECT chronicle.append('pwait-2', 'E', '{}');
ROLLBACK TO SAVEPOINT s;
SELECT chronicle.wait_for_projection('pwait_async', '0');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- A transaction that only reads waits as before, and after COMMIT the appender's events count.
BEGIN;
SELECT chronicle.wait_for_projection('pwait_async', '30 seconds');
COMMIT;
SELECT version, state FROM pwait_async WHERE stream = 'pwait-1';

SELECT chronicle.drop_projection('pwait_async');
SELECT chronicle.drop_projection('pwait_inline');
SELECT chronicle.drop_aggregate('pwait_count');
