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
    (void)LockAcquire(&tag, ExclusiveLock, false, false);
}

}  // namespace chronicle::pg
