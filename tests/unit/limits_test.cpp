// Unit tests for include/chronicle/core/limits.hpp: every limit is enforced where the core
// meets input (definitions, JSON text, folds), with the documented error kind; and the two
// inputs the fuzzer found (tests/fuzz, docs/development.md) stay fixed.
#include "test_support.hpp"
#include "chronicle/core/limits.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "chronicle/core/aggregate_definition.hpp"
#include "chronicle/core/aggregate_fold.hpp"
#include "chronicle/core/error.hpp"
#include "chronicle/core/event_view.hpp"
#include "chronicle/core/json_path.hpp"
#include "chronicle/core/json_value.hpp"
#include "json_text.hpp"

namespace {

using namespace chronicle;
using chronicle::test::capture_error;
using chronicle::test::Contains;

Value json(std::string_view text) {
    return parse_json_text(text, ErrorKind::Internal);
}

std::string nested_arrays(std::size_t levels) {
    return std::string(levels, '[') + std::string(levels, ']');
}

std::string dotted(std::size_t segments) {
    std::string path = "a";
    for (std::size_t i = 1; i < segments; ++i) path += ".a";
    return path;
}

Error definition_error(const std::string& text) {
    return capture_error([&] { parse_aggregate_definition(json(text)); });
}

class DataEvent final : public EventView {
  public:
    explicit DataEvent(Value data) : data_(std::move(data)) {}
    std::string_view type() const override { return "E"; }
    std::string_view stream() const override { return "s-1"; }
    std::int64_t version() const override { return 1; }
    bool data_at(const Path& path, Value& out) const override {
        const Value* found = find_at_path(data_, path);
        if (!found) return false;
        out = *found;
        return true;
    }
    bool metadata_at(const Path&, Value&) const override { return false; }
    void field(EventField, Value& out) const override { out = Value(); }

  private:
    Value data_;
};

TEST(LimitsTest, ValueDepthCountsContainers) {
    EXPECT_EQ(value_depth(json("1")), 0u);
    EXPECT_EQ(value_depth(json("[]")), 1u);
    EXPECT_EQ(value_depth(json(R"({"a": [1, {"b": {}}], "c": 2})")), 4u);
    EXPECT_EQ(value_depth(json(nested_arrays(kMaxValueDepth))), kMaxValueDepth);
    // It stops early, with an answer above the limit it was given.
    EXPECT_EQ(value_depth(json(nested_arrays(50)), 10), 11u);
}

TEST(LimitsTest, MeasureCountsValuesStringsAndDigits) {
    EXPECT_EQ(measure_value(json("1"), 10, 1000).bytes, kValueOverheadBytes + 1);
    EXPECT_EQ(measure_value(json(R"("abc")"), 10, 1000).bytes, kValueOverheadBytes + 3);
    // An object, its member (64 + the key) and the member's value.
    EXPECT_EQ(measure_value(json(R"({"ab": null})"), 10, 1000).bytes, 3 * kValueOverheadBytes + 2);
    // 1e999 is 1,000 digits once parsed.
    EXPECT_EQ(measure_value(json("1e999"), 10, 100000).bytes, kValueOverheadBytes + 1000);
}

TEST(LimitsTest, DefinitionPathsHaveAtMost256Segments) {
    // Defect 4: a path of 100,000 segments built a state the server could not convert.
    for (const std::size_t segments : {kMaxPathSegments + 1, std::size_t{100000}}) {
        const Error error = definition_error(R"({"on": {"E": [{"set": ")" + dotted(segments) +
                                             R"(", "value": 1}]}})");
        EXPECT_EQ(error.kind(), ErrorKind::InvalidAggregateDefinition);
        EXPECT_TRUE(Contains(error.what(), "a path has " + std::to_string(segments) +
                                               " segments, more than the 256 allowed"));
    }
    // The array form, a source's path, a metadata path.
    std::string array = "[\"a\"";
    for (std::size_t i = 1; i <= kMaxPathSegments; ++i) array += ",\"a\"";
    array += "]";
    EXPECT_EQ(definition_error(R"({"on": {"E": [{"set": )" + array + R"(, "value": 1}]}})").kind(),
              ErrorKind::InvalidAggregateDefinition);
    EXPECT_TRUE(Contains(
        definition_error(R"({"on": {"E": [{"set": "x", "from": ")" + dotted(257) + R"("}]}})")
            .what(),
        "257 segments"));
    EXPECT_TRUE(Contains(definition_error(R"({"on": {"E": [{"set": "x", "event": "metadata.)" +
                                          dotted(257) + R"("}]}})")
                             .what(),
                         "257 segments"));
    EXPECT_NO_THROW(parse_aggregate_definition(
        json(R"({"on": {"E": [{"set": ")" + dotted(kMaxPathSegments) + R"(", "value": 1}]}})")));
}

TEST(LimitsTest, DefinitionsNestAtMost1000Levels) {
    // The definition itself: "initial" is one level below it. Built as a value, as the glue
    // builds it from jsonb (parse_json_text would refuse the text first).
    Object definition;
    definition.emplace("initial", json(nested_arrays(kMaxValueDepth)));
    definition.emplace("on", Value::object());
    const Error error = capture_error([&] { parse_aggregate_definition(Value(definition)); });
    EXPECT_EQ(error.kind(), ErrorKind::InvalidAggregateDefinition);
    EXPECT_TRUE(Contains(error.what(), "the definition nests deeper than 1000 levels"));
    EXPECT_NO_THROW(parse_aggregate_definition(
        json(R"({"initial": )" + nested_arrays(kMaxValueDepth - 1) + R"(, "on": {}})")));
}

TEST(LimitsTest, LiteralsMustFitTheStateWhereTheyGo) {
    // 10 segments and 991 levels: a state of 1,001.
    const std::string path = dotted(10);
    Error error = definition_error(R"({"on": {"E": [{"set": ")" + path + R"(", "value": )" +
                                   nested_arrays(991) + "}]}}");
    EXPECT_EQ(error.kind(), ErrorKind::InvalidAggregateDefinition);
    EXPECT_TRUE(Contains(error.what(), "the value at this path would make the state nest deeper"));
    // append writes into an array: one level more.
    error = definition_error(R"({"on": {"E": [{"append": ")" + path +
                             R"(", "from": "x", "default": )" + nested_arrays(990) + "}]}}");
    EXPECT_TRUE(Contains(error.what(), "the default at this path"));
    EXPECT_NO_THROW(parse_aggregate_definition(json(
        R"({"on": {"E": [{"set": ")" + path + R"(", "value": )" + nested_arrays(990) + "}]}}")));
}

TEST(LimitsTest, DefinitionsAreAtMostOneMebibyte) {
    const std::string big(kMaxDefinitionBytes, 'x');
    const Error error = definition_error(R"({"initial": {"s": ")" + big + R"("}, "on": {}})");
    EXPECT_EQ(error.kind(), ErrorKind::InvalidAggregateDefinition);
    EXPECT_TRUE(Contains(error.what(), "more than the 1048576 allowed"));
    EXPECT_NO_THROW(parse_aggregate_definition(json(R"({"initial": {"s": ")" +
                                                    std::string(kMaxDefinitionBytes - 40, 'x') +
                                                    R"("}, "on": {}})")));
}

TEST(LimitsTest, FoldingDeepEventDataFailsAtTheLimit) {
    const AggregateDefinition definition =
        parse_aggregate_definition(json(R"({"on": {"E": [{"set": "d", "from": "x"}]}})"));
    // "d" is one level: 999 more fit, 1,000 do not.
    Value state = definition.initial;
    DataEvent fits(json(R"({"x": )" + nested_arrays(kMaxValueDepth - 1) + "}"));
    apply_event(definition.program, "agg", state, fits);
    EXPECT_EQ(value_depth(state), kMaxValueDepth);

    DataEvent deep(Value::object());
    Value nested = json(nested_arrays(kMaxValueDepth));
    Object data;
    data.emplace("x", std::move(nested));
    deep = DataEvent(Value(std::move(data)));
    const Error error = capture_error([&] { apply_event(definition.program, "agg", state, deep); });
    EXPECT_EQ(error.kind(), ErrorKind::FoldFailed);
    EXPECT_TRUE(Contains(error.what(), "the state would nest deeper than 1000 levels"));
}

TEST(LimitsTest, AStateGrowingALevelPerEventStopsAtTheLimit) {
    const AggregateDefinition definition =
        parse_aggregate_definition(json(R"({"on": {"E": [{"set": "a", "state": ""}]}})"));
    Value state = definition.initial;
    StateSize size(state);
    const DataEvent event(Value::object());
    for (std::size_t i = 1; i < kMaxValueDepth; ++i) {
        apply_event(definition.program, "agg", state, event, size);
    }
    EXPECT_EQ(value_depth(state), kMaxValueDepth);
    EXPECT_EQ(
        capture_error([&] { apply_event(definition.program, "agg", state, event, size); }).kind(),
        ErrorKind::FoldFailed);
}

// Found by the definition fuzzer: each event copies the state into itself twice, so it
// grows exponentially; without a size limit, forty events asked for terabytes.
TEST(LimitsTest, FuzzFindingADoublingStateFailsAt64MiB) {
    const AggregateDefinition definition = parse_aggregate_definition(
        json(R"({"on": {"E": [{"set": "a", "state": ""}, {"append": "l", "state": "a"}]}})"));
    Value state = definition.initial;
    StateSize size(state);
    const DataEvent event(Value::object());
    int applied = 0;
    const Error error = capture_error([&] {
        for (; applied < 40; ++applied) apply_event(definition.program, "agg", state, event, size);
    });
    EXPECT_EQ(error.kind(), ErrorKind::FoldFailed);
    EXPECT_TRUE(Contains(error.what(), "the state would grow beyond 64 MiB"));
    EXPECT_LT(applied, 20);
}

// Writes that replace do not add up: the bound is measured again when it passes the limit.
TEST(LimitsTest, ReplacingWritesNeverReachTheSizeLimit) {
    const AggregateDefinition definition =
        parse_aggregate_definition(json(R"({"on": {"E": [{"set": "d", "from": ""}]}})"));
    Value state = definition.initial;
    StateSize size(state);
    const DataEvent event(Value(Object{{"s", Value(std::string(1024 * 1024, 'x'))}}));
    for (int i = 0; i < 200; ++i) apply_event(definition.program, "agg", state, event, size);
    EXPECT_EQ(state.find("d")->find("s")->as_string().size(), 1024u * 1024u);
}

// Found by the event JSON fuzzer (as a slow input): 1e99999 is 7 bytes of JSON and 100,000
// digits once parsed; the parser stops at kMaxValueBytes.
TEST(LimitsTest, FuzzFindingShortNumbersWithHugeExpansionsAreBounded) {
    std::string text = "[";
    for (int i = 0; i < 1000; ++i) text += i == 0 ? "1e99999" : ",1e99999";
    text += "]";
    const Error error = capture_error([&] { parse_json_text(text, ErrorKind::InvalidEventData); });
    EXPECT_EQ(error.kind(), ErrorKind::InvalidEventData);
    EXPECT_TRUE(Contains(error.what(), "more than 64 MiB once parsed"));
    EXPECT_NO_THROW(parse_json_text("[1e99999, 1e99999]", ErrorKind::InvalidEventData));
}

}  // namespace
