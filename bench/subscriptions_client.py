#!/usr/bin/python3
"""bench/subscriptions' clients (psycopg2; run by bench/subscriptions, not by hand).

    subscriptions_client.py consume MODE SUBSCRIPTION CHANNEL OUT
        The latency consumer. MODE is `listen` (LISTEN CHANNEL, wait for a notification with
        select(), then poll) or `wait` (chronicle.wait_for_events in a loop, then poll). Every
        wake-up polls 100 at a time and acks the last event of each batch, until a poll returns
        less than a full batch, each statement in its own transaction (autocommit). The latency of an event
        is the time the client has its row (time.time() after fetchall) minus the
        clock_timestamp() the writer put into its data: the same machine, the same clock.
        Writes one latency in ms per line to OUT and stops at the event with "stop" in its data.
        Prints "ready" once it listens / waits, and at the end "events wakeups polls empty_polls".

    subscriptions_client.py drain CHANNELS
        The listener of the NOTIFY cost scenario: LISTEN on every channel of the comma-separated
        list and drain notifications until SIGTERM; then prints "notifications per-channel".

Connection parameters come from the environment (PGHOST, PGPORT, PGUSER, PGDATABASE).
"""
import json
import select
import signal
import sys
import time

import psycopg2
import psycopg2.extensions
import psycopg2.extras

# The consumer gets jsonb as text, as it came over the wire, and parses only what it reads:
# decoding every event into a dict would measure Python, not the delivery.
psycopg2.extras.register_default_jsonb(loads=lambda s: s, globally=True)

BATCH = 100


def connect():
    conn = psycopg2.connect("")
    conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
    return conn


def consume(mode, subscription, channel, out_path):
    conn = connect()
    cur = conn.cursor()
    if mode == "listen":
        cur.execute("LISTEN " + channel)
    elif mode != "wait":
        sys.exit("mode must be listen or wait")
    latencies = []
    wakeups = polls = empty_polls = 0
    stop = False
    print("ready", flush=True)

    def drain():
        # poll, ack the last event of the batch (poll starts after the acknowledged
        # position: without an ack it would deliver the same events again), until a short batch
        nonlocal polls, empty_polls, stop
        while True:
            last = None
            cur.execute("SELECT global_position, data FROM chronicle.poll(%s, %s)",
                        (subscription, BATCH))
            rows = cur.fetchall()
            received = time.time()
            polls += 1
            if not rows:
                empty_polls += 1
            for position, data in rows:
                event = json.loads(data)
                if "stop" in event:
                    stop = True
                elif "t" in event:
                    latencies.append((received - float(event["t"])) * 1000.0)
                last = position
            if last is not None:
                cur.execute("SELECT chronicle.ack(%s, %s)", (subscription, last))
            if len(rows) < BATCH:
                break

    drain()  # anything there before we listened
    while not stop:
        if mode == "listen":
            # conn.poll() first: a notification that came in with the last statement's
            # answer may sit in libpq's buffer, where select() would not see it.
            conn.poll()
            if not conn.notifies:
                select.select([conn], [], [], 5.0)
                continue
            conn.notifies.clear()
        else:
            cur.execute("SELECT chronicle.wait_for_events(%s, '5 seconds')", (subscription,))
            if not cur.fetchone()[0]:
                continue
        wakeups += 1
        drain()
    with open(out_path, "w") as out:
        for ms in latencies:
            out.write("%.3f\n" % ms)
    print(len(latencies), wakeups, polls, empty_polls, flush=True)


def drain_notifications(channels):
    conn = connect()
    cur = conn.cursor()
    for channel in channels:
        cur.execute("LISTEN " + channel)
    counts = {c: 0 for c in channels}
    total = 0
    highest = 0  # the highest position a payload announced
    running = True

    def on_term(signum, frame):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, on_term)
    print("ready", flush=True)
    while running:
        try:
            if select.select([conn], [], [], 0.5) == ([], [], []):
                continue
        except InterruptedError:
            continue
        conn.poll()
        while conn.notifies:
            n = conn.notifies.pop()
            counts[n.channel] = counts.get(n.channel, 0) + 1
            total += 1
            highest = max(highest, int(n.payload))
    conn.poll()
    while conn.notifies:
        n = conn.notifies.pop()
        counts[n.channel] = counts.get(n.channel, 0) + 1
        total += 1
        highest = max(highest, int(n.payload))
    print(total, highest, ",".join("%s=%d" % kv for kv in sorted(counts.items())), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "consume":
        consume(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif len(sys.argv) == 3 and sys.argv[1] == "drain":
        drain_notifications(sys.argv[2].split(","))
    else:
        sys.exit(__doc__)
