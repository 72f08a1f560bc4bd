// The GUCs of the background workers (registered in _PG_init; see docs/operations.md).
#pragma once

namespace chronicle::pg {

extern int worker_batch_size;  // chronicle.worker_batch_size: events per projection per round
extern int worker_naptime_ms;  // chronicle.worker_naptime: sleep when idle (a commit wakes it)
extern int max_workers;        // chronicle.max_workers: databases served at once
// chronicle.projection_time_limit: how long one projection's batch may run (per projection:
// alter_projection(time_limit => ...)); past it the batch is cancelled and retried
extern int projection_time_limit_ms;
// chronicle.projection_retries: failed attempts of a batch (time-outs, server conditions)
// before the projection is failed or, with on_error 'park', its event parked
extern int projection_retries;
// chronicle.worker_batch_time: a handler batch ends after this much work, so that the other
// projections of the database get their turn
extern int worker_batch_time_ms;

void register_worker_settings();

}  // namespace chronicle::pg
