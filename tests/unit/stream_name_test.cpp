// Unit tests for include/chronicle/core/stream_name.hpp.
#include "test_support.hpp"
#include "chronicle/core/stream_name.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "chronicle/core/error.hpp"

namespace {

using chronicle::test::capture_error;
using chronicle::test::Contains;

using chronicle::category_of;
using chronicle::Error;
using chronicle::ErrorKind;
using chronicle::kMaxStreamNameBytes;
using chronicle::validate_stream_name;

std::string repeat(std::string_view unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out.append(unit);
    return out;
}

static_assert(kMaxStreamNameBytes == 255, "the documented limit is 255 bytes");
static_assert(noexcept(category_of(std::string_view{})), "category_of must not throw");

// --- validate_stream_name: accepted names ---------------------------------------------------

TEST(ValidateStreamNameTest, AcceptsOrdinaryNames) {
    EXPECT_NO_THROW(validate_stream_name(std::string_view("order-42")));
    EXPECT_NO_THROW(validate_stream_name(std::string_view("order")));
    EXPECT_NO_THROW(validate_stream_name(std::string_view("a")));
    EXPECT_NO_THROW(validate_stream_name(std::string_view("-")));
    EXPECT_NO_THROW(validate_stream_name(std::string_view(" ")));
    EXPECT_NO_THROW(validate_stream_name(std::string_view("with spaces and \"quotes\"")));
    EXPECT_NO_THROW(validate_stream_name(std::string_view("a-b-c-d")));
}

TEST(ValidateStreamNameTest, AcceptsExactly255Bytes) {
    const std::string name(255, 'x');
    EXPECT_NO_THROW(validate_stream_name(std::string_view(name)));
}

TEST(ValidateStreamNameTest, AcceptsNamesOfEveryLengthUpTo255) {
    for (std::size_t n = 1; n <= kMaxStreamNameBytes; ++n) {
        const std::string name(n, 's');
        EXPECT_NO_THROW(validate_stream_name(std::string_view(name))) << "length " << n;
    }
}

TEST(ValidateStreamNameTest, OnlyTheViewIsMeasured) {
    // A view of 255 bytes into a longer buffer is valid: the length is the view's.
    const std::string buffer(400, 'y');
    EXPECT_NO_THROW(validate_stream_name(std::string_view(buffer).substr(0, 255)));
    EXPECT_NO_THROW(validate_stream_name(std::string_view(buffer.data() + 100, 1)));
}

// --- validate_stream_name: rejected names ---------------------------------------------------

TEST(ValidateStreamNameTest, RejectsNull) {
    const Error e = capture_error([] { validate_stream_name(std::nullopt); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidStreamName);
    EXPECT_STREQ(e.what(), "stream name must not be NULL");
    EXPECT_STREQ(chronicle::sqlstate_of(e.kind()), "CH010");
}

TEST(ValidateStreamNameTest, RejectsEmpty) {
    const Error e = capture_error([] { validate_stream_name(std::string_view("")); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidStreamName);
    EXPECT_STREQ(e.what(), "stream name must not be empty");
}

TEST(ValidateStreamNameTest, RejectsEmptyViewOfNonEmptyBuffer) {
    const std::string buffer = "order-1";
    const Error e =
        capture_error([&] { validate_stream_name(std::string_view(buffer.data(), 0)); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidStreamName);
    EXPECT_TRUE(Contains(e.what(), "must not be empty"));
}

TEST(ValidateStreamNameTest, Rejects256Bytes) {
    const std::string name(256, 'x');
    const Error e = capture_error([&] { validate_stream_name(std::string_view(name)); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidStreamName);
    EXPECT_STREQ(e.what(), "stream name is too long: 256 bytes");
    EXPECT_EQ(e.detail(), "A stream name has at most 255 bytes.");
}

TEST(ValidateStreamNameTest, RejectsMuchLongerNamesNamingTheirSize) {
    const std::string name(100000, 'x');
    const Error e = capture_error([&] { validate_stream_name(std::string_view(name)); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidStreamName);
    EXPECT_TRUE(Contains(e.what(), "100000 bytes"));
    // The message reports the size, it does not echo the (huge) name.
    EXPECT_LT(std::string(e.what()).size(), 100u);
}

// --- multi-byte UTF-8: the limit counts bytes, not characters -------------------------------

TEST(ValidateStreamNameTest, TwoByteCharactersCountedInBytes) {
    const std::string e_acute = "\xC3\xA9";  // U+00E9, 2 bytes
    // 127 characters * 2 bytes + 1 = 255 bytes: valid.
    const std::string ok = repeat(e_acute, 127) + "a";
    ASSERT_EQ(ok.size(), 255u);
    EXPECT_NO_THROW(validate_stream_name(std::string_view(ok)));
    // 128 characters, 256 bytes: too long although far fewer than 255 characters.
    const std::string too_long = repeat(e_acute, 128);
    ASSERT_EQ(too_long.size(), 256u);
    const Error e = capture_error([&] { validate_stream_name(std::string_view(too_long)); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidStreamName);
    EXPECT_TRUE(Contains(e.what(), "256 bytes"));
}

TEST(ValidateStreamNameTest, ThreeByteCharactersCountedInBytes) {
    const std::string euro = "\xE2\x82\xAC";  // U+20AC, 3 bytes
    const std::string ok = repeat(euro, 85);  // 255 bytes, 85 characters
    ASSERT_EQ(ok.size(), 255u);
    EXPECT_NO_THROW(validate_stream_name(std::string_view(ok)));
    const std::string too_long = repeat(euro, 86);  // 258 bytes, 86 characters
    const Error e = capture_error([&] { validate_stream_name(std::string_view(too_long)); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidStreamName);
    EXPECT_TRUE(Contains(e.what(), "258 bytes"));
}

TEST(ValidateStreamNameTest, FourByteCharactersCountedInBytes) {
    const std::string emoji = "\xF0\x9F\x98\x80";      // U+1F600, 4 bytes
    const std::string ok = repeat(emoji, 63) + "abc";  // 252 + 3 = 255 bytes
    ASSERT_EQ(ok.size(), 255u);
    EXPECT_NO_THROW(validate_stream_name(std::string_view(ok)));
    const std::string too_long = repeat(emoji, 64);  // 256 bytes, 64 characters
    const Error e = capture_error([&] { validate_stream_name(std::string_view(too_long)); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidStreamName);
    EXPECT_TRUE(Contains(e.what(), "256 bytes"));
}

// --- category_of ------------------------------------------------------------------------------

TEST(CategoryOfTest, PartBeforeTheDash) {
    EXPECT_EQ(category_of("order-42"), "order");
    EXPECT_EQ(category_of("account-7f3a"), "account");
}

TEST(CategoryOfTest, NoDashIsTheWholeName) {
    EXPECT_EQ(category_of("order"), "order");
    EXPECT_EQ(category_of("x"), "x");
    EXPECT_EQ(category_of("order_42.v2"), "order_42.v2");
}

TEST(CategoryOfTest, LeadingDashGivesEmptyCategory) {
    EXPECT_EQ(category_of("-42"), "");
    EXPECT_EQ(category_of("-"), "");
    EXPECT_EQ(category_of("--a"), "");
}

TEST(CategoryOfTest, SeveralDashesSplitAtTheFirst) {
    EXPECT_EQ(category_of("a-b-c"), "a");
    EXPECT_EQ(category_of("order-item-42"), "order");
    EXPECT_EQ(category_of("a--b"), "a");
}

TEST(CategoryOfTest, TrailingDash) {
    EXPECT_EQ(category_of("order-"), "order");
    EXPECT_EQ(category_of("order--"), "order");
}

TEST(CategoryOfTest, EmptyName) {
    EXPECT_EQ(category_of(""), "");
}

TEST(CategoryOfTest, MultiByteNames) {
    EXPECT_EQ(category_of("caf\xC3\xA9-1"), "caf\xC3\xA9");
    EXPECT_EQ(category_of("\xE2\x82\xAC"), "\xE2\x82\xAC");
    // U+2010 HYPHEN and U+2212 MINUS SIGN are not '-'.
    EXPECT_EQ(category_of("a\xE2\x80\x90"
                          "b"),
              "a\xE2\x80\x90"
              "b");
    EXPECT_EQ(category_of("a\xE2\x88\x92"
                          "b"),
              "a\xE2\x88\x92"
              "b");
}

TEST(CategoryOfTest, OtherSeparatorsDoNotSplit) {
    EXPECT_EQ(category_of("order_42"), "order_42");
    EXPECT_EQ(category_of("order:42"), "order:42");
    EXPECT_EQ(category_of("order 42"), "order 42");
}

TEST(CategoryOfTest, ReturnsAViewIntoTheInput) {
    const std::string name = "order-42";
    const std::string_view category = category_of(name);
    EXPECT_EQ(category.data(), name.data());
    EXPECT_EQ(category.size(), 5u);
    const std::string whole = "order";
    EXPECT_EQ(category_of(whole).data(), whole.data());
    EXPECT_EQ(category_of(whole).size(), whole.size());
}

TEST(CategoryOfTest, OnlyLooksInsideTheView) {
    // The dash beyond the end of the view is not part of the name.
    const std::string buffer = "order-42";
    EXPECT_EQ(category_of(std::string_view(buffer).substr(0, 5)), "order");
    EXPECT_EQ(category_of(std::string_view(buffer).substr(0, 3)), "ord");
    // A view starting after the first dash.
    EXPECT_EQ(category_of(std::string_view("a-b-c").substr(2)), "b");
}

TEST(CategoryOfTest, LongestValidName) {
    const std::string name = std::string(200, 'c') + "-" + std::string(54, 'i');
    ASSERT_EQ(name.size(), 255u);
    EXPECT_EQ(category_of(name), std::string(200, 'c'));
}

}  // namespace
