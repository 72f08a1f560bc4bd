"""Several writers change one order at the same time, through the repository: every writer
adds its items, then every writer tries to pay. Shows that each command is applied exactly
once, in an order every reader agrees on (the stream's versions), and that the order is paid
once. Exits 1 when anything is off.

    python3 concurrent_writers.py [STREAM]     (connection: PGHOST, PGPORT, PGUSER, PGDATABASE)
"""
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg2

from order import AddItem, Create, OrderRefused, Pay
from repository import OrderRepository

WRITERS = 4
ITEMS_PER_WRITER = 5


def price_cents(writer, item):
    return 100 * (writer + 1) + item


def add_items(repository, stream, writer):
    """One writer's items, one after the other; returns the version conflicts it retried."""
    retries = 0
    for item in range(ITEMS_PER_WRITER):
        appended = repository.execute(stream, AddItem(f"w{writer}-{item}", price_cents(writer, item)))
        retries += appended.attempts - 1
    return retries


def pay(repository, stream):
    """'paid' or 'refused'; the conflicts retried before."""
    try:
        return "paid", repository.execute(stream, Pay()).attempts - 1
    except OrderRefused:
        return "refused", 0


def main():
    stream = sys.argv[1] if len(sys.argv) > 1 else f"order-demo-{time.time_ns()}"
    # psycopg2 connections serialize their cursors: one connection per writer thread.
    connections = [psycopg2.connect("") for _ in range(WRITERS)]
    repositories = [OrderRepository(conn) for conn in connections]
    repositories[0].execute(stream, Create("c-7"))
    with ThreadPoolExecutor(WRITERS) as pool:
        retries = sum(pool.map(add_items, repositories, [stream] * WRITERS, range(WRITERS)))
        payments = list(pool.map(pay, repositories, [stream] * WRITERS))
    retries += sum(conflicts for _, conflicts in payments)

    conn = connections[0]
    with conn, conn.cursor() as cur:
        cur.execute("SELECT stream_version, event_type, data FROM chronicle.read_stream(%s)", (stream,))
        events = cur.fetchall()
    state, version = repositories[0].load(stream)
    for conn in connections:
        conn.close()

    failures = []
    outcomes = [outcome for outcome, _ in payments]
    if outcomes.count("paid") != 1:
        failures.append(f"expected 1 payment and {WRITERS - 1} refusals, got {outcomes}")
    skus = [data["sku"] for _, event_type, data in events if event_type == "ItemAdded"]
    for writer in range(WRITERS):
        own = [sku for sku in skus if sku.startswith(f"w{writer}-")]
        issued = [f"w{writer}-{item}" for item in range(ITEMS_PER_WRITER)]
        if own != issued:
            failures.append(f"writer {writer}'s items in the stream are {own}, expected each once in order: {issued}")
    if [v for v, _, _ in events] != list(range(1, len(events) + 1)):
        failures.append("the versions have a gap")
    expected_version = 1 + WRITERS * ITEMS_PER_WRITER + 1
    expected_total = sum(price_cents(w, i) for w in range(WRITERS) for i in range(ITEMS_PER_WRITER))
    if version != expected_version:
        failures.append(f"version {version}, expected {expected_version}")
    if not state or state["status"] != "PAID" or state["payments"] != 1:
        failures.append(f"state {state} is not paid once")
    elif len(state["items"]) != WRITERS * ITEMS_PER_WRITER or state["total_cents"] != expected_total:
        failures.append(f"state has {len(state['items'])} items for {state['total_cents']} cents, "
                        f"expected {WRITERS * ITEMS_PER_WRITER} for {expected_total}")

    for stream_version, event_type, data in events:
        print(f"  v{stream_version} {event_type} {data}")
    if state:
        print(f"{stream}: version {version}, {len(state['items'])} items, {state['total_cents']} cents, "
              f"{state['status']} once ({outcomes.count('refused')} second payments refused), "
              f"{retries} version conflicts retried")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
