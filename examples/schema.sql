-- What the examples in node/ and python/ expect in their database, besides
-- CREATE EXTENSION chronicle:  psql -d mydb -f examples/schema.sql

-- The order aggregate the repositories load: one stream per order ("order-42").
-- Amounts are integer cents, so that they arrive as plain numbers in every client.
SELECT chronicle.define_aggregate('order', $${
  "initial": {"status": "NONE", "items": [], "total_cents": 0, "payments": 0},
  "on": {
    "OrderCreated": [{"set": "status", "value": "OPEN"},
                     {"set": "customer", "from": "customerId"}],
    "ItemAdded":    [{"append": "items", "from": ""},
                     {"add": "total_cents", "from": "priceCents"}],
    "OrderPaid":    [{"set": "status", "value": "PAID"},
                     {"count": "payments"}]
  }
}$$, category => 'order');

-- The consumer group of the email workers: every OrderPaid, split between its members.
SELECT chronicle.create_subscription('emails', category => 'order',
                                     event_types => '{OrderPaid}', start_at => 'beginning');

-- The LISTEN-driven subscriber's own subscription: every event of the category.
SELECT chronicle.create_subscription('order_feed', category => 'order', start_at => 'beginning');

-- The email workers' outbox: one row per OrderPaid event. The primary key is the event's
-- global position, written in the transaction that acknowledges the event: a second delivery
-- could not insert it again, and a rolled-back one leaves neither the row nor the ack.
CREATE TABLE emails (
    position       bigint PRIMARY KEY,
    order_stream   text NOT NULL,
    stream_version bigint NOT NULL,
    body           text NOT NULL,
    sent_by        text NOT NULL,   -- "node worker 1/3 (pid 4711)"
    -- Increases with every insert, across workers and their restarts: within a stream, the
    -- emails must follow the events' order.
    sent_seq       bigint GENERATED ALWAYS AS IDENTITY,
    sent_at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
