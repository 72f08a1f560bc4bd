// Unit tests for include/chronicle/core/snapshot_policy.hpp.
#include "test_support.hpp"
#include "chronicle/core/snapshot_policy.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

namespace {

using chronicle::snapshot_versions;
using chronicle::stream_has_snapshots;

using Versions = std::vector<std::int64_t>;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

static_assert(noexcept(stream_has_snapshots("a-1", std::optional<std::string_view>("a"), 1)),
              "stream_has_snapshots must not throw");

// --- snapshot_versions ------------------------------------------------------------------------

TEST(SnapshotVersionsTest, EveryMultipleInTheHalfOpenRange) {
    EXPECT_EQ(snapshot_versions(0, 250, 100), (Versions{100, 200}));
    EXPECT_EQ(snapshot_versions(0, 300, 100), (Versions{100, 200, 300}));
    EXPECT_EQ(snapshot_versions(100, 300, 100), (Versions{200, 300}));
    EXPECT_EQ(snapshot_versions(99, 100, 100), (Versions{100}));
    EXPECT_EQ(snapshot_versions(150, 250, 100), (Versions{200}));
    EXPECT_EQ(snapshot_versions(7, 23, 5), (Versions{10, 15, 20}));
}

TEST(SnapshotVersionsTest, OldVersionIsExcludedNewVersionIncluded) {
    EXPECT_EQ(snapshot_versions(100, 199, 100), Versions{});
    EXPECT_EQ(snapshot_versions(100, 200, 100), (Versions{200}));
    EXPECT_EQ(snapshot_versions(199, 200, 100), (Versions{200}));
    EXPECT_EQ(snapshot_versions(200, 201, 100), Versions{});
}

TEST(SnapshotVersionsTest, OneEventAppends) {
    for (std::int64_t v = 0; v < 50; ++v) {
        const Versions got = snapshot_versions(v, v + 1, 10);
        if ((v + 1) % 10 == 0) {
            EXPECT_EQ(got, (Versions{v + 1})) << v;
        } else {
            EXPECT_TRUE(got.empty()) << v;
        }
    }
}

TEST(SnapshotVersionsTest, EveryOneSnapshotsEachNewVersion) {
    EXPECT_EQ(snapshot_versions(0, 1, 1), (Versions{1}));
    EXPECT_EQ(snapshot_versions(3, 7, 1), (Versions{4, 5, 6, 7}));
}

TEST(SnapshotVersionsTest, ZeroOrNegativeEveryMeansNone) {
    EXPECT_TRUE(snapshot_versions(0, 1000, 0).empty());
    EXPECT_TRUE(snapshot_versions(0, 1000, -1).empty());
    EXPECT_TRUE(snapshot_versions(0, 1000, std::numeric_limits<std::int64_t>::min()).empty());
}

TEST(SnapshotVersionsTest, NoProgressMeansNone) {
    EXPECT_TRUE(snapshot_versions(0, 0, 1).empty());
    EXPECT_TRUE(snapshot_versions(100, 100, 100).empty());
    EXPECT_TRUE(snapshot_versions(200, 100, 100).empty());
    EXPECT_TRUE(snapshot_versions(5, 3, 1).empty());
}

TEST(SnapshotVersionsTest, NegativeOldVersionMeansNone) {
    EXPECT_TRUE(snapshot_versions(-1, 100, 10).empty());
    EXPECT_TRUE(snapshot_versions(-100, 100, 10).empty());
}

TEST(SnapshotVersionsTest, EveryLargerThanTheStream) {
    EXPECT_TRUE(snapshot_versions(0, 99, 100).empty());
    EXPECT_TRUE(snapshot_versions(0, 1000, std::numeric_limits<std::int32_t>::max()).empty());
}

TEST(SnapshotVersionsTest, ResultIsAscendingAndExact) {
    const Versions got = snapshot_versions(12345, 12345 + 10000, 7);
    ASSERT_FALSE(got.empty());
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i] % 7, 0);
        EXPECT_GT(got[i], 12345);
        EXPECT_LE(got[i], 12345 + 10000);
        if (i > 0) {
            EXPECT_EQ(got[i] - got[i - 1], 7);
        }
    }
    EXPECT_EQ(got.size(), static_cast<std::size_t>((12345 + 10000) / 7 - 12345 / 7));
}

TEST(SnapshotVersionsTest, NearTheTopOfTheRange) {
    // INT64_MAX is 9223372036854775807: the multiples of 4 in (max - 20, max - 10] are
    // max - 19, max - 15 and max - 11.
    EXPECT_EQ(snapshot_versions(kMax - 20, kMax - 10, 4),
              (Versions{kMax - 19, kMax - 15, kMax - 11}));
}

// Disabled: it demonstrates signed overflow (undefined behaviour) in snapshot_versions when the
// next multiple of `every` lies beyond INT64_MAX. With wrapping arithmetic the loop continues
// from a negative number and tries to push ~2^63 / every versions, so running it exhausts memory
// instead of failing. Stream versions never come near 2^63 in practice; see the report.
TEST(SnapshotVersionsTest, NoOverflowPastInt64Max) {
    EXPECT_EQ(snapshot_versions(kMax - 5, kMax, 2), (Versions{kMax - 3, kMax - 1}));
    EXPECT_EQ(snapshot_versions(kMax - 1, kMax, 3), Versions{});  // next multiple > max
    EXPECT_EQ(snapshot_versions(0, kMax, kMax), (Versions{kMax}));
}

// --- stream_has_snapshots ---------------------------------------------------------------------

TEST(StreamHasSnapshotsTest, OnlyStreamsOfTheAggregatesCategory) {
    const std::optional<std::string_view> order("order");
    EXPECT_TRUE(stream_has_snapshots("order-1", order, 100));
    EXPECT_TRUE(stream_has_snapshots("order-1-2", order, 100));
    EXPECT_TRUE(stream_has_snapshots("order-", order, 100));
    EXPECT_TRUE(
        stream_has_snapshots("order", order, 100));  // a stream without '-' is its own category
    EXPECT_FALSE(stream_has_snapshots("orders-1", order, 100));
    EXPECT_FALSE(stream_has_snapshots("ord-1", order, 100));
    EXPECT_FALSE(stream_has_snapshots("Order-1", order, 100));
    EXPECT_FALSE(stream_has_snapshots("customer-order-1", order, 100));
    EXPECT_FALSE(stream_has_snapshots("-order", order, 100));
}

TEST(StreamHasSnapshotsTest, NoCategoryMeansNoSnapshots) {
    EXPECT_FALSE(stream_has_snapshots("order-1", std::nullopt, 100));
    EXPECT_FALSE(stream_has_snapshots("order", std::nullopt, 1));
}

TEST(StreamHasSnapshotsTest, SnapshotEveryZeroOrNegativeMeansNoSnapshots) {
    const std::optional<std::string_view> order("order");
    EXPECT_FALSE(stream_has_snapshots("order-1", order, 0));
    EXPECT_FALSE(stream_has_snapshots("order-1", order, -1));
    EXPECT_TRUE(stream_has_snapshots("order-1", order, 1));
}

}  // namespace
