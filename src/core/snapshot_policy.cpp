// When an aggregate's snapshots are due and which one a fold may start from: a snapshot is
// a cache, so these rules never change what a fold returns.

#include "chronicle/core/snapshot_policy.hpp"

#include "chronicle/core/stream_name.hpp"

namespace chronicle {

std::vector<std::int64_t> snapshot_versions(std::int64_t old_version, std::int64_t new_version,
                                            std::int64_t every) {
    std::vector<std::int64_t> versions;
    if (every <= 0 || new_version <= old_version || old_version < 0) return versions;
    // The first multiple above old_version, and each next one, without overflowing near 2^63.
    const std::int64_t floor = old_version - old_version % every;
    if (floor > new_version - every) return versions;
    for (std::int64_t v = floor + every;; v += every) {
        versions.push_back(v);
        if (v > new_version - every) break;
    }
    return versions;
}

bool stream_has_snapshots(std::string_view stream, const std::optional<std::string_view>& category,
                          std::int64_t every) noexcept {
    return every > 0 && category && category_of(stream) == *category;
}

}  // namespace chronicle
