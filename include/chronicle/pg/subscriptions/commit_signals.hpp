// What the commit of a transaction that appended tells those waiting for events outside the
// projection workers: one NOTIFY per category it wrote to (channel chronicle_<category>, and
// chronicle_all; payload the highest position it wrote), and a broadcast that wakes every
// chronicle.wait_for_events.
//
// NOTIFY is not free: PostgreSQL serializes the commits of notifying transactions on one
// lock, held until the commit is flushed, and signals every listener at each. So the
// notifications are sent only while some session of this database that may read events
// listens on a chronicle_ channel (the utility hook keeps that list in shared memory, one
// entry per backend), and then by the database's worker when it has one
// (worker_notifier.hpp): it is woken by every appending commit anyway and sends one
// coalesced notification per category per wake-up, so that appenders never wait for each
// other's NOTIFY. Without a worker, or without shared_preload_libraries (no list at all), the
// appending commits notify themselves.
//
// Plain C-style code: may raise PostgreSQL errors.
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "access/xact.h"
#include "nodes/nodes.h"
}

namespace chronicle::pg {

// The shared memory hooks' parts (module.cpp's hooks, when preloaded).
void commit_signals_shmem_request();
void commit_signals_shmem_startup();

// From append: this transaction wrote events to `category`, up to `last_position`.
void note_appended_category(const char* category, int category_length, int64 last_position);

// The transaction callback's part: PRE_COMMIT sends the notifications, COMMIT (after the
// positions are no longer in flight) wakes the waiters, ABORT forgets.
void commit_signals_xact_event(XactEvent event);

// The utility hook's part: LISTEN on a chronicle_ channel, UNLISTEN *, DISCARD ALL.
void commit_signals_note_utility_statement(Node* statement);

// Whether a session of `database` that may read events listens on a chronicle_ channel
// (false without shared memory).
bool database_has_listeners(Oid database);

// The channel of a category ("chronicle_<category>"), in `channel` (NAMEDATALEN bytes); false
// when the category is too long for a channel name.
bool category_channel(const char* category, int category_length, char* channel);
// Queues a NOTIFY on `channel` (sent at commit) with the position as its payload.
void notify_position(const char* channel, int64 position);
// The channel every appending commit notifies.
inline constexpr const char* kAllEventsChannel = "chronicle_all";

// Waiting for the next appending commit of any database (wait_for_events): prepare before
// checking for events, so that a commit between the check and the sleep is not missed;
// then sleep at most `timeout_ms`; cancel when done. Without shared memory the sleep is a
// short nap instead, and the caller checks again.
void prepare_to_wait_for_appends();
void wait_for_appends(long timeout_ms);
void cancel_wait_for_appends();

}  // namespace chronicle::pg
