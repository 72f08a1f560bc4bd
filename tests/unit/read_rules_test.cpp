// Unit tests for include/chronicle/core/read_rules.hpp.
#include "test_support.hpp"
#include "chronicle/core/read_rules.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "chronicle/core/error.hpp"

namespace {

using chronicle::test::capture_error;

using chronicle::Error;
using chronicle::ErrorKind;
using chronicle::GlobalPosition;
using chronicle::GlobalRead;
using chronicle::read_horizon;
using chronicle::StreamRead;
using chronicle::validate_global_read;
using chronicle::validate_stream_read;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

static_assert(noexcept(read_horizon(0, std::nullopt)), "read_horizon must not throw");

// --- validate_stream_read ---------------------------------------------------------------------

TEST(ValidateStreamReadTest, AllDefaults) {
    const StreamRead r = validate_stream_read(std::nullopt, std::nullopt, false);
    EXPECT_EQ(r.from_version, std::nullopt);
    EXPECT_EQ(r.max_count, std::nullopt);
    EXPECT_FALSE(r.backwards);
}

TEST(ValidateStreamReadTest, NullFromVersionIsKeptForBothDirections) {
    // NULL means "the start in the direction of reading"; the glue resolves it, so it must not
    // be turned into a number here.
    EXPECT_EQ(validate_stream_read(std::nullopt, 10, false).from_version, std::nullopt);
    const StreamRead back = validate_stream_read(std::nullopt, 10, true);
    EXPECT_EQ(back.from_version, std::nullopt);
    EXPECT_TRUE(back.backwards);
}

TEST(ValidateStreamReadTest, ValuesPassThrough) {
    const StreamRead r = validate_stream_read(5, 20, true);
    EXPECT_EQ(r.from_version, 5);
    EXPECT_EQ(r.max_count, 20);
    EXPECT_TRUE(r.backwards);
    const StreamRead f = validate_stream_read(1, std::nullopt, false);
    EXPECT_EQ(f.from_version, 1);
    EXPECT_EQ(f.max_count, std::nullopt);
    EXPECT_FALSE(f.backwards);
}

TEST(ValidateStreamReadTest, ZeroIsAllowed) {
    const StreamRead r = validate_stream_read(0, 0, false);
    EXPECT_EQ(r.from_version, 0);
    EXPECT_EQ(r.max_count, 0);
}

TEST(ValidateStreamReadTest, LargestValuesAreAllowed) {
    const StreamRead r = validate_stream_read(kMax, kMax, true);
    EXPECT_EQ(r.from_version, kMax);
    EXPECT_EQ(r.max_count, kMax);
}

TEST(ValidateStreamReadTest, NegativeFromVersion) {
    for (bool backwards : {false, true}) {
        const Error e = capture_error([&] { validate_stream_read(-1, 10, backwards); });
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
        EXPECT_STREQ(e.what(), "from_version must not be negative: -1");
        EXPECT_STREQ(chronicle::sqlstate_of(e.kind()), "CH016");
    }
}

TEST(ValidateStreamReadTest, NegativeMaxCount) {
    const Error e = capture_error([] { validate_stream_read(std::nullopt, -5, false); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_STREQ(e.what(), "max_count must not be negative: -5");
}

TEST(ValidateStreamReadTest, FromVersionIsReportedBeforeMaxCount) {
    const Error e = capture_error([] { validate_stream_read(-2, -3, false); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_STREQ(e.what(), "from_version must not be negative: -2");
}

TEST(ValidateStreamReadTest, SmallestBigint) {
    const Error from = capture_error([] { validate_stream_read(kMin, std::nullopt, false); });
    EXPECT_STREQ(from.what(), "from_version must not be negative: -9223372036854775808");
    const Error max = capture_error([] { validate_stream_read(1, kMin, false); });
    EXPECT_STREQ(max.what(), "max_count must not be negative: -9223372036854775808");
}

// --- validate_global_read ---------------------------------------------------------------------

TEST(ValidateGlobalReadTest, NullAfterPositionMeansZero) {
    const GlobalRead r = validate_global_read(std::nullopt, std::nullopt);
    EXPECT_EQ(r.after_position, 0);
    EXPECT_EQ(r.max_count, std::nullopt);
}

TEST(ValidateGlobalReadTest, ValuesPassThrough) {
    const GlobalRead r = validate_global_read(42, 1000);
    EXPECT_EQ(r.after_position, 42);
    EXPECT_EQ(r.max_count, 1000);
}

TEST(ValidateGlobalReadTest, ZeroIsAllowed) {
    const GlobalRead r = validate_global_read(0, 0);
    EXPECT_EQ(r.after_position, 0);
    EXPECT_EQ(r.max_count, 0);
}

TEST(ValidateGlobalReadTest, LargestValuesAreAllowed) {
    const GlobalRead r = validate_global_read(kMax, kMax);
    EXPECT_EQ(r.after_position, kMax);
    EXPECT_EQ(r.max_count, kMax);
}

TEST(ValidateGlobalReadTest, NullMaxCountMeansNoLimit) {
    EXPECT_EQ(validate_global_read(7, std::nullopt).max_count, std::nullopt);
}

TEST(ValidateGlobalReadTest, NegativeAfterPosition) {
    const Error e = capture_error([] { validate_global_read(-1, 10); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_STREQ(e.what(), "after_position must not be negative: -1");
}

TEST(ValidateGlobalReadTest, NegativeMaxCount) {
    const Error e = capture_error([] { validate_global_read(0, -1); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_STREQ(e.what(), "max_count must not be negative: -1");
    const Error with_null_position = capture_error([] { validate_global_read(std::nullopt, -7); });
    EXPECT_STREQ(with_null_position.what(), "max_count must not be negative: -7");
}

TEST(ValidateGlobalReadTest, AfterPositionIsReportedBeforeMaxCount) {
    const Error e = capture_error([] { validate_global_read(-4, -9); });
    EXPECT_STREQ(e.what(), "after_position must not be negative: -4");
}

TEST(ValidateGlobalReadTest, SmallestBigint) {
    const Error e = capture_error([] { validate_global_read(kMin, std::nullopt); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_STREQ(e.what(), "after_position must not be negative: -9223372036854775808");
}

// --- read_horizon -----------------------------------------------------------------------------

TEST(ReadHorizonTest, EmptyLog) {
    EXPECT_EQ(read_horizon(0, std::nullopt), 1);
}

TEST(ReadHorizonTest, NothingInFlightAllowsEverythingAllocated) {
    EXPECT_EQ(read_horizon(1, std::nullopt), 2);
    EXPECT_EQ(read_horizon(10, std::nullopt), 11);
    EXPECT_EQ(read_horizon(kMax - 1, std::nullopt), kMax);
}

TEST(ReadHorizonTest, InFlightPositionStopsTheReader) {
    EXPECT_EQ(read_horizon(10, 4), 4);
    EXPECT_EQ(read_horizon(10, 1), 1);
    EXPECT_EQ(read_horizon(10, 10), 10);
}

TEST(ReadHorizonTest, OnlyTheLowestInFlightPositionMatters) {
    // Positions 1..3 are settled, 4 is held by an open transaction: nothing from 4 on may be
    // read even if 5..10 are committed.
    const GlobalPosition horizon = read_horizon(10, 4);
    for (GlobalPosition p = 1; p < horizon; ++p) EXPECT_LT(p, 4);
    EXPECT_EQ(horizon, 4);
}

TEST(ReadHorizonTest, NeverBeyondTheNextUnallocatedPosition) {
    // An in-flight position above last_allocated (a race in what the glue observed) must not
    // let the reader run past positions not handed out yet.
    EXPECT_EQ(read_horizon(10, 12), 11);
    EXPECT_EQ(read_horizon(0, 5), 1);
    EXPECT_EQ(read_horizon(10, 11), 11);
}

TEST(ReadHorizonTest, HorizonNeverExceedsEitherBound) {
    for (GlobalPosition last = 0; last < 20; ++last) {
        EXPECT_EQ(read_horizon(last, std::nullopt), last + 1);
        for (GlobalPosition low = 1; low < 25; ++low) {
            const GlobalPosition h = read_horizon(last, low);
            EXPECT_LE(h, last + 1);
            EXPECT_LE(h, low);
            EXPECT_TRUE(h == last + 1 || h == low);
        }
    }
}

}  // namespace
