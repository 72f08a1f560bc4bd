// Unit tests for include/chronicle/core/consumer_group.hpp.
#include "test_support.hpp"
#include "chronicle/core/consumer_group.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "chronicle/core/error.hpp"

namespace {

using chronicle::test::capture_error;

// The published FNV-1a 64 test vectors: the hash clients reimplement must be exactly this.
TEST(StreamHash, IsFnv1a64) {
    EXPECT_EQ(chronicle::stream_hash(""), 0xcbf29ce484222325ULL);
    EXPECT_EQ(chronicle::stream_hash("a"), 0xaf63dc4c8601ec8cULL);
    EXPECT_EQ(chronicle::stream_hash("foobar"), 0x85944171f73967e8ULL);
}

TEST(StreamMember, IsTheHashModuloMembers) {
    for (const std::string stream : {"order-1", "order-42", "invoice-7", "x", "ünïcode-1"}) {
        for (int members = 1; members <= 9; ++members) {
            const int member = chronicle::stream_member(stream, members);
            EXPECT_GE(member, 0);
            EXPECT_LT(member, members);
            EXPECT_EQ(static_cast<std::uint64_t>(member),
                      chronicle::stream_hash(stream) % static_cast<std::uint64_t>(members));
        }
        EXPECT_EQ(chronicle::stream_member(stream, 1), 0);
    }
}

TEST(StreamMember, SpreadsStreamsOverMembers) {
    std::vector<int> counts(4, 0);
    for (int i = 0; i < 4000; ++i)
        ++counts[chronicle::stream_member("order-" + std::to_string(i), 4)];
    for (const int count : counts) {
        EXPECT_GT(count, 850);
        EXPECT_LT(count, 1150);
    }
}

TEST(StreamMember, RefusesGroupsOutsideOneTo1024) {
    for (const int members : {0, -1, 1025}) {
        const chronicle::Error error =
            capture_error([&] { chronicle::stream_member("order-1", members); });
        EXPECT_EQ(error.kind(), chronicle::ErrorKind::InvalidArgument);
    }
    EXPECT_EQ(chronicle::stream_member("order-1", 1024),
              static_cast<int>(chronicle::stream_hash("order-1") % 1024));
}

}  // namespace
