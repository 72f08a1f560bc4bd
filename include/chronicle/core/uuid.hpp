// Event ids: parsing the text form found in batches, and generating time-ordered ids.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chronicle {

using Uuid = std::array<std::uint8_t, 16>;

// Accepts what PostgreSQL's uuid input accepts: 32 hex digits, optionally in braces, with a
// hyphen allowed after any group of four digits. nullopt when the text is not a uuid.
std::optional<Uuid> parse_uuid(std::string_view text) noexcept;

// The canonical 8-4-4-4-12 lower-case form.
std::string format_uuid(const Uuid& id);

// A version 7 uuid (RFC 9562): 48 bits of Unix milliseconds, then random bits. Generated ids
// are time-ordered so that the unique index on event ids grows at its right edge instead of
// taking random page splits.
Uuid make_uuid_v7(std::uint64_t unix_ms, const std::array<std::uint8_t, 10>& random) noexcept;

}  // namespace chronicle
