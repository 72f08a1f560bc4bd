// Unit tests for include/chronicle/core/aggregate_fold.hpp: running compiled declarative
// aggregates over in-memory events.
#include "test_support.hpp"
#include "chronicle/core/aggregate_fold.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <ostream>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chronicle/core/aggregate_definition.hpp"
#include "chronicle/core/error.hpp"
#include "chronicle/core/event_view.hpp"
#include "chronicle/core/json_path.hpp"
#include "chronicle/core/json_value.hpp"
#include "json_text.hpp"

namespace chronicle {
// How GoogleTest prints a Value in failure messages.
[[maybe_unused]] static void PrintTo(const Value& value, std::ostream* os) {
    *os << to_json_text(value);
}
}  // namespace chronicle

namespace {

using chronicle::test::capture_error;
using chronicle::test::Contains;
using chronicle::test::StartsWith;

using chronicle::AggregateDefinition;
using chronicle::apply_event;
using chronicle::Array;
using chronicle::Error;
using chronicle::ErrorKind;
using chronicle::EventField;
using chronicle::EventView;
using chronicle::find_at_path;
using chronicle::Object;
using chronicle::parse_aggregate_definition;
using chronicle::parse_json_text;
using chronicle::Path;
using chronicle::to_json_text;
using chronicle::Value;

Value json(std::string_view text) {
    return parse_json_text(text, ErrorKind::Internal);
}

// An event held in memory: what the glue's view reads from a row of the event log.
class MemoryEvent final : public EventView {
  public:
    std::string type_ = "E";
    std::string stream_ = "order-1";
    std::int64_t version_ = 1;
    Value data_ = Value::object();
    std::optional<Value> metadata_;  // nullopt: the event has no metadata
    std::int64_t position_ = 1;
    std::string id_ = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
    std::string recorded_at_ = "2026-11-26T01:18:03.123456+00:00";

    bool in_stream_ = true;
    bool version_known_ = true;

    std::string_view type() const override { return type_; }
    std::string_view stream() const override { return stream_; }
    std::int64_t version() const override { return version_; }
    bool in_stream() const override { return in_stream_; }
    bool version_known() const override { return version_known_; }

    bool data_at(const Path& path, Value& out) const override { return copy(data_, path, out); }

    bool metadata_at(const Path& path, Value& out) const override {
        return metadata_ && !metadata_->is_null() && copy(*metadata_, path, out);
    }

    void field(EventField field, Value& out) const override {
        switch (field) {
            case EventField::Type:
                out = Value(type_);
                return;
            case EventField::Stream:
                out = Value(stream_);
                return;
            case EventField::Version:
                out = Value(static_cast<long long>(version_));
                return;
            case EventField::Position:
                out = Value(static_cast<long long>(position_));
                return;
            case EventField::Id:
                out = Value(id_);
                return;
            case EventField::RecordedAt:
                out = Value(recorded_at_);
                return;
        }
        out = Value();
    }

  private:
    static bool copy(const Value& root, const Path& path, Value& out) {
        const Value* found = find_at_path(root, path);
        if (!found) return false;
        out = *found;
        return true;
    }
};

// A stream folded one event at a time, as chronicle.fold does.
class Fold {
  public:
    explicit Fold(std::string_view definition, std::string aggregate = "orders",
                  std::string stream = "order-1")
        : definition_(parse_aggregate_definition(json(definition))),
          state_(definition_.initial),
          aggregate_(std::move(aggregate)),
          stream_(std::move(stream)) {}

    Fold& apply(std::string type, std::string_view data = "{}",
                std::optional<std::string_view> metadata = std::nullopt) {
        MemoryEvent event = next(std::move(type));
        event.data_ = json(data);
        if (metadata) event.metadata_ = json(*metadata);
        apply_event(definition_.program, aggregate_, state_, event);
        return *this;
    }

    Fold& apply_value(std::string type, Value data) {
        MemoryEvent event = next(std::move(type));
        event.data_ = std::move(data);
        apply_event(definition_.program, aggregate_, state_, event);
        return *this;
    }

    // The next event of the stream, without applying it.
    MemoryEvent next(std::string type) {
        MemoryEvent event;
        event.type_ = std::move(type);
        event.stream_ = stream_;
        event.version_ = ++version_;
        event.position_ = 1000 + version_;
        return event;
    }

    Fold& apply_event_view(const MemoryEvent& event) {
        apply_event(definition_.program, aggregate_, state_, event);
        return *this;
    }

    const Value& state() const { return state_; }
    std::string text() const { return to_json_text(state_); }
    std::int64_t version() const { return version_; }

  private:
    AggregateDefinition definition_;
    Value state_;
    std::string aggregate_;
    std::string stream_;
    std::int64_t version_ = 0;
};

// {"initial": initial, "on": {"E": [ops]}}
std::string def(std::string_view ops, std::string_view initial = "{}") {
    return R"({"initial": )" + std::string(initial) + R"(, "on": {"E": [)" + std::string(ops) +
           "]}}";
}

// The state after one event "E" with `data` under one list of operations.
std::string after(std::string_view ops, std::string_view initial, std::string_view data = "{}",
                  std::optional<std::string_view> metadata = std::nullopt) {
    Fold fold(def(ops, initial));
    fold.apply("E", data, metadata);
    return fold.text();
}

// The FoldFailed error of applying one event "E" with `data` to the state `initial`.
Error fold_error(std::string_view ops, std::string_view initial, std::string_view data = "{}") {
    return capture_error([&] { after(ops, initial, data); });
}

// The message of a fold error must say what went wrong after the standard prefix.
::testing::AssertionResult FailsWith(std::string_view ops, std::string_view initial,
                                     std::string_view data, const std::string& what) {
    Fold fold(def(ops, initial));
    try {
        fold.apply("E", data);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::FoldFailed) {
            return ::testing::AssertionFailure()
                   << "wrong kind " << chronicle::sqlstate_of(e.kind()) << ": " << e.what();
        }
        const std::string message = e.what();
        const std::string prefix =
            R"(aggregate "orders" cannot apply event 1 of stream "order-1" (E): operation )";
        if (message.compare(0, prefix.size(), prefix) != 0) {
            return ::testing::AssertionFailure() << "\"" << message << "\" lacks the prefix";
        }
        if (message.find(what) == std::string::npos) {
            return ::testing::AssertionFailure()
                   << "\"" << message << "\" does not contain \"" << what << "\"";
        }
        return ::testing::AssertionSuccess();
    } catch (const std::exception& e) {
        return ::testing::AssertionFailure() << "not a chronicle::Error: " << e.what();
    }
    return ::testing::AssertionFailure() << "no error; state " << fold.text();
}

// --- set ---------------------------------------------------------------------------------------

TEST(AggregateFoldSetTest, Literals) {
    EXPECT_EQ(after(R"({"set": "status", "value": "PAID"})", "{}"), R"({"status":"PAID"})");
    EXPECT_EQ(after(R"({"set": "status", "value": "PAID"})", R"({"status": "NEW", "x": 1})"),
              R"({"status":"PAID","x":1})");
    EXPECT_EQ(after(R"({"set": "v", "value": null})", R"({"v": 1})"), R"({"v":null})");
    EXPECT_EQ(after(R"({"set": "v", "value": {"a": [1, 2.50]}})", "{}"), R"({"v":{"a":[1,2.50]}})");
    EXPECT_EQ(after(R"({"set": "v", "value": "x"})", R"({"v": [1, 2]})"), R"({"v":"x"})");
}

TEST(AggregateFoldSetTest, CreatesMissingIntermediateObjects) {
    EXPECT_EQ(after(R"({"set": "a.b.c", "value": 1})", "{}"), R"({"a":{"b":{"c":1}}})");
    EXPECT_EQ(after(R"({"set": "a.b.c", "value": 1})", R"({"a": {"x": 0}})"),
              R"({"a":{"b":{"c":1},"x":0}})");
    EXPECT_EQ(after(R"({"set": ["odd.key", "x"], "value": 1})", "{}"), R"({"odd.key":{"x":1}})");
    // An integer segment names a member when there is no array.
    EXPECT_EQ(after(R"({"set": "by.0", "value": 1})", "{}"), R"({"by":{"0":1}})");
}

TEST(AggregateFoldSetTest, NullOnTheWayIsTreatedAsAbsent) {
    EXPECT_EQ(after(R"({"set": "a.b", "value": 1})", R"({"a": null})"), R"({"a":{"b":1}})");
    EXPECT_EQ(after(R"({"set": "a", "value": 1})", "null"), R"({"a":1})");
    EXPECT_EQ(after(R"({"set": "a.b.c", "value": 1})", R"({"a": {"b": null}})"),
              R"({"a":{"b":{"c":1}}})");
}

TEST(AggregateFoldSetTest, WholeState) {
    EXPECT_EQ(after(R"({"set": "", "value": {"fresh": true}})", R"({"old": 1})"),
              R"({"fresh":true})");
    EXPECT_EQ(after(R"({"set": "", "from": ""})", R"({"old": 1})", R"({"a": 1})"), R"({"a":1})");
    EXPECT_EQ(after(R"({"set": "", "value": 5})", "{}"), "5");
}

TEST(AggregateFoldSetTest, FromData) {
    EXPECT_EQ(
        after(R"({"set": "price", "from": "item.price"})", "{}", R"({"item": {"price": 19.99}})"),
        R"({"price":19.99})");
    EXPECT_EQ(after(R"({"set": "last", "from": ""})", "{}", R"({"a": 1, "b": [true]})"),
              R"({"last":{"a":1,"b":[true]}})");
    EXPECT_EQ(after(R"({"set": "v", "from": ["odd.key", "x"]})", "{}",
                    R"({"odd.key": {"x": "dot"}, "odd": {"key": {"x": "nested"}}})"),
              R"({"v":"dot"})");
    EXPECT_EQ(after(R"({"set": "v", "from": "odd.key.x"})", "{}",
                    R"({"odd.key": {"x": "dot"}, "odd": {"key": {"x": "nested"}}})"),
              R"({"v":"nested"})");
    EXPECT_EQ(after(R"({"set": "first", "from": "lines.0.sku"})", "{}",
                    R"({"lines": [{"sku": "A"}, {"sku": "B"}]})"),
              R"({"first":"A"})");
    EXPECT_EQ(after(R"({"set": "last", "from": "lines.-1.sku"})", "{}",
                    R"({"lines": [{"sku": "A"}, {"sku": "B"}]})"),
              R"({"last":"B"})");
}

TEST(AggregateFoldSetTest, AbsentValueChangesNothing) {
    EXPECT_EQ(after(R"({"set": "v", "from": "missing"})", R"({"v": 1})"), R"({"v":1})");
    EXPECT_EQ(after(R"({"set": "a.b.c", "from": "missing"})", "{}"), "{}");  // nothing created
    EXPECT_EQ(after(R"({"set": "v", "from": "lines.5"})", "{}", R"({"lines": [1]})"), "{}");
    EXPECT_EQ(after(R"({"set": "v", "from": "s.x"})", "{}", R"({"s": "text"})"), "{}");
}

TEST(AggregateFoldSetTest, NullIsAValue) {
    // A member that holds null is there: it is set, and "default" is not used.
    EXPECT_EQ(after(R"({"set": "v", "from": "x"})", R"({"v": 1})", R"({"x": null})"),
              R"({"v":null})");
    EXPECT_EQ(after(R"({"set": "v", "from": "x", "default": 7})", "{}", R"({"x": null})"),
              R"({"v":null})");
}

TEST(AggregateFoldSetTest, Default) {
    EXPECT_EQ(after(R"({"set": "v", "from": "x", "default": "none"})", "{}"), R"({"v":"none"})");
    EXPECT_EQ(after(R"({"set": "v", "from": "x", "default": "none"})", "{}", R"({"x": "some"})"),
              R"({"v":"some"})");
    EXPECT_EQ(after(R"({"set": "v", "state": "missing", "default": [1]})", "{}"), R"({"v":[1]})");
    EXPECT_EQ(after(R"({"set": "v", "event": "metadata.user", "default": "anonymous"})", "{}"),
              R"({"v":"anonymous"})");
}

TEST(AggregateFoldSetTest, EventFields) {
    Fold fold(def(R"(
        {"set": "type", "event": "type"}, {"set": "stream", "event": "stream"},
        {"set": "version", "event": "version"}, {"set": "position", "event": "position"},
        {"set": "id", "event": "id"}, {"set": "at", "event": "recorded_at"})"),
              "orders", "order-42");
    MemoryEvent event = fold.next("E");
    event.position_ = 9876543210;
    event.id_ = "11111111-2222-4333-8444-555555555555";
    event.recorded_at_ = "2026-01-02T03:04:05.000006+00:00";
    fold.apply_event_view(event);
    EXPECT_EQ(
        fold.text(),
        R"({"at":"2026-01-02T03:04:05.000006+00:00","id":"11111111-2222-4333-8444-555555555555",)"
        R"("position":9876543210,"stream":"order-42","type":"E","version":1})");
}

// chronicle.fold_events folds events that are in no stream, and onto a given state at an
// unknown version: the fields it cannot know read null, and errors name the event's place.
TEST(AggregateFoldSetTest, EventFieldsOfEventsInNoStream) {
    const std::string ops = def(R"(
        {"set": "stream", "event": "stream"}, {"set": "version", "event": "version"},
        {"add": "n", "from": "n"})");
    Fold fold(ops);
    MemoryEvent event = fold.next("E");
    event.in_stream_ = false;
    event.data_ = json(R"({"n": 1})");
    fold.apply_event_view(event);
    EXPECT_EQ(fold.text(), R"({"n":1,"stream":null,"version":1})");
    event.version_known_ = false;
    event.version_ = 2;
    fold.apply_event_view(event);
    EXPECT_EQ(fold.text(), R"({"n":2,"stream":null,"version":null})");
    event.data_ = json(R"({"n": "x"})");
    event.version_ = 3;
    const Error e = capture_error([&] { fold.apply_event_view(event); });
    EXPECT_EQ(e.kind(), ErrorKind::FoldFailed);
    EXPECT_EQ(
        std::string(e.what()).rfind(
            R"(aggregate "orders" cannot apply event 3 of the events given (E): operation 3)", 0),
        0u)
        << e.what();
}

TEST(AggregateFoldSetTest, Metadata) {
    EXPECT_EQ(after(R"({"set": "m", "event": "metadata"})", "{}", "{}", R"({"user": "ada"})"),
              R"({"m":{"user":"ada"}})");
    EXPECT_EQ(after(R"({"set": "u", "event": "metadata.user.name"})", "{}", "{}",
                    R"({"user": {"name": "ada"}})"),
              R"({"u":"ada"})");
    // No metadata at all, null metadata, or no such member: nothing to set.
    EXPECT_EQ(after(R"({"set": "m", "event": "metadata"})", "{}"), "{}");
    EXPECT_EQ(after(R"({"set": "m", "event": "metadata"})", "{}", "{}", "null"), "{}");
    EXPECT_EQ(after(R"({"set": "u", "event": "metadata.user"})", "{}", "{}", R"({"x": 1})"), "{}");
    // Metadata is not data, and data is not metadata.
    EXPECT_EQ(after(R"({"set": "u", "from": "user"})", "{}", "{}", R"({"user": "ada"})"), "{}");
    EXPECT_EQ(after(R"({"set": "u", "event": "metadata.user"})", "{}", R"({"user": "ada"})"), "{}");
}

TEST(AggregateFoldSetTest, FromState) {
    EXPECT_EQ(after(R"({"set": "copy", "state": "a.b"})", R"({"a": {"b": [1]}})"),
              R"({"a":{"b":[1]},"copy":[1]})");
    EXPECT_EQ(after(R"({"set": "copy", "state": "missing"})", R"({"a": 1})"), R"({"a":1})");
    EXPECT_EQ(after(R"({"set": "snapshot", "state": ""})", R"({"a": 1})"),
              R"({"a":1,"snapshot":{"a":1}})");
    // Copying a value into itself.
    EXPECT_EQ(after(R"({"set": "a.b", "state": "a"})", R"({"a": {"x": 1}})"),
              R"({"a":{"b":{"x":1},"x":1}})");
}

TEST(AggregateFoldSetTest, ArrayElements) {
    EXPECT_EQ(after(R"({"set": "l.1", "value": "x"})", R"({"l": [1, 2, 3]})"),
              R"({"l":[1,"x",3]})");
    EXPECT_EQ(after(R"({"set": "l.-1", "value": "x"})", R"({"l": [1, 2, 3]})"),
              R"({"l":[1,2,"x"]})");
    EXPECT_EQ(after(R"({"set": "l.-3.a", "value": "x"})", R"({"l": [{}, 2, 3]})"),
              R"({"l":[{"a":"x"},2,3]})");
    EXPECT_EQ(after(R"({"set": "l.0.a", "value": 1})", R"({"l": [null]})"), R"({"l":[{"a":1}]})");
}

TEST(AggregateFoldSetTest, OperationsRunInOrderAndSeeEachOther) {
    EXPECT_EQ(after(R"({"set": "a", "value": 1}, {"set": "b", "state": "a"},
                      {"set": "a", "value": 2}, {"add": "b", "state": "a"})",
                    "{}"),
              R"({"a":2,"b":3})");
}

// --- unset -------------------------------------------------------------------------------------

TEST(AggregateFoldUnsetTest, RemovesMembers) {
    EXPECT_EQ(after(R"({"unset": "a"})", R"({"a": 1, "b": 2})"), R"({"b":2})");
    EXPECT_EQ(after(R"({"unset": "a.b"})", R"({"a": {"b": 1, "c": 2}})"), R"({"a":{"c":2}})");
    EXPECT_EQ(after(R"({"unset": ["odd.key"]})", R"({"odd.key": 1, "odd": {"key": 2}})"),
              R"({"odd":{"key":2}})");
    EXPECT_EQ(after(R"({"unset": "a"})", R"({"a": null})"), "{}");
}

TEST(AggregateFoldUnsetTest, AbsentIsNotCreated) {
    EXPECT_EQ(after(R"({"unset": "a"})", "{}"), "{}");
    EXPECT_EQ(after(R"({"unset": "a.b.c"})", "{}"), "{}");
    EXPECT_EQ(after(R"({"unset": "a.b.c"})", R"({"a": {}})"), R"({"a":{}})");
    EXPECT_EQ(after(R"({"unset": "a.b"})", R"({"a": null})"), R"({"a":null})");
    EXPECT_EQ(after(R"({"unset": "a"})", "null"), "null");
}

TEST(AggregateFoldUnsetTest, ArrayElementsByIndex) {
    EXPECT_EQ(after(R"({"unset": "l.0"})", R"({"l": [1, 2, 3]})"), R"({"l":[2,3]})");
    EXPECT_EQ(after(R"({"unset": "l.-1"})", R"({"l": [1, 2, 3]})"), R"({"l":[1,2]})");
    EXPECT_EQ(after(R"({"unset": "l.-3"})", R"({"l": [1, 2, 3]})"), R"({"l":[2,3]})");
    EXPECT_EQ(after(R"({"unset": "l.1.x"})", R"({"l": [1, {"x": 1, "y": 2}]})"),
              R"({"l":[1,{"y":2}]})");
    // Out of range or not an index: nothing happens.
    EXPECT_EQ(after(R"({"unset": "l.3"})", R"({"l": [1, 2, 3]})"), R"({"l":[1,2,3]})");
    EXPECT_EQ(after(R"({"unset": "l.-4"})", R"({"l": [1, 2, 3]})"), R"({"l":[1,2,3]})");
    // (A name into an array is rejected at define time when the initial state shows the array.)
    EXPECT_EQ(after(R"({"set": "l", "from": "l"}, {"unset": "l.x"})", "{}", R"({"l": [1, 2, 3]})"),
              R"({"l":[1,2,3]})");
}

TEST(AggregateFoldUnsetTest, NothingHappensUnderScalars) {
    Fold fold(def(R"({"set": "s", "from": "s"}, {"unset": "s.x"}, {"unset": "s.x.y"})"));
    fold.apply("E", R"({"s": "text"})");
    EXPECT_EQ(fold.text(), R"({"s":"text"})");
}

TEST(AggregateFoldUnsetTest, DynamicKey) {
    EXPECT_EQ(after(R"({"unset": ["lines", {"from": "sku"}]})", R"({"lines": {"A": 1, "B": 2}})",
                    R"({"sku": "A"})"),
              R"({"lines":{"B":2}})");
    EXPECT_EQ(after(R"({"unset": ["lines", {"from": "sku"}]})", R"({"lines": {"A": 1}})"),
              R"({"lines":{"A":1}})");
    EXPECT_EQ(after(R"({"unset": ["l", {"from": "i"}]})", R"({"l": ["a", "b"]})", R"({"i": 0})"),
              R"({"l":["b"]})");
}

// --- merge -------------------------------------------------------------------------------------

TEST(AggregateFoldMergeTest, JsonMergePatch) {
    EXPECT_EQ(after(R"({"merge": "p", "from": "changes"})",
                    R"({"p": {"name": "a", "age": 3, "tags": [1], "deep": {"x": 1, "y": 2}}})",
                    R"({"changes": {"age": null, "tags": [2], "deep": {"y": null, "z": 3},
                                    "new": true}})"),
              R"({"p":{"deep":{"x":1,"z":3},"name":"a","new":true,"tags":[2]}})");
}

TEST(AggregateFoldMergeTest, MissingOrNullTargetBecomesAnObject) {
    EXPECT_EQ(after(R"({"merge": "p", "value": {"a": 1, "b": null}})", "{}"), R"({"p":{"a":1}})");
    EXPECT_EQ(after(R"({"merge": "x.p", "value": {"a": 1}})", R"({"x": null})"),
              R"({"x":{"p":{"a":1}}})");
}

TEST(AggregateFoldMergeTest, NonObjectsReplace) {
    EXPECT_EQ(after(R"({"merge": "p", "value": {"a": 1}})", R"({"p": [1, 2]})"),
              R"({"p":{"a":1}})");
    EXPECT_EQ(after(R"({"merge": "p", "value": [1]})", R"({"p": {"a": 1}})"), R"({"p":[1]})");
    EXPECT_EQ(after(R"({"merge": "p", "value": null})", R"({"p": {"a": 1}})"), R"({"p":null})");
}

TEST(AggregateFoldMergeTest, WholeState) {
    EXPECT_EQ(
        after(R"({"merge": "", "from": ""})", R"({"a": 1, "b": 2})", R"({"b": null, "c": 3})"),
        R"({"a":1,"c":3})");
}

TEST(AggregateFoldMergeTest, StateIntoItself) {
    EXPECT_EQ(after(R"({"merge": "", "state": ""})", R"({"a": {"b": 1}})"), R"({"a":{"b":1}})");
    EXPECT_EQ(after(R"({"merge": "a", "state": ""})", R"({"a": {"b": 1}})"),
              R"({"a":{"a":{"b":1},"b":1}})");
}

// --- append ------------------------------------------------------------------------------------

TEST(AggregateFoldAppendTest, AppendsAndCreates) {
    EXPECT_EQ(after(R"({"append": "l", "value": 1})", "{}"), R"({"l":[1]})");
    EXPECT_EQ(after(R"({"append": "l", "value": 1})", R"({"l": null})"), R"({"l":[1]})");
    EXPECT_EQ(after(R"({"append": "l", "value": 3})", R"({"l": [1, 2]})"), R"({"l":[1,2,3]})");
    EXPECT_EQ(after(R"({"append": "a.b.l", "from": ""})", "{}", R"({"x": 1})"),
              R"({"a":{"b":{"l":[{"x":1}]}}})");
    EXPECT_EQ(after(R"({"append": "l.0", "value": "x"})", R"({"l": [[]]})"), R"({"l":[["x"]]})");
    EXPECT_EQ(after(R"({"append": "l", "value": [1]})", R"({"l": []})"), R"({"l":[[1]]})");
    EXPECT_EQ(after(R"({"append": "", "value": null})", "[]"), "[null]");
    EXPECT_EQ(after(R"({"append": "l", "from": "x"})", "{}", R"({"x": null})"), R"({"l":[null]})");
}

TEST(AggregateFoldAppendTest, AbsentValueChangesNothing) {
    EXPECT_EQ(after(R"({"append": "l", "from": "x"})", "{}"), "{}");
    EXPECT_EQ(after(R"({"append": "l", "from": "x", "default": "none"})", "{}"),
              R"({"l":["none"]})");
}

TEST(AggregateFoldAppendTest, StateIntoItself) {
    EXPECT_EQ(after(R"({"append": "l", "state": "l"})", R"({"l": [1]})"), R"({"l":[1,[1]]})");
}

// --- add, subtract -----------------------------------------------------------------------------

TEST(AggregateFoldAddTest, MissingOrNullStartsAtZero) {
    EXPECT_EQ(after(R"({"add": "n", "value": 5})", "{}"), R"({"n":5})");
    EXPECT_EQ(after(R"({"add": "n", "value": 5})", R"({"n": null})"), R"({"n":5})");
    EXPECT_EQ(after(R"({"subtract": "n", "value": 5})", "{}"), R"({"n":-5})");
    EXPECT_EQ(after(R"({"add": "a.b", "value": 1.5})", "{}"), R"({"a":{"b":1.5}})");
}

TEST(AggregateFoldAddTest, ExactDecimals) {
    EXPECT_EQ(after(R"({"add": "t", "value": 5.01})", R"({"t": 19.99})"), R"({"t":25.00})");
    EXPECT_EQ(after(R"({"add": "t", "value": 0.2})", R"({"t": 0.1})"), R"({"t":0.3})");
    EXPECT_EQ(after(R"({"add": "t", "value": 1})", R"({"t": 1.50})"), R"({"t":2.50})");
    EXPECT_EQ(after(R"({"subtract": "t", "value": 0.1})", R"({"t": 0.3})"), R"({"t":0.2})");
    EXPECT_EQ(after(R"({"subtract": "t", "value": 10.25})", R"({"t": 10.25})"), R"({"t":0.00})");
    EXPECT_EQ(after(R"({"subtract": "t", "value": 5})", R"({"t": 1.5})"), R"({"t":-3.5})");
    EXPECT_EQ(after(R"({"add": "t", "value": 1})", R"({"t": 99999999999999999999999999})"),
              R"({"t":100000000000000000000000000})");
    EXPECT_EQ(after(R"({"add": "t", "value": 0.000000000000000000001})", R"({"t": 1})"),
              R"({"t":1.000000000000000000001})");
    EXPECT_EQ(after(R"({"add": "t", "value": 1e3})", R"({"t": 0})"), R"({"t":1000})");
}

TEST(AggregateFoldAddTest, ManySmallAmountsStayExact) {
    Fold fold(def(R"({"add": "t", "from": "x"})", R"({"t": 0})"));
    for (int i = 0; i < 1000; ++i) fold.apply("E", R"({"x": 0.01})");
    EXPECT_EQ(fold.text(), R"({"t":10.00})");
}

TEST(AggregateFoldAddTest, Sources) {
    EXPECT_EQ(after(R"({"add": "t", "from": "amount"})", R"({"t": 1})", R"({"amount": 2.5})"),
              R"({"t":3.5})");
    EXPECT_EQ(after(R"({"add": "t", "event": "version"})", R"({"t": 10})"), R"({"t":11})");
    EXPECT_EQ(after(R"({"add": "t", "state": "u"})", R"({"t": 1, "u": 2})"), R"({"t":3,"u":2})");
    EXPECT_EQ(after(R"({"add": "t", "state": "t"})", R"({"t": 4})"), R"({"t":8})");
    EXPECT_EQ(after(R"({"add": "t", "event": "metadata.n"})", "{}", "{}", R"({"n": 7})"),
              R"({"t":7})");
}

TEST(AggregateFoldAddTest, AbsentValueChangesNothing) {
    EXPECT_EQ(after(R"({"add": "t", "from": "amount"})", "{}"), "{}");
    EXPECT_EQ(after(R"({"subtract": "t", "from": "amount"})", R"({"t": 3})"), R"({"t":3})");
    EXPECT_EQ(after(R"({"add": "t", "from": "amount", "default": 0})", "{}"), R"({"t":0})");
    EXPECT_EQ(after(R"({"subtract": "t", "from": "fee", "default": 1.50})", R"({"t": 10})"),
              R"({"t":8.50})");
}

// --- count -------------------------------------------------------------------------------------

TEST(AggregateFoldCountTest, Counts) {
    EXPECT_EQ(after(R"({"count": "n"})", "{}"), R"({"n":1})");
    EXPECT_EQ(after(R"({"count": "n"})", R"({"n": null})"), R"({"n":1})");
    EXPECT_EQ(after(R"({"count": "n"})", R"({"n": 41})"), R"({"n":42})");
    EXPECT_EQ(after(R"({"count": "n"})", R"({"n": 2.5})"), R"({"n":3.5})");
    EXPECT_EQ(after(R"({"count": "n"})", R"({"n": -1})"), R"({"n":0})");
    EXPECT_EQ(after(R"({"count": "by.type"})", "{}"), R"({"by":{"type":1}})");
    EXPECT_EQ(after(R"({"count": "n"}, {"count": "n"}, {"count": "n"})", "{}"), R"({"n":3})");
    Fold fold(def(R"({"count": "n"})"));
    for (int i = 0; i < 250; ++i) fold.apply("E");
    EXPECT_EQ(fold.text(), R"({"n":250})");
}

// --- min, max ----------------------------------------------------------------------------------

TEST(AggregateFoldMinMaxTest, Numbers) {
    Fold fold(def(R"({"min": "lo", "from": "x"}, {"max": "hi", "from": "x"})"));
    fold.apply("E", R"({"x": 5})");
    EXPECT_EQ(fold.text(), R"({"hi":5,"lo":5})");
    fold.apply("E", R"({"x": 7.25})");
    EXPECT_EQ(fold.text(), R"({"hi":7.25,"lo":5})");
    fold.apply("E", R"({"x": -3})");
    EXPECT_EQ(fold.text(), R"({"hi":7.25,"lo":-3})");
    fold.apply("E", R"({"y": 100})");  // absent: nothing changes
    EXPECT_EQ(fold.text(), R"({"hi":7.25,"lo":-3})");
    fold.apply("E", R"({"x": 7.250})");  // equal: the first one stays
    EXPECT_EQ(fold.text(), R"({"hi":7.25,"lo":-3})");
    fold.apply("E", R"({"x": -3.00})");
    EXPECT_EQ(fold.text(), R"({"hi":7.25,"lo":-3})");
}

TEST(AggregateFoldMinMaxTest, Strings) {
    Fold fold(def(R"({"min": "first", "event": "recorded_at"}, {"max": "last", "from": "s"})"));
    MemoryEvent a = fold.next("E");
    a.recorded_at_ = "2026-05-01T00:00:00+00:00";
    a.data_ = json(R"({"s": "b"})");
    fold.apply_event_view(a);
    MemoryEvent b = fold.next("E");
    b.recorded_at_ = "2026-04-01T00:00:00+00:00";
    b.data_ = json(R"({"s": "ab"})");
    fold.apply_event_view(b);
    MemoryEvent c = fold.next("E");
    c.recorded_at_ = "2026-06-01T00:00:00+00:00";
    c.data_ = json(R"({"s": "c"})");
    fold.apply_event_view(c);
    EXPECT_EQ(fold.text(), R"({"first":"2026-04-01T00:00:00+00:00","last":"c"})");
}

TEST(AggregateFoldMinMaxTest, StringsCompareByUtf8Bytes) {
    // As COLLATE "C": "B" < "a" < "é" (0x42 < 0x61 < 0xC3).
    Fold fold(def(R"({"min": "lo", "from": "s"}, {"max": "hi", "from": "s"})"));
    fold.apply("E", R"({"s": "a"})").apply("E", R"({"s": "é"})").apply("E", R"({"s": "B"})");
    EXPECT_EQ(fold.text(), R"({"hi":"é","lo":"B"})");
}

TEST(AggregateFoldMinMaxTest, NullTargetTakesTheValue) {
    EXPECT_EQ(after(R"({"min": "m", "value": 3})", R"({"m": null})"), R"({"m":3})");
    EXPECT_EQ(after(R"({"max": "a.m", "value": "x"})", "{}"), R"({"a":{"m":"x"}})");
}

TEST(AggregateFoldMinMaxTest, Default) {
    EXPECT_EQ(after(R"({"max": "m", "from": "x", "default": 0})", R"({"m": -5})"), R"({"m":0})");
    EXPECT_EQ(after(R"({"min": "m", "from": "x", "default": 0})", R"({"m": -5})"), R"({"m":-5})");
}

// --- put, remove -------------------------------------------------------------------------------

TEST(AggregateFoldPutTest, PutsByKey) {
    EXPECT_EQ(after(R"({"put": "bySku", "key": {"from": "sku"}, "from": "qty"})", "{}",
                    R"({"sku": "A", "qty": 2})"),
              R"({"bySku":{"A":2}})");
    EXPECT_EQ(after(R"({"put": "bySku", "key": {"from": "sku"}, "from": "qty"})",
                    R"({"bySku": {"A": 1, "B": 1}})", R"({"sku": "A", "qty": 2})"),
              R"({"bySku":{"A":2,"B":1}})");
    EXPECT_EQ(after(R"({"put": "m", "key": {"from": "k"}, "value": true})", R"({"m": null})",
                    R"({"k": "x"})"),
              R"({"m":{"x":true}})");
    EXPECT_EQ(after(R"({"put": "a.b", "key": {"from": "k"}, "value": 1})", "{}", R"({"k": "x"})"),
              R"({"a":{"b":{"x":1}}})");
    EXPECT_EQ(
        after(R"({"put": "", "key": {"from": "k"}, "value": 1})", R"({"y": 0})", R"({"k": "x"})"),
        R"({"x":1,"y":0})");
}

TEST(AggregateFoldPutTest, KeysFromNumbersAndOtherSources) {
    EXPECT_EQ(after(R"({"put": "m", "key": {"from": "k"}, "value": 1})", "{}", R"({"k": 42})"),
              R"({"m":{"42":1}})");
    EXPECT_EQ(after(R"({"put": "m", "key": {"from": "k"}, "value": 1})", "{}", R"({"k": 1.50})"),
              R"({"m":{"1.50":1}})");
    EXPECT_EQ(
        after(R"({"put": "m", "key": {"from": "k"}, "value": 1})", "{}", R"({"k": "with.dots"})"),
        R"({"m":{"with.dots":1}})");
    EXPECT_EQ(after(R"({"put": "m", "key": {"event": "version"}, "event": "type"})", "{}"),
              R"({"m":{"1":"E"}})");
    EXPECT_EQ(after(R"({"put": "m", "key": {"value": "fixed"}, "value": 1})", "{}"),
              R"({"m":{"fixed":1}})");
    EXPECT_EQ(after(R"({"put": "m", "key": {"value": 7}, "value": 1})", "{}"), R"({"m":{"7":1}})");
    EXPECT_EQ(after(R"({"put": "m", "key": {"state": "cur"}, "value": 1})", R"({"cur": "c"})"),
              R"({"cur":"c","m":{"c":1}})");
    EXPECT_EQ(after(R"({"put": "m", "key": {"event": "metadata.user"}, "value": 1})", "{}", "{}",
                    R"({"user": "ada"})"),
              R"({"m":{"ada":1}})");
    EXPECT_EQ(after(R"({"put": "m", "key": {"from": "k"}, "value": 1})", "{}", R"({"k": ""})"),
              R"({"m":{"":1}})");
}

TEST(AggregateFoldPutTest, AbsentKeyOrValueChangesNothing) {
    EXPECT_EQ(after(R"({"put": "m", "key": {"from": "k"}, "value": 1})", "{}"), "{}");
    EXPECT_EQ(after(R"({"put": "m", "key": {"from": "k"}, "from": "v"})", "{}", R"({"k": "x"})"),
              "{}");
    EXPECT_EQ(after(R"({"put": "m", "key": {"from": "k"}, "from": "v", "default": 0})", "{}",
                    R"({"k": "x"})"),
              R"({"m":{"x":0}})");
}

TEST(AggregateFoldRemoveTest, RemovesByKey) {
    EXPECT_EQ(after(R"({"remove": "m", "key": {"from": "k"}})", R"({"m": {"x": 1, "y": 2}})",
                    R"({"k": "x"})"),
              R"({"m":{"y":2}})");
    EXPECT_EQ(
        after(R"({"remove": "m", "key": {"from": "k"}})", R"({"m": {"42": 1}})", R"({"k": 42})"),
        R"({"m":{}})");
    EXPECT_EQ(
        after(R"({"remove": "", "key": {"from": "k"}})", R"({"x": 1, "y": 2})", R"({"k": "x"})"),
        R"({"y":2})");
}

TEST(AggregateFoldRemoveTest, AbsentOrNullChangesNothing) {
    // No such member, no target (not created), a null target, no key in the event.
    EXPECT_EQ(
        after(R"({"remove": "m", "key": {"from": "k"}})", R"({"m": {"y": 2}})", R"({"k": "x"})"),
        R"({"m":{"y":2}})");
    EXPECT_EQ(after(R"({"remove": "m", "key": {"from": "k"}})", "{}", R"({"k": "x"})"), "{}");
    EXPECT_EQ(after(R"({"remove": "a.b.m", "key": {"from": "k"}})", "{}", R"({"k": "x"})"), "{}");
    EXPECT_EQ(after(R"({"remove": "m", "key": {"from": "k"}})", R"({"m": null})", R"({"k": "x"})"),
              R"({"m":null})");
    EXPECT_EQ(after(R"({"remove": "m", "key": {"from": "k"}})", R"({"m": {"x": 1}})"),
              R"({"m":{"x":1}})");
}

// --- dynamic path segments ---------------------------------------------------------------------

TEST(AggregateFoldDynamicKeyTest, KeysFromData) {
    EXPECT_EQ(after(R"({"add": ["lines", {"from": "sku"}, "qty"], "from": "qty"})",
                    R"({"lines": {}})", R"({"sku": "A-1", "qty": 2})"),
              R"({"lines":{"A-1":{"qty":2}}})");
    EXPECT_EQ(after(R"({"set": ["by", {"from": "k"}], "value": 1})", "{}", R"({"k": "a.b"})"),
              R"({"by":{"a.b":1}})");  // one segment, not split on the dot
    EXPECT_EQ(after(R"({"set": ["by", {"from": "k"}], "value": 1})", "{}", R"({"k": 7})"),
              R"({"by":{"7":1}})");
    EXPECT_EQ(after(R"({"count": ["by", {"event": "type"}]})", "{}"), R"({"by":{"E":1}})");
    EXPECT_EQ(after(R"({"count": [{"event": "metadata.user"}]})", "{}", "{}", R"({"user": "ada"})"),
              R"({"ada":1})");
    EXPECT_EQ(after(R"({"set": ["by", {"state": "cur"}], "value": 1})", R"({"cur": "c"})"),
              R"({"by":{"c":1},"cur":"c"})");
}

TEST(AggregateFoldDynamicKeyTest, NumbersIndexArrays) {
    EXPECT_EQ(after(R"({"set": ["l", {"from": "i"}], "value": "x"})", R"({"l": [0, 1, 2]})",
                    R"({"i": 1})"),
              R"({"l":[0,"x",2]})");
    EXPECT_EQ(after(R"({"set": ["l", {"from": "i"}], "value": "x"})", R"({"l": [0, 1, 2]})",
                    R"({"i": -1})"),
              R"({"l":[0,1,"x"]})");
    EXPECT_EQ(after(R"({"set": ["l", {"from": "i"}], "value": "x"})", R"({"l": [0, 1, 2]})",
                    R"({"i": "0"})"),
              R"({"l":["x",1,2]})");
}

TEST(AggregateFoldDynamicKeyTest, AbsentKeyChangesNothing) {
    // When the event lacks the key, the operation does nothing: no member is created on the
    // way to where the key would have led, and a null on the way stays null.
    EXPECT_EQ(after(R"({"set": ["totals", {"from": "sku"}], "value": 1})", "{}"), "{}");
    EXPECT_EQ(after(R"({"count": ["by", {"from": "k"}, "n"]})", "{}"), "{}");
    EXPECT_EQ(after(R"({"add": ["a", "b", {"from": "k"}], "value": 1})", "{}"), "{}");
    EXPECT_EQ(after(R"({"append": ["l", {"from": "k"}], "value": 1})", R"({"l": null})"),
              R"({"l":null})");
    EXPECT_EQ(after(R"({"put": ["m", {"from": "k"}], "key": {"value": "x"}, "value": 1})", "{}"),
              "{}");
    // Where the path exists already, nothing changes either.
    EXPECT_EQ(after(R"({"set": ["totals", {"from": "sku"}], "value": 1})", R"({"totals": {}})"),
              R"({"totals":{}})");
    EXPECT_EQ(after(R"({"unset": ["totals", {"from": "sku"}]})", R"({"totals": {"a": 1}})"),
              R"({"totals":{"a":1}})");
    EXPECT_EQ(after(R"({"set": [{"from": "k"}], "value": 1})", "{}"), "{}");
}

// --- conditions --------------------------------------------------------------------------------

// Whether an operation with `condition` runs for an event with `data`, on the state `initial`.
bool passes(std::string_view condition, std::string_view data, std::string_view initial = "{}") {
    const std::string ops = R"({"set": "hit", "value": 1, "if": )" + std::string(condition) + "}";
    Fold fold(def(ops, initial));
    fold.apply("E", data);
    return fold.state().find("hit") != nullptr;
}

TEST(AggregateFoldConditionTest, Comparisons) {
    EXPECT_TRUE(passes(R"({"from": "x", "eq": 1})", R"({"x": 1})"));
    EXPECT_TRUE(passes(R"({"from": "x", "eq": 1})", R"({"x": 1.00})"));  // numerically
    EXPECT_FALSE(passes(R"({"from": "x", "eq": 1})", R"({"x": "1"})"));
    EXPECT_TRUE(passes(R"({"from": "x", "eq": "a"})", R"({"x": "a"})"));
    EXPECT_TRUE(passes(R"({"from": "x", "eq": null})", R"({"x": null})"));
    EXPECT_TRUE(passes(R"({"from": "x", "eq": {"a": [1, 2]}})", R"({"x": {"a": [1, 2.0]}})"));
    EXPECT_FALSE(passes(R"({"from": "x", "eq": [1, 2]})", R"({"x": [2, 1]})"));
    EXPECT_TRUE(passes(R"({"from": "x", "ne": 1})", R"({"x": 2})"));
    EXPECT_FALSE(passes(R"({"from": "x", "ne": 1})", R"({"x": 1.0})"));
    EXPECT_TRUE(passes(R"({"from": "x", "ne": 1})", R"({"x": "1"})"));

    EXPECT_TRUE(passes(R"({"from": "x", "lt": 100})", R"({"x": 99.99})"));
    EXPECT_FALSE(passes(R"({"from": "x", "lt": 100})", R"({"x": 100})"));
    EXPECT_TRUE(passes(R"({"from": "x", "le": 100})", R"({"x": 100.0})"));
    EXPECT_FALSE(passes(R"({"from": "x", "le": 100})", R"({"x": 100.01})"));
    EXPECT_TRUE(passes(R"({"from": "x", "gt": 100})", R"({"x": 100.01})"));
    EXPECT_FALSE(passes(R"({"from": "x", "gt": 100})", R"({"x": 100})"));
    EXPECT_TRUE(passes(R"({"from": "x", "ge": 100})", R"({"x": 100})"));
    EXPECT_FALSE(passes(R"({"from": "x", "ge": -1})", R"({"x": -1.5})"));

    EXPECT_TRUE(passes(R"({"from": "s", "lt": "b"})", R"({"s": "a"})"));
    EXPECT_TRUE(passes(R"({"from": "s", "lt": "b"})", R"({"s": "ab"})"));
    EXPECT_FALSE(passes(R"({"from": "s", "lt": "b"})", R"({"s": "b"})"));
    EXPECT_TRUE(passes(R"({"from": "s", "ge": "2026-01-01"})", R"({"s": "2026-02-01"})"));
    EXPECT_TRUE(passes(R"({"from": "s", "gt": "z"})", R"({"s": "é"})"));  // bytes, not ASCII
    EXPECT_TRUE(passes(R"({"from": "s", "lt": "a"})", R"({"s": "B"})"));
}

TEST(AggregateFoldConditionTest, OrderingAcrossKindsNeverPasses) {
    for (const char* test : {"lt", "le", "gt", "ge"}) {
        const std::string t = test;
        EXPECT_FALSE(passes(R"({"from": "x", ")" + t + R"(": 5})", R"({"x": "5"})")) << test;
        EXPECT_FALSE(passes(R"({"from": "x", ")" + t + R"(": "5"})", R"({"x": 5})")) << test;
        EXPECT_FALSE(passes(R"({"from": "x", ")" + t + R"(": 5})", R"({"x": null})")) << test;
        EXPECT_FALSE(passes(R"({"from": "x", ")" + t + R"(": 5})", R"({"x": [5]})")) << test;
        EXPECT_FALSE(passes(R"({"from": "x", ")" + t + R"(": 5})", R"({"x": true})")) << test;
    }
}

TEST(AggregateFoldConditionTest, AbsentValues) {
    EXPECT_TRUE(passes(R"({"from": "x", "exists": false})", "{}"));
    EXPECT_FALSE(passes(R"({"from": "x", "exists": true})", "{}"));
    EXPECT_TRUE(passes(R"({"from": "x", "exists": true})", R"({"x": 0})"));
    EXPECT_FALSE(passes(R"({"from": "x", "exists": false})", R"({"x": 0})"));
    // A member holding null exists.
    EXPECT_TRUE(passes(R"({"from": "x", "exists": true})", R"({"x": null})"));
    // No comparison passes on an absent value, not even ne.
    for (const char* test : {"eq", "ne", "lt", "le", "gt", "ge"}) {
        EXPECT_FALSE(passes(R"({"from": "x", ")" + std::string(test) + R"(": 1})", "{}")) << test;
    }
    EXPECT_FALSE(passes(R"({"from": "x", "eq": null})", "{}"));
    EXPECT_FALSE(passes(R"({"from": "a.b", "eq": 1})", R"({"a": 1})"));
    EXPECT_FALSE(passes(R"({"event": "metadata.x", "exists": true})", "{}"));
    EXPECT_TRUE(passes(R"({"event": "metadata", "exists": false})", "{}"));
}

TEST(AggregateFoldConditionTest, StateAndEventSources) {
    EXPECT_TRUE(passes(R"({"state": "status", "eq": "OPEN"})", "{}", R"({"status": "OPEN"})"));
    EXPECT_FALSE(passes(R"({"state": "status", "eq": "OPEN"})", "{}", R"({"status": "PAID"})"));
    EXPECT_TRUE(passes(R"({"state": "status", "exists": false})", "{}"));
    EXPECT_TRUE(passes(R"({"event": "version", "eq": 1})", "{}"));
    EXPECT_FALSE(passes(R"({"event": "version", "gt": 1})", "{}"));
    EXPECT_TRUE(passes(R"({"event": "type", "eq": "E"})", "{}"));
    EXPECT_TRUE(passes(R"({"event": "stream", "eq": "order-1"})", "{}"));
    EXPECT_TRUE(passes(R"({"event": "position", "gt": 1000})", "{}"));
    EXPECT_TRUE(passes(R"({"event": "id", "exists": true})", "{}"));
    EXPECT_TRUE(passes(R"({"event": "recorded_at", "ge": "2026"})", "{}"));
}

TEST(AggregateFoldConditionTest, MetadataSource) {
    Fold fold(def(R"({"count": "admin", "if": {"event": "metadata.role", "eq": "admin"}})"));
    fold.apply("E", "{}", R"({"role": "admin"})");
    fold.apply("E", "{}", R"({"role": "user"})");
    fold.apply("E", "{}");
    fold.apply("E", "{}", "null");
    fold.apply("E", "{}", R"({"role": "admin"})");
    EXPECT_EQ(fold.text(), R"({"admin":2})");
}

TEST(AggregateFoldConditionTest, AllMustPass) {
    const char* both = R"([{"from": "x", "gt": 0}, {"from": "x", "lt": 10}])";
    EXPECT_TRUE(passes(both, R"({"x": 5})"));
    EXPECT_FALSE(passes(both, R"({"x": 0})"));
    EXPECT_FALSE(passes(both, R"({"x": 10})"));
    EXPECT_FALSE(passes(both, "{}"));
    EXPECT_TRUE(passes("[]", "{}"));
}

TEST(AggregateFoldConditionTest, ConditionsSeeEarlierOperations) {
    EXPECT_EQ(after(R"({"add": "n", "value": 1}, {"set": "big", "value": true,
                      "if": {"state": "n", "ge": 2}})",
                    R"({"n": 1})"),
              R"({"big":true,"n":2})");
}

TEST(AggregateFoldConditionTest, FailedConditionSkipsOnlyItsOperation) {
    EXPECT_EQ(after(R"({"count": "a"}, {"count": "b", "if": {"from": "x", "exists": true}},
                      {"count": "c"})",
                    "{}"),
              R"({"a":1,"c":1})");
    // A condition that fails also spares the state an operation that would have failed.
    EXPECT_EQ(after(R"({"set": "s", "from": "s"},
                      {"add": "s", "value": 1, "if": {"from": "x", "exists": true}})",
                    "{}", R"({"s": "text"})"),
              R"({"s":"text"})");
}

// --- which operations run ----------------------------------------------------------------------

TEST(AggregateFoldDispatchTest, UnknownTypesAreIgnored) {
    Fold fold(R"({"initial": {"n": 0}, "on": {"Known": [{"count": "n"}]}})");
    fold.apply("Unknown", R"({"x": 1})");
    fold.apply("known");
    fold.apply("");
    EXPECT_EQ(fold.text(), R"({"n":0})");
    fold.apply("Known");
    EXPECT_EQ(fold.text(), R"({"n":1})");
}

TEST(AggregateFoldDispatchTest, FallbackForTypesWithoutAList) {
    Fold fold(R"({"on": {
        "Known": [{"count": "known"}],
        "*": [{"count": "other"}, {"append": "types", "event": "type"}]}})");
    fold.apply("Known").apply("A").apply("Known").apply("B").apply("*");
    EXPECT_EQ(fold.text(), R"({"known":2,"other":3,"types":["A","B","*"]})");
}

TEST(AggregateFoldDispatchTest, EmptyListChangesNothingAndHidesTheFallback) {
    Fold fold(R"({"initial": {"n": 0}, "on": {"Quiet": [], "*": [{"count": "n"}]}})");
    fold.apply("Quiet").apply("Other");
    EXPECT_EQ(fold.text(), R"({"n":1})");
}

TEST(AggregateFoldDispatchTest, ReducerDefinitionsHaveNoOperations) {
    Fold fold(R"({"initial": {"n": 0}, "reducer": "s.f"})");
    fold.apply("E", R"({"x": 1})");
    EXPECT_EQ(fold.text(), R"({"n":0})");
}

// --- fold-time errors --------------------------------------------------------------------------

TEST(AggregateFoldErrorTest, MessageNamesAggregateStreamVersionTypeAndOperation) {
    Fold fold(R"({"initial": {"balance": 0, "owner": ""}, "on": {
        "Deposited": [{"count": "n"}, {"set": "last", "from": "amount"},
                      {"add": "balance", "from": "amount"}]}})",
              "accounts", "account-42");
    fold.apply("Deposited", R"({"amount": 10})").apply("Deposited", R"({"amount": 5.5})");
    const Error e = capture_error([&] { fold.apply("Deposited", R"({"amount": "12"})"); });
    EXPECT_EQ(e.kind(), ErrorKind::FoldFailed);
    EXPECT_STREQ(
        e.what(),
        R"(aggregate "accounts" cannot apply event 3 of stream "account-42" (Deposited): )"
        R"(operation 3, add at "balance": the value (from "amount") is a string, not a number)");
    EXPECT_EQ(std::string(chronicle::sqlstate_of(e.kind())), "CH022");
}

TEST(AggregateFoldErrorTest, FallbackListAndArrayTargetsInMessages) {
    Fold fold(R"({"initial": {"lines": []}, "on": {
        "*": [{"add": ["lines", {"from": "sku"}, "qty"], "value": 1}]}})",
              "carts", "cart-7");
    const Error e = capture_error([&] { fold.apply("Anything", R"({"sku": "A"})"); });
    EXPECT_EQ(e.kind(), ErrorKind::FoldFailed);
    EXPECT_TRUE(StartsWith(
        e.what(),
        R"(aggregate "carts" cannot apply event 1 of stream "cart-7" (Anything): operation 1, )"
        R"(add at ["lines",{"from":"sku"},"qty"]: )"));
    EXPECT_TRUE(Contains(e.what(), R"(cannot go into an array with the path segment "A")"));
}

// Operation 1 copies data.t into the state, so that operation 2 meets a type that the
// initial state could not show (a definition whose initial state mismatches is rejected).
::testing::AssertionResult FailsOnT(const std::string& op, const std::string& t,
                                    const std::string& what, const std::string& more_data = "") {
    return FailsWith(R"({"set": "t", "from": "t"}, )" + op, "{}", R"({"t": )" + t + more_data + "}",
                     what);
}

TEST(AggregateFoldErrorTest, TargetsAreShownAsJson) {
    EXPECT_TRUE(FailsWith(R"({"set": "s", "from": "s"}, {"count": "s.say \"hi\""})", "{}",
                          R"({"s": "text"})", R"(2, count at "s.say \"hi\"": cannot go into)"));
}

TEST(AggregateFoldErrorTest, WrongTargetTypes) {
    EXPECT_TRUE(FailsOnT(R"({"append": "t", "value": 1})", "{}",
                         R"(2, append at "t": the state holds an object there, not an array)"));
    EXPECT_TRUE(FailsOnT(R"({"append": "t", "value": 1})", R"("s")",
                         "the state holds a string there, not an array"));
    EXPECT_TRUE(FailsOnT(R"({"add": "t", "value": 1})", R"("5")",
                         R"(2, add at "t": the state holds a string there, not a number)"));
    EXPECT_TRUE(FailsOnT(R"({"subtract": "t", "value": 1})", "true",
                         R"(subtract at "t": the state holds a boolean there, not a number)"));
    EXPECT_TRUE(FailsOnT(R"({"count": "t"})", "[]",
                         R"(count at "t": the state holds an array there, not a number)"));
    EXPECT_TRUE(FailsOnT(R"({"put": "t", "key": {"value": "k"}, "value": 1})", "[]",
                         R"(put at "t": the state holds an array there, not an object)"));
    EXPECT_TRUE(FailsOnT(R"({"remove": "t", "key": {"value": "k"}})", "3",
                         R"(remove at "t": the state holds a number there, not an object)"));
    EXPECT_TRUE(FailsOnT(R"({"max": "t", "from": "v"})", "{}",
                         "cannot compare a number with an object the state holds there",
                         R"(, "v": 4)"));
}

TEST(AggregateFoldErrorTest, WrongValueTypes) {
    EXPECT_TRUE(FailsWith(R"({"add": "t", "from": "v"})", "{}", R"({"v": "1"})",
                          R"(the value (from "v") is a string, not a number)"));
    EXPECT_TRUE(FailsWith(R"({"subtract": "t", "from": "v"})", "{}", R"({"v": null})",
                          R"(the value (from "v") is null, not a number)"));
    EXPECT_TRUE(FailsWith(R"({"add": "t", "state": "s"})", R"({"s": [1]})", "{}",
                          R"(the value (state "s") is an array, not a number)"));
    EXPECT_TRUE(FailsWith(R"({"add": "t", "from": "v", "default": 0})", "{}", R"({"v": {}})",
                          R"(the value (from "v") is an object, not a number)"));
    EXPECT_TRUE(
        FailsWith(R"({"min": "t", "from": "v"})", "{}", R"({"v": true})",
                  R"(min at "t": the value (from "v") is a boolean, not a number or a string)"));
    EXPECT_TRUE(FailsWith(R"({"max": "t", "from": "v"})", "{}", R"({"v": null})",
                          R"(the value (from "v") is null, not a number or a string)"));
    EXPECT_TRUE(
        FailsWith(R"({"min": "t", "from": "v"})", R"({"t": 5})", R"({"v": "4"})",
                  R"(min at "t": cannot compare a string with a number the state holds there)"));
    EXPECT_TRUE(FailsWith(R"({"max": "t", "from": "v"})", R"({"t": "a"})", R"({"v": 4})",
                          "cannot compare a number with a string the state holds there"));
}

TEST(AggregateFoldErrorTest, PathsThatLeadNowhere) {
    // The initial state allows these; the state at fold time does not.
    EXPECT_TRUE(FailsWith(
        R"({"set": "s", "from": "v"}, {"set": "s.x", "value": 1})", "{}", R"({"v": "text"})",
        R"(operation 2, set at "s.x": cannot go into a string with the path segment "x")"));
    EXPECT_TRUE(FailsWith(R"({"set": "", "from": "v"}, {"count": "n"})", "{}", R"({"v": 5})",
                          R"(count at "n": cannot go into a number with the path segment "n")"));
    EXPECT_TRUE(FailsWith(R"({"set": "l.5", "value": 1})", R"({"l": [1, 2]})", "{}",
                          R"(set at "l.5": index 5 is outside the array (2 elements))"));
    EXPECT_TRUE(FailsWith(R"({"add": "l.-3", "value": 1})", R"({"l": [1, 2]})", "{}",
                          "index -3 is outside the array (2 elements)"));
    EXPECT_TRUE(FailsWith(R"({"append": "l.0", "value": 1})", R"({"l": []})", "{}",
                          "index 0 is outside the array (0 elements)"));
    EXPECT_TRUE(FailsOnT(R"({"set": "t.x", "value": 1})", "[1]",
                         R"(cannot go into an array with the path segment "x")"));
    EXPECT_TRUE(FailsOnT(R"({"merge": "t.c", "value": {}})", "true",
                         R"(merge at "t.c": cannot go into a boolean with the path segment "c")"));
    EXPECT_TRUE(FailsOnT(R"({"append": "t.a.b", "value": 1})", R"({"a": 5})",
                         R"(cannot go into a number with the path segment "b")"));
}

TEST(AggregateFoldErrorTest, KeysOfTheWrongType) {
    EXPECT_TRUE(FailsWith(R"({"set": ["by", {"from": "k"}], "value": 1})", "{}", R"({"k": true})",
                          R"(a path segment (from "k") is a boolean, not a string or a number)"));
    EXPECT_TRUE(FailsWith(R"({"unset": ["by", {"from": "k"}]})", R"({"by": {}})", R"({"k": null})",
                          R"(a path segment (from "k") is null, not a string or a number)"));
    EXPECT_TRUE(
        FailsWith(R"({"put": "m", "key": {"from": "k"}, "value": 1})", "{}", R"({"k": {"a": 1}})",
                  R"(put at "m": the key (from "k") is an object, not a string or a number)"));
    EXPECT_TRUE(FailsWith(R"({"remove": "m", "key": {"state": "k"}})", R"({"k": [1], "m": {}})",
                          "{}", R"(the key (state "k") is an array, not a string or a number)"));
}

TEST(AggregateFoldErrorTest, OnlyFoldFailed) {
    for (const char* ops : {R"({"set": "t", "from": "t"}, {"append": "t", "value": 1})",
                            R"({"add": "n", "from": "v"})",
                            R"({"set": "t", "from": "t"}, {"set": "t.u.v", "value": 1})"}) {
        const Error e = fold_error(ops, R"({"n": 1})", R"({"t": 1, "v": "x"})");
        EXPECT_EQ(e.kind(), ErrorKind::FoldFailed) << ops;
        EXPECT_TRUE(e.detail().empty());
    }
}

// --- whole streams -----------------------------------------------------------------------------

TEST(AggregateFoldStreamTest, Order) {
    Fold fold(R"({
        "initial": {"status": "NEW", "items": [], "total": 0},
        "on": {
            "OrderCreated": [{"set": "id", "from": "orderId"},
                             {"set": "customer", "from": "customer"},
                             {"set": "status", "value": "OPEN"},
                             {"set": "createdAt", "event": "recorded_at"}],
            "ItemAdded": [{"append": "items", "from": ""},
                          {"add": "total", "from": "price"},
                          {"max": "largest", "from": "price"},
                          {"count": "itemCount"}],
            "DiscountApplied": [{"subtract": "total", "from": "amount",
                                 "if": {"state": "status", "eq": "OPEN"}}],
            "AddressChanged": [{"merge": "address", "from": "address"}],
            "OrderPaid": [{"set": "status", "value": "PAID"},
                          {"set": "paidVersion", "event": "version"},
                          {"set": "payment", "from": "payment"}],
            "OrderShipped": [{"set": "status", "value": "SHIPPED"},
                             {"unset": "payment.card"},
                             {"set": "carrier", "from": "carrier", "default": "post"}],
            "*": [{"append": "unhandled", "event": "type"}]
        }})",
              "orders", "order-42");
    fold.apply("OrderCreated", R"({"orderId": "o-42", "customer": {"name": "Ada"}})")
        .apply("ItemAdded", R"({"sku": "A", "price": 19.99})")
        .apply("ItemAdded", R"({"sku": "B", "price": 5.01})")
        .apply("DiscountApplied", R"({"amount": 0.50})")
        .apply("AddressChanged", R"({"address": {"city": "Paris", "zip": "75001"}})")
        .apply("AddressChanged", R"({"address": {"zip": null, "street": "Rue 1"}})")
        .apply("OrderPaid", R"({"payment": {"method": "card", "card": "4242"}})")
        .apply("NoteAdded", R"({"text": "fragile"})")
        .apply("DiscountApplied", R"({"amount": 1})")  // not OPEN any more: no effect
        .apply("OrderShipped");
    EXPECT_EQ(fold.version(), 10);
    EXPECT_EQ(fold.state(), json(R"({
        "address": {"city": "Paris", "street": "Rue 1"},
        "carrier": "post",
        "createdAt": "2026-11-26T01:18:03.123456+00:00",
        "customer": {"name": "Ada"},
        "id": "o-42",
        "itemCount": 2,
        "items": [{"price": 19.99, "sku": "A"}, {"price": 5.01, "sku": "B"}],
        "largest": 19.99,
        "paidVersion": 7,
        "payment": {"method": "card"},
        "status": "SHIPPED",
        "total": 24.50,
        "unhandled": ["NoteAdded"]})"));
    EXPECT_TRUE(Contains(fold.text(), R"("total":24.50)"));
}

TEST(AggregateFoldStreamTest, BankAccountWithOverdrafts) {
    Fold fold(R"({
        "initial": {"balance": 0, "overdrafts": 0, "lowest": 0, "transactions": 0},
        "on": {
            "AccountOpened": [{"set": "owner", "from": "owner"},
                              {"set": "openedAt", "event": "recorded_at"}],
            "Deposited": [{"add": "balance", "from": "amount"}, {"count": "transactions"}],
            "Withdrawn": [{"subtract": "balance", "from": "amount"},
                          {"count": "transactions"},
                          {"count": "overdrafts", "if": {"state": "balance", "lt": 0}},
                          {"min": "lowest", "state": "balance"},
                          {"append": "large", "from": "amount", "if": {"from": "amount", "ge": 50}}],
            "FeeCharged": [{"subtract": "balance", "from": "fee", "default": 1.50}],
            "AccountClosed": [{"set": "closed", "value": true}, {"unset": "large"}]
        }})",
              "accounts", "account-7");
    fold.apply("AccountOpened", R"({"owner": "Ada"})")
        .apply("Deposited", R"({"amount": 100.00})")
        .apply("Withdrawn", R"({"amount": 30.25})");
    EXPECT_EQ(fold.state().find("balance")->as_number().text(), "69.75");
    EXPECT_EQ(*fold.state().find("overdrafts"), Value(0));
    fold.apply("Withdrawn", R"({"amount": 80})");
    EXPECT_EQ(fold.state().find("balance")->as_number().text(), "-10.25");
    EXPECT_EQ(*fold.state().find("overdrafts"), Value(1));
    fold.apply("Deposited", R"({"amount": 20.25})")
        .apply("Withdrawn", R"({"amount": 15.5})")
        .apply("FeeCharged")
        .apply("FeeCharged", R"({"fee": 0.25})")
        .apply("Withdrawn", R"({"amount": 0.01})");
    EXPECT_EQ(fold.text(), R"({"balance":-7.26,"large":[80],"lowest":-10.25,"openedAt":)"
                           R"("2026-11-26T01:18:03.123456+00:00","overdrafts":3,"owner":"Ada",)"
                           R"("transactions":6})");
    fold.apply("AccountClosed");
    EXPECT_EQ(fold.state().find("large"), nullptr);
    EXPECT_EQ(*fold.state().find("closed"), Value(true));
}

TEST(AggregateFoldStreamTest, CartKeyedBySku) {
    Fold fold(R"({
        "initial": {"lines": {}, "units": 0},
        "on": {
            "ItemAdded": [{"add": ["lines", {"from": "sku"}, "qty"], "from": "qty", "default": 1},
                          {"set": ["lines", {"from": "sku"}, "price"], "from": "price"},
                          {"add": "units", "from": "qty", "default": 1}],
            "QuantityChanged": [{"set": ["lines", {"from": "sku"}, "qty"], "from": "qty",
                                 "if": {"from": "qty", "gt": 0}},
                                {"remove": "lines", "key": {"from": "sku"},
                                 "if": {"from": "qty", "le": 0}}],
            "ItemRemoved": [{"remove": "lines", "key": {"from": "sku"}},
                            {"put": "removed", "key": {"from": "sku"}, "event": "version"}],
            "CartCleared": [{"set": "lines", "value": {}}, {"set": "units", "value": 0}],
            "CheckedOut": [{"set": "status", "value": "CHECKED_OUT"},
                           {"set": "checkedOutAt", "event": "recorded_at"}]
        }})",
              "carts", "cart-1");
    fold.apply("ItemAdded", R"({"sku": "A", "qty": 2, "price": 9.99})")
        .apply("ItemAdded", R"({"sku": "B", "price": 5})")
        .apply("ItemAdded", R"({"sku": "A", "qty": 1, "price": 9.49})")
        .apply("ItemAdded", R"({"sku": "sku.with.dots", "qty": 3, "price": 1.10})")
        .apply("ItemAdded", R"({"sku": 42, "qty": 1, "price": 0.99})");
    EXPECT_EQ(fold.state(), json(R"({
        "lines": {"A": {"qty": 3, "price": 9.49}, "B": {"qty": 1, "price": 5},
                  "sku.with.dots": {"qty": 3, "price": 1.10}, "42": {"qty": 1, "price": 0.99}},
        "units": 8})"));
    fold.apply("ItemRemoved", R"({"sku": "B"})")
        .apply("QuantityChanged", R"({"sku": "A", "qty": 5})")
        .apply("QuantityChanged", R"({"sku": 42, "qty": 0})")
        .apply("ItemRemoved", R"({"sku": "not-in-cart"})")
        .apply("CheckedOut");
    EXPECT_EQ(fold.state(), json(R"({
        "lines": {"A": {"qty": 5, "price": 9.49}, "sku.with.dots": {"qty": 3, "price": 1.10}},
        "units": 8,
        "removed": {"B": 6, "not-in-cart": 9},
        "status": "CHECKED_OUT",
        "checkedOutAt": "2026-11-26T01:18:03.123456+00:00"})"));
    fold.apply("CartCleared");
    EXPECT_EQ(to_json_text(*fold.state().find("lines")), "{}");
}

TEST(AggregateFoldStreamTest, TenThousandAppends) {
    // The state grows in place: each append adds one element, nothing is copied per event.
    Fold fold(R"({"initial": {"items": []}, "on": {
        "ItemAdded": [{"append": "items", "from": ""}, {"count": "n"},
                      {"max": "last", "from": "i"}]}})");
    constexpr int kEvents = 10000;
    for (int i = 0; i < kEvents; ++i) {
        fold.apply_value("ItemAdded", Value(Object{{"i", Value(i)}, {"sku", Value("sku")}}));
    }
    const Value& items = *fold.state().find("items");
    ASSERT_TRUE(items.is_array());
    ASSERT_EQ(items.as_array().size(), static_cast<std::size_t>(kEvents));
    EXPECT_EQ(*items.as_array().front().find("i"), Value(0));
    EXPECT_EQ(*items.as_array().back().find("i"), Value(kEvents - 1));
    EXPECT_EQ(*fold.state().find("n"), Value(kEvents));
    EXPECT_EQ(*fold.state().find("last"), Value(kEvents - 1));
    EXPECT_EQ(fold.version(), kEvents);
}

// --- randomized: never anything but chronicle::Error -------------------------------------------

class Random {
  public:
    explicit Random(std::uint32_t seed) : engine_(seed) {}
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(engine_() % n); }
    bool chance(std::size_t percent) { return below(100) < percent; }
    template <typename T>
    const T& pick(const std::vector<T>& options) {
        return options[below(options.size())];
    }

  private:
    std::mt19937 engine_;
};

Value random_value(Random& rng, int depth) {
    switch (rng.below(depth > 0 ? 9 : 6)) {
        case 0:
            return Value();
        case 1:
            return Value(rng.chance(50));
        case 2:
            return Value(static_cast<int>(rng.below(21)) - 10);
        case 3:
            return Value(chronicle::Decimal::parse(rng.pick(
                std::vector<std::string>{"1.5", "-0.25", "0.01", "1e3", "99999999999999999999"})));
        case 4:
        case 5:
            return Value(
                rng.pick(std::vector<std::string>{"a", "b", "", "a.b", "0", "-1", "k", "zz"}));
        case 6: {
            Array array;
            for (std::size_t i = rng.below(4); i > 0; --i)
                array.push_back(random_value(rng, depth - 1));
            return Value(std::move(array));
        }
        default: {
            Object object;
            for (std::size_t i = rng.below(4); i > 0; --i) {
                object[rng.pick(std::vector<std::string>{"a", "b", "k", "n", "l", "m", "0"})] =
                    random_value(rng, depth - 1);
            }
            return Value(std::move(object));
        }
    }
}

Value random_path(Random& rng) {
    static const std::vector<std::string> dotted = {"",  "a", "b",   "a.b", "l", "l.0", "l.-1",
                                                    "n", "m", "m.k", "a.0", "k", "0",   "x..y"};
    if (rng.chance(80)) return Value(rng.pick(dotted));
    Array path;
    for (std::size_t i = rng.below(3); i > 0; --i) {
        switch (rng.below(6)) {
            case 0:
            case 1:
            case 2:
                path.push_back(Value(rng.pick(std::vector<std::string>{"a", "odd.key", "l", "m"})));
                break;
            case 3:
            case 4:
                path.push_back(Value(static_cast<int>(rng.below(5)) - 2));
                break;
            default:
                path.push_back(random_value(rng, 0));  // sometimes not a valid segment
        }
    }
    return Value(std::move(path));
}

Value random_source_object(Random& rng, bool allow_literal) {
    Object source;
    switch (rng.below(allow_literal ? 4 : 3)) {
        case 0:
            source["from"] = random_path(rng);
            break;
        case 1:
            source["state"] = random_path(rng);
            break;
        case 2:
            source["event"] = Value(rng.pick(std::vector<std::string>{
                "type", "stream", "version", "position", "id", "recorded_at", "metadata",
                "metadata.k", "metadata.l.-1", "nope"}));
            break;
        default:
            source["value"] = random_value(rng, 2);
    }
    return Value(std::move(source));
}

Value random_target(Random& rng) {
    if (rng.chance(75)) return random_path(rng);
    Array target;
    for (std::size_t i = 1 + rng.below(3); i > 0; --i) {
        if (rng.chance(40)) {
            target.push_back(random_source_object(rng, false));
        } else {
            target.push_back(Value(rng.pick(std::vector<std::string>{"a", "m", "l", "n"})));
        }
    }
    return Value(std::move(target));
}

Value random_operation(Random& rng) {
    static const std::vector<std::string> ops = {"set", "unset",    "merge", "append",
                                                 "add", "subtract", "count", "min",
                                                 "max", "put",      "remove"};
    const std::string& name = rng.pick(ops);
    Object op;
    op[name] = random_target(rng);
    const bool takes_value = name != "unset" && name != "count" && name != "remove";
    if (takes_value || rng.chance(5)) {
        Value source = random_source_object(rng, true);
        for (auto& member : source.as_object()) op[member.first] = std::move(member.second);
    }
    if ((name == "put" || name == "remove") ? rng.chance(95) : rng.chance(3)) {
        op["key"] = random_source_object(rng, true);
    }
    if (rng.chance(10)) op["default"] = random_value(rng, 1);
    if (rng.chance(25)) {
        static const std::vector<std::string> tests = {"eq", "ne", "lt",    "le",
                                                       "gt", "ge", "exists"};
        Value condition = random_source_object(rng, false);
        const std::string& test = rng.pick(tests);
        condition.as_object()[test] =
            test == "exists" ? Value(rng.chance(50)) : random_value(rng, 0);
        op["if"] = std::move(condition);
    }
    return Value(std::move(op));
}

std::size_t node_count(const Value& value) {
    std::size_t count = 1;
    if (value.is_array()) {
        for (const Value& element : value.as_array()) count += node_count(element);
    } else if (value.is_object()) {
        for (const auto& member : value.as_object()) count += node_count(member.second);
    }
    return count;
}

TEST(AggregateFoldRandomTest, NeverAnythingButChronicleErrors) {
    Random rng(20261126);
    const std::vector<std::string> types = {"A", "B", "C"};
    std::size_t accepted = 0, rejected = 0, applied = 0, failed = 0;
    for (int round = 0; round < 3000; ++round) {
        Object on;
        for (const std::string& type : {std::string("A"), std::string("B"), std::string("*")}) {
            if (rng.chance(30)) continue;
            Array list;
            for (std::size_t i = 1 + rng.below(3); i > 0; --i)
                list.push_back(random_operation(rng));
            on[type] = Value(std::move(list));
        }
        Object definition_object;
        definition_object["on"] = Value(std::move(on));
        if (rng.chance(80)) {
            definition_object["initial"] =
                rng.chance(80)
                    ? Value(Object{{"n", Value(0)}, {"l", Value::array()}, {"m", Value::object()}})
                    : random_value(rng, 2);
        }
        const Value definition_value(std::move(definition_object));
        const std::string definition_text = to_json_text(definition_value);

        AggregateDefinition definition;
        try {
            definition = parse_aggregate_definition(definition_value);
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::InvalidAggregateDefinition)
                << definition_text << ": " << e.what();
            ++rejected;
            continue;
        } catch (const std::exception& e) {
            ADD_FAILURE() << "parse threw " << e.what() << " for " << definition_text;
            continue;
        }
        ++accepted;

        Value state = definition.initial;
        for (int version = 1; version <= 25; ++version) {
            MemoryEvent event;
            event.type_ = rng.pick(types);
            event.stream_ = "random-" + std::to_string(round);
            event.version_ = version;
            event.position_ = round * 100 + version;
            Object data;
            for (const char* key : {"a", "b", "k", "n", "l", "m", "0"}) {
                if (rng.chance(60)) data[key] = random_value(rng, 2);
            }
            event.data_ = Value(std::move(data));
            if (rng.chance(50)) event.metadata_ = random_value(rng, 2);
            try {
                apply_event(definition.program, "random", state, event);
                ++applied;
            } catch (const Error& e) {
                EXPECT_EQ(e.kind(), ErrorKind::FoldFailed) << definition_text << ": " << e.what();
                EXPECT_TRUE(StartsWith(e.what(), "aggregate \"random\" cannot apply event " +
                                                     std::to_string(version) + " of stream \"" +
                                                     event.stream_ + "\" (" + event.type_ + ")"))
                    << e.what();
                ++failed;
                state = definition.initial;  // a failed fold's state is thrown away
            } catch (const std::exception& e) {
                ADD_FAILURE() << "apply_event threw " << e.what() << " for " << definition_text
                              << " on " << to_json_text(event.data_);
                state = definition.initial;
            }
            // Operations that copy the state into itself double it: keep it small.
            if (node_count(state) > 2000) state = definition.initial;
            // Whatever the fold made is still valid JSON.
            EXPECT_EQ(parse_json_text(to_json_text(state), ErrorKind::Internal), state);
        }
    }
    // The generator must exercise both paths substantially.
    EXPECT_GT(accepted, 200u);
    EXPECT_GT(rejected, 200u);
    EXPECT_GT(applied, 2000u);
    EXPECT_GT(failed, 50u);
    std::printf("random definitions: %zu accepted, %zu rejected; events: %zu applied, %zu failed\n",
                accepted, rejected, applied, failed);
    RecordProperty("accepted", static_cast<int>(accepted));
    RecordProperty("rejected", static_cast<int>(rejected));
    RecordProperty("applied", static_cast<int>(applied));
    RecordProperty("failed", static_cast<int>(failed));
}

}  // namespace
