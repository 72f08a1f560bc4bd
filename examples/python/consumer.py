"""One delivery of a subscription, in one transaction: poll, handle every event, ack the last.
The handler's writes commit together with the ack or not at all, so each event changes this
database exactly once; a crash before COMMIT delivers the same events again."""
from psycopg2.extras import NamedTupleCursor


def handle_batch(conn, handle, subscription, member=0, members=1, max_count=100):
    """Calls handle(cursor, event) for each event in order, inside the transaction; an event is
    a named tuple (global_position, stream, stream_version, event_id, event_type, data,
    metadata, recorded_at). Returns how many events were handled: 0 when there was nothing.

    `with conn` opens a transaction also on an autocommit connection (psycopg2 2.9 and later),
    and commits it, or rolls it back on an exception."""
    with conn, conn.cursor(cursor_factory=NamedTupleCursor) as cur:
        cur.execute(
            "SELECT * FROM chronicle.poll(%s, max_count => %s, member => %s, members => %s)",
            (subscription, max_count, member, members),
        )
        events = cur.fetchall()
        for event in events:
            handle(cur, event)
        if events:
            cur.execute(
                "SELECT chronicle.ack(%s, %s, member => %s, members => %s)",
                (subscription, events[-1].global_position, member, members),
            )
    return len(events)
