// Unit tests for include/chronicle/core/uuid.hpp.
#include "chronicle/core/uuid.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using chronicle::format_uuid;
using chronicle::make_uuid_v7;
using chronicle::parse_uuid;
using chronicle::Uuid;
using Random10 = std::array<std::uint8_t, 10>;

// a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11, PostgreSQL's documentation example.
constexpr Uuid kExample = {0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8,
                           0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11};
constexpr const char* kExampleText = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
constexpr const char* kExampleDigits = "a0eebc999c0b4ef8bb6d6bb9bd380a11";

static_assert(noexcept(parse_uuid(std::string_view{})), "parse_uuid must not throw");
static_assert(noexcept(make_uuid_v7(0, Random10{})), "make_uuid_v7 must not throw");

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

// --- parse_uuid: accepted forms -------------------------------------------------------------

TEST(ParseUuidTest, CanonicalForm) {
    const auto id = parse_uuid(kExampleText);
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(*id, kExample);
}

TEST(ParseUuidTest, UpperCase) {
    const auto id = parse_uuid("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11");
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(*id, kExample);
}

TEST(ParseUuidTest, MixedCase) {
    const auto id = parse_uuid("a0EeBc99-9C0b-4Ef8-bB6d-6Bb9bD380A11");
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(*id, kExample);
}

TEST(ParseUuidTest, Braces) {
    const auto id = parse_uuid("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}");
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(*id, kExample);
}

TEST(ParseUuidTest, NoHyphens) {
    const auto id = parse_uuid(kExampleDigits);
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(*id, kExample);
}

TEST(ParseUuidTest, BracesWithoutHyphens) {
    const auto id = parse_uuid("{a0eebc999c0b4ef8bb6d6bb9bd380a11}");
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(*id, kExample);
}

TEST(ParseUuidTest, BracesUpperCase) {
    const auto id = parse_uuid("{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}");
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(*id, kExample);
}

TEST(ParseUuidTest, HyphenAfterEveryGroupOfFour) {
    const auto id = parse_uuid("a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11");
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(*id, kExample);
    const auto braced = parse_uuid("{a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11}");
    ASSERT_TRUE(braced.has_value());
    EXPECT_EQ(*braced, kExample);
}

TEST(ParseUuidTest, PostgresDocumentedForms) {
    // Every input form listed in PostgreSQL's "UUID Type" documentation.
    for (const char* text : {
             "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
             "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
             "a0eebc999c0b4ef8bb6d6bb9bd380a11",
             "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
             "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}",
         }) {
        const auto id = parse_uuid(text);
        ASSERT_TRUE(id.has_value()) << text;
        EXPECT_EQ(*id, kExample) << text;
    }
}

TEST(ParseUuidTest, SingleHyphenAfterAnyGroupOfFour) {
    const std::string digits = kExampleDigits;
    for (std::size_t at = 4; at < 32; at += 4) {
        const std::string text = digits.substr(0, at) + "-" + digits.substr(at);
        const auto id = parse_uuid(text);
        ASSERT_TRUE(id.has_value()) << text;
        EXPECT_EQ(*id, kExample) << text;
        const auto braced = parse_uuid("{" + text + "}");
        ASSERT_TRUE(braced.has_value()) << text;
        EXPECT_EQ(*braced, kExample) << text;
    }
}

TEST(ParseUuidTest, AnySubsetOfGroupHyphens) {
    // All 2^7 choices of hyphens at the seven inner group boundaries are accepted.
    const std::string digits = kExampleDigits;
    for (unsigned mask = 0; mask < (1u << 7); ++mask) {
        std::string text;
        for (std::size_t group = 0; group < 8; ++group) {
            text += digits.substr(group * 4, 4);
            if (group < 7 && (mask & (1u << group))) text += '-';
        }
        const auto id = parse_uuid(text);
        ASSERT_TRUE(id.has_value()) << text;
        EXPECT_EQ(*id, kExample) << text;
    }
}

TEST(ParseUuidTest, NilAndMax) {
    const auto nil = parse_uuid("00000000-0000-0000-0000-000000000000");
    ASSERT_TRUE(nil.has_value());
    EXPECT_EQ(*nil, Uuid{});
    const auto max = parse_uuid("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF");
    ASSERT_TRUE(max.has_value());
    Uuid all_ones;
    all_ones.fill(0xff);
    EXPECT_EQ(*max, all_ones);
}

TEST(ParseUuidTest, EveryHexDigitInEveryPosition) {
    const char* const digits = "0123456789abcdefABCDEF";
    for (std::size_t pos = 0; pos < 32; ++pos) {
        for (const char* d = digits; *d; ++d) {
            std::string text(32, '0');
            text[pos] = *d;
            const auto id = parse_uuid(text);
            ASSERT_TRUE(id.has_value()) << text;
            const int value = std::isdigit(static_cast<unsigned char>(*d))
                                  ? *d - '0'
                                  : std::tolower(static_cast<unsigned char>(*d)) - 'a' + 10;
            Uuid expected{};
            expected[pos / 2] = static_cast<std::uint8_t>(pos % 2 == 0 ? value << 4 : value);
            EXPECT_EQ(*id, expected) << text;
        }
    }
}

TEST(ParseUuidTest, OnlyTheViewIsParsed) {
    const std::string buffer = std::string(kExampleText) + "trailing garbage";
    const auto id = parse_uuid(std::string_view(buffer).substr(0, 36));
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(*id, kExample);
    // A view of the braced form cut before its closing brace is not a uuid.
    const std::string braced = std::string("{") + kExampleText + "}";
    EXPECT_FALSE(parse_uuid(std::string_view(braced).substr(0, 37)).has_value());
}

// --- parse_uuid: rejected forms -------------------------------------------------------------

TEST(ParseUuidTest, RejectsEmpty) {
    EXPECT_FALSE(parse_uuid("").has_value());
    EXPECT_FALSE(parse_uuid(std::string_view()).has_value());
}

TEST(ParseUuidTest, RejectsBracesAlone) {
    EXPECT_FALSE(parse_uuid("{").has_value());
    EXPECT_FALSE(parse_uuid("}").has_value());
    EXPECT_FALSE(parse_uuid("{}").has_value());
    EXPECT_FALSE(parse_uuid("{-}").has_value());
}

TEST(ParseUuidTest, RejectsTooFewDigits) {
    const std::string digits = kExampleDigits;
    for (std::size_t n = 0; n < 32; ++n) {
        EXPECT_FALSE(parse_uuid(digits.substr(0, n)).has_value()) << n;
    }
    EXPECT_FALSE(parse_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1").has_value());
    EXPECT_FALSE(parse_uuid("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1}").has_value());
}

TEST(ParseUuidTest, RejectsTooManyDigits) {
    EXPECT_FALSE(parse_uuid(std::string(kExampleDigits) + "0").has_value());
    EXPECT_FALSE(parse_uuid(std::string(kExampleDigits) + "00").has_value());
    EXPECT_FALSE(parse_uuid(std::string(kExampleDigits) + "0000").has_value());
    EXPECT_FALSE(parse_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a110").has_value());
    EXPECT_FALSE(parse_uuid("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a110}").has_value());
    EXPECT_FALSE(parse_uuid(std::string(64, 'a')).has_value());
    // A hyphen after the 32nd digit, then more digits.
    EXPECT_FALSE(parse_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-0000").has_value());
}

TEST(ParseUuidTest, RejectsNonHexCharacters) {
    for (char bad :
         {'g', 'G', 'z', 'x', 'X', ' ', '\t', '\n', '.', ':', '_', '+', '{', '}', '\0'}) {
        for (std::size_t pos : {std::size_t{0}, std::size_t{7}, std::size_t{16}, std::size_t{31}}) {
            std::string text = kExampleDigits;
            text[pos] = bad;
            EXPECT_FALSE(parse_uuid(text).has_value())
                << "character " << static_cast<int>(bad) << " at " << pos;
        }
    }
}

TEST(ParseUuidTest, RejectsNonAsciiBytes) {
    std::string text = kExampleDigits;
    text[5] = '\xC3';
    EXPECT_FALSE(parse_uuid(text).has_value());
    text[5] = '\xFF';
    EXPECT_FALSE(parse_uuid(text).has_value());
    text[5] = '\x80';
    EXPECT_FALSE(parse_uuid(text).has_value());
    // Full-width digit zero (U+FF10) in place of two digits.
    EXPECT_FALSE(
        parse_uuid(std::string(kExampleDigits).substr(0, 29) + "\xEF\xBC\x90").has_value());
}

TEST(ParseUuidTest, RejectsLeadingHyphen) {
    EXPECT_FALSE(parse_uuid(std::string("-") + kExampleText).has_value());
    EXPECT_FALSE(parse_uuid(std::string("-") + kExampleDigits).has_value());
    EXPECT_FALSE(parse_uuid(std::string("{-") + kExampleText + "}").has_value());
}

TEST(ParseUuidTest, RejectsTrailingHyphen) {
    EXPECT_FALSE(parse_uuid(std::string(kExampleText) + "-").has_value());
    EXPECT_FALSE(parse_uuid(std::string(kExampleDigits) + "-").has_value());
    EXPECT_FALSE(parse_uuid(std::string("{") + kExampleText + "-}").has_value());
    // A trailing hyphen after 28 digits is rejected too (not only after 32).
    EXPECT_FALSE(parse_uuid(std::string(kExampleDigits).substr(0, 28) + "-").has_value());
}

TEST(ParseUuidTest, RejectsDoubleHyphen) {
    EXPECT_FALSE(parse_uuid("a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11").has_value());
    EXPECT_FALSE(parse_uuid("a0eebc99-9c0b-4ef8-bb6d--6bb9bd380a11").has_value());
    EXPECT_FALSE(parse_uuid("a0ee--bc999c0b4ef8bb6d6bb9bd380a11").has_value());
    EXPECT_FALSE(parse_uuid("{a0eebc99---9c0b-4ef8-bb6d-6bb9bd380a11}").has_value());
}

TEST(ParseUuidTest, RejectsHyphenInsideAGroupOfFour) {
    const std::string digits = kExampleDigits;
    for (std::size_t at = 1; at < 32; ++at) {
        if (at % 4 == 0) continue;
        const std::string text = digits.substr(0, at) + "-" + digits.substr(at);
        EXPECT_FALSE(parse_uuid(text).has_value()) << text;
    }
    // The canonical layout shifted by one digit.
    EXPECT_FALSE(parse_uuid("a0eebc9-99c0b-4ef8-bb6d-6bb9bd380a11").has_value());
    EXPECT_FALSE(parse_uuid("a0eebc999-c0b-4ef8-bb6d-6bb9bd380a11").has_value());
}

TEST(ParseUuidTest, RejectsUnbalancedOrMisplacedBraces) {
    EXPECT_FALSE(parse_uuid(std::string("{") + kExampleText).has_value());
    EXPECT_FALSE(parse_uuid(std::string(kExampleText) + "}").has_value());
    EXPECT_FALSE(parse_uuid(std::string("{{") + kExampleText + "}}").has_value());
    EXPECT_FALSE(parse_uuid(std::string("{") + kExampleText + "}}").has_value());
    EXPECT_FALSE(parse_uuid(std::string("}") + kExampleText + "{").has_value());
    EXPECT_FALSE(parse_uuid("a0eebc99-{9c0b-4ef8-bb6d}-6bb9bd380a11").has_value());
    EXPECT_FALSE(parse_uuid(std::string("(") + kExampleText + ")").has_value());
    EXPECT_FALSE(parse_uuid(std::string("[") + kExampleText + "]").has_value());
}

TEST(ParseUuidTest, RejectsSurroundingWhitespace) {
    EXPECT_FALSE(parse_uuid(std::string(" ") + kExampleText).has_value());
    EXPECT_FALSE(parse_uuid(std::string(kExampleText) + " ").has_value());
    EXPECT_FALSE(parse_uuid(std::string(kExampleText) + "\n").has_value());
    EXPECT_FALSE(parse_uuid(std::string("{ ") + kExampleText + " }").has_value());
    EXPECT_FALSE(parse_uuid(std::string(" {") + kExampleText + "}").has_value());
}

TEST(ParseUuidTest, RejectsPrefixesAndUrns) {
    EXPECT_FALSE(parse_uuid(std::string("0x") + kExampleDigits).has_value());
    EXPECT_FALSE(parse_uuid(std::string("urn:uuid:") + kExampleText).has_value());
}

TEST(ParseUuidTest, RejectsEmbeddedNul) {
    std::string text = kExampleText;
    text.insert(text.begin() + 8, '\0');
    EXPECT_FALSE(parse_uuid(text).has_value());
    std::string trailing = kExampleText;
    trailing.push_back('\0');
    EXPECT_FALSE(parse_uuid(trailing).has_value());
}

TEST(ParseUuidTest, RejectsOnlyHyphens) {
    EXPECT_FALSE(parse_uuid("-").has_value());
    EXPECT_FALSE(parse_uuid("----").has_value());
    EXPECT_FALSE(parse_uuid(std::string(36, '-')).has_value());
}

// --- format_uuid ------------------------------------------------------------------------------

TEST(FormatUuidTest, CanonicalLowerCase) {
    EXPECT_EQ(format_uuid(kExample), kExampleText);
}

TEST(FormatUuidTest, NilAndMax) {
    EXPECT_EQ(format_uuid(Uuid{}), "00000000-0000-0000-0000-000000000000");
    Uuid all_ones;
    all_ones.fill(0xff);
    EXPECT_EQ(format_uuid(all_ones), "ffffffff-ffff-ffff-ffff-ffffffffffff");
}

TEST(FormatUuidTest, ByteOrderAndNibbles) {
    Uuid id;
    for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(i * 0x11);
    EXPECT_EQ(format_uuid(id), "00112233-4455-6677-8899-aabbccddeeff");
    Uuid high_low{};
    high_low[0] = 0xf0;
    high_low[15] = 0x0f;
    EXPECT_EQ(format_uuid(high_low), "f0000000-0000-0000-0000-00000000000f");
}

TEST(FormatUuidTest, ShapeIs8_4_4_4_12) {
    std::mt19937 rng(12345);
    for (int n = 0; n < 100; ++n) {
        Uuid id;
        for (auto& b : id) b = static_cast<std::uint8_t>(rng());
        const std::string text = format_uuid(id);
        ASSERT_EQ(text.size(), 36u);
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                EXPECT_EQ(text[i], '-') << text;
            } else {
                EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(text[i])) &&
                            !std::isupper(static_cast<unsigned char>(text[i])))
                    << text;
            }
        }
    }
}

TEST(FormatUuidTest, RoundTripThroughParse) {
    std::mt19937 rng(20240601);
    std::vector<Uuid> ids = {Uuid{}, kExample};
    Uuid all_ones;
    all_ones.fill(0xff);
    ids.push_back(all_ones);
    for (int n = 0; n < 1000; ++n) {
        Uuid id;
        for (auto& b : id) b = static_cast<std::uint8_t>(rng());
        ids.push_back(id);
    }
    for (const Uuid& id : ids) {
        const std::string text = format_uuid(id);
        const auto back = parse_uuid(text);
        ASSERT_TRUE(back.has_value()) << text;
        EXPECT_EQ(*back, id) << text;
        // And the other accepted forms of the same text parse to the same id.
        EXPECT_EQ(parse_uuid(upper(text)), id);
        EXPECT_EQ(parse_uuid("{" + text + "}"), id);
        std::string digits = text;
        digits.erase(std::remove(digits.begin(), digits.end(), '-'), digits.end());
        EXPECT_EQ(parse_uuid(digits), id);
    }
}

TEST(FormatUuidTest, ParseThenFormatNormalises) {
    for (const char* text :
         {"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
          "a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11"}) {
        const auto id = parse_uuid(text);
        ASSERT_TRUE(id.has_value()) << text;
        EXPECT_EQ(format_uuid(*id), kExampleText) << text;
    }
}

// --- make_uuid_v7 -----------------------------------------------------------------------------

Random10 filled(std::uint8_t value) {
    Random10 r;
    r.fill(value);
    return r;
}

std::uint64_t timestamp_of(const Uuid& id) {
    std::uint64_t ms = 0;
    for (int i = 0; i < 6; ++i) ms = (ms << 8) | id[static_cast<std::size_t>(i)];
    return ms;
}

TEST(MakeUuidV7Test, VersionNibbleIsSeven) {
    for (std::uint8_t fill : {std::uint8_t{0x00}, std::uint8_t{0xff}, std::uint8_t{0x5a},
                              std::uint8_t{0xa5}, std::uint8_t{0x0f}, std::uint8_t{0xf0}}) {
        const Uuid id = make_uuid_v7(1700000000000ull, filled(fill));
        EXPECT_EQ(id[6] >> 4, 7) << static_cast<int>(fill);
    }
}

TEST(MakeUuidV7Test, VariantBitsAreOneZero) {
    for (std::uint8_t fill : {std::uint8_t{0x00}, std::uint8_t{0xff}, std::uint8_t{0x40},
                              std::uint8_t{0xc0}, std::uint8_t{0x3f}, std::uint8_t{0x80}}) {
        const Uuid id = make_uuid_v7(1700000000000ull, filled(fill));
        EXPECT_EQ(id[8] >> 6, 0b10) << static_cast<int>(fill);
    }
}

TEST(MakeUuidV7Test, TimestampIsBigEndianInTheFirstSixBytes) {
    const Uuid id = make_uuid_v7(0x0123456789ABull, filled(0));
    EXPECT_EQ(id[0], 0x01);
    EXPECT_EQ(id[1], 0x23);
    EXPECT_EQ(id[2], 0x45);
    EXPECT_EQ(id[3], 0x67);
    EXPECT_EQ(id[4], 0x89);
    EXPECT_EQ(id[5], 0xAB);
    EXPECT_EQ(timestamp_of(id), 0x0123456789ABull);
}

TEST(MakeUuidV7Test, RealisticTimestamp) {
    // 2023-11-14T22:13:20Z.
    const std::uint64_t ms = 1700000000000ull;  // 0x018BCFE56800
    const Uuid id = make_uuid_v7(ms, filled(0));
    EXPECT_EQ(timestamp_of(id), ms);
    EXPECT_EQ(format_uuid(id).substr(0, 13), "018bcfe5-6800");
}

TEST(MakeUuidV7Test, ZeroAndLargest48BitTimestamps) {
    EXPECT_EQ(timestamp_of(make_uuid_v7(0, filled(0xff))), 0u);
    const std::uint64_t max48 = (std::uint64_t{1} << 48) - 1;
    const Uuid id = make_uuid_v7(max48, filled(0));
    for (int i = 0; i < 6; ++i) EXPECT_EQ(id[static_cast<std::size_t>(i)], 0xff);
    EXPECT_EQ(timestamp_of(id), max48);
}

TEST(MakeUuidV7Test, BitsAbove48AreDropped) {
    const Random10 r = filled(0x33);
    EXPECT_EQ(make_uuid_v7((std::uint64_t{1} << 48) | 5, r), make_uuid_v7(5, r));
    EXPECT_EQ(make_uuid_v7(~std::uint64_t{0}, r), make_uuid_v7((std::uint64_t{1} << 48) - 1, r));
}

TEST(MakeUuidV7Test, RandomBytesAreCopiedAroundVersionAndVariant) {
    const Random10 r = {0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab};
    const Uuid id = make_uuid_v7(42, r);
    EXPECT_EQ(id[6], 0x70 | (0xde & 0x0f));  // version 7 over the low nibble of random[0]
    EXPECT_EQ(id[7], 0xad);
    EXPECT_EQ(id[8], 0x80 | (0xbe & 0x3f));  // variant 10 over the low 6 bits of random[2]
    for (std::size_t i = 3; i < 10; ++i) EXPECT_EQ(id[6 + i], r[i]) << i;
    EXPECT_EQ(format_uuid(id), "00000000-002a-7ead-beef-0123456789ab");
}

TEST(MakeUuidV7Test, FormattedVersionAndVariantCharacters) {
    std::mt19937 rng(7);
    for (int n = 0; n < 200; ++n) {
        Random10 r;
        for (auto& b : r) b = static_cast<std::uint8_t>(rng());
        const std::string text = format_uuid(make_uuid_v7(1700000000000ull + n, r));
        EXPECT_EQ(text[14], '7') << text;
        EXPECT_NE(std::string("89ab").find(text[19]), std::string::npos) << text;
    }
}

TEST(MakeUuidV7Test, ParsesBackToTheSameId) {
    const Random10 r = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const Uuid id = make_uuid_v7(1700000000123ull, r);
    EXPECT_EQ(parse_uuid(format_uuid(id)), id);
}

TEST(MakeUuidV7Test, OrderedByTimestamp) {
    // A later millisecond sorts after an earlier one whatever the random bits.
    const Uuid early = make_uuid_v7(1000, filled(0xff));
    const Uuid late = make_uuid_v7(1001, filled(0x00));
    EXPECT_LT(early, late);
    EXPECT_LT(std::memcmp(early.data(), late.data(), early.size()), 0);
    EXPECT_LT(format_uuid(early), format_uuid(late));
}

TEST(MakeUuidV7Test, OrderedByTimestampAcrossByteBoundaries) {
    // Carries into higher bytes must still sort correctly (big-endian, not little-endian).
    const std::vector<std::uint64_t> times = {0,
                                              1,
                                              0xff,
                                              0x100,
                                              0x1ff,
                                              0xffff,
                                              0x10000,
                                              0xffffff,
                                              0x1000000,
                                              0xffffffffull,
                                              0x100000000ull,
                                              0xffffffffffull,
                                              0x10000000000ull,
                                              1700000000000ull,
                                              (std::uint64_t{1} << 48) - 1};
    std::mt19937 rng(99);
    std::vector<Uuid> ids;
    for (std::uint64_t t : times) {
        Random10 r;
        for (auto& b : r) b = static_cast<std::uint8_t>(rng());
        ids.push_back(make_uuid_v7(t, r));
    }
    for (std::size_t i = 1; i < ids.size(); ++i) {
        EXPECT_LT(ids[i - 1], ids[i]) << "at " << times[i];
        EXPECT_LT(format_uuid(ids[i - 1]), format_uuid(ids[i])) << "at " << times[i];
    }
}

TEST(MakeUuidV7Test, RandomOrderSortsIntoTimestampOrder) {
    std::mt19937_64 rng(4242);
    std::vector<std::pair<std::uint64_t, Uuid>> made;
    for (int n = 0; n < 500; ++n) {
        const std::uint64_t t = 1600000000000ull + rng() % 200000000000ull;
        Random10 r;
        for (auto& b : r) b = static_cast<std::uint8_t>(rng());
        made.emplace_back(t, make_uuid_v7(t, r));
    }
    std::sort(made.begin(), made.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    for (std::size_t i = 1; i < made.size(); ++i) {
        EXPECT_LE(made[i - 1].first, made[i].first);
    }
}

TEST(MakeUuidV7Test, SameTimestampOrderedByRandomBits) {
    Random10 low = filled(0x00);
    Random10 high = filled(0x00);
    high[9] = 0x01;
    EXPECT_LT(make_uuid_v7(5000, low), make_uuid_v7(5000, high));
    EXPECT_NE(make_uuid_v7(5000, low), make_uuid_v7(5000, high));
}

TEST(MakeUuidV7Test, Deterministic) {
    const Random10 r = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    EXPECT_EQ(make_uuid_v7(123456789, r), make_uuid_v7(123456789, r));
}

}  // namespace
