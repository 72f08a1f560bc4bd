// The projection launcher: one static background worker that starts a projection worker per
// database (projection_worker.cpp). What to start when is decided by the core
// (core/launcher_plan.hpp); this file gathers its inputs — pg_database, the worker slots,
// how the launcher's workers ended, the notices backends left — and carries the plan out.
//
// It connects to no database, so that it never holds up DROP DATABASE, and reads only the
// shared catalog pg_database. It wakes every chronicle.worker_naptime, when a worker it
// started starts or stops (the postmaster signals bgw_notify_pid), and when a backend sets
// its latch (CREATE/DROP DATABASE, CREATE/ALTER EXTENSION chronicle).
//
// Plain C-style code: the launcher's memory of each database is a C array of trivially
// destructible DatabaseMark; C++ containers live only inside core_call.
#include <algorithm>
#include <vector>

#include "chronicle/core/launcher_plan.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/workers/projection_launcher.hpp"
#include "chronicle/pg/workers/worker_registry.hpp"
#include "chronicle/pg/workers/worker_settings.hpp"

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

PGDLLEXPORT void chronicle_launcher_main(Datum main_arg);
}

namespace chronicle::pg {
namespace {

const char* const kLibraryName = "chronicle";

// The launcher's memory between wake-ups (TopMemoryContext).
DatabaseMark* marks = nullptr;
int mark_count = 0;
// The handle of the worker the launcher started in each slot, NULL if none.
BackgroundWorkerHandle** handles = nullptr;
uint32* handle_generations = nullptr;

bool reported_no_bgworker_slot = false;

// Databases known to have chronicle (from CREATE/ALTER EXTENSION and from sessions that
// found their database waiting), and those whose wait for a slot was logged already: the
// LOG line comes once per wait, not every wake-up. In TopMemoryContext.
Oid* known_chronicle = nullptr;
int known_count = 0;
Oid* logged_waiting = nullptr;
int logged_count = 0;
int list_capacity = 0;

bool in_list(const Oid* list, int count, Oid database) {
    for (int i = 0; i < count; ++i) {
        if (list[i] == database) return true;
    }
    return false;
}

void remember_chronicle(Oid database) {
    if (in_list(known_chronicle, known_count, database)) return;
    if (known_count == list_capacity) {
        list_capacity = Max(16, list_capacity * 2);
        known_chronicle = static_cast<Oid*>(
            known_chronicle ? repalloc(known_chronicle, list_capacity * sizeof(Oid))
                            : MemoryContextAlloc(TopMemoryContext, list_capacity * sizeof(Oid)));
        logged_waiting = static_cast<Oid*>(
            logged_waiting ? repalloc(logged_waiting, list_capacity * sizeof(Oid))
                           : MemoryContextAlloc(TopMemoryContext, list_capacity * sizeof(Oid)));
    }
    known_chronicle[known_count++] = database;
}

// Publishes who waits for a slot, and logs each database with chronicle that starts waiting.
void report_waiting(const Oid* waiting, int waiting_count) {
    publish_waiting_databases(waiting, waiting_count);
    int kept = 0;
    for (int i = 0; i < logged_count; ++i) {
        if (in_list(waiting, waiting_count, logged_waiting[i])) {
            logged_waiting[kept++] = logged_waiting[i];
        }
    }
    logged_count = kept;
    for (int i = 0; i < waiting_count; ++i) {
        const Oid database = waiting[i];
        if (!in_list(known_chronicle, known_count, database) ||
            in_list(logged_waiting, logged_count, database)) {
            continue;
        }
        logged_waiting[logged_count++] = database;
        ereport(LOG, (errmsg("database %u waits for a projection worker", database),
                      errdetail("All %d of chronicle.max_workers are serving other databases; its "
                                "async projections and rebuilds do not advance until one is free.",
                                max_workers),
                      errhint("Raise chronicle.max_workers (and max_worker_processes) and restart, "
                              "or drop chronicle from a database that does not need it.")));
    }
}

volatile sig_atomic_t got_sigterm = false;

void handle_sigterm(SIGNAL_ARGS) {
    int save_errno = errno;
    got_sigterm = true;
    SetLatch(MyLatch);
    errno = save_errno;
}

// The databases a worker may connect to, in OID order (the order they are served in when
// slots are short), allocated in the current memory context.
Oid* read_databases(int* count) {
    MemoryContext caller = CurrentMemoryContext;
    int capacity = 16;
    Oid* databases = static_cast<Oid*>(palloc(capacity * sizeof(Oid)));
    *count = 0;

    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    (void)GetTransactionSnapshot();
    Relation rel = table_open(DatabaseRelationId, AccessShareLock);
    TableScanDesc scan = table_beginscan_catalog(rel, 0, nullptr);
    HeapTuple tuple;
    while ((tuple = heap_getnext(scan, ForwardScanDirection)) != nullptr) {
        Form_pg_database db = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple));
        // Templates are copied by CREATE DATABASE, which needs them without sessions; an
        // invalid database is one whose DROP was interrupted.
        if (!db->datallowconn || db->datistemplate || database_is_invalid_form(db)) continue;
        if (*count == capacity) {
            capacity *= 2;
            databases = static_cast<Oid*>(repalloc(databases, capacity * sizeof(Oid)));
        }
        databases[(*count)++] = db->oid;
    }
    table_endscan(scan);
    table_close(rel, AccessShareLock);
    CommitTransactionCommand();
    MemoryContextSwitchTo(caller);

    qsort(databases, *count, sizeof(Oid), oid_cmp);
    return databases;
}

void store_marks(const std::vector<DatabaseMark>& updated) {
    // Called inside core_call, where no PostgreSQL function may run: the caller has made room
    // (launcher_round), and marks only grow by one per worker exit.
    mark_count = static_cast<int>(updated.size());
    std::copy(updated.begin(), updated.end(), marks);
}

// Forgets the handles of the workers that have stopped since the last wake-up; `stopped`
// tells which slots had one. Done before the slots are read, so that a worker's "found no
// extension", written before it exits, is in what the launcher reads next.
void poll_handles(bool* stopped, int slot_count) {
    for (int i = 0; i < slot_count; ++i) {
        stopped[i] = false;
        if (handles[i] == nullptr) continue;
        pid_t pid;
        BgwHandleStatus status = GetBackgroundWorkerPid(handles[i], &pid);
        if (status == BGWH_POSTMASTER_DIED) proc_exit(1);
        if (status == BGWH_STOPPED) {
            pfree(handles[i]);
            handles[i] = nullptr;
            stopped[i] = true;
        }
    }
}

// Notes how workers ended and which slots have a live worker. `marks` has room for one more
// mark per slot.
void note_exits(const WorkerSlotState* slots, const bool* stopped, bool* alive, int slot_count,
                TimestampTz now) {
    for (int i = 0; i < slot_count; ++i) {
        const WorkerSlotState& slot = slots[i];
        // A worker the launcher did not start (a previous launcher's) is alive while its pid
        // is in the slot: workers clear it when they exit.
        alive[i] = handles[i] != nullptr || slot.pid != 0;
        bool exited =
            stopped[i] && slot.database != InvalidOid && slot.generation == handle_generations[i];
        if (!alive[i] && slot.no_extension) exited = slot.database != InvalidOid;
        if (!exited) continue;
        const Oid database = slot.database;
        const bool no_extension = slot.no_extension;
        core_call([&] {
            std::vector<DatabaseMark> updated(marks, marks + mark_count);
            note_worker_exit(updated, database, no_extension, now);
            store_marks(updated);
        });
        if (no_extension) clear_no_extension(i, slot.generation);
    }
}

void take_notices() {
    Oid notices[16];
    bool overflow = false;
    int count = take_extension_notices(notices, lengthof(notices), &overflow);
    if (count == 0 && !overflow) return;
    core_call([&] {
        std::vector<DatabaseMark> updated(marks, marks + mark_count);
        if (overflow) note_extension_created_anywhere(updated);
        for (int i = 0; i < count; ++i) note_extension_created(updated, notices[i]);
        store_marks(updated);
    });
    for (int i = 0; i < count; ++i) remember_chronicle(notices[i]);
}

bool start_worker(int slot, Oid database, uint32 generation) {
    BackgroundWorker worker;
    memset(&worker, 0, sizeof(worker));
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    // The launcher restarts workers itself, with the core's delay and only where wanted.
    worker.bgw_restart_time = BGW_NEVER_RESTART;
    strlcpy(worker.bgw_library_name, kLibraryName, BGW_MAXLEN);
    strlcpy(worker.bgw_function_name, "chronicle_worker_main", BGW_MAXLEN);
    snprintf(worker.bgw_name, BGW_MAXLEN, "chronicle worker for database %u", database);
    strlcpy(worker.bgw_type, "chronicle worker", BGW_MAXLEN);
    worker.bgw_main_arg = ObjectIdGetDatum(database);
    WorkerStartInfo info{slot, generation};
    memcpy(worker.bgw_extra, &info, sizeof(info));
    worker.bgw_notify_pid = MyProcPid;

    // The handle lives as long as the worker, not as long as the loop's memory context.
    MemoryContext caller = MemoryContextSwitchTo(TopMemoryContext);
    BackgroundWorkerHandle* handle = nullptr;
    bool registered = RegisterDynamicBackgroundWorker(&worker, &handle);
    MemoryContextSwitchTo(caller);
    if (!registered) return false;
    reported_no_bgworker_slot = false;
    handles[slot] = handle;
    handle_generations[slot] = generation;
    return true;
}

// One wake-up: reap, read, plan, act. Returns how long to sleep at most, in ms.
long launcher_round() {
    const int slot_count = worker_slot_count();
    const int slot_room = Max(slot_count, 1);
    bool* stopped = static_cast<bool*>(palloc0(slot_room * sizeof(bool)));
    bool* alive = static_cast<bool*>(palloc0(slot_room * sizeof(bool)));
    WorkerSlotState* slots = static_cast<WorkerSlotState*>(palloc(slot_room * sizeof(*slots)));

    int database_count = 0;
    Oid* databases = read_databases(&database_count);
    // Room for every mark kept, one more per slot for exits and one for failed starts (the
    // plan itself only removes marks).
    marks = static_cast<DatabaseMark*>(
        repalloc(marks, (mark_count + 2 * slot_count + 1) * sizeof(DatabaseMark)));

    poll_handles(stopped, slot_count);
    read_worker_slots(slots);
    TimestampTz now = GetCurrentTimestamp();
    note_exits(slots, stopped, alive, slot_count, now);
    take_notices();

    // The plan, copied out of C++ containers into plain arrays before acting on it.
    int* free_slots = static_cast<int*>(palloc(Max(slot_count, 1) * sizeof(int)));
    int free_count = 0;
    WorkerStart* starts = static_cast<WorkerStart*>(palloc(Max(slot_count, 1) * sizeof(*starts)));
    int start_count = 0;
    int64 wake_at = 0;
    Oid* waiting = static_cast<Oid*>(palloc(Max(database_count, 1) * sizeof(Oid)));
    int waiting_count = 0;
    core_call([&] {
        std::vector<std::uint32_t> dbs(databases, databases + database_count);
        std::vector<WorkerSlotView> views(slot_count);
        for (int i = 0; i < slot_count; ++i) {
            views[i] = WorkerSlotView{slots[i].database, alive[i], slots[i].suspended_until};
        }
        LauncherPlan plan = plan_launcher(dbs, std::vector<DatabaseMark>(marks, marks + mark_count),
                                          views, now, max_workers);
        store_marks(plan.marks);
        for (std::size_t i : plan.free_slots) free_slots[free_count++] = static_cast<int>(i);
        for (const WorkerStart& start : plan.starts) starts[start_count++] = start;
        wake_at = plan.wake_at.value_or(0);
        for (std::uint32_t database : plan.waiting_for_slot) waiting[waiting_count++] = database;
    });
    report_waiting(waiting, waiting_count);

    for (int i = 0; i < free_count; ++i) free_worker_slot(free_slots[i], slots[free_slots[i]]);
    for (int i = 0; i < start_count; ++i) {
        const int slot = static_cast<int>(starts[i].slot);
        const Oid database = starts[i].database;
        uint32 generation = 0;
        if (!claim_worker_slot(slot, slots[slot], database, &generation)) continue;
        if (!start_worker(slot, database, generation)) {
            // No free background worker slot (max_worker_processes): try again after the
            // restart delay, and say so once, not every second.
            if (!reported_no_bgworker_slot) {
                ereport(LOG, (errmsg("chronicle launcher could not start a worker for database %u",
                                     database),
                              errdetail("No background worker slot is free."),
                              errhint("Consider increasing max_worker_processes.")));
                reported_no_bgworker_slot = true;
            }
            WorkerSlotState claimed = slots[slot];
            claimed.database = database;
            claimed.generation = generation;
            claimed.suspended_until = 0;
            free_worker_slot(slot, claimed);
            core_call([&] {
                std::vector<DatabaseMark> updated(marks, marks + mark_count);
                note_worker_exit(updated, database, false, now);
                store_marks(updated);
            });
        }
    }

    long sleep_ms = worker_naptime_ms;
    if (wake_at != 0) {
        long until = static_cast<long>((wake_at - GetCurrentTimestamp() + 999) / 1000);
        sleep_ms = Max(1L, Min(sleep_ms, until));
    }
    return sleep_ms;
}

}  // namespace

void register_projection_launcher() {
    BackgroundWorker worker;
    memset(&worker, 0, sizeof(worker));
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = 1;
    strlcpy(worker.bgw_library_name, kLibraryName, BGW_MAXLEN);
    strlcpy(worker.bgw_function_name, "chronicle_launcher_main", BGW_MAXLEN);
    strlcpy(worker.bgw_name, "chronicle launcher", BGW_MAXLEN);
    strlcpy(worker.bgw_type, "chronicle launcher", BGW_MAXLEN);
    worker.bgw_main_arg = (Datum)0;
    worker.bgw_notify_pid = 0;
    RegisterBackgroundWorker(&worker);
}

}  // namespace chronicle::pg

extern "C" void chronicle_launcher_main(Datum) {
    using namespace chronicle;
    using namespace chronicle::pg;
    pqsignal(SIGTERM, handle_sigterm);
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    BackgroundWorkerUnblockSignals();
    // No database: the launcher reads only pg_database, and holds up no DROP DATABASE.
    BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
    pgstat_report_appname("chronicle launcher");

    const int slot_count = worker_slot_count();
    handles = static_cast<BackgroundWorkerHandle**>(
        MemoryContextAllocZero(TopMemoryContext, Max(slot_count, 1) * sizeof(*handles)));
    handle_generations = static_cast<uint32*>(
        MemoryContextAllocZero(TopMemoryContext, Max(slot_count, 1) * sizeof(uint32)));
    marks = static_cast<DatabaseMark*>(MemoryContextAlloc(TopMemoryContext, sizeof(DatabaseMark)));
    register_launcher_latch();

    MemoryContext loop_context =
        AllocSetContextCreate(TopMemoryContext, "chronicle launcher loop", ALLOCSET_DEFAULT_SIZES);

    while (!got_sigterm) {
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        MemoryContextReset(loop_context);
        MemoryContextSwitchTo(loop_context);
        long sleep_ms = launcher_round();
        pgstat_report_activity(STATE_IDLE, nullptr);
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, sleep_ms,
                        PG_WAIT_EXTENSION);
    }
    // Exit code 1: when an administrator terminated the launcher, the postmaster starts a new
    // one (bgw_restart_time); at shutdown it does not. Its workers are left to the postmaster
    // and to the next launcher, which adopts them through their slots.
    proc_exit(1);
}
