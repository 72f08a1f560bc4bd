// Unit tests for include/chronicle/core/stream_version.hpp.
#include "test_support.hpp"
#include "chronicle/core/stream_version.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "chronicle/core/error.hpp"

namespace {

using chronicle::test::capture_error;
using chronicle::test::Contains;

using chronicle::check_expected_version;
using chronicle::Error;
using chronicle::ErrorKind;
using chronicle::ExpectedVersion;
using chronicle::StreamVersion;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

static_assert(std::is_same_v<StreamVersion, std::int64_t>, "versions are bigint");
static_assert(noexcept(ExpectedVersion::any()), "any() must not throw");
static_assert(!std::is_default_constructible_v<ExpectedVersion>,
              "an ExpectedVersion is made by any() or from_sql()");

// --- ExpectedVersion -------------------------------------------------------------------------

TEST(ExpectedVersionTest, AnyAdmitsEveryVersion) {
    const ExpectedVersion any = ExpectedVersion::any();
    EXPECT_TRUE(any.is_any());
    EXPECT_EQ(any.value(), 0);
    for (StreamVersion v :
         {StreamVersion{0}, StreamVersion{1}, StreamVersion{2}, StreamVersion{1000000}, kMax}) {
        EXPECT_TRUE(any.admits(v)) << v;
    }
}

TEST(ExpectedVersionTest, NullFromSqlIsAny) {
    const ExpectedVersion e = ExpectedVersion::from_sql(std::nullopt);
    EXPECT_TRUE(e.is_any());
    EXPECT_EQ(e.value(), 0);
    EXPECT_TRUE(e.admits(0));
    EXPECT_TRUE(e.admits(17));
}

TEST(ExpectedVersionTest, ZeroMeansTheStreamMustNotExist) {
    const ExpectedVersion e = ExpectedVersion::from_sql(0);
    EXPECT_FALSE(e.is_any());
    EXPECT_EQ(e.value(), 0);
    EXPECT_TRUE(e.admits(0));
    EXPECT_FALSE(e.admits(1));
    EXPECT_FALSE(e.admits(kMax));
}

TEST(ExpectedVersionTest, ExactVersionAdmitsOnlyItself) {
    const ExpectedVersion e = ExpectedVersion::from_sql(5);
    EXPECT_FALSE(e.is_any());
    EXPECT_EQ(e.value(), 5);
    EXPECT_TRUE(e.admits(5));
    EXPECT_FALSE(e.admits(0));
    EXPECT_FALSE(e.admits(4));
    EXPECT_FALSE(e.admits(6));
}

TEST(ExpectedVersionTest, LargestBigintIsAccepted) {
    const ExpectedVersion e = ExpectedVersion::from_sql(kMax);
    EXPECT_FALSE(e.is_any());
    EXPECT_EQ(e.value(), kMax);
    EXPECT_TRUE(e.admits(kMax));
    EXPECT_FALSE(e.admits(kMax - 1));
}

TEST(ExpectedVersionTest, NegativeIsRejected) {
    const Error e = capture_error([] { ExpectedVersion::from_sql(-1); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidExpectedVersion);
    EXPECT_STREQ(e.what(), "expected_version must not be negative: -1");
    EXPECT_TRUE(e.detail().empty());
    EXPECT_TRUE(Contains(e.hint(), "NULL"));
    EXPECT_TRUE(Contains(e.hint(), "0"));
    EXPECT_STREQ(chronicle::sqlstate_of(e.kind()), "CH015");
}

TEST(ExpectedVersionTest, EveryNegativeIsRejected) {
    for (std::int64_t v :
         {std::int64_t{-1}, std::int64_t{-2}, std::int64_t{-1000}, kMin + 1, kMin}) {
        const Error e = capture_error([v] { ExpectedVersion::from_sql(v); });
        EXPECT_EQ(e.kind(), ErrorKind::InvalidExpectedVersion) << v;
        EXPECT_TRUE(Contains(e.what(), std::to_string(v)));
    }
}

TEST(ExpectedVersionTest, SmallestBigintIsNamedInTheMessage) {
    const Error e = capture_error([] { ExpectedVersion::from_sql(kMin); });
    EXPECT_STREQ(e.what(), "expected_version must not be negative: -9223372036854775808");
}

TEST(ExpectedVersionTest, IsCopyable) {
    const ExpectedVersion a = ExpectedVersion::from_sql(3);
    ExpectedVersion b = ExpectedVersion::any();
    b = a;
    EXPECT_FALSE(b.is_any());
    EXPECT_EQ(b.value(), 3);
}

// --- check_expected_version ------------------------------------------------------------------

TEST(CheckExpectedVersionTest, AnyNeverThrows) {
    for (StreamVersion actual : {StreamVersion{0}, StreamVersion{1}, StreamVersion{99}, kMax}) {
        EXPECT_NO_THROW(check_expected_version("s", ExpectedVersion::any(), actual)) << actual;
    }
}

TEST(CheckExpectedVersionTest, MatchingVersionPasses) {
    EXPECT_NO_THROW(check_expected_version("s", ExpectedVersion::from_sql(0), 0));
    EXPECT_NO_THROW(check_expected_version("s", ExpectedVersion::from_sql(1), 1));
    EXPECT_NO_THROW(check_expected_version("s", ExpectedVersion::from_sql(42), 42));
    EXPECT_NO_THROW(check_expected_version("s", ExpectedVersion::from_sql(kMax), kMax));
}

TEST(CheckExpectedVersionTest, StreamBehindExpectation) {
    const Error e =
        capture_error([] { check_expected_version("order-42", ExpectedVersion::from_sql(3), 5); });
    EXPECT_EQ(e.kind(), ErrorKind::WrongExpectedVersion);
    EXPECT_STREQ(e.what(), "wrong expected version for stream \"order-42\": expected 3, actual 5");
    EXPECT_EQ(e.detail(), "The stream has 5 events.");
    EXPECT_TRUE(Contains(e.hint(), "Read the stream again"));
    EXPECT_STREQ(chronicle::sqlstate_of(e.kind()), "CH001");
}

TEST(CheckExpectedVersionTest, StreamAheadOfActual) {
    const Error e =
        capture_error([] { check_expected_version("order-42", ExpectedVersion::from_sql(7), 2); });
    EXPECT_EQ(e.kind(), ErrorKind::WrongExpectedVersion);
    EXPECT_STREQ(e.what(), "wrong expected version for stream \"order-42\": expected 7, actual 2");
    EXPECT_EQ(e.detail(), "The stream has 2 events.");
}

TEST(CheckExpectedVersionTest, ExpectedNewStreamButItExists) {
    const Error e =
        capture_error([] { check_expected_version("cart-1", ExpectedVersion::from_sql(0), 2); });
    EXPECT_EQ(e.kind(), ErrorKind::WrongExpectedVersion);
    EXPECT_STREQ(e.what(), "wrong expected version for stream \"cart-1\": expected 0, actual 2");
    EXPECT_EQ(e.detail(), "The stream was expected not to exist yet, but it already has 2 events.");
}

TEST(CheckExpectedVersionTest, ExpectedExistingStreamButItDoesNotExist) {
    const Error e =
        capture_error([] { check_expected_version("cart-1", ExpectedVersion::from_sql(3), 0); });
    EXPECT_EQ(e.kind(), ErrorKind::WrongExpectedVersion);
    EXPECT_STREQ(e.what(), "wrong expected version for stream \"cart-1\": expected 3, actual 0");
    EXPECT_EQ(e.detail(), "The stream does not exist.");
}

TEST(CheckExpectedVersionTest, OffByOneEitherWay) {
    for (StreamVersion actual : {StreamVersion{9}, StreamVersion{11}}) {
        const Error e = capture_error(
            [actual] { check_expected_version("s", ExpectedVersion::from_sql(10), actual); });
        EXPECT_EQ(e.kind(), ErrorKind::WrongExpectedVersion);
        EXPECT_TRUE(Contains(e.what(), "expected 10, actual " + std::to_string(actual)));
    }
}

TEST(CheckExpectedVersionTest, LargeVersionsAreNamedInFull) {
    const Error e = capture_error(
        [] { check_expected_version("s", ExpectedVersion::from_sql(kMax), kMax - 1); });
    EXPECT_TRUE(Contains(e.what(), "expected 9223372036854775807, actual 9223372036854775806"));
}

TEST(CheckExpectedVersionTest, StreamNameIsQuotedVerbatim) {
    const std::string name = "caf\xC3\xA9 \"special\"-1";
    const Error e =
        capture_error([&] { check_expected_version(name, ExpectedVersion::from_sql(1), 0); });
    EXPECT_TRUE(Contains(e.what(), "for stream \"" + name + "\": expected 1, actual 0"));
}

TEST(CheckExpectedVersionTest, StreamNameIsOnlyTheView) {
    // The view is not NUL-terminated where it ends: only its bytes may appear.
    const std::string buffer = "order-42TRAILING";
    const std::string_view stream = std::string_view(buffer).substr(0, 8);
    const Error e =
        capture_error([&] { check_expected_version(stream, ExpectedVersion::from_sql(1), 2); });
    EXPECT_TRUE(Contains(e.what(), "stream \"order-42\":"));
    EXPECT_FALSE(Contains(e.what(), "TRAILING"));
}

TEST(CheckExpectedVersionTest, EmptyStreamNameStillFormats) {
    const Error e =
        capture_error([] { check_expected_version("", ExpectedVersion::from_sql(1), 2); });
    EXPECT_STREQ(e.what(), "wrong expected version for stream \"\": expected 1, actual 2");
}

}  // namespace
