// Gap-safe global positions: each appending transaction publishes the lowest position it
// holds in shared memory, so readers stop below any position not yet committed.

#include "chronicle/pg/boundary/pg_compat.hpp"
#include "chronicle/pg/event_log/in_flight_positions.hpp"

#include "chronicle/core/error.hpp"
#include "chronicle/core/read_rules.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/catalog/metadata_cache.hpp"
#include "chronicle/pg/workers/worker_registry.hpp"
#include "chronicle/pg/boundary/errcodes.hpp"

extern "C" {
#include "access/twophase.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/sequence.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/fmgrprotos.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"
#include "utils/syscache.h"
#include "catalog/pg_class.h"
#include "utils/tuplestore.h"
#include "utils/timestamp.h"
}

namespace chronicle::pg {
namespace {

// One slot per PGPROC: the database and lowest position of its open appending transaction.
struct InFlightSlot {
    Oid database;
    TimestampTz since;        // when `lowest` was published (valid while it is not 0)
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
// Positions taken per hold of the LWLock (about a millisecond of nextval).
const int64 kPositionsPerChunk = 1000;

InFlightShared* shared = nullptr;
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

}  // namespace

void in_flight_positions_shmem_request() {
    RequestAddinShmemSpace(shared_size());
    RequestNamedLWLockTranche(kTrancheName, 1);
}

void in_flight_positions_shmem_startup() {
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found = false;
    shared = static_cast<InFlightShared*>(
        ShmemInitStruct("chronicle in-flight positions", shared_size(), &found));
    if (!found) {
        shared->lock = &(GetNamedLWLockTranche(kTrancheName))->lock;
        shared->slot_count = slot_count();
        for (int i = 0; i < shared->slot_count; ++i) {
            shared->slots[i].database = InvalidOid;
            shared->slots[i].since = 0;
            pg_atomic_init_u64(&shared->slots[i].lowest, 0);
        }
    }
    LWLockRelease(AddinShmemInitLock);
}

namespace {

InFlightSlot* my_slot() {
    Assert(MyProc != nullptr && compat::my_proc_number() < shared->slot_count);
    return &shared->slots[compat::my_proc_number()];
}

void clear_my_slot() {
    if (holding_slot && shared) {
        pg_atomic_write_u64(&my_slot()->lowest, 0);
    }
    holding_slot = false;
    my_lowest_position = 0;  // the fallback lock itself ends with the transaction
}

}  // namespace

void in_flight_positions_xact_event(XactEvent event) {
    // A published slot always holds the transaction's lowest position.
    Assert(!holding_slot || my_lowest_position != 0);
    switch (event) {
        case XACT_EVENT_PRE_PREPARE:
            if (my_lowest_position != 0) {
                // A prepared transaction would hold its positions for an unbounded time after
                // this backend has moved on, and readers could not see it.
                ereport(ERROR,
                        (errcode(ERRCODE_CHRONICLE_TRANSACTION_NOT_SUPPORTED),
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
            Assert(!holding_slot && my_lowest_position == 0);
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

namespace {

void on_backend_exit(int, Datum) {
    clear_my_slot();
}

void set_fallback_tag(LOCKTAG* tag) {
    SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, 0, 0, kFallbackLockField4);
}

// The largest position the sequence has handed out, 0 if none. Read as the sequence's owner:
// pg_sequence_last_value() checks SELECT on it, which no reader of events is granted (nor
// needs: the position is no secret to one who may read the events).
int64 last_allocated(Oid position_seq) {
    HeapTuple sequence = SearchSysCache1(RELOID, ObjectIdGetDatum(position_seq));
    if (!HeapTupleIsValid(sequence)) {
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("cache lookup failed for relation %u", position_seq)));
    }
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(sequence))->relowner;
    ReleaseSysCache(sequence);
    LOCAL_FCINFO(fcinfo, 1);
    InitFunctionCallInfoData(*fcinfo, nullptr, 1, InvalidOid, nullptr, nullptr);
    fcinfo->args[0].value = ObjectIdGetDatum(position_seq);
    fcinfo->args[0].isnull = false;
    Oid saved_user;
    int saved_security;
    GetUserIdAndSecContext(&saved_user, &saved_security);
    // An error below aborts the (sub)transaction, which restores the identity.
    SetUserIdAndSecContext(owner, saved_security | SECURITY_LOCAL_USERID_CHANGE);
    Datum result = pg_sequence_last_value(fcinfo);
    SetUserIdAndSecContext(saved_user, saved_security);
    return fcinfo->isnull ? 0 : DatumGetInt64(result);
}

}  // namespace

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
        for (int64 i = 0; i < count; ++i) {
            CHECK_FOR_INTERRUPTS();
            positions[i] = nextval_internal(position_seq, false);
        }
        if (my_lowest_position == 0 && count > 0) my_lowest_position = positions[0];
        return;
    }
    // In chunks: interrupts are held off while the LWLock is held, and a batch of many
    // thousand positions must still answer a cancel quickly. Once the first chunk is
    // published, later ones are higher and need no publishing of their own.
    for (int64 done = 0; done < count;) {
        CHECK_FOR_INTERRUPTS();
        const int64 end = done + kPositionsPerChunk < count ? done + kPositionsPerChunk : count;
        LWLockAcquire(shared->lock, LW_SHARED);
        for (int64 i = done; i < end; ++i) positions[i] = nextval_internal(position_seq, false);
        // The published slot stays the transaction's lowest position: later ones are above it.
        Assert(my_lowest_position == 0 || my_lowest_position < positions[done]);
        if (!holding_slot) {
            InFlightSlot* slot = my_slot();
            slot->database = MyDatabaseId;
            slot->since = GetCurrentTimestamp();
            pg_atomic_write_u64(&slot->lowest, static_cast<uint64>(positions[0]));
            holding_slot = true;
            my_lowest_position = positions[0];
        }
        LWLockRelease(shared->lock);
        done = end;
    }
}

bool current_transaction_holds_position() {
    return my_lowest_position != 0;
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

int64 committed_horizon(Oid position_seq) {
    // The lock pg_sequence_last_value() takes (see current_read_horizon). No in-flight slot
    // and no fallback lock: this reader does not wait for anyone.
    LockRelationOid(position_seq, RowExclusiveLock);
    return last_allocated(position_seq) + 1;
}

}  // namespace chronicle::pg

// chronicle._in_flight_positions(): the open transactions of this database that hold a
// position (pid, the lowest position they hold, since when), for chronicle.in_flight_appends.
// Read in one instant under the lock, like the read horizon.
extern "C" {
PG_FUNCTION_INFO_V1(chronicle_in_flight_positions);
}

extern "C" Datum chronicle_in_flight_positions(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    // Who may read the view may call this: the view's own SELECT right decides (a
    // function in a view is executed with the caller's rights, not the view owner's).
    const Oid view = installed_metadata_cache().in_flight_appends;
    if (!OidIsValid(view) || pg_class_aclcheck(view, GetUserId(), ACL_SELECT) != ACLCHECK_OK) {
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("permission denied for view in_flight_appends"),
                        errhint("GRANT SELECT ON chronicle.in_flight_appends to the role.")));
    }
    if (!shared) return (Datum)0;  // not preloaded: no shared memory to read
    // Copied out under the lock, returned after it (nothing that may fail runs under it).
    struct Held {
        int pid;
        int64 position;
        TimestampTz since;
    };
    Held* held = static_cast<Held*>(palloc(sizeof(Held) * shared->slot_count));
    int count = 0;
    LWLockAcquire(shared->lock, LW_EXCLUSIVE);
    for (int i = 0; i < shared->slot_count; ++i) {
        const InFlightSlot& slot = shared->slots[i];
        const uint64 lowest = pg_atomic_read_u64(const_cast<pg_atomic_uint64*>(&slot.lowest));
        if (lowest == 0 || slot.database != MyDatabaseId) continue;
        held[count++] = Held{ProcGlobal->allProcs[i].pid, static_cast<int64>(lowest), slot.since};
    }
    LWLockRelease(shared->lock);
    for (int i = 0; i < count; ++i) {
        Datum values[3] = {Int32GetDatum(held[i].pid), Int64GetDatum(held[i].position),
                           TimestampTzGetDatum(held[i].since)};
        bool nulls[3] = {false, false, held[i].since == 0};
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    return (Datum)0;
}
