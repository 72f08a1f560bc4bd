// The per-stream lock that serializes appends to one stream and to no other, waiting on the
// holder's transaction once a wait grows long (see the header on bystander deadlocks).

#include "chronicle/pg/event_log/stream_lock.hpp"

extern "C" {
#include "access/xact.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
}

namespace chronicle::pg {
namespace {
const uint16 kStreamLockField4 = 0x4353;

// Queued for the lock in EXCLUSIVE mode, but only for less than deadlock_timeout: the
// holder usually ends long before, and the lock manager hands the lock over in arrival
// order. Returns false if it gave up (lock_timeout, in a subtransaction of its own, so that
// the time-out rolls back cleanly and nothing is left queued).
bool wait_in_queue(LOCKTAG* tag) {
    MemoryContext context = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    volatile bool granted = false;
    BeginInternalSubTransaction(nullptr);
    PG_TRY();
    {
        // For this wait only: undone right after it, or by the subtransaction's rollback.
        const int guc_nest_level = NewGUCNestLevel();
        char timeout[32];
        snprintf(timeout, sizeof(timeout), "%d", Max(1, DeadlockTimeout / 2));
        (void)set_config_option("lock_timeout", timeout, PGC_USERSET, PGC_S_SESSION,
                                GUC_ACTION_SAVE, true, 0, false);
        (void)LockAcquire(tag, ExclusiveLock, false, false);
        AtEOXact_GUC(false, guc_nest_level);
        // Committing the subtransaction hands the lock to the transaction.
        ReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(context);
        CurrentResourceOwner = owner;
        granted = true;
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(context);
        ErrorData* error = CopyErrorData();
        FlushErrorState();
        RollbackAndReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(context);
        CurrentResourceOwner = owner;
        if (error->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE) ReThrowError(error);
        FreeErrorData(error);
    }
    PG_END_TRY();
    return granted;
}

}  // namespace

void lock_stream_for_append(std::string_view stream) {
    const uint64 hash = hash_bytes_extended(reinterpret_cast<const unsigned char*>(stream.data()),
                                            static_cast<int>(stream.size()), 0x6368726f6e69636cULL);
    LOCKTAG tag;
    SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, static_cast<uint32>(hash >> 32),
                         static_cast<uint32>(hash), kStreamLockField4);
    if (LockAcquire(&tag, ExclusiveLock, false, true) != LOCKACQUIRE_NOT_AVAIL) return;
    // Never queued in EXCLUSIVE mode when the deadlock detector may run for us. Waiters
    // queued for one lock in modes that conflict with each other are joined by "soft" edges
    // in its graph, and when the waiter behind us is itself deadlocked with the holder (two
    // transactions that append to two streams in opposite orders), the detector run by us
    // finds no queue order that helps and cancels us, who only wanted to append to one
    // stream. The detector runs for a waiter after deadlock_timeout: so we queue for less
    // than that (the usual short wait, served in arrival order), and beyond it we wait for
    // the holder's transaction to end instead, as CREATE INDEX CONCURRENTLY waits for
    // lockers (a SHARE lock on its virtual transaction id, which conflicts with nobody else
    // waiting; a true cycle is still found and broken among its own members), and try again.
    if (wait_in_queue(&tag)) return;
    for (;;) {
        VirtualTransactionId* holders = GetLockConflicts(&tag, ExclusiveLock, nullptr);
        for (; VirtualTransactionIdIsValid(*holders); ++holders) {
            (void)VirtualXactLock(*holders, true);
        }
        CHECK_FOR_INTERRUPTS();
        if (LockAcquire(&tag, ExclusiveLock, false, true) != LOCKACQUIRE_NOT_AVAIL) return;
    }
}

}  // namespace chronicle::pg
