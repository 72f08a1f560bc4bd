#include "chronicle/pg/in_flight_positions.hpp"

#include "chronicle/core/error.hpp"
#include "chronicle/core/read_rules.hpp"
#include "chronicle/pg/boundary.hpp"
#include "chronicle/pg/worker_registry.hpp"

extern "C" {
#include "access/twophase.h"
#include "access/xact.h"
#include "commands/sequence.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/fmgrprotos.h"
#include "utils/resowner.h"
}

namespace chronicle::pg {
namespace {

// One slot per PGPROC: the database and lowest position of its open appending transaction.
struct InFlightSlot {
    Oid database;
    pg_atomic_uint64 lowest;  // 0: no appending transaction open
};

struct InFlightShared {
    LWLock* lock;
    int slot_count;
    InFlightSlot slots[FLEXIBLE_ARRAY_MEMBER];
};

const char* const kTrancheName = "chronicle_positions";
// advisory-lock field4 values that no pg_advisory_lock() call can produce (those use 1, 2)
const uint16 kFallbackLockField4 = 0x4350;

InFlightShared* shared = nullptr;
shmem_request_hook_type previous_shmem_request = nullptr;
shmem_startup_hook_type previous_shmem_startup = nullptr;
bool holding_slot = false;  // this backend's current transaction published its slot
// The lowest position the current transaction holds, 0 if none; without shared memory this
// is how read_all keeps a transaction from reading past its own uncommitted appends.
int64 my_lowest_position = 0;

int slot_count() {
    return MaxBackends + NUM_AUXILIARY_PROCS + max_prepared_xacts;
}

Size shared_size() {
    return add_size(offsetof(InFlightShared, slots), mul_size(slot_count(), sizeof(InFlightSlot)));
}

void on_shmem_request() {
    if (previous_shmem_request) previous_shmem_request();
    RequestAddinShmemSpace(shared_size());
    RequestNamedLWLockTranche(kTrancheName, 1);
}

void on_shmem_startup() {
    if (previous_shmem_startup) previous_shmem_startup();
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found = false;
    shared = static_cast<InFlightShared*>(
        ShmemInitStruct("chronicle in-flight positions", shared_size(), &found));
    if (!found) {
        shared->lock = &(GetNamedLWLockTranche(kTrancheName))->lock;
        shared->slot_count = slot_count();
        for (int i = 0; i < shared->slot_count; ++i) {
            shared->slots[i].database = InvalidOid;
            pg_atomic_init_u64(&shared->slots[i].lowest, 0);
        }
    }
    LWLockRelease(AddinShmemInitLock);
}

InFlightSlot* my_slot() {
    Assert(MyProc != nullptr && MyProc->pgprocno < shared->slot_count);
    return &shared->slots[MyProc->pgprocno];
}

void clear_my_slot() {
    if (holding_slot && shared) {
        pg_atomic_write_u64(&my_slot()->lowest, 0);
    }
    holding_slot = false;
    my_lowest_position = 0;  // the fallback lock itself ends with the transaction
}

void on_xact_event(XactEvent event, void*) {
    switch (event) {
        case XACT_EVENT_PRE_PREPARE:
            if (my_lowest_position != 0) {
                // A prepared transaction would hold its positions for an unbounded time after
                // this backend has moved on, and readers could not see it.
                ereport(ERROR,
                        (errcode(sqlerrcode_of(ErrorKind::TransactionNotSupported)),
                         errmsg("cannot PREPARE a transaction that appended events with chronicle"),
                         errhint("Append in a transaction that commits directly.")));
            }
            break;
        case XACT_EVENT_COMMIT: {
            const bool appended = my_lowest_position != 0;
            // Clear first: a worker woken while this transaction's positions still looked in
            // flight would stop below them and go back to sleep.
            clear_my_slot();
            // The commit is visible now, so the database's projection worker sees the events.
            if (appended) wake_database_worker_for_commit(MyDatabaseId);
            break;
        }
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_COMMIT:
        case XACT_EVENT_PARALLEL_ABORT:
        case XACT_EVENT_PREPARE:
            clear_my_slot();
            break;
        default:
            break;
    }
}

void on_backend_exit(int, Datum) {
    clear_my_slot();
}

void set_fallback_tag(LOCKTAG* tag) {
    SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, 0, 0, kFallbackLockField4);
}

// The largest position the sequence has handed out, 0 if none.
int64 last_allocated(Oid position_seq) {
    LOCAL_FCINFO(fcinfo, 1);
    InitFunctionCallInfoData(*fcinfo, nullptr, 1, InvalidOid, nullptr, nullptr);
    fcinfo->args[0].value = ObjectIdGetDatum(position_seq);
    fcinfo->args[0].isnull = false;
    Datum result = pg_sequence_last_value(fcinfo);
    return fcinfo->isnull ? 0 : DatumGetInt64(result);
}

}  // namespace

void request_in_flight_positions_shmem() {
    previous_shmem_request = shmem_request_hook;
    shmem_request_hook = on_shmem_request;
    previous_shmem_startup = shmem_startup_hook;
    shmem_startup_hook = on_shmem_startup;
}

void register_in_flight_positions_callbacks() {
    RegisterXactCallback(on_xact_event, nullptr);
}

void allocate_positions(Oid position_seq, int64 count, int64* positions) {
    // Take the sequence's relation lock before the LWLock, so that nothing waits for a
    // heavyweight lock while holding it (nextval then finds the lock already held).
    LockRelationOid(position_seq, RowExclusiveLock);
    static bool exit_callback_registered = false;
    if (!exit_callback_registered) {
        // Per backend: exit callbacks registered in the postmaster are reset in its children.
        before_shmem_exit(on_backend_exit, (Datum)0);
        exit_callback_registered = true;
    }
    if (!shared) {
        if (my_lowest_position == 0 && count > 0) {
            // Owned by the top transaction: a rolled-back savepoint must not release it while
            // this transaction goes on appending.
            LOCKTAG tag;
            set_fallback_tag(&tag);
            ResourceOwner owner = CurrentResourceOwner;
            CurrentResourceOwner = TopTransactionResourceOwner;
            (void)LockAcquire(&tag, ShareLock, false, false);
            CurrentResourceOwner = owner;
        }
        for (int64 i = 0; i < count; ++i) positions[i] = nextval_internal(position_seq, false);
        if (my_lowest_position == 0 && count > 0) my_lowest_position = positions[0];
        return;
    }
    LWLockAcquire(shared->lock, LW_SHARED);
    for (int64 i = 0; i < count; ++i) positions[i] = nextval_internal(position_seq, false);
    // The published slot stays the transaction's lowest position: later ones are above it.
    Assert(count == 0 || my_lowest_position == 0 || my_lowest_position < positions[0]);
    if (!holding_slot && count > 0) {
        InFlightSlot* slot = my_slot();
        slot->database = MyDatabaseId;
        pg_atomic_write_u64(&slot->lowest, static_cast<uint64>(positions[0]));
        holding_slot = true;
        my_lowest_position = positions[0];
    }
    LWLockRelease(shared->lock);
}

int64 current_read_horizon(Oid position_seq) {
    // pg_sequence_last_value() takes this lock mode; take it before the LWLock (see above).
    LockRelationOid(position_seq, RowExclusiveLock);
    if (!shared) {
        // Wait until every other open appending transaction has ended, then read. (Two
        // transactions that both appended and then both read deadlock here; the deadlock
        // detector cancels one. Preloading avoids this mode altogether.)
        LOCKTAG tag;
        set_fallback_tag(&tag);
        (void)LockAcquire(&tag, ExclusiveLock, false, false);
        int64 last = last_allocated(position_seq);
        LockRelease(&tag, ExclusiveLock, false);
        return chronicle::read_horizon(
            last, my_lowest_position ? std::optional<int64>(my_lowest_position) : std::nullopt);
    }
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    int64 last = last_allocated(position_seq);
    uint64 lowest = 0;
    for (int i = 0; i < shared->slot_count; ++i) {
        const InFlightSlot& slot = shared->slots[i];
        uint64 held = pg_atomic_read_u64(const_cast<pg_atomic_uint64*>(&slot.lowest));
        if (held != 0 && slot.database == MyDatabaseId && (lowest == 0 || held < lowest)) {
            lowest = held;
        }
    }
    LWLockRelease(shared->lock);
    return chronicle::read_horizon(
        last, lowest ? std::optional<int64>(static_cast<int64>(lowest)) : std::nullopt);
}

}  // namespace chronicle::pg
