// The work a database's projection worker does each time it wakes: apply the next batch of
// committed events to every projection it keeps. The worker (projection_worker.cpp) owns
// the process, its signals, its latch and its transactions; this is what runs inside one.
#pragma once

#include "chronicle/pg/postgres.hpp"

namespace chronicle::pg {

// Whether the chronicle extension exists in the current database (and is recent enough to
// have projections). Call inside a transaction.
bool projections_installed();

// Applies at most one batch (chronicle.worker_batch_size events) to every running async
// projection and every rebuild in progress, each in its own subtransaction, so that one
// projection's failure is recorded and does not roll back the others. Call inside a
// transaction the caller started and will commit; the projections' rows and positions
// commit with it. Returns true when some projection still has events waiting, so the
// worker should run another round at once instead of sleeping.
// `has_work` says whether the database has any running async projection or rebuild at all
// (the worker then wants to be woken by appends).
bool run_projection_round(bool* has_work);

// The worker's SIGINT handler calls this (async-signal-safe: it only sets a flag). A round
// escalates an error only when the worker itself was asked to cancel, never for a SQLSTATE
// that user code raised.
void note_cancel_request();

}  // namespace chronicle::pg
