-- chronicle 0.4 -> 0.5: one projection never holds back another; bounded stalls made visible.
--
-- Sections are added by topic below; each says what it is for.
\echo Use "ALTER EXTENSION chronicle UPDATE TO '0.5'" to load this file. \quit


-- ---------------------------------------------------------------------------------------
-- Section (issue 10, visible stalls): chronicle.in_flight_appends, the open transactions
-- that hold an in-flight position. Until such a transaction ends, read_all, every async
-- projection of the database and wait_for_projection stop below its position.
-- Not PUBLIC's: it shows other sessions' roles and activity (docs/security.md grants it to
-- the reader role).
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION chronicle._in_flight_positions(OUT pid integer, OUT "position" bigint,
                                               OUT since timestamptz)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'chronicle_in_flight_positions' LANGUAGE C VOLATILE STRICT;
-- Callable by PUBLIC, but it answers only roles that may SELECT the view (it checks).

CREATE VIEW chronicle.in_flight_appends AS
    SELECT f.pid, f.position, f.since,
           pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) f.since AS held_for,
           a.usename, a.application_name, a.client_addr, a.state, a.xact_start,
           a.state_change, a.wait_event_type, a.wait_event
      FROM chronicle._in_flight_positions() f
      LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) f.pid
     ORDER BY f.position;
COMMENT ON VIEW chronicle.in_flight_appends IS
    'Open transactions that appended and hold back read_all, async projections and wait_for_projection below their position';
REVOKE ALL ON chronicle.in_flight_appends FROM PUBLIC;
GRANT SELECT ON chronicle.in_flight_appends TO @extowner@ WITH GRANT OPTION;
