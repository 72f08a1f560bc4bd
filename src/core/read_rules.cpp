// Argument rules of the read functions, and the gap-safe read horizon they stop at.

#include "chronicle/core/read_rules.hpp"

#include <algorithm>
#include <string>

#include "chronicle/core/error.hpp"

namespace chronicle {
namespace {

void require_not_negative(const char* name, std::optional<std::int64_t> value) {
    if (value && *value < 0) {
        throw Error(ErrorKind::InvalidArgument,
                    std::string(name) + " must not be negative: " + std::to_string(*value));
    }
}

}  // namespace

StreamRead validate_stream_read(std::optional<std::int64_t> from_version,
                                std::optional<std::int64_t> max_count, bool backwards) {
    require_not_negative("from_version", from_version);
    require_not_negative("max_count", max_count);
    return {from_version, max_count, backwards};
}

GlobalRead validate_global_read(std::optional<std::int64_t> after_position,
                                std::optional<std::int64_t> max_count) {
    require_not_negative("after_position", after_position);
    require_not_negative("max_count", max_count);
    return {after_position.value_or(0), max_count};
}

GlobalPosition read_horizon(GlobalPosition last_allocated,
                            std::optional<GlobalPosition> lowest_in_flight) noexcept {
    const GlobalPosition after_all = last_allocated + 1;
    return lowest_in_flight ? std::min(after_all, *lowest_in_flight) : after_all;
}

}  // namespace chronicle
