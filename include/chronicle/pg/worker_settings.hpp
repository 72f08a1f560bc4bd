// The GUCs of the background workers (registered in _PG_init; see docs/operations.md).
#pragma once

namespace chronicle::pg {

extern int worker_batch_size;  // chronicle.worker_batch_size: events per projection per round
extern int worker_naptime_ms;  // chronicle.worker_naptime: sleep when idle (a commit wakes it)
extern int max_workers;        // chronicle.max_workers: databases served at once

void register_worker_settings();

}  // namespace chronicle::pg
