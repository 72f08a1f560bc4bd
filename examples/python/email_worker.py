"""One member of the consumer group that sends an email for every paid order: run one process
per member (0, 1 and 2 of 3), each gets the streams chronicle assigns it, in version order.
Each email is written to the emails table (an outbox: a relay sends it from there) in the
transaction that acknowledges its event, so a worker killed at any moment neither loses nor
repeats one. Stops, between two batches, on SIGINT or SIGTERM.

    python3 email_worker.py MEMBER MEMBERS     (connection: PGHOST, PGPORT, PGUSER, PGDATABASE)
"""
import os
import signal
import sys

import psycopg2

from consumer import handle_batch

SUBSCRIPTION = "emails"
# The longest a stop waits to be noticed. wait_for_events is one short statement, not a
# session's LISTEN, so the worker also runs behind a transaction-mode pooler.
WAIT_TIMEOUT = "5 seconds"

stopping = False


def stop(_signal, _frame):
    global stopping
    stopping = True


def main():
    try:
        member, members = int(sys.argv[1]), int(sys.argv[2])
        if not 0 <= member < members:
            raise ValueError
    except (IndexError, ValueError):
        print("usage: python3 email_worker.py MEMBER MEMBERS   (0 <= MEMBER < MEMBERS)", file=sys.stderr)
        return 2
    me = f"python worker {member}/{members} (pid {os.getpid()})"

    def send_email(cur, event):
        cur.execute(
            """INSERT INTO emails (position, order_stream, stream_version, body, sent_by)
               VALUES (%s, %s, %s, %s, %s)""",
            (event.global_position, event.stream, event.stream_version,
             f"Thank you for your payment of {event.stream}.", me),
        )

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    try:
        conn = psycopg2.connect("")
        # wait_for_events runs outside any transaction; handle_batch opens its own.
        conn.autocommit = True
        print(f"{me}: started", flush=True)
        while not stopping:
            sent = handle_batch(conn, send_email, SUBSCRIPTION, member, members, max_count=50)
            if sent:
                print(f"{me}: sent {sent} emails", flush=True)
                continue
            # Woken only for this member's own streams: another member's events are not its
            # business.
            with conn.cursor() as cur:
                cur.execute("SELECT chronicle.wait_for_events(%s, %s, %s, %s)",
                            (SUBSCRIPTION, WAIT_TIMEOUT, member, members))
        conn.close()
    except psycopg2.Error as err:
        # CH043: the group's size changed since this worker started; run it again with the new one.
        changed = "the group changed size: " if err.pgcode == "CH043" else ""
        print(f"{me}: {changed}{err}".rstrip(), file=sys.stderr)
        return 1
    print(f"{me}: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
