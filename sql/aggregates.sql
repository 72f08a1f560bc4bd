-- Aggregates: define / redefine / drop; fold now, at a version and as of a time; history;
-- every operation of the declarative language, checked against states computed by hand.
-- Event times are read back from chronicle.events (recorded_at is the appending
-- transaction's start time), never waited for.
\set SHOW_CONTEXT never

-- Compares a fold or history result with a hand-written state, scale of numbers included
-- (jsonb's = says 25 = 25.00; the text does not).
CREATE FUNCTION pg_temp.same(actual jsonb, expected jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$ SELECT actual::text IS NOT DISTINCT FROM expected::text $$;

------------------------------------------------------------------------------------------
-- define, redefine, drop
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('basic', '{"initial": {"n": 0}, "on": {"E": [{"count": "n"}]}}');
-- Defaults: no category, a snapshot every 100 events; a declarative aggregate has no reducer.
SELECT name, definition, category, snapshot_every, reducer
  FROM chronicle.aggregates WHERE name = 'basic';
SELECT revision AS basic_rev1 FROM chronicle.aggregates WHERE name = 'basic' \gset
SELECT chronicle.append('basic-1', 'E', '{}');
SELECT chronicle.append('basic-1', 'Other', '{}');
SELECT chronicle.fold('basic', 'basic-1');
-- Redefining replaces definition, category and interval, under a new revision.
SELECT chronicle.define_aggregate('basic', '{"initial": {"n": 100}, "on": {"E": [{"count": "n"}], "Other": [{"count": "n"}]}}',
                                  category => 'basic', snapshot_every => 5);
SELECT name, definition, category, snapshot_every, revision > :basic_rev1 AS new_revision
  FROM chronicle.aggregates WHERE name = 'basic';
SELECT chronicle.fold('basic', 'basic-1');
-- Without "initial" the state starts as {}; an event without operations leaves it as it is
-- (but the stream has an event, so the fold is not NULL).
SELECT chronicle.define_aggregate('no_initial', '{"on": {"Nothing": []}}');
SELECT chronicle.fold('no_initial', 'basic-1');
-- drop: gone from the catalog, folding it is an error, and the name can be defined again.
SELECT chronicle.drop_aggregate('basic');
SELECT count(*) AS basic_rows FROM chronicle.aggregates WHERE name = 'basic';
SELECT chronicle.fold('basic', 'basic-1');
\echo :LAST_ERROR_SQLSTATE
SELECT chronicle.define_aggregate('basic', '{"initial": {"n": -1}, "on": {"E": [{"count": "n"}]}}');
SELECT chronicle.fold('basic', 'basic-1');
SELECT chronicle.drop_aggregate('basic');
SELECT chronicle.drop_aggregate('no_initial');

------------------------------------------------------------------------------------------
-- The order aggregate
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('order', '{
  "initial": {"status": "NEW", "total": 0, "lines": {}, "itemCount": 0},
  "on": {
    "OrderCreated":   [{"set": "status", "value": "OPEN"},
                       {"set": "customer", "from": "customer"}],
    "ItemAdded":      [{"put": "lines", "key": {"from": "sku"}, "from": ""},
                       {"add": "total", "from": "price"},
                       {"count": "itemCount"}],
    "OrderPaid":      [{"set": "status", "value": "PAID"},
                       {"set": "paid", "from": "amount"}],
    "OrderShipped":   [{"set": "status", "value": "SHIPPED"},
                       {"set": "tracking", "from": "tracking", "default": "unknown"}],
    "OrderCancelled": [{"set": "status", "value": "CANCELLED"},
                       {"set": "reason", "from": "reason"}]
  }}', category => 'order', snapshot_every => 0);

-- One statement, one transaction, one recorded_at per event.
SELECT chronicle.append('order-1', 'OrderCreated', '{"customer": "c-7"}');
SELECT chronicle.append('order-1', 'ItemAdded', '{"sku": "apple", "price": 19.99}');
SELECT chronicle.append('order-1', 'ItemAdded', '{"sku": "pear", "price": 5.01}');
SELECT chronicle.append('order-1', 'OrderPaid', '{"amount": 25.00}');
SELECT chronicle.append('order-1', 'OrderShipped', '{}');
SELECT chronicle.append('order-2', 'OrderCreated', '{"customer": "c-8"}');
SELECT chronicle.append('order-2', 'ItemAdded', '{"sku": "fig", "price": 0.10}');
SELECT chronicle.append('order-2', 'OrderCancelled', '{"reason": "changed mind"}');

SELECT max(recorded_at) FILTER (WHERE stream_version = 1) AS o1_t1,
       max(recorded_at) FILTER (WHERE stream_version = 2) AS o1_t2,
       max(recorded_at) FILTER (WHERE stream_version = 3) AS o1_t3,
       max(recorded_at) FILTER (WHERE stream_version = 4) AS o1_t4,
       max(recorded_at) FILTER (WHERE stream_version = 5) AS o1_t5
  FROM chronicle.events WHERE stream = 'order-1' \gset
-- Distinct, increasing times: the as_of tests below rely on it.
SELECT :'o1_t1'::timestamptz < :'o1_t2' AND :'o1_t2'::timestamptz < :'o1_t3'
   AND :'o1_t3'::timestamptz < :'o1_t4' AND :'o1_t4'::timestamptz < :'o1_t5' AS increasing;

-- The states after each event, computed by hand.
CREATE TEMP TABLE order1_expected (v bigint, state jsonb);
INSERT INTO order1_expected VALUES
  (1, '{"status": "OPEN", "total": 0, "lines": {}, "itemCount": 0, "customer": "c-7"}'),
  (2, '{"status": "OPEN", "total": 19.99, "lines": {"apple": {"sku": "apple", "price": 19.99}},
        "itemCount": 1, "customer": "c-7"}'),
  (3, '{"status": "OPEN", "total": 25.00, "lines": {"apple": {"sku": "apple", "price": 19.99},
        "pear": {"sku": "pear", "price": 5.01}}, "itemCount": 2, "customer": "c-7"}'),
  (4, '{"status": "PAID", "total": 25.00, "lines": {"apple": {"sku": "apple", "price": 19.99},
        "pear": {"sku": "pear", "price": 5.01}}, "itemCount": 2, "customer": "c-7", "paid": 25.00}'),
  (5, '{"status": "SHIPPED", "total": 25.00, "lines": {"apple": {"sku": "apple", "price": 19.99},
        "pear": {"sku": "pear", "price": 5.01}}, "itemCount": 2, "customer": "c-7", "paid": 25.00,
        "tracking": "unknown"}');

-- Now.
SELECT chronicle.fold('order', 'order-1');
SELECT pg_temp.same(chronicle.fold('order', 'order-1'), state) AS now_ok FROM order1_expected WHERE v = 5;
SELECT chronicle.fold('order', 'order-2');
SELECT pg_temp.same(chronicle.fold('order', 'order-2'),
       '{"status": "CANCELLED", "total": 0.10, "lines": {"fig": {"sku": "fig", "price": 0.10}},
         "itemCount": 1, "customer": "c-8", "reason": "changed mind"}') AS now_ok;

-- history: every state in version order, with the event's type and time.
SELECT h.stream_version, h.event_type, h.recorded_at = e.recorded_at AS time_ok,
       pg_temp.same(h.state, x.state) AS state_ok
  FROM chronicle.history('order', 'order-1') h
  FULL JOIN order1_expected x ON x.v = h.stream_version
  LEFT JOIN chronicle.events e ON e.stream = 'order-1' AND e.stream_version = h.stream_version
 ORDER BY coalesce(h.stream_version, x.v);
SELECT stream_version, state FROM chronicle.history('order', 'order-2');

-- at_version: 0 is before the first event, beyond the end there is no such state.
SELECT v AS at_version, chronicle.fold('order', 'order-1', at_version => v) AS state
  FROM (VALUES (0), (1), (3), (5), (6), (1000)) t(v) ORDER BY v;
-- The largest bigint is beyond the end as well.
SELECT chronicle.fold('order', 'order-1', at_version => 9223372036854775807) IS NULL AS beyond_max_bigint;
SELECT bool_and(pg_temp.same(chronicle.fold('order', 'order-1', at_version => x.v), x.state))
       AS every_version_ok
  FROM order1_expected x;

-- as_of: the state after the last event recorded at or before the time.
SELECT chronicle.fold('order', 'order-1', as_of => :'o1_t1'::timestamptz - interval '1 microsecond') AS before_first;
SELECT pg_temp.same(chronicle.fold('order', 'order-1', as_of => :'o1_t1'), state) AS at_t1
  FROM order1_expected WHERE v = 1;
SELECT pg_temp.same(chronicle.fold('order', 'order-1', as_of => :'o1_t3'::timestamptz - interval '1 microsecond'), state)
       AS between_t2_and_t3
  FROM order1_expected WHERE v = 2;
SELECT pg_temp.same(chronicle.fold('order', 'order-1', as_of => :'o1_t3'), state) AS at_t3
  FROM order1_expected WHERE v = 3;
SELECT pg_temp.same(chronicle.fold('order', 'order-1', as_of => :'o1_t5'), state) AS at_t5,
       pg_temp.same(chronicle.fold('order', 'order-1', as_of => :'o1_t5'::timestamptz + interval '1 hour'), state) AS after_last,
       pg_temp.same(chronicle.fold('order', 'order-1', as_of => 'infinity'), state) AS at_infinity
  FROM order1_expected WHERE v = 5;
SELECT chronicle.fold('order', 'order-1', as_of => '-infinity') AS at_minus_infinity;
-- Every event's own time gives the state after that event.
SELECT bool_and(pg_temp.same(chronicle.fold('order', 'order-1', as_of => e.recorded_at), x.state)) AS as_of_each_ok
  FROM chronicle.events e JOIN order1_expected x ON x.v = e.stream_version
 WHERE e.stream = 'order-1';
-- as_of and at_version together: both bounds hold.
SELECT pg_temp.same(chronicle.fold('order', 'order-1', as_of => :'o1_t4', at_version => 2), state) AS version_bound
  FROM order1_expected WHERE v = 2;
SELECT pg_temp.same(chronicle.fold('order', 'order-1', as_of => :'o1_t2', at_version => 4), state) AS time_bound
  FROM order1_expected WHERE v = 2;
SELECT chronicle.fold('order', 'order-1', as_of => :'o1_t1'::timestamptz - interval '1 microsecond', at_version => 3)
       AS before_first_with_version;

-- Streams that do not exist: NULL, whatever the bounds; history has no rows.
SELECT chronicle.fold('order', 'order-404') IS NULL AS absent,
       chronicle.fold('order', 'order-404', at_version => 1) IS NULL AS absent_at_version,
       chronicle.fold('order', 'order-404', as_of => now()) IS NULL AS absent_as_of;
SELECT count(*) AS history_rows FROM chronicle.history('order', 'order-404');

-- A stream outside the aggregate's category folds all the same.
SELECT chronicle.append('archive-9', 'OrderCreated', '{"customer": "c-9"}');
SELECT chronicle.append('archive-9', 'ItemAdded', '{"sku": "kiwi", "price": 1.5}');
SELECT chronicle.fold('order', 'archive-9');
SELECT stream_version, state FROM chronicle.history('order', 'archive-9');

-- Events appended earlier in the same transaction are folded; a rollback forgets them.
BEGIN;
SELECT chronicle.append('order-1', 'OrderCancelled', '{"reason": "late"}');
SELECT chronicle.fold('order', 'order-1')->>'status' AS status_in_transaction,
       chronicle.fold('order', 'order-1')->>'reason' AS reason_in_transaction;
SELECT count(*) AS history_rows FROM chronicle.history('order', 'order-1');
ROLLBACK;
SELECT chronicle.fold('order', 'order-1')->>'status' AS status_after_rollback;

-- Several events of one transaction share their recorded_at: as_of that time sees all of them.
BEGIN;
SELECT chronicle.append('order-3', 'OrderCreated', '{"customer": "c-3"}');
SELECT chronicle.append('order-3', 'ItemAdded', '{"sku": "plum", "price": 2}');
COMMIT;
SELECT chronicle.append('order-3', 'OrderPaid', '{"amount": 2}');
SELECT recorded_at AS o3_t1 FROM chronicle.events WHERE stream = 'order-3' AND stream_version = 1 \gset
SELECT count(DISTINCT recorded_at) AS distinct_times FROM chronicle.events WHERE stream = 'order-3';
SELECT chronicle.fold('order', 'order-3', as_of => :'o3_t1');

------------------------------------------------------------------------------------------
-- Numbers: add, subtract, count, min, max; exact decimals
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('numbers', '{
  "initial": {"total": 0, "debt": 10, "events": 0},
  "on": {"N": [{"add": "total", "from": "x"},
               {"subtract": "debt", "from": "x"},
               {"count": "events"},
               {"min": "low", "from": "x"},
               {"max": "high", "from": "x"},
               {"add": "withDefault", "from": "x", "default": 1},
               {"add": "versions", "event": "version"},
               {"subtract": "literal", "value": 0.5}]}}');
SELECT chronicle.append('numbers-1', 'N', '{"x": 19.99}');
SELECT chronicle.append('numbers-1', 'N', '{"x": 5.01}');
SELECT chronicle.append('numbers-1', 'N', '{"x": -3}');
SELECT chronicle.append('numbers-1', 'N', '{"x": 1e2}');
SELECT chronicle.append('numbers-1', 'N', '{"y": 1}');
SELECT chronicle.append('numbers-1', 'N', '{"x": 0.001}');
SELECT stream_version, state FROM chronicle.history('numbers', 'numbers-1');
SELECT h.stream_version, pg_temp.same(h.state, x.state) AS ok
  FROM chronicle.history('numbers', 'numbers-1') h FULL JOIN (VALUES
  (1, '{"total": 19.99, "debt": -9.99, "events": 1, "low": 19.99, "high": 19.99, "withDefault": 19.99,
        "versions": 1, "literal": -0.5}'::jsonb),
  (2, '{"total": 25.00, "debt": -15.00, "events": 2, "low": 5.01, "high": 19.99, "withDefault": 25.00,
        "versions": 3, "literal": -1.0}'),
  (3, '{"total": 22.00, "debt": -12.00, "events": 3, "low": -3, "high": 19.99, "withDefault": 22.00,
        "versions": 6, "literal": -1.5}'),
  (4, '{"total": 122.00, "debt": -112.00, "events": 4, "low": -3, "high": 100, "withDefault": 122.00,
        "versions": 10, "literal": -2.0}'),
  (5, '{"total": 122.00, "debt": -112.00, "events": 5, "low": -3, "high": 100, "withDefault": 123.00,
        "versions": 15, "literal": -2.5}'),
  (6, '{"total": 122.001, "debt": -112.001, "events": 6, "low": -3, "high": 100, "withDefault": 123.001,
        "versions": 21, "literal": -3.0}')
  ) x(v, state) ON x.v = h.stream_version ORDER BY 1;
-- The same sums in numeric arithmetic: no binary floating point anywhere.
SELECT (chronicle.fold('numbers', 'numbers-1')->>'total')::numeric = sum((data->>'x')::numeric) AS sum_matches,
       chronicle.fold('numbers', 'numbers-1')->'total' AS total, sum((data->>'x')::numeric) AS sql_sum
  FROM chronicle.events WHERE stream = 'numbers-1';
-- Big and tiny numbers stay exact.
SELECT chronicle.append('numbers-2', 'N', '{"x": 99999999999999999999999999.000000000000000000000001}');
SELECT chronicle.append('numbers-2', 'N', '{"x": 0.000000000000000000000009}');
SELECT chronicle.fold('numbers', 'numbers-2')->'total' AS total,
       chronicle.fold('numbers', 'numbers-2')->'debt' AS debt,
       chronicle.fold('numbers', 'numbers-2')->'low' AS low;

-- min and max on strings compare bytewise (code points), whatever the collation.
SELECT chronicle.define_aggregate('names', '{
  "on": {"Named": [{"min": "first", "from": "name"}, {"max": "last", "from": "name"},
                   {"min": "firstNumber", "from": "n"}, {"max": "lastNumber", "from": "n"}]}}');
SELECT chronicle.append('names-1', 'Named', '{"name": "pear", "n": 10}');
SELECT chronicle.append('names-1', 'Named', '{"name": "apple", "n": 9.5}');
SELECT chronicle.append('names-1', 'Named', '{"name": "zucchini", "n": 10.00}');
SELECT chronicle.append('names-1', 'Named', '{"name": "Banana", "n": -0.5}');
SELECT chronicle.append('names-1', 'Named', '{}');
SELECT stream_version, state FROM chronicle.history('names', 'names-1');

------------------------------------------------------------------------------------------
-- set, unset, merge (RFC 7396), append; dotted and array paths
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('shapes', '{
  "initial": {"profile": {"name": "A", "tags": ["x"], "address": {"city": "Oslo", "zip": "0150"}},
              "log": []},
  "on": {
    "Patched": [{"merge": "profile", "from": "patch"}],
    "Logged":  [{"append": "log", "from": "entry"}],
    "Cleared": [{"unset": "profile.address"}, {"unset": "log.0"}, {"unset": "nothing.here"},
                {"unset": "log.-1"}],
    "Set":     [{"set": "a.b.c", "from": "v"},
                {"set": ["odd.key"], "value": true},
                {"set": "literal", "value": {"nested": [1, 2]}},
                {"set": "explicitNull", "value": null},
                {"set": "fromArray", "from": "list.1"},
                {"set": "fromArrayEnd", "from": "list.-1"},
                {"set": "fromOddKey", "from": ["odd.key", "inner"]},
                {"set": "nullFromData", "from": "nothing", "default": "dflt"},
                {"set": "presentNull", "from": "isNull", "default": "dflt"},
                {"set": "whole", "from": ""}],
    "Rooted":  [{"merge": "", "from": ""}]
  }}');
SELECT chronicle.append('shapes-1', 'Patched',
       '{"patch": {"name": "B", "tags": null, "address": {"zip": null, "street": "Main"}, "new": {"a": null, "b": 1}}}');
SELECT chronicle.append('shapes-1', 'Logged', '{"entry": "first"}');
SELECT chronicle.append('shapes-1', 'Logged', '{"entry": {"k": 1}}');
SELECT chronicle.append('shapes-1', 'Logged', '{"entry": [3]}');
SELECT chronicle.append('shapes-1', 'Cleared', '{}');
SELECT chronicle.append('shapes-1', 'Logged', '{"other": 1}');
SELECT chronicle.append('shapes-1', 'Set',
       '{"v": 7, "list": ["l0", "l1", "l2"], "odd.key": {"inner": "dotted"}, "isNull": null}');
SELECT chronicle.append('shapes-1', 'Rooted', '{"log": null, "profile": {"name": null}, "added": [1]}');
SELECT chronicle.append('shapes-1', 'Patched', '{"patch": "replaced"}');
SELECT stream_version, event_type, state FROM chronicle.history('shapes', 'shapes-1');
SELECT h.stream_version, pg_temp.same(h.state, x.state) AS ok
  FROM chronicle.history('shapes', 'shapes-1') h FULL JOIN (VALUES
  (1, '{"profile": {"name": "B", "address": {"city": "Oslo", "street": "Main"}, "new": {"b": 1}}, "log": []}'::jsonb),
  (2, '{"profile": {"name": "B", "address": {"city": "Oslo", "street": "Main"}, "new": {"b": 1}}, "log": ["first"]}'),
  (3, '{"profile": {"name": "B", "address": {"city": "Oslo", "street": "Main"}, "new": {"b": 1}},
        "log": ["first", {"k": 1}]}'),
  (4, '{"profile": {"name": "B", "address": {"city": "Oslo", "street": "Main"}, "new": {"b": 1}},
        "log": ["first", {"k": 1}, [3]]}'),
  (5, '{"profile": {"name": "B", "new": {"b": 1}}, "log": [{"k": 1}]}'),
  (6, '{"profile": {"name": "B", "new": {"b": 1}}, "log": [{"k": 1}]}'),
  (7, '{"profile": {"name": "B", "new": {"b": 1}}, "log": [{"k": 1}], "a": {"b": {"c": 7}}, "odd.key": true,
        "literal": {"nested": [1, 2]}, "explicitNull": null, "fromArray": "l1", "fromArrayEnd": "l2",
        "fromOddKey": "dotted", "nullFromData": "dflt", "presentNull": null,
        "whole": {"v": 7, "list": ["l0", "l1", "l2"], "odd.key": {"inner": "dotted"}, "isNull": null}}'),
  (8, '{"profile": {"new": {"b": 1}}, "a": {"b": {"c": 7}}, "odd.key": true,
        "literal": {"nested": [1, 2]}, "explicitNull": null, "fromArray": "l1", "fromArrayEnd": "l2",
        "fromOddKey": "dotted", "nullFromData": "dflt", "presentNull": null,
        "whole": {"v": 7, "list": ["l0", "l1", "l2"], "odd.key": {"inner": "dotted"}, "isNull": null},
        "added": [1]}'),
  (9, '{"profile": "replaced", "a": {"b": {"c": 7}}, "odd.key": true,
        "literal": {"nested": [1, 2]}, "explicitNull": null, "fromArray": "l1", "fromArrayEnd": "l2",
        "fromOddKey": "dotted", "nullFromData": "dflt", "presentNull": null,
        "whole": {"v": 7, "list": ["l0", "l1", "l2"], "odd.key": {"inner": "dotted"}, "isNull": null},
        "added": [1]}')
  ) x(v, state) ON x.v = h.stream_version ORDER BY 1;

------------------------------------------------------------------------------------------
-- put / remove keyed by a value; dynamic path segments
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('keyed', '{
  "initial": {"byKey": {}},
  "on": {
    "Put":    [{"put": "byKey", "key": {"from": "k"}, "from": "v"},
               {"put": "byType", "key": {"event": "type"}, "event": "version"},
               {"put": "byMeta", "key": {"event": "metadata.who"}, "value": true}],
    "Remove": [{"remove": "byKey", "key": {"from": "k"}},
               {"remove": "missing.path", "key": {"from": "k"}}],
    "Qty":    [{"add": ["lines", {"from": "sku"}, "qty"], "from": "qty", "default": 1},
               {"set": ["lines", {"from": "sku"}, "lastVersion"], "event": "version"},
               {"count": ["perType", {"event": "type"}]},
               {"set": ["byState", {"state": "current"}], "from": "sku"},
               {"set": "current", "from": "sku"}],
    "Drop":   [{"unset": ["lines", {"from": "sku"}]}]
  }}');
SELECT chronicle.append('keyed-1', 'Put', '{"k": "a", "v": 1}', '{"who": "ann"}');
SELECT chronicle.append('keyed-1', 'Put', '{"k": "b", "v": {"deep": [1]}}');
SELECT chronicle.append('keyed-1', 'Put', '{"k": "a", "v": 2}');
SELECT chronicle.append('keyed-1', 'Put', '{"k": 12, "v": "number key"}');
SELECT chronicle.append('keyed-1', 'Put', '{"k": 1.50, "v": "decimal key"}');
SELECT chronicle.append('keyed-1', 'Put', '{"v": "no key: nothing happens"}');
SELECT chronicle.append('keyed-1', 'Remove', '{"k": "a"}');
SELECT chronicle.append('keyed-1', 'Remove', '{"k": "never-there"}');
SELECT chronicle.append('keyed-1', 'Remove', '{"k": 12}');
SELECT stream_version, state FROM chronicle.history('keyed', 'keyed-1');
SELECT pg_temp.same(chronicle.fold('keyed', 'keyed-1'),
       '{"byKey": {"b": {"deep": [1]}, "1.50": "decimal key"},
         "byType": {"Put": 6}, "byMeta": {"ann": true}}') AS put_remove_ok;

SELECT chronicle.append('keyed-2', 'Qty', '{"sku": "s-1", "qty": 2}');
SELECT chronicle.append('keyed-2', 'Qty', '{"sku": "s-2"}');
SELECT chronicle.append('keyed-2', 'Qty', '{"sku": "s-1", "qty": 3}');
SELECT chronicle.append('keyed-2', 'Qty', '{"sku": "odd.sku", "qty": 1}');
SELECT chronicle.append('keyed-2', 'Qty', '{"qty": 100}');
SELECT chronicle.append('keyed-2', 'Drop', '{"sku": "s-2"}');
SELECT chronicle.append('keyed-2', 'Drop', '{}');
SELECT stream_version, state FROM chronicle.history('keyed', 'keyed-2');
SELECT h.stream_version, pg_temp.same(h.state, x.state) AS ok
  FROM chronicle.history('keyed', 'keyed-2') h FULL JOIN (VALUES
  (1, '{"byKey": {}, "lines": {"s-1": {"qty": 2, "lastVersion": 1}}, "perType": {"Qty": 1}, "current": "s-1"}'::jsonb),
  (2, '{"byKey": {}, "lines": {"s-1": {"qty": 2, "lastVersion": 1}, "s-2": {"qty": 1, "lastVersion": 2}},
        "perType": {"Qty": 2}, "byState": {"s-1": "s-2"}, "current": "s-2"}'),
  (3, '{"byKey": {}, "lines": {"s-1": {"qty": 5, "lastVersion": 3}, "s-2": {"qty": 1, "lastVersion": 2}},
        "perType": {"Qty": 3}, "byState": {"s-1": "s-2", "s-2": "s-1"}, "current": "s-1"}'),
  (4, '{"byKey": {}, "lines": {"s-1": {"qty": 5, "lastVersion": 3}, "s-2": {"qty": 1, "lastVersion": 2},
        "odd.sku": {"qty": 1, "lastVersion": 4}},
        "perType": {"Qty": 4}, "byState": {"s-1": "odd.sku", "s-2": "s-1"}, "current": "odd.sku"}'),
  -- no sku: the operations with a key taken from the event do nothing, the others run
  (5, '{"byKey": {}, "lines": {"s-1": {"qty": 5, "lastVersion": 3}, "s-2": {"qty": 1, "lastVersion": 2},
        "odd.sku": {"qty": 1, "lastVersion": 4}},
        "perType": {"Qty": 5}, "byState": {"s-1": "odd.sku", "s-2": "s-1"}, "current": "odd.sku"}'),
  (6, '{"byKey": {}, "lines": {"s-1": {"qty": 5, "lastVersion": 3}, "odd.sku": {"qty": 1, "lastVersion": 4}},
        "perType": {"Qty": 5}, "byState": {"s-1": "odd.sku", "s-2": "s-1"}, "current": "odd.sku"}'),
  (7, '{"byKey": {}, "lines": {"s-1": {"qty": 5, "lastVersion": 3}, "odd.sku": {"qty": 1, "lastVersion": 4}},
        "perType": {"Qty": 5}, "byState": {"s-1": "odd.sku", "s-2": "s-1"}, "current": "odd.sku"}')
  ) x(v, state) ON x.v = h.stream_version ORDER BY 1;

-- An operation whose path key the event lacks changes nothing at all: it does not leave
-- the members on the way behind.
SELECT chronicle.define_aggregate('dynamic_absent', '{
  "on": {"E": [{"set": ["lines", {"from": "sku"}, "qty"], "from": "qty"},
               {"count": ["per", {"from": "sku"}]},
               {"add": ["a", "b", {"event": "metadata.k"}], "value": 1}]}}');
SELECT chronicle.append('dynamic-1', 'E', '{"qty": 1}');
SELECT chronicle.fold('dynamic_absent', 'dynamic-1') AS state_unchanged;
SELECT chronicle.append('dynamic-1', 'E', '{"qty": 2, "sku": "x"}', '{"k": "y"}');
SELECT chronicle.fold('dynamic_absent', 'dynamic-1');

------------------------------------------------------------------------------------------
-- The event's own fields; the state as a source
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('fields', '{
  "on": {"*": [{"append": "typesBefore", "state": "type"},
               {"set": "type", "event": "type"},
               {"set": "stream", "event": "stream"},
               {"set": "version", "event": "version"},
               {"set": "position", "event": "position"},
               {"set": "id", "event": "id"},
               {"set": "at", "event": "recorded_at"},
               {"set": "metadata", "event": "metadata"},
               {"set": "who", "event": "metadata.x"},
               {"set": "deep", "event": "metadata.x.y", "default": "none"},
               {"add": "doubling", "state": "doubling", "default": 1}]}}');
SELECT chronicle.append('fields-1', 'First', '{}', '{"x": "ann"}',
                        event_id => 'aaaaaaaa-0000-4000-8000-000000000001');
SELECT chronicle.append('fields-1', 'Second', '{}');
SELECT chronicle.append('fields-1', 'Third', '{}', '{"x": {"y": 5}}');
SELECT h.stream_version,
       h.state - '{position,id,at}'::text[] AS state,
       (h.state->>'position')::bigint = e.global_position AS position_ok,
       h.state->>'id' = e.event_id::text AS id_ok,
       (h.state->>'at')::timestamptz = e.recorded_at AS at_ok,
       h.state->>'at' LIKE '____-__-__T__:__:__%+00:00' AS at_is_utc_iso
  FROM chronicle.history('fields', 'fields-1') h
  JOIN chronicle.events e ON e.stream = 'fields-1' AND e.stream_version = h.stream_version
 ORDER BY 1;
SELECT chronicle.fold('fields', 'fields-1', at_version => 1)->>'id' AS first_id;
-- The state's recorded_at does not depend on the session's time zone.
SET TimeZone = 'Asia/Tokyo';
SELECT (chronicle.fold('fields', 'fields-1')->>'at')::timestamptz = recorded_at AS same_instant,
       chronicle.fold('fields', 'fields-1')->>'at' LIKE '%+00:00' AS still_utc
  FROM chronicle.events WHERE stream = 'fields-1' AND stream_version = 3;
RESET TimeZone;

------------------------------------------------------------------------------------------
-- Conditions ("if") and defaults
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('conditions', '{
  "initial": {"big": 0, "small": 0, "named": 0, "unnamed": 0, "notfive": 0},
  "on": {"T": [
    {"count": "big",        "if": {"from": "amount", "gt": 100}},
    {"count": "small",      "if": {"from": "amount", "le": 100}},
    {"count": "exactly100", "if": {"from": "amount", "eq": 100}},
    {"count": "notfive",    "if": {"from": "amount", "ne": 5}},
    {"count": "negative",   "if": {"from": "amount", "lt": 0}},
    {"count": "atLeast100", "if": {"from": "amount", "ge": 100.0}},
    {"count": "named",      "if": {"from": "name", "exists": true}},
    {"count": "unnamed",    "if": {"from": "name", "exists": false}},
    {"count": "alice",      "if": {"from": "name", "eq": "alice"}},
    {"count": "afterB",     "if": {"from": "name", "gt": "b"}},
    {"count": "both",       "if": [{"from": "amount", "gt": 0}, {"from": "name", "exists": true}]},
    {"count": "late",       "if": {"event": "version", "ge": 4}},
    {"count": "vip",        "if": {"event": "metadata.vip", "eq": true}},
    {"count": "afterBig",   "if": {"state": "big", "ge": 1}},
    {"set": "label",        "from": "name", "default": "anonymous"},
    {"set": "amountOrNull", "from": "amount", "default": null}
  ]}}');
SELECT chronicle.append('cond-1', 'T', '{"amount": 150, "name": "alice"}');
SELECT chronicle.append('cond-1', 'T', '{"amount": 100}');
SELECT chronicle.append('cond-1', 'T', '{"amount": 5, "name": "bob"}', '{"vip": true}');
SELECT chronicle.append('cond-1', 'T', '{"amount": -20, "name": "carol"}');
SELECT chronicle.append('cond-1', 'T', '{"name": null}');
SELECT chronicle.append('cond-1', 'T', '{"amount": "100"}');
SELECT stream_version, state FROM chronicle.history('conditions', 'cond-1');
SELECT h.stream_version, pg_temp.same(h.state, x.state) AS ok
  FROM chronicle.history('conditions', 'cond-1') h FULL JOIN (VALUES
  (1, '{"big": 1, "small": 0, "named": 1, "unnamed": 0, "notfive": 1, "atLeast100": 1, "alice": 1,
        "both": 1, "afterBig": 1, "label": "alice", "amountOrNull": 150}'::jsonb),
  (2, '{"big": 1, "small": 1, "exactly100": 1, "named": 1, "unnamed": 1, "notfive": 2, "atLeast100": 2,
        "alice": 1, "both": 1, "afterBig": 2, "label": "anonymous", "amountOrNull": 100}'),
  (3, '{"big": 1, "small": 2, "exactly100": 1, "named": 2, "unnamed": 1, "notfive": 2, "atLeast100": 2,
        "alice": 1, "afterB": 1, "both": 2, "vip": 1, "afterBig": 3, "label": "bob", "amountOrNull": 5}'),
  (4, '{"big": 1, "small": 3, "exactly100": 1, "named": 3, "unnamed": 1, "notfive": 3, "negative": 1,
        "atLeast100": 2, "alice": 1, "afterB": 2, "both": 2, "late": 1, "vip": 1, "afterBig": 4,
        "label": "carol", "amountOrNull": -20}'),
  -- a JSON null is present (exists, and no default), but compares with nothing
  (5, '{"big": 1, "small": 3, "exactly100": 1, "named": 4, "unnamed": 1, "notfive": 3, "negative": 1,
        "atLeast100": 2, "alice": 1, "afterB": 2, "both": 2, "late": 2, "vip": 1, "afterBig": 5,
        "label": null, "amountOrNull": null}'),
  -- the string "100" is not the number 100: only ne passes
  (6, '{"big": 1, "small": 3, "exactly100": 1, "named": 4, "unnamed": 2, "notfive": 4, "negative": 1,
        "atLeast100": 2, "alice": 1, "afterB": 2, "both": 2, "late": 3, "vip": 1, "afterBig": 6,
        "label": "anonymous", "amountOrNull": "100"}')
  ) x(v, state) ON x.v = h.stream_version ORDER BY 1;

------------------------------------------------------------------------------------------
-- "*": the operations of every type without a list of its own; unknown types change nothing
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('fallback', '{
  "initial": {"known": 0, "other": 0},
  "on": {"Known": [{"count": "known"}],
         "Ignored": [],
         "*": [{"count": "other"}, {"append": "otherTypes", "event": "type"}]}}');
SELECT chronicle.define_aggregate('no_fallback', '{
  "initial": {"known": 0},
  "on": {"Known": [{"count": "known"}]}}');
SELECT chronicle.append('fallback-1', 'Unknown', '{}');
SELECT chronicle.append('fallback-1', 'Known', '{}');
SELECT chronicle.append('fallback-1', 'Ignored', '{}');
SELECT chronicle.append('fallback-1', 'Surprise', '{}');
SELECT chronicle.append('fallback-1', 'known', '{}');
SELECT stream_version, event_type, state FROM chronicle.history('fallback', 'fallback-1');
SELECT stream_version, event_type, state FROM chronicle.history('no_fallback', 'fallback-1');
-- A stream of unknown types only: the initial state, not NULL.
SELECT chronicle.fold('no_fallback', 'fallback-1', at_version => 1) AS after_unknown_only;

------------------------------------------------------------------------------------------
-- A bank account: balance with add/subtract, overdrafts counted after the subtract
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('account', '{
  "initial": {"balance": 0, "overdrafts": 0, "transactions": 0},
  "on": {
    "AccountOpened": [{"set": "owner", "from": "owner"}, {"set": "openedAt", "event": "recorded_at"}],
    "Deposited":     [{"add": "balance", "from": "amount"}, {"count": "transactions"}],
    "Withdrawn":     [{"subtract": "balance", "from": "amount"}, {"count": "transactions"},
                      {"count": "overdrafts", "if": {"state": "balance", "lt": 0}}],
    "AccountClosed": [{"set": "closed", "value": true}]
  }}', category => 'account');
SELECT chronicle.append('account-1', 'AccountOpened', '{"owner": "alice"}');
SELECT chronicle.append('account-1', 'Deposited', '{"amount": 100.50}');
SELECT chronicle.append('account-1', 'Withdrawn', '{"amount": 30.25}');
SELECT chronicle.append('account-1', 'Withdrawn', '{"amount": 100}');
SELECT chronicle.append('account-1', 'Deposited', '{"amount": 29.75}');
SELECT chronicle.append('account-1', 'Withdrawn', '{"amount": 0.01}');
SELECT chronicle.append('account-1', 'Deposited', '{"amount": 1000}');
SELECT chronicle.append('account-1', 'AccountClosed', '{}');
SELECT h.stream_version, h.event_type, h.state - 'openedAt' AS state,
       pg_temp.same(h.state - 'openedAt', x.state) AS ok,
       (h.state->>'openedAt')::timestamptz = o.recorded_at AS opened_at_ok
  FROM chronicle.history('account', 'account-1') h
  FULL JOIN (VALUES
  (1, '{"balance": 0, "overdrafts": 0, "transactions": 0, "owner": "alice"}'::jsonb),
  (2, '{"balance": 100.50, "overdrafts": 0, "transactions": 1, "owner": "alice"}'),
  (3, '{"balance": 70.25, "overdrafts": 0, "transactions": 2, "owner": "alice"}'),
  (4, '{"balance": -29.75, "overdrafts": 1, "transactions": 3, "owner": "alice"}'),
  (5, '{"balance": 0.00, "overdrafts": 1, "transactions": 4, "owner": "alice"}'),
  (6, '{"balance": -0.01, "overdrafts": 2, "transactions": 5, "owner": "alice"}'),
  (7, '{"balance": 999.99, "overdrafts": 2, "transactions": 6, "owner": "alice"}'),
  (8, '{"balance": 999.99, "overdrafts": 2, "transactions": 6, "owner": "alice", "closed": true}')
  ) x(v, state) ON x.v = h.stream_version
  LEFT JOIN chronicle.events o ON o.stream = 'account-1' AND o.stream_version = 1
 ORDER BY 1;

------------------------------------------------------------------------------------------
-- A shopping cart keyed by sku
------------------------------------------------------------------------------------------
SELECT chronicle.define_aggregate('cart', '{
  "initial": {"items": {}, "count": 0, "status": "OPEN"},
  "on": {
    "ItemAdded":       [{"add": ["items", {"from": "sku"}, "qty"], "from": "qty", "default": 1},
                        {"set": ["items", {"from": "sku"}, "price"], "from": "price"},
                        {"count": "count"},
                        {"max": "priciest", "from": "price"},
                        {"min": "firstSku", "from": "sku"}],
    "QuantityChanged": [{"set": ["items", {"from": "sku"}, "qty"], "from": "qty", "if": {"from": "qty", "gt": 0}},
                        {"remove": "items", "key": {"from": "sku"}, "if": {"from": "qty", "le": 0}}],
    "ItemRemoved":     [{"remove": "items", "key": {"from": "sku"}}],
    "CheckedOut":      [{"set": "status", "value": "CHECKED_OUT"},
                        {"put": "checkout", "key": {"event": "type"}, "event": "version"}]
  }}', category => 'cart');
SELECT chronicle.append('cart-1', 'ItemAdded', '{"sku": "A-1", "price": 2.50}');
SELECT chronicle.append('cart-1', 'ItemAdded', '{"sku": "B-2", "price": 10, "qty": 3}');
SELECT chronicle.append('cart-1', 'ItemAdded', '{"sku": "A-1", "price": 2.50, "qty": 2}');
SELECT chronicle.append('cart-1', 'QuantityChanged', '{"sku": "B-2", "qty": 5}');
SELECT chronicle.append('cart-1', 'QuantityChanged', '{"sku": "A-1", "qty": 0}');
SELECT chronicle.append('cart-1', 'ItemAdded', '{"sku": "C-3", "price": 0.99}');
SELECT chronicle.append('cart-1', 'ItemRemoved', '{"sku": "nope"}');
SELECT chronicle.append('cart-1', 'ItemRemoved', '{"sku": "B-2"}');
SELECT chronicle.append('cart-1', 'CheckedOut', '{}');
SELECT h.stream_version, h.event_type, h.state, pg_temp.same(h.state, x.state) AS ok
  FROM chronicle.history('cart', 'cart-1') h
  FULL JOIN (VALUES
  (1, '{"items": {"A-1": {"qty": 1, "price": 2.50}}, "count": 1, "status": "OPEN", "priciest": 2.50,
        "firstSku": "A-1"}'::jsonb),
  (2, '{"items": {"A-1": {"qty": 1, "price": 2.50}, "B-2": {"qty": 3, "price": 10}}, "count": 2,
        "status": "OPEN", "priciest": 10, "firstSku": "A-1"}'),
  (3, '{"items": {"A-1": {"qty": 3, "price": 2.50}, "B-2": {"qty": 3, "price": 10}}, "count": 3,
        "status": "OPEN", "priciest": 10, "firstSku": "A-1"}'),
  (4, '{"items": {"A-1": {"qty": 3, "price": 2.50}, "B-2": {"qty": 5, "price": 10}}, "count": 3,
        "status": "OPEN", "priciest": 10, "firstSku": "A-1"}'),
  (5, '{"items": {"B-2": {"qty": 5, "price": 10}}, "count": 3, "status": "OPEN", "priciest": 10,
        "firstSku": "A-1"}'),
  (6, '{"items": {"B-2": {"qty": 5, "price": 10}, "C-3": {"qty": 1, "price": 0.99}}, "count": 4,
        "status": "OPEN", "priciest": 10, "firstSku": "A-1"}'),
  (7, '{"items": {"B-2": {"qty": 5, "price": 10}, "C-3": {"qty": 1, "price": 0.99}}, "count": 4,
        "status": "OPEN", "priciest": 10, "firstSku": "A-1"}'),
  (8, '{"items": {"C-3": {"qty": 1, "price": 0.99}}, "count": 4, "status": "OPEN", "priciest": 10,
        "firstSku": "A-1"}'),
  (9, '{"items": {"C-3": {"qty": 1, "price": 0.99}}, "count": 4, "status": "CHECKED_OUT", "priciest": 10,
        "firstSku": "A-1", "checkout": {"CheckedOut": 9}}')
  ) x(v, state) ON x.v = h.stream_version
 ORDER BY 1;
-- The cart folded at each point in time equals its history.
SELECT bool_and(pg_temp.same(chronicle.fold('cart', 'cart-1', as_of => e.recorded_at), h.state)) AS as_of_ok,
       bool_and(pg_temp.same(chronicle.fold('cart', 'cart-1', at_version => e.stream_version), h.state)) AS at_version_ok,
       count(*) AS checked
  FROM chronicle.events e JOIN chronicle.history('cart', 'cart-1') h ON h.stream_version = e.stream_version
 WHERE e.stream = 'cart-1';

------------------------------------------------------------------------------------------
-- Clean up: events cannot be deleted, so the extension is created afresh for the next file.
------------------------------------------------------------------------------------------
SELECT count(*) AS dropped FROM (SELECT chronicle.drop_aggregate(name) FROM chronicle.aggregates) d;
SELECT count(*) AS aggregates_left FROM chronicle.aggregates;
SET chronicle.allow_drop_with_events = on;
DROP EXTENSION chronicle;
RESET chronicle.allow_drop_with_events;
CREATE EXTENSION chronicle;
SELECT count(*) AS events_left FROM chronicle.events;
