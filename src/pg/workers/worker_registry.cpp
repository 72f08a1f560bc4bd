// The projection workers' registry in shared memory (see worker_registry.hpp).
#include "chronicle/pg/workers/worker_registry.hpp"

#include "chronicle/pg/workers/worker_settings.hpp"

extern "C" {
#include "miscadmin.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/timestamp.h"
}

namespace chronicle::pg {
namespace {

struct WorkerSlot {
    Oid database;
    uint32 generation;
    pid_t pid;
    Latch* latch;  // the worker's procLatch while it is connected, read without the lock
    bool no_extension;
    TimestampTz suspended_until;
    // Whether the worker keeps any async projection or rebuild: without one, commits that
    // appended need not wake it (read without the lock; see wake_database_worker).
    bool wants_commits;
    // Whether the worker sends the database's NOTIFYs for appending commits (someone listens):
    // appenders then leave them to it (read without the lock; see subscriptions/commit_signals).
    bool notifies;
};

// CREATE EXTENSION is rare: a few notices between two launcher wake-ups are plenty, and an
// overflow only costs a worker start in each database whose extension was absent.
constexpr int kMaxNotices = 16;
// Databases the launcher found waiting for a slot; beyond this many, every database without
// a slot counts as waiting (waiting_overflow).
constexpr int kMaxWaiting = 64;

struct WorkerRegistry {
    LWLock* lock;
    Latch* launcher_latch;  // read without the lock
    int notice_count;
    bool notice_overflow;
    // How many notices were ever left: a worker that found no extension reports it only if
    // none arrived since it looked (an ALTER EXTENSION UPDATE committing meanwhile).
    uint64 notice_epoch;
    Oid notices[kMaxNotices];
    int waiting_count;
    bool waiting_overflow;
    Oid waiting[kMaxWaiting];  // written by the launcher each wake-up
    int slot_count;
    WorkerSlot slots[FLEXIBLE_ARRAY_MEMBER];
};

static_assert(sizeof(WorkerStartInfo) <= BGW_EXTRALEN, "WorkerStartInfo must fit in bgw_extra");

const char* const kTrancheName = "chronicle_workers";

WorkerRegistry* registry = nullptr;
int my_slot = -1;  // this worker's slot once it has published itself

Size registry_size() {
    // max_workers is PGC_POSTMASTER: its value when shared memory is sized is final.
    return add_size(offsetof(WorkerRegistry, slots), mul_size(max_workers, sizeof(WorkerSlot)));
}

}  // namespace

void worker_registry_shmem_request() {
    RequestAddinShmemSpace(registry_size());
    RequestNamedLWLockTranche(kTrancheName, 1);
}

void worker_registry_shmem_startup() {
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found = false;
    registry = static_cast<WorkerRegistry*>(
        ShmemInitStruct("chronicle worker registry", registry_size(), &found));
    if (!found) {
        memset(registry, 0, registry_size());
        registry->lock = &(GetNamedLWLockTranche(kTrancheName))->lock;
        registry->slot_count = max_workers;
    }
    LWLockRelease(AddinShmemInitLock);
}

namespace {

WorkerSlot* find_slot(Oid database) {
    for (int i = 0; i < registry->slot_count; ++i) {
        if (registry->slots[i].database == database) return &registry->slots[i];
    }
    return nullptr;
}

bool unchanged(const WorkerSlot& slot, const WorkerSlotState& seen) {
    return slot.database == seen.database && slot.generation == seen.generation &&
           slot.suspended_until == seen.suspended_until && slot.pid == 0;
}

void on_launcher_exit(int, Datum) {
    LWLockAcquire(registry->lock, LW_EXCLUSIVE);
    if (registry->launcher_latch == MyLatch) registry->launcher_latch = nullptr;
    LWLockRelease(registry->lock);
}

void on_worker_exit(int, Datum) {
    if (my_slot < 0) return;
    LWLockAcquire(registry->lock, LW_EXCLUSIVE);
    WorkerSlot& slot = registry->slots[my_slot];
    if (slot.pid == MyProcPid) {
        slot.pid = 0;
        slot.latch = nullptr;
        slot.notifies = false;
    }
    LWLockRelease(registry->lock);
    my_slot = -1;
}

}  // namespace

bool worker_registry_ready() {
    return registry != nullptr;
}

int worker_slot_count() {
    return registry ? registry->slot_count : 0;
}

void register_launcher_latch() {
    LWLockAcquire(registry->lock, LW_EXCLUSIVE);
    registry->launcher_latch = MyLatch;
    LWLockRelease(registry->lock);
    before_shmem_exit(on_launcher_exit, (Datum)0);
}

void read_worker_slots(WorkerSlotState* out) {
    LWLockAcquire(registry->lock, LW_SHARED);
    for (int i = 0; i < registry->slot_count; ++i) {
        const WorkerSlot& slot = registry->slots[i];
        out[i] = WorkerSlotState{slot.database, slot.generation, slot.pid, slot.no_extension,
                                 slot.suspended_until};
    }
    LWLockRelease(registry->lock);
}

bool claim_worker_slot(int slot_index, const WorkerSlotState& seen, Oid database,
                       uint32* generation) {
    bool claimed = false;
    LWLockAcquire(registry->lock, LW_EXCLUSIVE);
    WorkerSlot& slot = registry->slots[slot_index];
    // A backend may have taken the slot for a DROP DATABASE since the launcher read it.
    if (unchanged(slot, seen) && (seen.database == InvalidOid || seen.database == database)) {
        slot.database = database;
        // A worker of an earlier generation that has not connected yet finds this and leaves,
        // so that a database never has two workers.
        *generation = ++slot.generation;
        slot.no_extension = false;
        slot.suspended_until = 0;
        claimed = true;
    }
    LWLockRelease(registry->lock);
    return claimed;
}

void free_worker_slot(int slot_index, const WorkerSlotState& seen) {
    LWLockAcquire(registry->lock, LW_EXCLUSIVE);
    WorkerSlot& slot = registry->slots[slot_index];
    if (unchanged(slot, seen)) {
        slot.database = InvalidOid;
        slot.no_extension = false;
        slot.suspended_until = 0;
        slot.latch = nullptr;
    }
    LWLockRelease(registry->lock);
}

void clear_no_extension(int slot_index, uint32 generation) {
    LWLockAcquire(registry->lock, LW_EXCLUSIVE);
    WorkerSlot& slot = registry->slots[slot_index];
    if (slot.generation == generation) slot.no_extension = false;
    LWLockRelease(registry->lock);
}

int take_extension_notices(Oid* out, int capacity, bool* overflow) {
    LWLockAcquire(registry->lock, LW_EXCLUSIVE);
    int count = Min(registry->notice_count, capacity);
    memcpy(out, registry->notices, count * sizeof(Oid));
    *overflow = registry->notice_overflow || count < registry->notice_count;
    registry->notice_count = 0;
    registry->notice_overflow = false;
    LWLockRelease(registry->lock);
    return count;
}

bool attach_worker(const WorkerStartInfo& info, Oid database, bool publish) {
    if (!registry || info.slot < 0 || info.slot >= registry->slot_count) return false;
    bool wanted = false;
    LWLockAcquire(registry->lock, LW_EXCLUSIVE);
    WorkerSlot& slot = registry->slots[info.slot];
    wanted = slot.database == database && slot.generation == info.generation &&
             (slot.pid == 0 || slot.pid == MyProcPid) &&
             slot.suspended_until <= GetCurrentTimestamp();
    if (wanted && publish) {
        slot.pid = MyProcPid;
        slot.latch = MyLatch;
        slot.notifies = false;
        my_slot = info.slot;
    }
    LWLockRelease(registry->lock);
    if (wanted && publish) {
        before_shmem_exit(on_worker_exit, (Datum)0);
        // Orders the publication before this worker's first snapshot; a committing appender
        // orders its commit before reading the latch (wake_database_worker). So either the
        // appender sees the latch, or the worker's next round sees the commit.
        pg_memory_barrier();
    }
    return wanted;
}

uint64 extension_notice_epoch() {
    if (!registry) return 0;
    LWLockAcquire(registry->lock, LW_SHARED);
    const uint64 epoch = registry->notice_epoch;
    LWLockRelease(registry->lock);
    return epoch;
}

void report_no_extension(uint64 epoch_seen) {
    if (my_slot < 0) return;
    LWLockAcquire(registry->lock, LW_EXCLUSIVE);
    // A notice since the worker looked may be the extension arriving in this very database:
    // then this exit is an ordinary one, and the launcher starts a worker again.
    if (registry->notice_epoch == epoch_seen) registry->slots[my_slot].no_extension = true;
    LWLockRelease(registry->lock);
}

void set_worker_wants_commits(bool wanted) {
    if (my_slot < 0) return;
    volatile WorkerSlot* slot = &registry->slots[my_slot];
    if (slot->wants_commits == wanted) return;
    slot->wants_commits = wanted;
    // Published before the worker next sleeps: a commit after this sees it.
    pg_memory_barrier();
}

void set_worker_notifies(bool notifies) {
    if (my_slot < 0) return;
    volatile WorkerSlot* slot = &registry->slots[my_slot];
    if (slot->notifies == notifies) return;
    slot->notifies = notifies;
    pg_memory_barrier();
}

bool database_worker_notifies(Oid database) {
    if (!registry) return false;
    pg_memory_barrier();
    volatile WorkerSlot* slots = registry->slots;
    for (int i = 0; i < registry->slot_count; ++i) {
        if (slots[i].database == database && slots[i].notifies && slots[i].latch != nullptr) {
            return true;
        }
    }
    return false;
}

void wake_database_worker_for_commit(Oid database) {
    if (!registry) return;
    pg_memory_barrier();
    volatile WorkerSlot* slots = registry->slots;
    bool has_slot = false;
    for (int i = 0; i < registry->slot_count; ++i) {
        if (slots[i].database != database) continue;
        has_slot = true;
        if (!slots[i].wants_commits) continue;
        Latch* latch = slots[i].latch;
        if (latch != nullptr) SetLatch(latch);
    }
    // Appends in a database that waits for a worker: tell the launcher, once per session,
    // that this database has chronicle, so that it logs the wait (it reads only pg_database).
    static Oid told_for = InvalidOid;
    if (!has_slot && told_for != database && database_waits_for_worker(database)) {
        told_for = database;
        notify_extension_created(database);
    }
}

void wake_database_worker(Oid database) {
    if (!registry) return;
    // Without the lock: this runs at every commit that appended. A stale read is harmless:
    // latches are PGPROC latches, always valid memory, and a latch set by mistake only costs
    // its owner a spurious wake-up, which every latch user tolerates. A worker that publishes
    // its latch after this read runs a round anyway (see attach_worker).
    pg_memory_barrier();
    volatile WorkerSlot* slots = registry->slots;
    for (int i = 0; i < registry->slot_count; ++i) {
        if (slots[i].database != database) continue;
        Latch* latch = slots[i].latch;
        if (latch != nullptr) SetLatch(latch);
    }
}

void wake_launcher() {
    if (!registry) return;
    Latch* latch = *static_cast<Latch* volatile*>(&registry->launcher_latch);
    if (latch != nullptr) SetLatch(latch);
}

void notify_extension_created(Oid database) {
    if (!registry) return;
    LWLockAcquire(registry->lock, LW_EXCLUSIVE);
    ++registry->notice_epoch;
    // A worker on its way out that reported "no extension" a moment before this commit was
    // wrong by now: its exit becomes an ordinary one, and the launcher starts a new worker.
    WorkerSlot* exiting = find_slot(database);
    if (exiting != nullptr) exiting->no_extension = false;
    bool known = false;
    for (int i = 0; i < registry->notice_count; ++i) known |= registry->notices[i] == database;
    if (!known) {
        if (registry->notice_count < kMaxNotices) {
            registry->notices[registry->notice_count++] = database;
        } else {
            registry->notice_overflow = true;
        }
    }
    LWLockRelease(registry->lock);
    wake_launcher();
}

pid_t suspend_database_worker(Oid database, TimestampTz until) {
    if (!registry) return 0;
    pid_t pid = 0;
    LWLockAcquire(registry->lock, LW_EXCLUSIVE);
    WorkerSlot* slot = find_slot(database);
    if (slot == nullptr) {
        // Hold a free slot so that the launcher does not start a worker for the database in
        // the meantime. With no free slot no worker can start either, short of one exiting
        // in this very instant: then DROP DATABASE waits for that worker as for any session.
        slot = find_slot(InvalidOid);
        if (slot != nullptr) {
            slot->database = database;
            slot->no_extension = false;
            slot->pid = 0;
            slot->latch = nullptr;
        }
    }
    if (slot != nullptr) {
        slot->suspended_until = Max(slot->suspended_until, until);
        pid = slot->pid;
    }
    LWLockRelease(registry->lock);
    return pid;
}

bool is_database_worker(Oid database, pid_t pid) {
    if (!registry) return false;
    LWLockAcquire(registry->lock, LW_SHARED);
    WorkerSlot* slot = find_slot(database);
    bool still = slot != nullptr && slot->pid == pid;
    LWLockRelease(registry->lock);
    return still;
}

void resume_database_worker(Oid database) {
    if (!registry) return;
    LWLockAcquire(registry->lock, LW_EXCLUSIVE);
    WorkerSlot* slot = find_slot(database);
    if (slot != nullptr) slot->suspended_until = 0;
    LWLockRelease(registry->lock);
    wake_launcher();
}

void publish_waiting_databases(const Oid* databases, int count) {
    if (!registry) return;
    LWLockAcquire(registry->lock, LW_EXCLUSIVE);
    registry->waiting_count = Min(count, kMaxWaiting);
    registry->waiting_overflow = count > kMaxWaiting;
    memcpy(registry->waiting, databases, registry->waiting_count * sizeof(Oid));
    LWLockRelease(registry->lock);
}

bool database_waits_for_worker(Oid database) {
    if (!registry || registry->slot_count == 0) return false;
    bool waits = false;
    LWLockAcquire(registry->lock, LW_SHARED);
    if (find_slot(database) == nullptr) {
        waits = registry->waiting_overflow;
        for (int i = 0; i < registry->waiting_count && !waits; ++i) {
            waits = registry->waiting[i] == database;
        }
    }
    LWLockRelease(registry->lock);
    return waits;
}

}  // namespace chronicle::pg

// chronicle._waits_for_worker(): whether this database has chronicle's projections waiting
// for a worker, because every one of chronicle.max_workers is serving another database.
// The first time a session finds it so, it tells the launcher that this database has
// chronicle (the launcher reads only pg_database, and logs the wait once it knows).
extern "C" {
PG_FUNCTION_INFO_V1(chronicle_waits_for_worker);
}

extern "C" Datum chronicle_waits_for_worker(PG_FUNCTION_ARGS) {
    static Oid told_for = InvalidOid;
    const bool waits = chronicle::pg::database_waits_for_worker(MyDatabaseId);
    if (waits && told_for != MyDatabaseId) {
        told_for = MyDatabaseId;
        chronicle::pg::notify_extension_created(MyDatabaseId);
    }
    PG_RETURN_BOOL(waits);
}

// chronicle._workers_enabled(): whether this server runs projection workers at all (chronicle
// preloaded and chronicle.max_workers > 0), for create_projection's warning. Any role may ask;
// reading shared_preload_libraries or the workers' rows in pg_stat_activity needs privileges.
extern "C" {
PG_FUNCTION_INFO_V1(chronicle_workers_enabled);
}

extern "C" Datum chronicle_workers_enabled(PG_FUNCTION_ARGS) {
    PG_RETURN_BOOL(chronicle::pg::worker_registry_ready() &&
                   chronicle::pg::worker_slot_count() > 0);
}
