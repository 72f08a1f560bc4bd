// Unit tests for include/chronicle/core/idempotency.hpp.
#include "test_support.hpp"
#include "chronicle/core/idempotency.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chronicle/core/error.hpp"

namespace {

using chronicle::test::capture_error;
using chronicle::test::Contains;

using chronicle::check_ids_distinct;
using chronicle::decide_retry;
using chronicle::Error;
using chronicle::ErrorKind;
using chronicle::ExpectedVersion;
using chronicle::format_uuid;
using chronicle::RetryDecision;
using chronicle::StoredEventId;
using chronicle::StreamVersion;
using chronicle::Uuid;
using Ids = std::vector<std::optional<Uuid>>;
using Stored = std::vector<StoredEventId>;

// A distinct, recognisable id: 00000000-0000-7000-8000-0000000000nn.
Uuid id(std::uint8_t n) {
    Uuid u{};
    u[6] = 0x70;
    u[8] = 0x80;
    u[15] = n;
    return u;
}

StoredEventId not_stored() {
    return {};
}

// The same event stored here at `version`: what a true retry finds.
StoredEventId here(StreamVersion version) {
    StoredEventId s;
    s.found = true;
    s.same_stream = true;
    s.version = version;
    s.same_type = true;
    s.same_data = true;
    s.same_metadata = true;
    s.same_correlation_id = true;
    s.same_causation_id = true;
    return s;
}

// Stored here at `version` under the same id, with other content.
StoredEventId here_but_other(StreamVersion version, bool same_type, bool same_data,
                             bool same_metadata) {
    StoredEventId s = here(version);
    s.same_type = same_type;
    s.same_data = same_data;
    s.same_metadata = same_metadata;
    return s;
}

StoredEventId elsewhere(const std::string& stream, StreamVersion version = 1) {
    StoredEventId s;
    s.found = true;
    s.same_stream = false;
    s.other_stream = stream;
    s.version = version;
    return s;
}

ExpectedVersion exactly(std::int64_t v) {
    return ExpectedVersion::from_sql(v);
}

const ExpectedVersion kAny = ExpectedVersion::any();

// --- defaults ---------------------------------------------------------------------------------

TEST(IdempotencyTypesTest, Defaults) {
    const StoredEventId s;
    EXPECT_FALSE(s.found);
    EXPECT_FALSE(s.same_stream);
    EXPECT_TRUE(s.other_stream.empty());
    EXPECT_EQ(s.version, 0);
    // Not compared means not the same: forgetting to compare can never make a retry.
    EXPECT_FALSE(s.same_type);
    EXPECT_FALSE(s.same_data);
    EXPECT_FALSE(s.same_metadata);
    EXPECT_FALSE(s.same_correlation_id);
    EXPECT_FALSE(s.same_causation_id);
    const RetryDecision d;
    EXPECT_FALSE(d.already_appended);
    EXPECT_EQ(d.version, 0);
}

// --- check_ids_distinct -----------------------------------------------------------------------

TEST(CheckIdsDistinctTest, EmptyBatch) {
    EXPECT_NO_THROW(check_ids_distinct({}));
}

TEST(CheckIdsDistinctTest, SingleId) {
    EXPECT_NO_THROW(check_ids_distinct({id(1)}));
}

TEST(CheckIdsDistinctTest, GeneratedIdsNeverCollide) {
    EXPECT_NO_THROW(check_ids_distinct({std::nullopt}));
    EXPECT_NO_THROW(check_ids_distinct({std::nullopt, std::nullopt, std::nullopt}));
}

TEST(CheckIdsDistinctTest, DistinctIds) {
    EXPECT_NO_THROW(check_ids_distinct({id(1), id(2), id(3)}));
    EXPECT_NO_THROW(check_ids_distinct({id(3), id(1), id(2)}));
}

TEST(CheckIdsDistinctTest, DistinctIdsMixedWithGenerated) {
    EXPECT_NO_THROW(check_ids_distinct({std::nullopt, id(1), std::nullopt, id(2), std::nullopt}));
}

TEST(CheckIdsDistinctTest, AdjacentDuplicate) {
    const Error e = capture_error([] { check_ids_distinct({id(1), id(1)}); });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_EQ(std::string(e.what()),
              "event id " + format_uuid(id(1)) + " appears more than once in the batch");
    EXPECT_STREQ(chronicle::sqlstate_of(e.kind()), "CH002");
}

TEST(CheckIdsDistinctTest, DuplicateFarApart) {
    const Error e = capture_error([] {
        check_ids_distinct({id(9), id(2), id(3), id(4), id(5), id(9)});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.what(), format_uuid(id(9))));
    EXPECT_TRUE(Contains(e.what(), "appears more than once in the batch"));
}

TEST(CheckIdsDistinctTest, DuplicateAmongGenerated) {
    const Error e = capture_error([] {
        check_ids_distinct({std::nullopt, id(7), std::nullopt, id(7), std::nullopt});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.what(), format_uuid(id(7))));
}

TEST(CheckIdsDistinctTest, ThreeTimesTheSameId) {
    const Error e = capture_error([] { check_ids_distinct({id(4), id(4), id(4)}); });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.what(), format_uuid(id(4))));
}

TEST(CheckIdsDistinctTest, IdsDifferingOnlyInTheFirstByte) {
    Uuid a = id(1);
    Uuid b = id(1);
    b[0] = 0x01;
    EXPECT_NO_THROW(check_ids_distinct({a, b}));
}

// --- decide_retry: fresh appends --------------------------------------------------------------

TEST(DecideRetryTest, FreshAppendWithIds) {
    for (const ExpectedVersion& expected : {kAny, exactly(0), exactly(5)}) {
        const RetryDecision d =
            decide_retry("order-1", expected, {id(1), id(2)}, {not_stored(), not_stored()});
        EXPECT_FALSE(d.already_appended);
        EXPECT_EQ(d.version, 0);
    }
}

TEST(DecideRetryTest, FreshAppendWithGeneratedIds) {
    const RetryDecision d =
        decide_retry("order-1", kAny, {std::nullopt, std::nullopt}, {not_stored(), not_stored()});
    EXPECT_FALSE(d.already_appended);
}

TEST(DecideRetryTest, FreshAppendMixingSuppliedAndGeneratedIds) {
    const RetryDecision d = decide_retry("order-1", exactly(2), {id(1), std::nullopt, id(3)},
                                         {not_stored(), not_stored(), not_stored()});
    EXPECT_FALSE(d.already_appended);
}

TEST(DecideRetryTest, EmptyAppend) {
    const RetryDecision d = decide_retry("order-1", kAny, {}, {});
    EXPECT_FALSE(d.already_appended);
    EXPECT_EQ(d.version, 0);
}

// --- decide_retry: full retries ---------------------------------------------------------------

TEST(DecideRetryTest, SingleEventRetryWithAny) {
    const RetryDecision d = decide_retry("order-1", kAny, {id(1)}, {here(7)});
    EXPECT_TRUE(d.already_appended);
    EXPECT_EQ(d.version, 7);
}

TEST(DecideRetryTest, FullRetryWithAnyExpectedVersion) {
    const RetryDecision d =
        decide_retry("order-1", kAny, {id(1), id(2), id(3)}, {here(3), here(4), here(5)});
    EXPECT_TRUE(d.already_appended);
    EXPECT_EQ(d.version, 5);
}

TEST(DecideRetryTest, FullRetryWithAnyExpectedVersionAnywhereInTheStream) {
    // With any, the events may sit anywhere, also before later appends by others.
    const RetryDecision d = decide_retry("order-1", kAny, {id(1), id(2)}, {here(1), here(2)});
    EXPECT_TRUE(d.already_appended);
    EXPECT_EQ(d.version, 2);
    const RetryDecision far = decide_retry("order-1", kAny, {id(1)}, {here(1000000)});
    EXPECT_TRUE(far.already_appended);
    EXPECT_EQ(far.version, 1000000);
}

TEST(DecideRetryTest, FullRetryWithExactExpectedVersion) {
    const RetryDecision d =
        decide_retry("order-1", exactly(2), {id(1), id(2), id(3)}, {here(3), here(4), here(5)});
    EXPECT_TRUE(d.already_appended);
    EXPECT_EQ(d.version, 5);
}

TEST(DecideRetryTest, FullRetryOfTheStreamsFirstEvents) {
    const RetryDecision d = decide_retry("order-1", exactly(0), {id(1), id(2)}, {here(1), here(2)});
    EXPECT_TRUE(d.already_appended);
    EXPECT_EQ(d.version, 2);
}

TEST(DecideRetryTest, SingleEventRetryWithExactExpectedVersion) {
    const RetryDecision d = decide_retry("order-1", exactly(6), {id(1)}, {here(7)});
    EXPECT_TRUE(d.already_appended);
    EXPECT_EQ(d.version, 7);
}

// --- decide_retry: retries at the wrong place -------------------------------------------------

TEST(DecideRetryTest, RetryWithExpectedVersionTooLow) {
    const Error e = capture_error([] {
        decide_retry("order-1", exactly(1), {id(1), id(2)}, {here(3), here(4)});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_EQ(std::string(e.what()), "event id " + format_uuid(id(1)) +
                                         " is already stored in stream \"order-1\" at version 3");
    EXPECT_EQ(e.detail(),
              "The stored events are not where this append, with expected version 1, would have "
              "put them.");
    EXPECT_TRUE(Contains(e.hint(), "retried append"));
}

TEST(DecideRetryTest, RetryWithExpectedVersionEqualToFirstStoredVersion) {
    // Off by one: expected 3 would put the first event at 4, not 3.
    const Error e = capture_error([] {
        decide_retry("order-1", exactly(3), {id(1), id(2)}, {here(3), here(4)});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.detail(), "expected version 3"));
}

TEST(DecideRetryTest, RetryWithExpectedVersionTooHigh) {
    const Error e = capture_error([] { decide_retry("order-1", exactly(10), {id(1)}, {here(3)}); });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.detail(), "expected version 10"));
}

TEST(DecideRetryTest, RetryExpectingANewStream) {
    const Error e = capture_error([] { decide_retry("order-1", exactly(0), {id(1)}, {here(2)}); });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.detail(), "expected version 0"));
}

// --- decide_retry: partial overlap ------------------------------------------------------------

TEST(DecideRetryTest, FirstStoredRestNot) {
    const Error e = capture_error([] {
        decide_retry("order-1", kAny, {id(1), id(2)}, {here(3), not_stored()});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_EQ(std::string(e.what()), "event id " + format_uuid(id(1)) +
                                         " is already stored in stream \"order-1\" at version 3");
    EXPECT_EQ(e.detail(),
              "Some events of this append are already stored and others are not, or not in this "
              "order.");
}

TEST(DecideRetryTest, LastStoredRestNot) {
    // The message names the first id that is stored, here the second event's.
    const Error e = capture_error([] {
        decide_retry("order-1", kAny, {id(1), id(2)}, {not_stored(), here(4)});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_EQ(std::string(e.what()), "event id " + format_uuid(id(2)) +
                                         " is already stored in stream \"order-1\" at version 4");
    EXPECT_TRUE(Contains(e.detail(), "already stored and others are not"));
}

TEST(DecideRetryTest, MiddleStoredRestNot) {
    const Error e = capture_error([] {
        decide_retry("order-1", exactly(4), {id(1), id(2), id(3)},
                     {not_stored(), here(5), not_stored()});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.what(), format_uuid(id(2))));
}

TEST(DecideRetryTest, RetryWithAnExtraEvent) {
    // The first attempt appended two events; the "retry" sends three.
    const Error e = capture_error([] {
        decide_retry("order-1", exactly(2), {id(1), id(2), id(3)},
                     {here(3), here(4), not_stored()});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.detail(), "already stored and others are not"));
}

// --- decide_retry: other streams --------------------------------------------------------------

TEST(DecideRetryTest, IdStoredInAnotherStream) {
    const Error e =
        capture_error([] { decide_retry("order-1", kAny, {id(1)}, {elsewhere("order-2")}); });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_EQ(std::string(e.what()),
              "event id " + format_uuid(id(1)) + " is already stored in stream \"order-2\"");
    EXPECT_EQ(e.detail(), "Event ids are unique across all streams.");
    EXPECT_TRUE(Contains(e.hint(), "same stream"));
    EXPECT_FALSE(Contains(e.what(), "order-1"));
    EXPECT_FALSE(Contains(e.what(), "at version"));
}

TEST(DecideRetryTest, WholeBatchStoredInAnotherStream) {
    const Error e = capture_error([] {
        decide_retry("order-1", kAny, {id(1), id(2)},
                     {elsewhere("order-2", 1), elsewhere("order-2", 2)});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.what(), "in stream \"order-2\""));
    EXPECT_EQ(e.detail(), "Event ids are unique across all streams.");
}

TEST(DecideRetryTest, OtherStreamWinsOverExpectedVersion) {
    const Error e =
        capture_error([] { decide_retry("order-1", exactly(0), {id(1)}, {elsewhere("cart-9")}); });
    EXPECT_EQ(e.detail(), "Event ids are unique across all streams.");
}

TEST(DecideRetryTest, LaterIdStoredInAnotherStream) {
    const Error e = capture_error([] {
        decide_retry("order-1", kAny, {id(1), id(2)}, {not_stored(), elsewhere("invoice-3")});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_EQ(std::string(e.what()),
              "event id " + format_uuid(id(2)) + " is already stored in stream \"invoice-3\"");
}

TEST(DecideRetryTest, SomeHereSomeInAnotherStream) {
    const Error e = capture_error([] {
        decide_retry("order-1", kAny, {id(1), id(2)}, {here(1), elsewhere("order-2", 1)});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.what(), format_uuid(id(1))));
}

TEST(DecideRetryTest, OtherStreamNameQuotedVerbatim) {
    const std::string other = "caf\xC3\xA9 \"x\"-1";
    const Error e = capture_error([&] { decide_retry("s", kAny, {id(1)}, {elsewhere(other)}); });
    EXPECT_TRUE(Contains(e.what(), "in stream \"" + other + "\""));
}

// --- decide_retry: order and gaps -------------------------------------------------------------

TEST(DecideRetryTest, WrongOrder) {
    const Error e = capture_error([] {
        decide_retry("order-1", kAny, {id(1), id(2)}, {here(4), here(3)});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.what(), format_uuid(id(1))));
    EXPECT_TRUE(Contains(e.what(), "at version 4"));
    EXPECT_TRUE(Contains(e.detail(), "not in this order"));
}

TEST(DecideRetryTest, WrongOrderEvenWithMatchingExpectedVersion) {
    const Error e = capture_error([] {
        decide_retry("order-1", exactly(2), {id(1), id(2), id(3)}, {here(3), here(5), here(4)});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
}

TEST(DecideRetryTest, NotConsecutive) {
    const Error e = capture_error([] {
        decide_retry("order-1", kAny, {id(1), id(2)}, {here(3), here(5)});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.detail(), "not in this order"));
}

// --- decide_retry: missing ids and duplicates -------------------------------------------------

TEST(DecideRetryTest, GeneratedIdAfterStoredOnes) {
    // An event without an id can never be recognised as already stored, so a batch that mixes
    // stored ids with a generated one is not a retry.
    const Error e = capture_error([] {
        decide_retry("order-1", kAny, {id(1), std::nullopt}, {here(3), not_stored()});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.what(), format_uuid(id(1))));
    EXPECT_TRUE(Contains(e.detail(), "already stored and others are not"));
}

TEST(DecideRetryTest, GeneratedIdBeforeStoredOnes) {
    const Error e = capture_error([] {
        decide_retry("order-1", kAny, {std::nullopt, id(2)}, {not_stored(), here(4)});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.what(), format_uuid(id(2))));
}

TEST(DecideRetryTest, GeneratedIdBetweenStoredOnes) {
    const Error e = capture_error([] {
        decide_retry("order-1", exactly(2), {id(1), std::nullopt, id(3)},
                     {here(3), not_stored(), here(5)});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
}

TEST(DecideRetryTest, DuplicateIdsWithinTheBatchAreNotARetry) {
    // check_ids_distinct rejects this first; decide_retry on its own must not accept it either.
    EXPECT_THROW(check_ids_distinct({id(1), id(1)}), Error);
    const Error e = capture_error([] {
        decide_retry("order-1", kAny, {id(1), id(1)}, {here(3), here(3)});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
}

// --- decide_retry: the same id with other content -------------------------------------------

TEST(DecideRetryTest, SameIdOtherType) {
    const Error e = capture_error(
        [] { decide_retry("order-1", kAny, {id(1)}, {here_but_other(3, false, true, true)}); });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_STREQ(chronicle::sqlstate_of(e.kind()), "CH002");
    EXPECT_EQ(std::string(e.what()), "event id " + format_uuid(id(1)) +
                                         " is already stored in stream \"order-1\" at version 3");
    EXPECT_EQ(e.detail(),
              "The event stored under this id differs from the one sent now in its type; a "
              "retry must send the same event.");
    EXPECT_TRUE(Contains(e.hint(), "same events"));
}

TEST(DecideRetryTest, SameIdOtherData) {
    const Error e = capture_error([] {
        decide_retry("order-1", exactly(2), {id(1)}, {here_but_other(3, true, false, true)});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.detail(), "differs from the one sent now in its data;"));
}

TEST(DecideRetryTest, SameIdOtherMetadata) {
    const Error e = capture_error(
        [] { decide_retry("order-1", kAny, {id(1)}, {here_but_other(3, true, true, false)}); });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.detail(), "in its metadata;"));
}

TEST(DecideRetryTest, SameIdEverythingElseDiffers) {
    const Error e = capture_error(
        [] { decide_retry("order-1", kAny, {id(1)}, {here_but_other(3, false, false, false)}); });
    EXPECT_TRUE(Contains(e.detail(), "in its type, data and metadata;"));
    const Error two = capture_error(
        [] { decide_retry("order-1", kAny, {id(1)}, {here_but_other(3, false, true, false)}); });
    EXPECT_TRUE(Contains(two.detail(), "in its type and metadata;"));
}

// The ids an event records come from its metadata or, when absent there, from the settings:
// a retry whose settings resolve to other ids than the first attempt's is not a retry.
TEST(DecideRetryTest, SameIdOtherCorrelationId) {
    StoredEventId s = here(3);
    s.same_correlation_id = false;
    const Error e = capture_error([&] { decide_retry("order-1", kAny, {id(1)}, {s}); });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.detail(), "differs from the one sent now in its correlation id;"));
    EXPECT_TRUE(Contains(e.detail(), "setting chronicle.correlation_id or chronicle.causation_id"));
}

TEST(DecideRetryTest, SameIdOtherCausationId) {
    StoredEventId s = here(3);
    s.same_causation_id = false;
    const Error e = capture_error([&] { decide_retry("order-1", exactly(2), {id(1)}, {s}); });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.detail(), "differs from the one sent now in its causation id;"));
}

TEST(DecideRetryTest, SameIdOtherMetadataAndIds) {
    StoredEventId s = here_but_other(3, true, true, false);
    s.same_correlation_id = false;
    s.same_causation_id = false;
    const Error e = capture_error([&] { decide_retry("order-1", kAny, {id(1)}, {s}); });
    EXPECT_TRUE(Contains(e.detail(), "in its metadata, correlation id and causation id;"));
}

TEST(DecideRetryTest, OtherContentWithoutIdsNamesNoSetting) {
    const Error e = capture_error(
        [] { decide_retry("order-1", kAny, {id(1)}, {here_but_other(3, true, false, true)}); });
    EXPECT_FALSE(Contains(e.detail(), "chronicle.correlation_id"));
}

TEST(DecideRetryTest, UncomparedStoredEventIsNoRetry) {
    // found and in place, but nobody compared the content: a conflict, not a success.
    StoredEventId s;
    s.found = true;
    s.same_stream = true;
    s.version = 3;
    const Error e = capture_error([&] { decide_retry("order-1", kAny, {id(1)}, {s}); });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
}

TEST(DecideRetryTest, BatchWithOneEventOfOtherContent) {
    // The message names the event that differs, not the batch's first.
    const Error e = capture_error([] {
        decide_retry("order-1", exactly(2), {id(1), id(2), id(3)},
                     {here(3), here_but_other(4, true, false, true), here(5)});
    });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_EQ(std::string(e.what()), "event id " + format_uuid(id(2)) +
                                         " is already stored in stream \"order-1\" at version 4");
    EXPECT_TRUE(Contains(e.detail(), "in its data;"));
}

TEST(DecideRetryTest, BatchWithLastEventOfOtherContent) {
    const Error e = capture_error([] {
        decide_retry("order-1", kAny, {id(1), id(2)},
                     {here(3), here_but_other(4, false, true, true)});
    });
    EXPECT_TRUE(Contains(e.what(), format_uuid(id(2))));
    EXPECT_TRUE(Contains(e.detail(), "in its type;"));
}

TEST(DecideRetryTest, WrongPlaceReportedBeforeOtherContent) {
    // Both wrong: the placement is what the caller most likely got wrong.
    const Error e = capture_error([] {
        decide_retry("order-1", exactly(5), {id(1)}, {here_but_other(3, false, false, false)});
    });
    EXPECT_TRUE(Contains(e.detail(), "expected version 5"));
    const Error other = capture_error([] {
        StoredEventId s = elsewhere("order-2");
        decide_retry("order-1", kAny, {id(1)}, {s});
    });
    EXPECT_EQ(other.detail(), "Event ids are unique across all streams.");
}

TEST(DecideRetryTest, ContentIsIgnoredWhenNothingIsStored) {
    // A fresh append: the comparison flags of events not found mean nothing.
    const RetryDecision d =
        decide_retry("order-1", kAny, {id(1), id(2)}, {not_stored(), not_stored()});
    EXPECT_FALSE(d.already_appended);
}

// --- a worked scenario ------------------------------------------------------------------------

TEST(DecideRetryTest, NetworkTimeoutScenario) {
    // A client appends two events at expected version 4; the commit succeeds but the reply is
    // lost. The store now holds them at versions 5 and 6, and two more events by another
    // writer at 7 and 8. The client retries with the same ids and expected version.
    const Ids ids = {id(10), id(11)};
    const Stored stored = {here(5), here(6)};
    const RetryDecision retry = decide_retry("account-1", exactly(4), ids, stored);
    EXPECT_TRUE(retry.already_appended);
    EXPECT_EQ(retry.version, 6);
    // Retrying with any is accepted too.
    EXPECT_TRUE(decide_retry("account-1", kAny, ids, stored).already_appended);
    // But not when it claims a different starting point.
    EXPECT_THROW(decide_retry("account-1", exactly(6), ids, stored), Error);
    // And the same ids sent to another stream are refused.
    const Stored from_other = {elsewhere("account-1", 5), elsewhere("account-1", 6)};
    const Error e = capture_error([&] { decide_retry("account-2", kAny, ids, from_other); });
    EXPECT_EQ(e.kind(), ErrorKind::DuplicateEventId);
    EXPECT_TRUE(Contains(e.what(), "in stream \"account-1\""));
    // A stranger who learned the ids stored other content under them first: the client's
    // retry must not report success.
    const Stored hijacked = {here_but_other(5, true, false, true), here(6)};
    EXPECT_THROW(decide_retry("account-1", exactly(4), ids, hijacked), Error);
}

}  // namespace
