// Serializing appends to one stream, and only to that stream.
#pragma once

#include <string_view>

#include "chronicle/pg/postgres.hpp"

namespace chronicle::pg {

// Takes, until the end of the transaction, an exclusive lock that only appends to the same
// stream wait for. It is a heavyweight lock on a 64-bit hash of the name (an advisory lock
// tag with a field no pg_advisory_lock call uses, so it never collides with the
// application's own advisory locks); it shows in pg_locks (ExclusiveLock for the holder,
// ShareLock for those waiting for it), and the deadlock detector sees it. Waiters are not
// served in arrival order; an append that waits for it holds no other lock of its own append
// (see append.cpp), so it is never part of a deadlock that other transactions made.
void lock_stream_for_append(std::string_view stream);

}  // namespace chronicle::pg
