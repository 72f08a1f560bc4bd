-- Handler projections: a function (e chronicle.event) RETURNS void, called by the worker
-- once per matching event, in position order, inside the worker's transaction, as the
-- projection's owner. Counting handlers match count(*) exactly; category and event_types
-- filters; NULL category = every category; every field of chronicle.event reaches the
-- handler; a handler may write several tables; SQL and PL/pgSQL handlers.
\set SHOW_CONTEXT never

-- Events before the projections exist: handlers replay history from the first event.
SELECT chronicle.append('phand-1', 'Opened', '{"n": 1}', metadata => '{"by": "alice"}');
SELECT chronicle.append('phand-1', 'Noted', '{"text": "hello"}');
SELECT chronicle.append('phand-2', 'Opened', '{"n": 2}');
SELECT chronicle.append('phandx-1', 'Opened', '{"n": 3}');
SELECT chronicle.append_batch('phand-1', '[{"type": "Noted", "data": {"text": "a"}},
                                           {"type": "Closed", "data": {}, "metadata": {"reason": "done"}}]');

------------------------------------------------------------------------------------------
-- Counting handlers (SQL): one row per event type, count + 1 per call
------------------------------------------------------------------------------------------
CREATE TABLE public.phand_counts (projection text, event_type text, n bigint NOT NULL,
                                  PRIMARY KEY (projection, event_type));
CREATE FUNCTION public.phand_count_all(e chronicle.event) RETURNS void LANGUAGE sql AS $$
    INSERT INTO public.phand_counts VALUES ('all', e.event_type, 1)
    ON CONFLICT (projection, event_type) DO UPDATE SET n = phand_counts.n + 1 $$;
CREATE FUNCTION public.phand_count_category(e chronicle.event) RETURNS void LANGUAGE sql AS $$
    INSERT INTO public.phand_counts VALUES ('category', e.event_type, 1)
    ON CONFLICT (projection, event_type) DO UPDATE SET n = phand_counts.n + 1 $$;
CREATE FUNCTION public.phand_count_types(e chronicle.event) RETURNS void LANGUAGE sql AS $$
    INSERT INTO public.phand_counts VALUES ('types', e.event_type, 1)
    ON CONFLICT (projection, event_type) DO UPDATE SET n = phand_counts.n + 1 $$;
CREATE FUNCTION public.phand_count_both(e chronicle.event) RETURNS void LANGUAGE sql AS $$
    INSERT INTO public.phand_counts VALUES ('both', e.event_type, 1)
    ON CONFLICT (projection, event_type) DO UPDATE SET n = phand_counts.n + 1 $$;
-- NULL category: every category (the events of earlier test files too).
SELECT chronicle.create_handler_projection('phand_all', 'public.phand_count_all(chronicle.event)');
SELECT chronicle.create_handler_projection('phand_category', 'public.phand_count_category(chronicle.event)',
                                           category => 'phand');
SELECT chronicle.create_handler_projection('phand_types', 'public.phand_count_types(chronicle.event)',
                                           event_types => '{Opened,Closed}');
SELECT chronicle.create_handler_projection('phand_both', 'public.phand_count_both(chronicle.event)',
                                           category => 'phand', event_types => '{Noted}');
SELECT name, kind, mode, aggregate, category, table_name, handler, event_types, columns, state
  FROM chronicle.projections WHERE name LIKE 'phand%' ORDER BY name;
SELECT name, kind, mode, target FROM chronicle.projection_status WHERE name LIKE 'phand%' ORDER BY name;

-- More events after creation, of both categories, some in one transaction.
SELECT chronicle.append('phand-3', 'Opened', '{"n": 4}');
BEGIN;
SELECT chronicle.append('phand-3', 'Noted', '{"text": "b"}');
SELECT chronicle.append('phandx-1', 'Noted', '{"text": "c"}');
SELECT chronicle.append('other-phand', 'Closed', '{}');
COMMIT;
-- A rolled-back append reaches no handler.
BEGIN;
SELECT chronicle.append('phand-3', 'Closed', '{"rolled": "back"}');
ROLLBACK;
SELECT chronicle.wait_for_projection('phand_all');
SELECT chronicle.wait_for_projection('phand_category');
SELECT chronicle.wait_for_projection('phand_types');
SELECT chronicle.wait_for_projection('phand_both');
SELECT projection, event_type, n FROM public.phand_counts WHERE projection <> 'all' ORDER BY 1, 2;
-- Each count is exactly count(*) of the matching events: no event missed, none twice
-- (both sides of the difference are empty).
CREATE FUNCTION pg_temp.expected_counts() RETURNS TABLE (projection text, event_type text, n bigint)
    LANGUAGE sql AS $$
    SELECT 'all', event_type, count(*) FROM chronicle.events GROUP BY event_type
    UNION ALL
    SELECT 'category', event_type, count(*) FROM chronicle.events WHERE category = 'phand' GROUP BY event_type
    UNION ALL
    SELECT 'types', event_type, count(*) FROM chronicle.events WHERE event_type IN ('Opened', 'Closed') GROUP BY event_type
    UNION ALL
    SELECT 'both', event_type, count(*) FROM chronicle.events
     WHERE category = 'phand' AND event_type = 'Noted' GROUP BY event_type $$;
(SELECT * FROM public.phand_counts EXCEPT SELECT * FROM pg_temp.expected_counts())
UNION ALL
(SELECT * FROM pg_temp.expected_counts() EXCEPT SELECT * FROM public.phand_counts);
-- events_applied counts the matching events, each once.
SELECT name, events_applied = (SELECT sum(n) FROM public.phand_counts
                                WHERE projection = substr(name, 7)) AS events_applied_is_calls
  FROM chronicle.projection_status WHERE name LIKE 'phand%' ORDER BY name;
SELECT name, events_applied FROM chronicle.projection_status WHERE name LIKE 'phand%' AND name <> 'phand_all' ORDER BY name;
SELECT (SELECT sum(n) FROM public.phand_counts WHERE projection = 'all') = (SELECT count(*) FROM chronicle.events)
       AS all_events_counted;

------------------------------------------------------------------------------------------
-- What a handler receives, and where it can write (PL/pgSQL, two tables, call order)
------------------------------------------------------------------------------------------
CREATE TABLE public.phand_seen (seq bigserial PRIMARY KEY, e chronicle.event NOT NULL);
CREATE TABLE public.phand_streams (stream text PRIMARY KEY, last_version bigint NOT NULL, notes text[] NOT NULL);
CREATE FUNCTION public.phand_record(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Table one: every event as it came, in call order.
    INSERT INTO public.phand_seen (e) VALUES (e);
    -- Table two: per stream, what the events so far say. Reads what earlier calls wrote.
    INSERT INTO public.phand_streams AS s VALUES (e.stream, e.stream_version, '{}')
    ON CONFLICT (stream) DO UPDATE SET last_version = excluded.last_version;
    IF e.event_type = 'Noted' THEN
        UPDATE public.phand_streams SET notes = notes || (e.data->>'text') WHERE stream = e.stream;
    END IF;
END $$;
SELECT chronicle.create_handler_projection('phand_record', 'public.phand_record(chronicle.event)', category => 'phand');
-- Interleaved streams: position order is not stream order.
SELECT chronicle.append('phand-2', 'Noted', '{"text": "d"}');
SELECT chronicle.append('phand-1', 'Noted', '{"text": "e"}');
SELECT chronicle.append('phand-2', 'Noted', '{"text": "f"}', metadata => '{"k": [1, 2]}');
SELECT chronicle.wait_for_projection('phand_record');
-- Every field of chronicle.event, as chronicle.events has it, for every event of the
-- category, and nothing else: both differences empty.
(SELECT (e).* FROM public.phand_seen
 EXCEPT SELECT global_position, stream, stream_version, event_id, event_type, data, metadata, recorded_at
          FROM chronicle.events WHERE category = 'phand')
UNION ALL
(SELECT global_position, stream, stream_version, event_id, event_type, data, metadata, recorded_at
   FROM chronicle.events WHERE category = 'phand'
 EXCEPT SELECT (e).* FROM public.phand_seen);
SELECT count(*) AS calls, count(DISTINCT (e).event_id) AS distinct_events FROM public.phand_seen;
-- Called in position order (which, here, is also the order of the appends).
SELECT (e).stream, (e).stream_version, (e).event_type, (e).data, (e).metadata,
       (e).global_position > lag((e).global_position) OVER (ORDER BY seq) AS after_previous
  FROM public.phand_seen ORDER BY seq;
SELECT count(*) AS calls_out_of_position_order
  FROM (SELECT (e).global_position AS p, lag((e).global_position) OVER (ORDER BY seq) AS prev
          FROM public.phand_seen) s WHERE p <= prev;
SELECT * FROM public.phand_streams ORDER BY stream;
SELECT count(*) AS events_with_recorded_at FROM public.phand_seen WHERE (e).recorded_at IS NOT NULL;

------------------------------------------------------------------------------------------
-- A handler runs as the projection's owner, never as the worker's superuser
------------------------------------------------------------------------------------------
CREATE ROLE regress_handler_owner;
CREATE SCHEMA phand_owned AUTHORIZATION regress_handler_owner;
GRANT EXECUTE ON FUNCTION chronicle.create_handler_projection(text, regprocedure, text, text[]),
                          chronicle.drop_projection(text, boolean) TO regress_handler_owner;
GRANT INSERT, UPDATE, DELETE ON chronicle.projections TO regress_handler_owner;
-- A table the owner may not write.
CREATE TABLE public.phand_forbidden (who name);
SET ROLE regress_handler_owner;
CREATE TABLE phand_owned.calls (position bigint PRIMARY KEY, who name, session_who name, security_definer boolean);
CREATE FUNCTION phand_owned.who(e chronicle.event) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO phand_owned.calls
    VALUES (e.global_position, current_user, session_user,
            (SELECT prosecdef FROM pg_proc WHERE oid = 'phand_owned.who(chronicle.event)'::regprocedure));
END $$;
CREATE FUNCTION phand_owned.intrude(e chronicle.event) RETURNS void LANGUAGE sql AS $$
    INSERT INTO public.phand_forbidden VALUES (current_user) $$;
SELECT chronicle.create_handler_projection('phand_owned', 'phand_owned.who(chronicle.event)', category => 'phand');
SELECT chronicle.create_handler_projection('phand_intruder', 'phand_owned.intrude(chronicle.event)', category => 'phand');
RESET ROLE;
SELECT name, owner FROM chronicle.projections WHERE name IN ('phand_owned', 'phand_intruder') ORDER BY name;
SELECT chronicle.append('phand-4', 'Opened', '{}');
SELECT chronicle.wait_for_projection('phand_owned');
-- Not a security definer function, yet it ran as its owner; the worker's session user is
-- the superuser that runs the worker, not the owner.
SELECT who, session_who <> who AS session_user_is_the_worker, security_definer, count(*) = (
           SELECT count(*) FROM chronicle.events WHERE category = 'phand') AS every_event
  FROM phand_owned.calls GROUP BY 1, 2, 3;
-- With the owner's rights, the intruder cannot write the superuser's table: it fails with
-- 42501 at the category's first event and writes nothing.
SELECT chronicle.wait_for_projection('phand_intruder');
SELECT name, state, last_error, last_error_sqlstate,
       last_error_position = (SELECT min(global_position) FROM chronicle.events WHERE category = 'phand')
           AS at_first_event,
       position < last_error_position AS position_before_it
  FROM chronicle.projection_status WHERE name = 'phand_intruder';
SELECT count(*) AS forbidden_rows FROM public.phand_forbidden;
SET ROLE regress_handler_owner;
SELECT chronicle.drop_projection('phand_owned');
SELECT chronicle.drop_projection('phand_intruder');
RESET ROLE;

------------------------------------------------------------------------------------------
-- Cleanup
------------------------------------------------------------------------------------------
SELECT count(*) AS dropped
  FROM (SELECT chronicle.drop_projection(name) FROM chronicle.projections WHERE name LIKE 'phand%') d;
SELECT count(*) AS projections_left FROM chronicle.projections;
DROP TABLE public.phand_counts, public.phand_seen, public.phand_streams, public.phand_forbidden;
DROP FUNCTION public.phand_count_all(chronicle.event), public.phand_count_category(chronicle.event),
              public.phand_count_types(chronicle.event), public.phand_count_both(chronicle.event),
              public.phand_record(chronicle.event);
DROP SCHEMA phand_owned CASCADE;
REVOKE ALL ON chronicle.projections FROM regress_handler_owner;
REVOKE ALL ON FUNCTION chronicle.create_handler_projection(text, regprocedure, text, text[]),
                       chronicle.drop_projection(text, boolean) FROM regress_handler_owner;
DROP ROLE regress_handler_owner;
