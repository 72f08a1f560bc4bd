// Unit tests for include/chronicle/core/correlation_ids.hpp: which id an event records, and
// what a valid id, setting and read_correlated argument is.
#include "chronicle/core/correlation_ids.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "chronicle/core/error.hpp"
#include "test_support.hpp"

namespace {

using chronicle::Error;
using chronicle::ErrorKind;
using chronicle::EventIds;
using chronicle::id_setting_problem;
using chronicle::IdSettings;
using chronicle::JsonKind;
using chronicle::kMaxCorrelationIdBytes;
using chronicle::MetadataId;
using chronicle::resolve_event_ids;
using chronicle::validate_correlation_argument;
using chronicle::test::capture_error;
using chronicle::test::Contains;
using chronicle::test::StartsWith;

MetadataId absent() {
    return {};
}

MetadataId string_id(std::string_view text) {
    return {JsonKind::String, text};
}

MetadataId of_kind(JsonKind kind) {
    return {kind, {}};
}

TEST(ResolveEventIdsTest, NothingGivenMeansNone) {
    const EventIds ids = resolve_event_ids(absent(), absent(), IdSettings{});
    EXPECT_FALSE(ids.correlation.has_value());
    EXPECT_FALSE(ids.causation.has_value());
}

TEST(ResolveEventIdsTest, FromMetadata) {
    const EventIds ids = resolve_event_ids(string_id("conv-1"), string_id("cmd-7"), IdSettings{});
    EXPECT_EQ(ids.correlation, std::optional<std::string_view>("conv-1"));
    EXPECT_EQ(ids.causation, std::optional<std::string_view>("cmd-7"));
}

TEST(ResolveEventIdsTest, FromSettingsWhenTheKeysAreAbsent) {
    const EventIds ids = resolve_event_ids(absent(), absent(), IdSettings{"tx-corr", "tx-cause"});
    EXPECT_EQ(ids.correlation, std::optional<std::string_view>("tx-corr"));
    EXPECT_EQ(ids.causation, std::optional<std::string_view>("tx-cause"));
}

TEST(ResolveEventIdsTest, MetadataWinsOverTheSettingKeyByKey) {
    const EventIds ids =
        resolve_event_ids(string_id("meta"), absent(), IdSettings{"setting", "cause-setting"});
    EXPECT_EQ(ids.correlation, std::optional<std::string_view>("meta"));
    EXPECT_EQ(ids.causation, std::optional<std::string_view>("cause-setting"));
}

TEST(ResolveEventIdsTest, AnEmptySettingMeansNone) {
    const EventIds ids = resolve_event_ids(absent(), string_id("c"), IdSettings{"", ""});
    EXPECT_FALSE(ids.correlation.has_value());
    EXPECT_EQ(ids.causation, std::optional<std::string_view>("c"));
}

TEST(ResolveEventIdsTest, TheResultBorrowsFromItsSource) {
    const std::string metadata_text = "from-metadata";
    const std::string setting = "from-setting";
    const EventIds ids =
        resolve_event_ids(string_id(metadata_text), absent(), IdSettings{"x", setting});
    EXPECT_EQ(ids.correlation->data(), metadata_text.data());
    EXPECT_EQ(ids.causation->data(), setting.data());
}

TEST(ResolveEventIdsTest, EveryNonStringKindIsRefused) {
    for (JsonKind kind :
         {JsonKind::Null, JsonKind::Number, JsonKind::Bool, JsonKind::Object, JsonKind::Array}) {
        const Error e = capture_error([&] {
            resolve_event_ids(of_kind(kind), absent(), IdSettings{"setting", ""});
        });
        EXPECT_EQ(e.kind(), ErrorKind::InvalidMetadata);
        EXPECT_EQ(std::string(e.what()), std::string("metadata key \"correlation_id\" must be a "
                                                     "string, not ") +
                                             chronicle::json_kind_name(kind));
        EXPECT_TRUE(Contains(e.hint(),
                             "Leave the key out to take the setting "
                             "chronicle.correlation_id"));
        const Error c =
            capture_error([&] { resolve_event_ids(absent(), of_kind(kind), IdSettings{}); });
        EXPECT_EQ(c.kind(), ErrorKind::InvalidMetadata);
        EXPECT_TRUE(StartsWith(c.what(), "metadata key \"causation_id\" must be a string"));
    }
}

TEST(ResolveEventIdsTest, AnEmptyStringInMetadataIsRefused) {
    const Error e = capture_error([] {
        resolve_event_ids(string_id(""), absent(), IdSettings{"s", ""});
    });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidMetadata);
    EXPECT_EQ(std::string(e.what()), "metadata key \"correlation_id\" must not be an empty string");
}

TEST(ResolveEventIdsTest, LengthLimitIsInBytes) {
    const std::string longest(kMaxCorrelationIdBytes, 'x');
    EXPECT_EQ(resolve_event_ids(string_id(longest), absent(), IdSettings{}).correlation->size(),
              kMaxCorrelationIdBytes);
    // 128 two-byte characters: 256 bytes.
    std::string too_long;
    for (int i = 0; i < 128; ++i) too_long += "\xc3\xa9";
    const Error e =
        capture_error([&] { resolve_event_ids(absent(), string_id(too_long), IdSettings{}); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidMetadata);
    EXPECT_EQ(std::string(e.what()), "metadata key \"causation_id\" is too long: 256 bytes");
    EXPECT_EQ(e.detail(), "A causation id has at most 255 bytes.");
}

TEST(ResolveEventIdsTest, BatchIndexIsNamedOneBased) {
    const Error e = capture_error(
        [] { resolve_event_ids(of_kind(JsonKind::Number), absent(), IdSettings{}, 2); });
    EXPECT_TRUE(StartsWith(e.what(), "event 3 of the batch: metadata key \"correlation_id\""));
}

TEST(ResolveEventIdsTest, CorrelationIsCheckedBeforeCausation) {
    const Error e = capture_error(
        [] { resolve_event_ids(of_kind(JsonKind::Bool), of_kind(JsonKind::Array), IdSettings{}); });
    EXPECT_TRUE(Contains(e.what(), "\"correlation_id\""));
}

TEST(ResolveEventIdsTest, AnOversizeSettingIsAnInternalError) {
    const std::string too_long(kMaxCorrelationIdBytes + 1, 'x');
    const Error e = capture_error([&] {
        resolve_event_ids(absent(), absent(), IdSettings{too_long, ""});
    });
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
    // Unused when the metadata carries the key.
    EXPECT_NO_THROW(resolve_event_ids(string_id("m"), absent(), IdSettings{too_long, ""}));
}

TEST(IdSettingProblemTest, EmptyAndUpTo255BytesAreFine) {
    EXPECT_EQ(id_setting_problem(""), nullptr);
    EXPECT_EQ(id_setting_problem("abc"), nullptr);
    EXPECT_EQ(id_setting_problem(std::string(kMaxCorrelationIdBytes, 'a')), nullptr);
    const char* problem = id_setting_problem(std::string(kMaxCorrelationIdBytes + 1, 'a'));
    ASSERT_NE(problem, nullptr);
    EXPECT_TRUE(Contains(problem, "at most 255 bytes"));
}

TEST(ValidateCorrelationArgumentTest, Rules) {
    EXPECT_NO_THROW(validate_correlation_argument(std::string_view("conv-1")));
    EXPECT_NO_THROW(validate_correlation_argument(std::string(kMaxCorrelationIdBytes, 'a')));
    const Error null = capture_error([] { validate_correlation_argument(std::nullopt); });
    EXPECT_EQ(null.kind(), ErrorKind::InvalidArgument);
    EXPECT_EQ(std::string(null.what()), "correlation id must not be NULL");
    const Error empty = capture_error([] { validate_correlation_argument(std::string_view("")); });
    EXPECT_EQ(empty.kind(), ErrorKind::InvalidArgument);
    EXPECT_EQ(std::string(empty.what()), "correlation id must not be empty");
    const std::string too_long(kMaxCorrelationIdBytes + 1, 'a');
    const Error oversize = capture_error([&] { validate_correlation_argument(too_long); });
    EXPECT_EQ(oversize.kind(), ErrorKind::InvalidArgument);
    EXPECT_EQ(std::string(oversize.what()), "correlation id is too long: 256 bytes");
}

}  // namespace
