// Consumer groups: the stable stream hash and the member it assigns.

#include "chronicle/core/consumer_group.hpp"

#include <string>

#include "chronicle/core/error.hpp"

namespace chronicle {

std::uint64_t stream_hash(std::string_view stream) noexcept {
    std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a offset basis
    for (const char c : stream) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ULL;  // FNV prime
    }
    return hash;
}

int stream_member(std::string_view stream, int members) {
    if (members < 1 || members > kMaxGroupMembers) {
        throw Error(ErrorKind::InvalidArgument, "members must be between 1 and " +
                                                    std::to_string(kMaxGroupMembers) + ", not " +
                                                    std::to_string(members));
    }
    return static_cast<int>(stream_hash(stream) % static_cast<std::uint64_t>(members));
}

}  // namespace chronicle
