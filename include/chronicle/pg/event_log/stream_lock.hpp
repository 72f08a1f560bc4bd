// Serializing appends to one stream, and only to that stream.
#pragma once

#include <string_view>

#include "chronicle/pg/boundary/postgres.hpp"

namespace chronicle::pg {

// Takes, until the end of the transaction, an exclusive lock that only appends to the same
// stream wait for. It is a heavyweight lock on a 64-bit hash of the name (an advisory lock
// tag with a field no pg_advisory_lock call uses, so it never collides with the
// application's own advisory locks). It shows in pg_locks and the deadlock detector sees it.
// A waiter queues for it for less than deadlock_timeout (arrival order), then waits for the
// holder's transaction to end (a ShareLock on its virtualxid) and tries again, so that an
// append that waits for it is never the one the deadlock detector cancels for other
// transactions' cycle (see stream_lock.cpp; it holds no other lock of its own append, see
// append.cpp). A holder that took it in a savepoint it rolled back let it go, but a waiter
// past deadlock_timeout goes on waiting until the holder's whole transaction ends.
void lock_stream_for_append(std::string_view stream);

}  // namespace chronicle::pg
