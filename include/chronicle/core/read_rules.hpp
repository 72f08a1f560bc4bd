// Argument rules for the read functions, and the gap-safe read horizon.
#pragma once

#include <cstdint>
#include <optional>

#include "chronicle/core/stream_version.hpp"

namespace chronicle {

using GlobalPosition = std::int64_t;

// read_stream's arguments after validation. from_version NULL means "from the start in the
// direction of reading": version 1 forwards, the last version backwards.
struct StreamRead {
    std::optional<StreamVersion> from_version;
    std::optional<std::int64_t> max_count;  // nullopt: no limit
    bool backwards = false;
};

// Throws Error(InvalidArgument) for negative from_version or max_count.
StreamRead validate_stream_read(std::optional<std::int64_t> from_version,
                                std::optional<std::int64_t> max_count, bool backwards);

struct GlobalRead {
    GlobalPosition after_position = 0;
    std::optional<std::int64_t> max_count;  // nullopt: no limit
};

// Throws Error(InvalidArgument) for a negative after_position or max_count.
// A NULL after_position means 0 (from the first event).
GlobalRead validate_global_read(std::optional<std::int64_t> after_position,
                                std::optional<std::int64_t> max_count);

// The first position a gap-safe reader must not pass: every position below it was handed out
// by a transaction that has already committed or aborted. `last_allocated` is the largest
// position handed out so far (0 if none); `lowest_in_flight` the lowest position held by a
// transaction still open (nullopt if none).
GlobalPosition read_horizon(GlobalPosition last_allocated,
                            std::optional<GlobalPosition> lowest_in_flight) noexcept;

}  // namespace chronicle
