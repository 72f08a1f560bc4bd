"""Load an order, decide, append with the version that was loaded: optimistic concurrency.
When another writer appended in between, chronicle refuses the append with SQLSTATE CH001, and
the command is decided again on the new state, a bounded number of times."""
import itertools
import random
import time
from dataclasses import dataclass

import psycopg2
from psycopg2.extras import Json

from order import decide

WRONG_EXPECTED_VERSION = "CH001"


@dataclass(frozen=True)
class Appended:
    event_type: str
    data: dict
    version: int  # the stream's new version
    attempts: int


class OrderRepository:
    def __init__(self, conn, max_attempts=20):
        """conn: a psycopg2 connection of this repository alone (one per thread). Each load and
        each append is a transaction of its own."""
        self.conn = conn
        self.max_attempts = max_attempts

    def load(self, stream):
        """(state, version), folded from one snapshot: append with that version.
        psycopg2 returns the jsonb state as a dict and the bigint version as an int."""
        with self.conn, self.conn.cursor() as cur:
            cur.execute("SELECT state, version FROM chronicle.load(%s, %s)", ("order", stream))
            row = cur.fetchone()
        return (row[0], row[1]) if row else (None, 0)

    def execute(self, stream, command):
        """Applies a command to an order; raises OrderRefused when its state forbids it."""
        for attempt in itertools.count(1):
            state, version = self.load(stream)
            event_type, data = decide(state, command)
            try:
                # `with conn` commits, or rolls back on an exception.
                with self.conn, self.conn.cursor() as cur:
                    cur.execute(
                        "SELECT chronicle.append(%s, %s, %s, expected_version => %s)",
                        # A dict is not adapted to jsonb by itself: Json() does it.
                        (stream, event_type, Json(data), version),
                    )
                    return Appended(event_type, data, cur.fetchone()[0], attempt)
            except psycopg2.Error as err:
                if err.pgcode != WRONG_EXPECTED_VERSION or attempt >= self.max_attempts:
                    raise
            # Someone else appended first. A random pause spreads the writers that lost, so that
            # they do not collide again on their next attempt.
            time.sleep(random.uniform(0, min(0.05, 2**attempt / 1000)))
