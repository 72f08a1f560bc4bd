// Strong random bytes for generated event ids from a per-backend pool, one
// pg_strong_random() call per 4 KiB instead of one per event.

#include "chronicle/pg/event_log/random_pool.hpp"

#include <algorithm>
#include <cstring>

#include "chronicle/pg/boundary/postgres.hpp"

namespace chronicle::pg {
namespace {

// Filled lazily in the backend that uses it: the postmaster never fills it, so forked
// backends never share bytes.
std::uint8_t pool[4096];
std::size_t pool_used = sizeof pool;

void refill() {
    if (!pg_strong_random(pool, sizeof pool)) {
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg("could not generate random bytes for event ids")));
    }
    pool_used = 0;
}

}  // namespace

void strong_random_bytes(std::uint8_t* out, std::size_t count) {
    while (count > 0) {
        if (pool_used == sizeof pool) refill();
        Assert(pool_used < sizeof pool);
        const std::size_t take = std::min(count, sizeof pool - pool_used);
        std::memcpy(out, pool + pool_used, take);
        // Bytes are handed out once: wipe them so they cannot be handed out again.
        std::memset(pool + pool_used, 0, take);
        pool_used += take;
        out += take;
        count -= take;
    }
}

}  // namespace chronicle::pg
