// The background workers' GUCs (see worker_settings.hpp).
#include "chronicle/pg/workers/worker_settings.hpp"

#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/guc.h"
}

namespace chronicle::pg {

int worker_batch_size = 1000;
int worker_naptime_ms = 1000;
int max_workers = 8;
int projection_time_limit_ms = 30000;
int projection_retries = 3;
int worker_batch_time_ms = 200;

void register_worker_settings() {
    DefineCustomIntVariable("chronicle.worker_batch_size",
                            "Events a projection worker applies to each projection per round.",
                            nullptr, &worker_batch_size, 1000, 1, 1000000, PGC_SIGHUP, 0, nullptr,
                            nullptr, nullptr);
    // Commits that append wake the worker at once; the naptime only bounds how late it notices
    // anything else (a projection created or resumed, a commit on a server without preload).
    DefineCustomIntVariable("chronicle.worker_naptime",
                            "How long an idle projection worker sleeps when no commit wakes it.",
                            nullptr, &worker_naptime_ms, 1000, 10, 3600000, PGC_SIGHUP, GUC_UNIT_MS,
                            nullptr, nullptr, nullptr);
    // One projection's batch is all its worker does while it runs: the time limit is what
    // bounds how long any other projection of the database waits for it (docs/projections.md).
    DefineCustomIntVariable(
        "chronicle.projection_time_limit",
        "How long one batch of one projection may run before the worker cancels and retries it.",
        "A projection's own limit (chronicle.alter_projection) overrides it.",
        &projection_time_limit_ms, 30000, 100, 3600000, PGC_SIGHUP, GUC_UNIT_MS, nullptr, nullptr,
        nullptr);
    DefineCustomIntVariable(
        "chronicle.projection_retries",
        "How often a projection's batch is retried after a time-out or a server condition.",
        "Then the projection is failed, or its failing event parked (on_error 'park'). "
        "Serialization "
        "failures, deadlocks and lock time-outs are retried without limit.",
        &projection_retries, 3, 0, 1000, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "chronicle.worker_batch_time",
        "How long a handler projection's batch runs before the worker commits it and moves on.",
        nullptr, &worker_batch_time_ms, 200, 1, 3600000, PGC_SIGHUP, GUC_UNIT_MS, nullptr, nullptr,
        nullptr);
    // It sizes shared memory, hence PGC_POSTMASTER. PostgreSQL refuses (FATAL) to define a
    // PGC_POSTMASTER setting after startup, though, and without preloading there are no
    // workers for it to limit: then it is defined as PGC_SIGHUP, only so that SHOW and
    // postgresql.conf know it.
    DefineCustomIntVariable(
        "chronicle.max_workers", "How many databases have a chronicle projection worker at once.",
        "One worker per database that has chronicle; a database beyond this many waits "
        "(projection_status shows waiting_for_worker). Each worker takes one of "
        "max_worker_processes, the launcher one more. 0 starts no projection worker. Takes "
        "effect at server start.",
        &max_workers, 8, 0, 128,
        process_shared_preload_libraries_in_progress ? PGC_POSTMASTER : PGC_SIGHUP, 0, nullptr,
        nullptr, nullptr);
    MarkGUCPrefixReserved("chronicle");
}

}  // namespace chronicle::pg
