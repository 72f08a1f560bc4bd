#include "chronicle/pg/stream_lock.hpp"

extern "C" {
#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/lock.h"
}

namespace chronicle::pg {
namespace {
const uint16 kStreamLockField4 = 0x4353;
}

void lock_stream_for_append(std::string_view stream) {
    const uint64 hash = hash_bytes_extended(reinterpret_cast<const unsigned char*>(stream.data()),
                                            static_cast<int>(stream.size()), 0x6368726f6e69636cULL);
    LOCKTAG tag;
    SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, static_cast<uint32>(hash >> 32),
                         static_cast<uint32>(hash), kStreamLockField4);
    // Never queued in EXCLUSIVE mode. Waiters queued for one lock in modes that conflict with
    // each other are joined by "soft" edges in the deadlock detector's graph, and when the
    // waiter behind us is itself deadlocked with the holder (two transactions that append to
    // two streams in opposite orders), the detector run by us finds no queue order that
    // helps and cancels us, who only wanted to append to one stream. So: try to take it;
    // while another transaction holds it, wait for it in SHARE mode, which conflicts with the
    // holder but not with the other waiters (no soft edges; a true cycle is still found and
    // broken among its members), let go at once and try again.
    for (;;) {
        if (LockAcquire(&tag, ExclusiveLock, false, true) != LOCKACQUIRE_NOT_AVAIL) return;
        (void)LockAcquire(&tag, ShareLock, false, false);
        LockRelease(&tag, ShareLock, false);
        CHECK_FOR_INTERRUPTS();
    }
}

}  // namespace chronicle::pg
