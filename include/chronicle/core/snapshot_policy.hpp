// When aggregate snapshots are taken and when a fold may start from one.
// A snapshot holds the state after version k * snapshot_every of a stream of the aggregate's
// category, folded by one exact definition (its revision). Snapshots are a cache: folding
// without them gives the same state.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace chronicle {

// The versions an append that moved a stream from `old_version` to `new_version` should
// snapshot: every multiple of `every` in (old_version, new_version]; none when every is 0.
std::vector<std::int64_t> snapshot_versions(std::int64_t old_version, std::int64_t new_version,
                                            std::int64_t every);

// Whether folds of `stream` may use (and appends to it take) snapshots of an aggregate with
// this category and snapshot_every: only streams of the aggregate's own category.
bool stream_has_snapshots(std::string_view stream, const std::optional<std::string_view>& category,
                          std::int64_t every) noexcept;

}  // namespace chronicle
