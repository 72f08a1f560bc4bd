// What makes a stream name valid, and the category a stream belongs to.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace chronicle {

// A stream name is a non-empty text of at most this many bytes (not characters).
inline constexpr std::size_t kMaxStreamNameBytes = 255;

// Throws Error(InvalidStreamName) for a NULL, empty or oversize name.
void validate_stream_name(std::optional<std::string_view> stream);

// The part before the first '-', or the whole name when it has none: "order-42" -> "order".
std::string_view category_of(std::string_view stream) noexcept;

}  // namespace chronicle
