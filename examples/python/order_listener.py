"""Handles the events of the 'order_feed' subscription as soon as they are committed: LISTEN on
the category's channel, and on each notification poll and ack until nothing is left. It also
polls once at start and then on a timer, because notifications are not a queue: several
commits may come as one, and those sent while the listener was disconnected are lost.
LISTEN needs a session of its own: not behind a transaction-mode pooler (use wait_for_events
there, as email_worker.py does). Stops on SIGINT or SIGTERM.

    python3 order_listener.py     (connection: PGHOST, PGPORT, PGUSER, PGDATABASE)
"""
import select
import signal
import sys

import psycopg2

from consumer import handle_batch

SUBSCRIPTION = "order_feed"
FALLBACK_POLL_SECONDS = 30


def handle(_cur, event):
    print(f"{event.stream} v{event.stream_version} {event.event_type} "
          f"(position {event.global_position})", flush=True)


def drain(conn):
    while handle_batch(conn, handle, SUBSCRIPTION):
        pass


def main():
    conn = psycopg2.connect("")
    # LISTEN takes effect at once, outside any transaction; handle_batch opens its own.
    conn.autocommit = True
    with conn.cursor() as cur:
        # Before the first poll: an event committed in between is notified, not missed.
        cur.execute("LISTEN chronicle_order")
    drain(conn)
    print("order listener: caught up, listening on chronicle_order", flush=True)
    while True:
        # Readable: notifications arrived. Not readable before the timeout: the fallback poll.
        select.select([conn], [], [], FALLBACK_POLL_SECONDS)
        conn.poll()
        # One drain covers every notification received so far, whatever their payloads.
        conn.notifies.clear()
        drain(conn)


if __name__ == "__main__":
    # SIGTERM stops the listener as Ctrl-C does. A batch interrupted midway rolls back (its
    # `with conn` block) and is delivered again on the next start.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        main()
    except KeyboardInterrupt:
        print("order listener: stopped", flush=True)
    except psycopg2.Error as err:
        # A lost connection loses notifications too: exit, and let whoever restarts the
        # listener rely on its poll at start.
        print(f"order listener: {err}".rstrip(), file=sys.stderr)
        sys.exit(1)
