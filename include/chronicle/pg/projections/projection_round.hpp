// The work a database's projection worker does each time it wakes: apply the next batch of
// committed events to every projection it keeps. The worker (projection_worker.cpp) owns
// the process, its signals and its latch; a round runs its own transactions.
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"

namespace chronicle::pg {

struct RoundResult {
    bool installed = false;  // chronicle is here (else the worker leaves)
    bool has_work = false;   // a running async projection or rebuild exists (wake on appends)
    bool more = false;       // some projection has events waiting: run again at once
    long wake_in_ms = -1;    // when the first projection waiting for a retry is due (-1: none)
};

// Applies at most one batch (chronicle.worker_batch_size events) to every running async
// projection and every rebuild in progress that is not waiting for a retry, each in a
// transaction of its own under its time limit, so that one projection's failure or slowness
// is recorded and holds up no other beyond that limit. Call outside a transaction.
RoundResult run_projection_round();

// Registers the per-batch time limit's timeout; once, at the worker's start.
void register_projection_time_limit();

// The worker's SIGINT handler calls this (async-signal-safe: it only sets a flag). A round
// escalates an error only when the worker itself was asked to cancel, never for a SQLSTATE
// that user code raised.
void note_cancel_request();

}  // namespace chronicle::pg
