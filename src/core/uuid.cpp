// Event ids: the text form found in batches, and time-ordered ids generated at append.

#include "chronicle/core/uuid.hpp"

namespace chronicle {
namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<Uuid> parse_uuid(std::string_view text) noexcept {
    if (!text.empty() && text.front() == '{') {
        if (text.size() < 2 || text.back() != '}') return std::nullopt;
        text = text.substr(1, text.size() - 2);
    }
    Uuid id{};
    std::size_t digits = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '-') {
            // Like uuid_in: a hyphen may follow any complete group of four digits.
            if (digits == 0 || digits % 4 != 0 || digits == 32 || i + 1 == text.size() ||
                text[i + 1] == '-') {
                return std::nullopt;
            }
            continue;
        }
        const int v = hex_value(c);
        if (v < 0 || digits == 32) return std::nullopt;
        if (digits % 2 == 0) {
            id[digits / 2] = static_cast<std::uint8_t>(v << 4);
        } else {
            id[digits / 2] |= static_cast<std::uint8_t>(v);
        }
        ++digits;
    }
    if (digits != 32) return std::nullopt;
    return id;
}

std::string format_uuid(const Uuid& id) {
    static const char* const kHex = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < id.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += kHex[id[i] >> 4];
        out += kHex[id[i] & 0x0f];
    }
    return out;
}

Uuid make_uuid_v7(std::uint64_t unix_ms, const std::array<std::uint8_t, 10>& random) noexcept {
    Uuid id{};
    for (int i = 0; i < 6; ++i) {
        id[i] = static_cast<std::uint8_t>(unix_ms >> (8 * (5 - i)));
    }
    for (int i = 0; i < 10; ++i) {
        id[6 + i] = random[i];
    }
    id[6] = static_cast<std::uint8_t>(0x70 | (id[6] & 0x0f));  // version 7
    id[8] = static_cast<std::uint8_t>(0x80 | (id[8] & 0x3f));  // RFC 9562 variant
    return id;
}

}  // namespace chronicle
