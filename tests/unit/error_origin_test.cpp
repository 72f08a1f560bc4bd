// Unit tests for include/chronicle/core/error_origin.hpp.
#include "chronicle/core/error_origin.hpp"

#include <gtest/gtest.h>

namespace {

using chronicle::error_origin;
using chronicle::ErrorOrigin;

TEST(ErrorOriginTest, ConcurrencyConditionsAreTransient) {
    EXPECT_EQ(error_origin("40001"), ErrorOrigin::Transient);
    EXPECT_EQ(error_origin("40P01"), ErrorOrigin::Transient);
    EXPECT_EQ(error_origin("55P03"), ErrorOrigin::Transient);
    // Other members of the same classes are not.
    EXPECT_EQ(error_origin("40002"), ErrorOrigin::User);  // integrity constraint at commit
    EXPECT_EQ(error_origin("55000"), ErrorOrigin::User);  // object not in prerequisite state
}

TEST(ErrorOriginTest, TheServersStateIsTheServers) {
    for (const char* state : {"53000", "53100", "53200", "54000", "54001", "57014", "57P01",
                              "57P03", "58000", "58030", "F0000", "XX000", "XX001"}) {
        EXPECT_EQ(error_origin(state), ErrorOrigin::Server) << state;
    }
}

TEST(ErrorOriginTest, EverythingElseIsTheUsers) {
    for (const char* state : {"P0001", "22P02", "22003", "23505", "42P01", "42501", "42883",
                              "0A000", "CH020", "CH022", "CH023", "2BP01"}) {
        EXPECT_EQ(error_origin(state), ErrorOrigin::User) << state;
    }
}

TEST(ErrorOriginTest, MalformedIsTheServers) {
    EXPECT_EQ(error_origin(""), ErrorOrigin::Server);
    EXPECT_EQ(error_origin("4000"), ErrorOrigin::Server);
    EXPECT_EQ(error_origin("400011"), ErrorOrigin::Server);
}

}  // namespace
