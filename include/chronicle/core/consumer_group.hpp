// Consumer groups: which member of a group of N consumers receives a stream. The hash is
// part of the public contract (chronicle.stream_member, docs/subscriptions.md): clients may
// compute it, and it must not change across versions, servers or pg_upgrade.
#pragma once

#include <cstdint>
#include <string_view>

namespace chronicle {

inline constexpr int kMaxGroupMembers = 1024;

// FNV-1a, 64 bits, of the stream name's bytes.
std::uint64_t stream_hash(std::string_view stream) noexcept;

// The member in [0, members) that receives `stream`: stream_hash(stream) mod members.
// Throws Error(InvalidArgument) unless 1 <= members <= kMaxGroupMembers.
int stream_member(std::string_view stream, int members);

}  // namespace chronicle
