// NOTIFY for appending commits, sent by the database's background worker (commit_signals.hpp
// says why). Each wake-up of the worker (every appending commit sets its latch while someone
// listens) it reads the events committed since its last pass and sends one notification per
// category on chronicle_<category>, and one on chronicle_all, payload the highest position:
// coalesced across all the commits since, and at most one pass every 5 ms. Appenders leave the
// notifications to it once it has announced itself in the worker registry; it starts from the read
// horizon it saw before that, so no commit falls between the two.
//
// Plain C-style code, worker process only: runs its own transaction.
#pragma once

namespace chronicle::pg {

// One pass; false when nobody listens (the worker need not be woken for notifications).
bool notify_committed_appends();

}  // namespace chronicle::pg
