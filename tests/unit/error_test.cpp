// Unit tests for include/chronicle/core/error.hpp: the SQLSTATE contract and the Error type.
#include "chronicle/core/error.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <exception>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using chronicle::Error;
using chronicle::ErrorKind;
using chronicle::sqlstate_of;

struct KindCode {
    ErrorKind kind;
    const char* code;
};

// The public contract: these codes must never change.
const std::vector<KindCode>& all_kinds() {
    static const std::vector<KindCode> kinds = {
        {ErrorKind::WrongExpectedVersion, "CH001"},
        {ErrorKind::DuplicateEventId, "CH002"},
        {ErrorKind::ImmutableEvents, "CH003"},
        {ErrorKind::TransactionNotSupported, "CH004"},
        {ErrorKind::InvalidStreamName, "CH010"},
        {ErrorKind::InvalidEventType, "CH011"},
        {ErrorKind::InvalidEventData, "CH012"},
        {ErrorKind::InvalidMetadata, "CH013"},
        {ErrorKind::InvalidBatch, "CH014"},
        {ErrorKind::InvalidExpectedVersion, "CH015"},
        {ErrorKind::InvalidArgument, "CH016"},
        {ErrorKind::InvalidEventId, "CH017"},
        {ErrorKind::InvalidAggregateDefinition, "CH020"},
        {ErrorKind::UnknownAggregate, "CH021"},
        {ErrorKind::FoldFailed, "CH022"},
        {ErrorKind::ReducerFailed, "CH023"},
        {ErrorKind::InvalidProjection, "CH030"},
        {ErrorKind::UnknownProjection, "CH031"},
        {ErrorKind::ProjectionExists, "CH032"},
        {ErrorKind::Internal, "XX000"},
    };
    return kinds;
}

static_assert(noexcept(sqlstate_of(ErrorKind::Internal)), "sqlstate_of must not throw");
static_assert(std::is_base_of_v<std::runtime_error, Error>, "Error is a std::runtime_error");

TEST(ErrorKindTest, TableCoversEveryKind) {
    // The enumerators are contiguous from 0 with Internal last; a new kind must be added to the
    // table above (and so to the contract) or this fails.
    ASSERT_EQ(all_kinds().size(), static_cast<std::size_t>(ErrorKind::Internal) + 1);
    for (std::size_t i = 0; i < all_kinds().size(); ++i) {
        EXPECT_EQ(static_cast<std::size_t>(all_kinds()[i].kind), i);
    }
}

TEST(SqlstateOfTest, EachKindHasItsDocumentedCode) {
    for (const auto& [kind, code] : all_kinds()) {
        EXPECT_STREQ(sqlstate_of(kind), code) << "kind #" << static_cast<int>(kind);
    }
}

TEST(SqlstateOfTest, InternalIsXX000) {
    EXPECT_STREQ(sqlstate_of(ErrorKind::Internal), "XX000");
}

TEST(SqlstateOfTest, CodesAreFiveUpperCaseAlphanumericCharacters) {
    for (const auto& entry : all_kinds()) {
        const char* code = sqlstate_of(entry.kind);
        ASSERT_NE(code, nullptr);
        ASSERT_EQ(std::strlen(code), 5u) << code;
        for (std::size_t i = 0; i < 5; ++i) {
            const unsigned char c = static_cast<unsigned char>(code[i]);
            EXPECT_TRUE(std::isdigit(c) || (c >= 'A' && c <= 'Z'))
                << "character " << i << " of " << code;
        }
    }
}

TEST(SqlstateOfTest, CodesAreDistinct) {
    std::set<std::string> codes;
    for (const auto& entry : all_kinds()) {
        EXPECT_TRUE(codes.insert(sqlstate_of(entry.kind)).second)
            << "duplicate SQLSTATE " << sqlstate_of(entry.kind);
    }
    EXPECT_EQ(codes.size(), all_kinds().size());
}

TEST(SqlstateOfTest, OnlyInternalLeavesClassCH) {
    for (const auto& entry : all_kinds()) {
        const std::string code = sqlstate_of(entry.kind);
        if (entry.kind == ErrorKind::Internal) {
            EXPECT_EQ(code.substr(0, 2), "XX");
        } else {
            EXPECT_EQ(code.substr(0, 2), "CH") << code;
        }
    }
}

TEST(SqlstateOfTest, UnknownKindFallsBackToInternal) {
    EXPECT_STREQ(sqlstate_of(static_cast<ErrorKind>(1000)), "XX000");
    EXPECT_STREQ(sqlstate_of(static_cast<ErrorKind>(-1)), "XX000");
}

TEST(ErrorTest, CarriesKindMessageDetailAndHint) {
    const Error e(ErrorKind::InvalidBatch, "the message", "the detail", "the hint");
    EXPECT_EQ(e.kind(), ErrorKind::InvalidBatch);
    EXPECT_STREQ(e.what(), "the message");
    EXPECT_EQ(e.detail(), "the detail");
    EXPECT_EQ(e.hint(), "the hint");
}

TEST(ErrorTest, DetailAndHintDefaultToEmpty) {
    const Error e(ErrorKind::Internal, "only a message");
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
    EXPECT_STREQ(e.what(), "only a message");
    EXPECT_TRUE(e.detail().empty());
    EXPECT_TRUE(e.hint().empty());
}

TEST(ErrorTest, HintWithoutDetail) {
    const Error e(ErrorKind::InvalidArgument, "m", {}, "h");
    EXPECT_TRUE(e.detail().empty());
    EXPECT_EQ(e.hint(), "h");
}

TEST(ErrorTest, EmptyMessageIsKept) {
    const Error e(ErrorKind::InvalidArgument, "");
    EXPECT_STREQ(e.what(), "");
}

TEST(ErrorTest, CopyKeepsEverything) {
    const Error original(ErrorKind::DuplicateEventId, "msg", "det", "hin");
    Error copy(original);
    EXPECT_EQ(copy.kind(), ErrorKind::DuplicateEventId);
    EXPECT_STREQ(copy.what(), "msg");
    EXPECT_EQ(copy.detail(), "det");
    EXPECT_EQ(copy.hint(), "hin");
    Error moved(std::move(copy));
    EXPECT_EQ(moved.kind(), ErrorKind::DuplicateEventId);
    EXPECT_STREQ(moved.what(), "msg");
}

TEST(ErrorTest, CatchableAsStdException) {
    try {
        throw Error(ErrorKind::WrongExpectedVersion, "boom", "d", "h");
    } catch (const std::exception& e) {
        EXPECT_STREQ(e.what(), "boom");
        const auto* typed = dynamic_cast<const Error*>(&e);
        ASSERT_NE(typed, nullptr);
        EXPECT_EQ(typed->kind(), ErrorKind::WrongExpectedVersion);
        EXPECT_STREQ(sqlstate_of(typed->kind()), "CH001");
        return;
    }
    FAIL() << "Error was not caught as std::exception";
}

TEST(ErrorTest, LongAndNonAsciiTextSurvives) {
    const std::string message(10000, 'm');
    const std::string detail = "stream \"caf\xC3\xA9-1\"";
    const Error e(ErrorKind::InvalidStreamName, message, detail);
    EXPECT_EQ(std::string(e.what()), message);
    EXPECT_EQ(e.detail(), detail);
}

}  // namespace
