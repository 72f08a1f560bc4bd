// Unit tests for include/chronicle/core/event_shape.hpp.
#include "test_support.hpp"
#include "chronicle/core/event_shape.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chronicle/core/error.hpp"

namespace {

using chronicle::test::capture_error;
using chronicle::test::Contains;
using chronicle::test::StartsWith;

using chronicle::Error;
using chronicle::ErrorKind;
using chronicle::EventShape;
using chronicle::json_kind_name;
using chronicle::JsonKind;
using chronicle::kMaxEventTypeBytes;
using chronicle::Uuid;
using chronicle::validate_batch_kind;
using chronicle::validate_event;

// An event that passes every rule.
EventShape valid_event() {
    EventShape e;
    e.type_kind = JsonKind::String;
    e.type = "OrderPlaced";
    e.data_kind = JsonKind::Object;
    return e;
}

constexpr const char* kIdText = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
constexpr Uuid kId = {0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8,
                      0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11};

const std::vector<JsonKind> kAllKinds = {JsonKind::Missing, JsonKind::Null,   JsonKind::Object,
                                         JsonKind::Array,   JsonKind::String, JsonKind::Number,
                                         JsonKind::Bool};

static_assert(kMaxEventTypeBytes == 255, "an event type has at most 255 bytes");
static_assert(noexcept(json_kind_name(JsonKind::Null)), "json_kind_name must not throw");

// --- json_kind_name ---------------------------------------------------------------------------

TEST(JsonKindNameTest, NamesEveryKind) {
    EXPECT_STREQ(json_kind_name(JsonKind::Missing), "missing");
    EXPECT_STREQ(json_kind_name(JsonKind::Null), "null");
    EXPECT_STREQ(json_kind_name(JsonKind::Object), "an object");
    EXPECT_STREQ(json_kind_name(JsonKind::Array), "an array");
    EXPECT_STREQ(json_kind_name(JsonKind::String), "a string");
    EXPECT_STREQ(json_kind_name(JsonKind::Number), "a number");
    EXPECT_STREQ(json_kind_name(JsonKind::Bool), "a boolean");
}

TEST(JsonKindNameTest, UnknownValue) {
    EXPECT_STREQ(json_kind_name(static_cast<JsonKind>(100)), "unknown");
}

// --- validate_batch_kind ----------------------------------------------------------------------

TEST(ValidateBatchKindTest, AcceptsArray) {
    EXPECT_NO_THROW(validate_batch_kind(JsonKind::Array));
}

TEST(ValidateBatchKindTest, RejectsEverythingElse) {
    for (JsonKind kind : kAllKinds) {
        if (kind == JsonKind::Array) continue;
        const Error e = capture_error([kind] { validate_batch_kind(kind); });
        EXPECT_EQ(e.kind(), ErrorKind::InvalidBatch) << json_kind_name(kind);
        EXPECT_EQ(std::string(e.what()),
                  std::string("events must be a JSON array, not ") + json_kind_name(kind));
        EXPECT_TRUE(e.detail().empty());
        EXPECT_TRUE(Contains(e.hint(), "Each element is an object"));
        EXPECT_STREQ(chronicle::sqlstate_of(e.kind()), "CH014");
    }
}

TEST(ValidateBatchKindTest, ObjectMessage) {
    const Error e = capture_error([] { validate_batch_kind(JsonKind::Object); });
    EXPECT_STREQ(e.what(), "events must be a JSON array, not an object");
}

// --- validate_event: valid events -------------------------------------------------------------

TEST(ValidateEventTest, MinimalEventHasNoId) {
    EXPECT_EQ(validate_event(valid_event()), std::nullopt);
    EXPECT_EQ(validate_event(valid_event(), 0), std::nullopt);
    EXPECT_EQ(validate_event(valid_event(), 41), std::nullopt);
}

TEST(ValidateEventTest, MetadataMayBeMissingNullOrObject) {
    for (JsonKind kind : {JsonKind::Missing, JsonKind::Null, JsonKind::Object}) {
        EventShape e = valid_event();
        e.metadata_kind = kind;
        EXPECT_NO_THROW(validate_event(e)) << json_kind_name(kind);
        EXPECT_NO_THROW(validate_event(e, 2)) << json_kind_name(kind);
    }
}

TEST(ValidateEventTest, MissingOrNullIdGivesNoId) {
    for (JsonKind kind : {JsonKind::Missing, JsonKind::Null}) {
        EventShape e = valid_event();
        e.id_kind = kind;
        e.id_text = "not looked at";
        EXPECT_EQ(validate_event(e), std::nullopt) << json_kind_name(kind);
        EXPECT_EQ(validate_event(e, 0), std::nullopt) << json_kind_name(kind);
    }
}

TEST(ValidateEventTest, StringIdIsParsed) {
    EventShape e = valid_event();
    e.id_kind = JsonKind::String;
    e.id_text = kIdText;
    const auto id = validate_event(e, 0);
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(*id, kId);
}

TEST(ValidateEventTest, IdAcceptsEveryUuidForm) {
    for (const char* text :
         {"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
          "a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11"}) {
        EventShape e = valid_event();
        e.id_kind = JsonKind::String;
        e.id_text = text;
        EXPECT_EQ(validate_event(e, 3), kId) << text;
    }
}

TEST(ValidateEventTest, TypeOfExactly255Bytes) {
    const std::string type(255, 't');
    EventShape e = valid_event();
    e.type = type;
    EXPECT_NO_THROW(validate_event(e));
}

TEST(ValidateEventTest, TypeWithMultiByteCharactersUpTo255Bytes) {
    std::string type;
    for (int i = 0; i < 127; ++i) type += "\xC3\xA9";  // 254 bytes
    type += "x";
    ASSERT_EQ(type.size(), 255u);
    EventShape e = valid_event();
    e.type = type;
    EXPECT_NO_THROW(validate_event(e));
}

TEST(ValidateEventTest, OneByteType) {
    EventShape e = valid_event();
    e.type = "X";
    EXPECT_NO_THROW(validate_event(e));
}

// --- validate_event: unknown key --------------------------------------------------------------

TEST(ValidateEventTest, UnknownKeyInBatch) {
    EventShape e = valid_event();
    e.unknown_key = "payload";
    const Error err = capture_error([&] { validate_event(e, 2); });
    EXPECT_EQ(err.kind(), ErrorKind::InvalidBatch);
    EXPECT_STREQ(err.what(), "event 3 of the batch: unknown key \"payload\"");
    EXPECT_TRUE(err.detail().empty());
    EXPECT_TRUE(Contains(err.hint(), "\"type\": text"));
    EXPECT_TRUE(Contains(err.hint(), "\"id\": uuid?"));
}

TEST(ValidateEventTest, UnknownKeyWithoutBatchIndex) {
    EventShape e = valid_event();
    e.unknown_key = "x";
    const Error err = capture_error([&] { validate_event(e); });
    EXPECT_EQ(err.kind(), ErrorKind::InvalidBatch);
    EXPECT_STREQ(err.what(), "unknown key \"x\"");
}

TEST(ValidateEventTest, UnknownKeyIsCheckedFirst) {
    EventShape e;  // every other rule broken too
    e.type_kind = JsonKind::Number;
    e.data_kind = JsonKind::Array;
    e.metadata_kind = JsonKind::String;
    e.id_kind = JsonKind::Bool;
    e.unknown_key = "extra";
    const Error err = capture_error([&] { validate_event(e, 0); });
    EXPECT_EQ(err.kind(), ErrorKind::InvalidBatch);
    EXPECT_STREQ(err.what(), "event 1 of the batch: unknown key \"extra\"");
}

TEST(ValidateEventTest, UnknownKeyIsQuotedVerbatimAndOnlyTheView) {
    const std::string buffer = "caf\xC3\xA9 key\"WITH-TAIL";
    EventShape e = valid_event();
    e.unknown_key = std::string_view(buffer).substr(0, buffer.size() - 9);
    const Error err = capture_error([&] { validate_event(e); });
    EXPECT_EQ(std::string(err.what()), "unknown key \"caf\xC3\xA9 key\"\"");
}

// --- validate_event: type ---------------------------------------------------------------------

TEST(ValidateEventTest, TypeMissingOrNull) {
    for (JsonKind kind : {JsonKind::Missing, JsonKind::Null}) {
        EventShape e = valid_event();
        e.type_kind = kind;
        const Error err = capture_error([&] { validate_event(e); });
        EXPECT_EQ(err.kind(), ErrorKind::InvalidEventType) << json_kind_name(kind);
        EXPECT_STREQ(err.what(), "event type must not be NULL");
        EXPECT_STREQ(chronicle::sqlstate_of(err.kind()), "CH011");

        const Error in_batch = capture_error([&] { validate_event(e, 4); });
        EXPECT_EQ(in_batch.kind(), ErrorKind::InvalidEventType);
        EXPECT_STREQ(in_batch.what(), "event 5 of the batch: event type must not be NULL");
    }
}

TEST(ValidateEventTest, TypeOfAnotherKind) {
    for (JsonKind kind : {JsonKind::Object, JsonKind::Array, JsonKind::Number, JsonKind::Bool}) {
        EventShape e = valid_event();
        e.type_kind = kind;
        const Error err = capture_error([&] { validate_event(e, 1); });
        EXPECT_EQ(err.kind(), ErrorKind::InvalidEventType) << json_kind_name(kind);
        EXPECT_EQ(std::string(err.what()), std::string("event 2 of the batch: event type must be a "
                                                       "string, not ") +
                                               json_kind_name(kind));
    }
}

TEST(ValidateEventTest, TypeNumberMessage) {
    EventShape e = valid_event();
    e.type_kind = JsonKind::Number;
    const Error err = capture_error([&] { validate_event(e); });
    EXPECT_STREQ(err.what(), "event type must be a string, not a number");
}

TEST(ValidateEventTest, TypeEmpty) {
    EventShape e = valid_event();
    e.type = "";
    const Error err = capture_error([&] { validate_event(e); });
    EXPECT_EQ(err.kind(), ErrorKind::InvalidEventType);
    EXPECT_STREQ(err.what(), "event type must not be empty");
    const Error in_batch = capture_error([&] { validate_event(e, 2); });
    EXPECT_STREQ(in_batch.what(), "event 3 of the batch: event type must not be empty");
}

TEST(ValidateEventTest, TypeOf256BytesIsTooLong) {
    const std::string type(256, 't');
    EventShape e = valid_event();
    e.type = type;
    const Error err = capture_error([&] { validate_event(e); });
    EXPECT_EQ(err.kind(), ErrorKind::InvalidEventType);
    EXPECT_STREQ(err.what(), "event type is too long: 256 bytes");
    EXPECT_EQ(err.detail(), "An event type has at most 255 bytes.");
    const Error in_batch = capture_error([&] { validate_event(e, 2); });
    EXPECT_STREQ(in_batch.what(), "event 3 of the batch: event type is too long: 256 bytes");
}

TEST(ValidateEventTest, TypeLengthCountsBytesNotCharacters) {
    std::string type;
    for (int i = 0; i < 64; ++i) type += "\xF0\x9F\x98\x80";  // 64 characters, 256 bytes
    EventShape e = valid_event();
    e.type = type;
    const Error err = capture_error([&] { validate_event(e); });
    EXPECT_EQ(err.kind(), ErrorKind::InvalidEventType);
    EXPECT_TRUE(Contains(err.what(), "256 bytes"));
}

TEST(ValidateEventTest, TypeTextIgnoredWhenKindIsNotString) {
    EventShape e = valid_event();
    e.type_kind = JsonKind::Null;
    e.type = "LooksValid";
    EXPECT_THROW(validate_event(e), Error);
}

// --- validate_event: data ---------------------------------------------------------------------

TEST(ValidateEventTest, DataMissingOrNull) {
    for (JsonKind kind : {JsonKind::Missing, JsonKind::Null}) {
        EventShape e = valid_event();
        e.data_kind = kind;
        const Error err = capture_error([&] { validate_event(e); });
        EXPECT_EQ(err.kind(), ErrorKind::InvalidEventData) << json_kind_name(kind);
        EXPECT_STREQ(err.what(), "event data must not be NULL");
        EXPECT_TRUE(Contains(err.hint(), "Wrap other values in an object"));
        EXPECT_STREQ(chronicle::sqlstate_of(err.kind()), "CH012");
        const Error in_batch = capture_error([&] { validate_event(e, 0); });
        EXPECT_STREQ(in_batch.what(), "event 1 of the batch: event data must not be NULL");
    }
}

TEST(ValidateEventTest, DataOfAnotherKind) {
    for (JsonKind kind : {JsonKind::Array, JsonKind::String, JsonKind::Number, JsonKind::Bool}) {
        EventShape e = valid_event();
        e.data_kind = kind;
        const Error err = capture_error([&] { validate_event(e, 2); });
        EXPECT_EQ(err.kind(), ErrorKind::InvalidEventData) << json_kind_name(kind);
        EXPECT_EQ(std::string(err.what()),
                  std::string("event 3 of the batch: event data must be a JSON object, not ") +
                      json_kind_name(kind));
        EXPECT_TRUE(Contains(err.hint(), "{\"value\": 42}"));
    }
}

TEST(ValidateEventTest, DataArrayMessage) {
    EventShape e = valid_event();
    e.data_kind = JsonKind::Array;
    const Error err = capture_error([&] { validate_event(e); });
    EXPECT_STREQ(err.what(), "event data must be a JSON object, not an array");
}

// --- validate_event: metadata -----------------------------------------------------------------

TEST(ValidateEventTest, MetadataOfAnotherKind) {
    for (JsonKind kind : {JsonKind::Array, JsonKind::String, JsonKind::Number, JsonKind::Bool}) {
        EventShape e = valid_event();
        e.metadata_kind = kind;
        const Error err = capture_error([&] { validate_event(e); });
        EXPECT_EQ(err.kind(), ErrorKind::InvalidMetadata) << json_kind_name(kind);
        EXPECT_EQ(std::string(err.what()),
                  std::string("event metadata must be a JSON object or null, not ") +
                      json_kind_name(kind));
        EXPECT_STREQ(chronicle::sqlstate_of(err.kind()), "CH013");
        const Error in_batch = capture_error([&] { validate_event(e, 9); });
        EXPECT_TRUE(StartsWith(in_batch.what(), "event 10 of the batch: event metadata"));
    }
}

// --- validate_event: id -----------------------------------------------------------------------

TEST(ValidateEventTest, IdNotAUuid) {
    EventShape e = valid_event();
    e.id_kind = JsonKind::String;
    e.id_text = "not-a-uuid";
    const Error err = capture_error([&] { validate_event(e, 2); });
    EXPECT_EQ(err.kind(), ErrorKind::InvalidEventId);
    EXPECT_STREQ(err.what(), "event 3 of the batch: event id is not a valid uuid: \"not-a-uuid\"");
    EXPECT_STREQ(chronicle::sqlstate_of(err.kind()), "CH017");
}

TEST(ValidateEventTest, IdEmptyString) {
    EventShape e = valid_event();
    e.id_kind = JsonKind::String;
    e.id_text = "";
    const Error err = capture_error([&] { validate_event(e); });
    EXPECT_EQ(err.kind(), ErrorKind::InvalidEventId);
    EXPECT_STREQ(err.what(), "event id is not a valid uuid: \"\"");
}

TEST(ValidateEventTest, IdAlmostAUuid) {
    for (const char* text : {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",    // 31 digits
                             "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111",  // 33 digits
                             "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g",   // bad hex
                             "-a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",  // leading hyphen
                             "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11",  // double hyphen
                             "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}) {
        EventShape e = valid_event();
        e.id_kind = JsonKind::String;
        e.id_text = text;
        const Error err = capture_error([&] { validate_event(e); });
        EXPECT_EQ(err.kind(), ErrorKind::InvalidEventId) << text;
        EXPECT_TRUE(Contains(err.what(), std::string("\"") + text + "\""));
    }
}

TEST(ValidateEventTest, IdOfAnotherKind) {
    for (JsonKind kind : {JsonKind::Object, JsonKind::Array, JsonKind::Number, JsonKind::Bool}) {
        EventShape e = valid_event();
        e.id_kind = kind;
        const Error err = capture_error([&] { validate_event(e, 0); });
        EXPECT_EQ(err.kind(), ErrorKind::InvalidEventId) << json_kind_name(kind);
        EXPECT_EQ(std::string(err.what()),
                  std::string("event 1 of the batch: event id must be a uuid string, not ") +
                      json_kind_name(kind));
    }
}

TEST(ValidateEventTest, IdNumberMessage) {
    EventShape e = valid_event();
    e.id_kind = JsonKind::Number;
    const Error err = capture_error([&] { validate_event(e); });
    EXPECT_STREQ(err.what(), "event id must be a uuid string, not a number");
}

// --- rule order and the batch index -----------------------------------------------------------

TEST(ValidateEventTest, TypeIsCheckedBeforeData) {
    EventShape e = valid_event();
    e.type_kind = JsonKind::Missing;
    e.data_kind = JsonKind::Missing;
    EXPECT_EQ(capture_error([&] { validate_event(e); }).kind(), ErrorKind::InvalidEventType);
    e = valid_event();
    e.type = "";
    e.data_kind = JsonKind::Null;
    EXPECT_EQ(capture_error([&] { validate_event(e); }).kind(), ErrorKind::InvalidEventType);
}

TEST(ValidateEventTest, DataIsCheckedBeforeMetadata) {
    EventShape e = valid_event();
    e.data_kind = JsonKind::String;
    e.metadata_kind = JsonKind::String;
    EXPECT_EQ(capture_error([&] { validate_event(e); }).kind(), ErrorKind::InvalidEventData);
}

TEST(ValidateEventTest, MetadataIsCheckedBeforeId) {
    EventShape e = valid_event();
    e.metadata_kind = JsonKind::Array;
    e.id_kind = JsonKind::String;
    e.id_text = "bad";
    EXPECT_EQ(capture_error([&] { validate_event(e); }).kind(), ErrorKind::InvalidMetadata);
}

TEST(ValidateEventTest, BatchIndexIsOneBasedInEveryMessage) {
    std::vector<EventShape> broken;
    {
        EventShape e = valid_event();
        e.unknown_key = "k";
        broken.push_back(e);
    }
    {
        EventShape e = valid_event();
        e.type_kind = JsonKind::Null;
        broken.push_back(e);
    }
    {
        EventShape e = valid_event();
        e.type = "";
        broken.push_back(e);
    }
    {
        EventShape e = valid_event();
        e.data_kind = JsonKind::Number;
        broken.push_back(e);
    }
    {
        EventShape e = valid_event();
        e.metadata_kind = JsonKind::Bool;
        broken.push_back(e);
    }
    {
        EventShape e = valid_event();
        e.id_kind = JsonKind::String;
        e.id_text = "zz";
        broken.push_back(e);
    }
    {
        EventShape e = valid_event();
        e.id_kind = JsonKind::Array;
        broken.push_back(e);
    }
    for (std::size_t n = 0; n < broken.size(); ++n) {
        const EventShape& e = broken[n];
        for (std::size_t index :
             {std::size_t{0}, std::size_t{2}, std::size_t{9}, std::size_t{999}}) {
            const Error err = capture_error([&] { validate_event(e, index); });
            EXPECT_TRUE(
                StartsWith(err.what(), "event " + std::to_string(index + 1) + " of the batch: "))
                << "case " << n;
        }
        const Error single = capture_error([&] { validate_event(e); });
        EXPECT_FALSE(Contains(single.what(), "of the batch")) << "case " << n;
        EXPECT_FALSE(StartsWith(single.what(), "event 0")) << "case " << n;
    }
}

TEST(ValidateEventTest, LargestBatchIndex) {
    EventShape e = valid_event();
    e.type_kind = JsonKind::Missing;
    const Error err = capture_error([&] { validate_event(e, 123456788); });
    EXPECT_TRUE(StartsWith(err.what(), "event 123456789 of the batch: "));
}

}  // namespace
