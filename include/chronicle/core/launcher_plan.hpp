// What the projection launcher does on each wake-up: which databases get a worker now, which
// worker slots become free, and when it must look again. A pure function of the database
// list, the slots, the launcher's memory of each database and the time, so that every rule
// is unit-tested here; the glue (src/pg/workers/projection_launcher.cpp) only gathers the inputs
// and carries the plan out.
//
// Times are microseconds on the server's clock (PostgreSQL's TimestampTz); only differences
// and comparisons matter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace chronicle {

// How long a database waits for a new worker after its worker failed (an ERROR, a
// termination, a failed start): long enough that a persistent error does not spin, short
// enough that a transient one costs a second of lag.
constexpr std::int64_t kWorkerRestartDelayUs = 1'000'000;

// What the launcher remembers about a database between wake-ups. A database without a mark
// gets a worker as soon as a slot is free.
struct DatabaseMark {
    std::uint32_t database = 0;
    // Its worker found no chronicle extension and exited: no worker until CREATE/ALTER
    // EXTENSION chronicle there says otherwise (or the database is dropped).
    bool no_extension = false;
    // Its worker failed: no new worker before this time.
    std::int64_t not_before = 0;
};

// One worker slot in shared memory, as the launcher sees it.
struct WorkerSlotView {
    std::uint32_t database = 0;  // 0: free
    bool worker_alive = false;   // a worker is starting or running for it
    // DROP DATABASE (or another command that needs the database to itself) is in progress:
    // no worker for the database before this time.
    std::int64_t suspended_until = 0;
};

struct WorkerStart {
    std::size_t slot = 0;
    std::uint32_t database = 0;
};

struct LauncherPlan {
    std::vector<DatabaseMark> marks;      // the launcher's memory after this wake-up
    std::vector<std::size_t> free_slots;  // slots to release: no worker, nothing to wait for
    std::vector<WorkerStart> starts;      // workers to start now
    // Databases that would get a worker now but find every usable slot taken (those that
    // have chronicle wait for a worker: chronicle.max_workers is too low for them).
    std::vector<std::uint32_t> waiting_for_slot;
    // The earliest time a database now waiting (backoff, suspension) may get a worker: the
    // launcher must wake up by then even if nothing else happens.
    std::optional<std::int64_t> wake_at;
};

// The plan for one wake-up.
//  databases:   the databases that may have a worker (connections allowed, not a template),
//               in the order they should be served when slots are short
//  marks:       the launcher's memory (marks of databases not in `databases` are forgotten)
//  slots:       every worker slot; only the first `max_workers` are ever used
//  now:         the current time
// Every database has at most one slot; at most max_workers slots are in use at once.
LauncherPlan plan_launcher(const std::vector<std::uint32_t>& databases,
                           const std::vector<DatabaseMark>& marks,
                           const std::vector<WorkerSlotView>& slots, std::int64_t now,
                           int max_workers);

// Records that the worker of `database` exited: because the extension is absent there
// (found_no_extension), or for any other reason (then it is restarted after a delay).
void note_worker_exit(std::vector<DatabaseMark>& marks, std::uint32_t database,
                      bool found_no_extension, std::int64_t now);

// Records that chronicle was created or updated in `database`: it gets a worker again.
void note_extension_created(std::vector<DatabaseMark>& marks, std::uint32_t database);

// Records that the extension may have been created in any database (the notices overflowed).
void note_extension_created_anywhere(std::vector<DatabaseMark>& marks);

}  // namespace chronicle
