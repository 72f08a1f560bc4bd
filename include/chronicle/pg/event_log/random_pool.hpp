// Cryptographically strong random bytes for generated event ids, drawn from a per-backend
// pool: one pg_strong_random() call (OpenSSL) per 4 KiB instead of one per event, which
// profiling showed costing 8% of a single append and 16% of a batch.
#pragma once

#include <cstddef>
#include <cstdint>

namespace chronicle::pg {

// Fills `out` with `count` bytes never handed out before; raises an error when the system's
// source of randomness fails.
void strong_random_bytes(std::uint8_t* out, std::size_t count);

}  // namespace chronicle::pg
