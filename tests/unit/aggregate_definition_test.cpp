// Unit tests for include/chronicle/core/aggregate_definition.hpp: the define-time parser of
// the declarative aggregate language and the argument checks of define_aggregate.
#include "test_support.hpp"
#include "chronicle/core/aggregate_definition.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chronicle/core/aggregate_program.hpp"
#include "chronicle/core/error.hpp"
#include "chronicle/core/json_value.hpp"
#include "json_text.hpp"

namespace {

using chronicle::test::capture_error;
using chronicle::test::Contains;
using chronicle::test::StartsWith;

using chronicle::AggregateDefinition;
using chronicle::AggregateProgram;
using chronicle::Condition;
using chronicle::Error;
using chronicle::ErrorKind;
using chronicle::EventField;
using chronicle::kMaxAggregateNameBytes;
using chronicle::Operation;
using chronicle::OperationKind;
using chronicle::OperationList;
using chronicle::parse_aggregate_definition;
using chronicle::parse_json_text;
using chronicle::path_text;
using chronicle::Source;
using chronicle::to_json_text;
using chronicle::validate_aggregate_category;
using chronicle::validate_aggregate_name;
using chronicle::validate_snapshot_every;
using chronicle::Value;

constexpr const char* kPrefix = "invalid aggregate definition: ";

Value json(std::string_view text) {
    return parse_json_text(text, ErrorKind::Internal);
}

AggregateDefinition parse(std::string_view text) {
    return parse_aggregate_definition(json(text));
}

// A definition {"on": {"E": [<op>]}} with `initial`, compiled; its one operation.
Operation single_op(std::string_view op, std::string_view initial = "{}") {
    const AggregateDefinition d = parse(R"({"initial": )" + std::string(initial) +
                                        R"(, "on": {"E": [)" + std::string(op) + "]}}");
    const OperationList* list = d.program.operations_for("E");
    EXPECT_NE(list, nullptr);
    if (!list || list->operations.size() != 1) {
        ADD_FAILURE() << "expected one operation";
        return Operation{};
    }
    return list->operations.front();
}

// The definition `text` must be rejected with InvalidAggregateDefinition, its message starting
// with kPrefix + `where` and containing `what`.
::testing::AssertionResult Rejected(std::string_view text, const std::string& where,
                                    const std::string& what) {
    Value definition;
    try {
        definition = json(text);
    } catch (const Error& e) {
        return ::testing::AssertionFailure() << "test bug: not JSON: " << text << ": " << e.what();
    }
    try {
        parse_aggregate_definition(definition);
    } catch (const Error& e) {
        const std::string message = e.what();
        if (e.kind() != ErrorKind::InvalidAggregateDefinition) {
            return ::testing::AssertionFailure()
                   << "wrong kind " << chronicle::sqlstate_of(e.kind()) << ": " << message;
        }
        const std::string prefix = kPrefix + where;
        if (message.compare(0, prefix.size(), prefix) != 0) {
            return ::testing::AssertionFailure()
                   << "\"" << message << "\" does not start with \"" << prefix << "\"";
        }
        if (message.find(what, prefix.size()) == std::string::npos) {
            return ::testing::AssertionFailure()
                   << "\"" << message << "\" does not contain \"" << what << "\" after the where";
        }
        return ::testing::AssertionSuccess();
    } catch (const std::exception& e) {
        return ::testing::AssertionFailure() << "not a chronicle::Error: " << e.what();
    }
    return ::testing::AssertionFailure() << "accepted: " << text;
}

// An operation inside {"initial": initial, "on": {"E": [op]}} must be rejected.
::testing::AssertionResult OpRejected(std::string_view op, const std::string& where,
                                      const std::string& what, std::string_view initial = "{}") {
    return Rejected(
        R"({"initial": )" + std::string(initial) + R"(, "on": {"E": [)" + std::string(op) + "]}}",
        where, what);
}

// `where` for the first operation of "E" named `op`.
std::string at_op(const char* op) {
    return std::string(R"(operation 1 for "E" ()") + op + "): ";
}

// --- the two forms ----------------------------------------------------------------------------

TEST(AggregateDefinitionTest, ReducerForm) {
    const AggregateDefinition d =
        parse(R"({"initial": {"total": 0}, "reducer": "myschema.apply_order"})");
    ASSERT_TRUE(d.reducer.has_value());
    EXPECT_EQ(*d.reducer, "myschema.apply_order");
    EXPECT_EQ(to_json_text(d.initial), R"({"total":0})");
    EXPECT_TRUE(d.program.on.empty());
    EXPECT_FALSE(d.program.fallback.has_value());
    EXPECT_FALSE(d.program.reads_metadata);
    EXPECT_EQ(d.program.operations_for("Anything"), nullptr);
}

TEST(AggregateDefinitionTest, ReducerNameIsKeptAsWritten) {
    EXPECT_EQ(*parse(R"({"reducer": "apply"})").reducer, "apply");
    EXPECT_EQ(*parse(R"({"reducer": "\"My Schema\".\"Apply\""})").reducer,
              R"("My Schema"."Apply")");
}

TEST(AggregateDefinitionTest, InitialDefaultsToAnEmptyObject) {
    EXPECT_EQ(to_json_text(parse(R"({"reducer": "f"})").initial), "{}");
    EXPECT_EQ(to_json_text(parse(R"({"on": {}})").initial), "{}");
}

TEST(AggregateDefinitionTest, InitialMayBeAnyJson) {
    EXPECT_EQ(to_json_text(parse(R"({"initial": [], "on": {}})").initial), "[]");
    EXPECT_EQ(to_json_text(parse(R"({"initial": 0, "on": {}})").initial), "0");
    EXPECT_EQ(to_json_text(parse(R"({"initial": null, "on": {}})").initial), "null");
    EXPECT_EQ(to_json_text(parse(R"({"initial": {"a": [1, 2.50, "x"]}, "on": {}})").initial),
              R"({"a":[1,2.50,"x"]})");
}

TEST(AggregateDefinitionTest, DeclarativeForm) {
    const AggregateDefinition d = parse(R"({
        "initial": {"status": "NEW", "items": [], "total": 0},
        "on": {
            "OrderCreated": [{"set": "status", "value": "OPEN"}],
            "ItemAdded": [{"append": "items", "from": ""}, {"add": "total", "from": "price"}],
            "Nothing": []
        }})");
    EXPECT_FALSE(d.reducer.has_value());
    EXPECT_EQ(d.program.on.size(), 3u);
    EXPECT_FALSE(d.program.fallback.has_value());
    EXPECT_FALSE(d.program.reads_metadata);

    const OperationList* created = d.program.operations_for("OrderCreated");
    ASSERT_NE(created, nullptr);
    EXPECT_EQ(created->event_type, "OrderCreated");
    ASSERT_EQ(created->operations.size(), 1u);

    const OperationList* added = d.program.operations_for("ItemAdded");
    ASSERT_NE(added, nullptr);
    ASSERT_EQ(added->operations.size(), 2u);
    EXPECT_EQ(added->operations[0].kind, OperationKind::Append);
    EXPECT_EQ(added->operations[0].number, 1u);
    EXPECT_EQ(added->operations[1].kind, OperationKind::Add);
    EXPECT_EQ(added->operations[1].number, 2u);

    const OperationList* nothing = d.program.operations_for("Nothing");
    ASSERT_NE(nothing, nullptr);
    EXPECT_TRUE(nothing->operations.empty());

    EXPECT_EQ(d.program.operations_for("Unknown"), nullptr);
    EXPECT_EQ(d.program.operations_for("orderCreated"), nullptr);  // types are case-sensitive
    EXPECT_EQ(d.program.operations_for("*"), nullptr);
}

TEST(AggregateDefinitionTest, EmptyOnIsAccepted) {
    const AggregateDefinition d = parse(R"({"initial": {}, "on": {}})");
    EXPECT_TRUE(d.program.on.empty());
    EXPECT_FALSE(d.program.fallback.has_value());
    EXPECT_EQ(d.program.operations_for("E"), nullptr);
}

TEST(AggregateDefinitionTest, FallbackList) {
    const AggregateDefinition d = parse(R"({"on": {
        "*": [{"count": "other"}],
        "Known": [{"count": "known"}]}})");
    ASSERT_TRUE(d.program.fallback.has_value());
    EXPECT_EQ(d.program.fallback->event_type, "*");
    EXPECT_EQ(d.program.on.count("*"), 0u);
    EXPECT_EQ(d.program.on.size(), 1u);

    const OperationList* known = d.program.operations_for("Known");
    ASSERT_NE(known, nullptr);
    EXPECT_EQ(known->event_type, "Known");
    EXPECT_EQ(d.program.operations_for("Other"), &*d.program.fallback);
    EXPECT_EQ(d.program.operations_for(""), &*d.program.fallback);
    EXPECT_EQ(d.program.operations_for("*"), &*d.program.fallback);
}

TEST(AggregateDefinitionTest, EventTypesAreAnyValidType) {
    const std::string longest(255, 't');
    const AggregateDefinition d = parse(R"({"on": {"with space": [], "dotted.Type": [],
        "Bestellung-geändert": [], ")" + longest +
                                        R"(": []}})");
    EXPECT_NE(d.program.operations_for("with space"), nullptr);
    EXPECT_NE(d.program.operations_for("dotted.Type"), nullptr);
    EXPECT_NE(d.program.operations_for("Bestellung-geändert"), nullptr);
    EXPECT_NE(d.program.operations_for(longest), nullptr);
}

TEST(AggregateDefinitionTest, KeysOfAnOperationInAnyOrder) {
    const Operation a =
        single_op(R"({"value": 1, "if": {"from": "x", "exists": true}, "set": "a"})");
    EXPECT_EQ(a.kind, OperationKind::Set);
    EXPECT_EQ(a.target_text, R"("a")");
    EXPECT_EQ(a.conditions.size(), 1u);
    const Operation b =
        single_op(R"({"key": {"from": "k"}, "from": "v", "put": "m", "default": 0})");
    EXPECT_EQ(b.kind, OperationKind::Put);
    ASSERT_TRUE(b.fallback);
    EXPECT_EQ(*b.fallback, Value(0));
}

// --- every operation --------------------------------------------------------------------------

TEST(AggregateDefinitionTest, EveryOperationName) {
    const std::vector<std::pair<std::string, OperationKind>> ops = {
        {R"({"set": "a", "value": 1})", OperationKind::Set},
        {R"({"unset": "a"})", OperationKind::Unset},
        {R"({"merge": "a", "from": "patch"})", OperationKind::Merge},
        {R"({"append": "a", "from": "x"})", OperationKind::Append},
        {R"({"add": "a", "value": 1})", OperationKind::Add},
        {R"({"subtract": "a", "value": 1})", OperationKind::Subtract},
        {R"({"count": "a"})", OperationKind::Count},
        {R"({"min": "a", "from": "x"})", OperationKind::Min},
        {R"({"max": "a", "from": "x"})", OperationKind::Max},
        {R"({"put": "a", "key": {"from": "k"}, "value": 1})", OperationKind::Put},
        {R"({"remove": "a", "key": {"from": "k"}})", OperationKind::Remove},
    };
    for (const auto& [text, kind] : ops) {
        const Operation op = single_op(text);
        EXPECT_EQ(op.kind, kind) << text;
        EXPECT_EQ(op.number, 1u) << text;
        EXPECT_EQ(op.target_text, R"("a")") << text;  // as written, as JSON
        ASSERT_EQ(op.target.size(), 1u) << text;
        EXPECT_EQ(op.target[0].fixed.key, "a");
        EXPECT_FALSE(op.target[0].key.has_value());
        const bool takes_value = kind != OperationKind::Unset && kind != OperationKind::Count &&
                                 kind != OperationKind::Remove;
        EXPECT_EQ(op.value.has_value(), takes_value) << text;
        const bool takes_key = kind == OperationKind::Put || kind == OperationKind::Remove;
        EXPECT_EQ(op.key.has_value(), takes_key) << text;
        EXPECT_FALSE(op.fallback.has_value()) << text;
        EXPECT_TRUE(op.conditions.empty()) << text;
    }
}

TEST(AggregateDefinitionTest, OperationNames) {
    EXPECT_STREQ(chronicle::operation_name(OperationKind::Set), "set");
    EXPECT_STREQ(chronicle::operation_name(OperationKind::Unset), "unset");
    EXPECT_STREQ(chronicle::operation_name(OperationKind::Merge), "merge");
    EXPECT_STREQ(chronicle::operation_name(OperationKind::Append), "append");
    EXPECT_STREQ(chronicle::operation_name(OperationKind::Add), "add");
    EXPECT_STREQ(chronicle::operation_name(OperationKind::Subtract), "subtract");
    EXPECT_STREQ(chronicle::operation_name(OperationKind::Count), "count");
    EXPECT_STREQ(chronicle::operation_name(OperationKind::Min), "min");
    EXPECT_STREQ(chronicle::operation_name(OperationKind::Max), "max");
    EXPECT_STREQ(chronicle::operation_name(OperationKind::Put), "put");
    EXPECT_STREQ(chronicle::operation_name(OperationKind::Remove), "remove");
    EXPECT_STREQ(chronicle::operation_name(static_cast<OperationKind>(99)), "?");
}

TEST(AggregateDefinitionTest, OperationsAreNumberedFromOnePerList) {
    const AggregateDefinition d = parse(R"({"on": {
        "A": [{"count": "a"}, {"count": "b"}, {"count": "c"}],
        "B": [{"count": "d"}]}})");
    const auto& a = d.program.operations_for("A")->operations;
    ASSERT_EQ(a.size(), 3u);
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].number, i + 1);
    EXPECT_EQ(a[0].target_text, R"("a")");
    EXPECT_EQ(a[2].target_text, R"("c")");
    EXPECT_EQ(d.program.operations_for("B")->operations[0].number, 1u);
}

// --- sources ----------------------------------------------------------------------------------

TEST(AggregateDefinitionTest, LiteralSourcesOfEveryKind) {
    for (const char* literal : {"null", "true", "false", "0", "-12.340", "1e3", R"("text")", "[]",
                                R"([1, "a"])", "{}", R"({"nested": {"x": [null]}})"}) {
        const Operation op = single_op(R"({"set": "a", "value": )" + std::string(literal) + "}");
        ASSERT_TRUE(op.value) << literal;
        EXPECT_EQ(op.value->kind, Source::Kind::Literal) << literal;
        EXPECT_EQ(op.value->literal, json(literal)) << literal;
        EXPECT_EQ(op.value->text, "value " + to_json_text(json(literal))) << literal;
    }
}

TEST(AggregateDefinitionTest, DataSources) {
    Operation op = single_op(R"({"set": "a", "from": "item.price"})");
    EXPECT_EQ(op.value->kind, Source::Kind::Data);
    EXPECT_EQ(path_text(op.value->path), "item.price");
    EXPECT_EQ(op.value->text, R"(from "item.price")");

    op = single_op(R"({"set": "a", "from": ""})");  // the whole data
    EXPECT_EQ(op.value->kind, Source::Kind::Data);
    EXPECT_TRUE(op.value->path.empty());

    op = single_op(R"({"set": "a", "from": ["odd.key", "price", 0, -1, "3"]})");
    EXPECT_EQ(op.value->kind, Source::Kind::Data);
    ASSERT_EQ(op.value->path.size(), 5u);
    EXPECT_EQ(op.value->path[0].key, "odd.key");
    EXPECT_FALSE(op.value->path[0].index);
    EXPECT_EQ(op.value->path[2].key, "0");
    EXPECT_EQ(op.value->path[2].index, 0);
    EXPECT_EQ(op.value->path[3].key, "-1");
    EXPECT_EQ(op.value->path[3].index, -1);
    EXPECT_EQ(op.value->path[4].index, 3);
    EXPECT_EQ(op.value->text, R"(from ["odd.key","price",0,-1,"3"])");

    op = single_op(R"({"set": "a", "from": []})");
    EXPECT_TRUE(op.value->path.empty());

    op = single_op(R"({"set": "a", "from": [2.0, ""]})");  // 2.0 is the integer 2
    ASSERT_EQ(op.value->path.size(), 2u);
    EXPECT_EQ(op.value->path[0].key, "2");
    EXPECT_EQ(op.value->path[0].index, 2);
    EXPECT_EQ(op.value->path[1].key, "");
}

TEST(AggregateDefinitionTest, StateSources) {
    Operation op = single_op(R"({"set": "a", "state": "totals.net"})");
    EXPECT_EQ(op.value->kind, Source::Kind::State);
    EXPECT_EQ(path_text(op.value->path), "totals.net");
    EXPECT_EQ(op.value->text, R"(state "totals.net")");

    op = single_op(R"({"set": "a", "state": ""})");
    EXPECT_EQ(op.value->kind, Source::Kind::State);
    EXPECT_TRUE(op.value->path.empty());

    op = single_op(R"({"set": "a", "state": ["x.y", -1]})");
    ASSERT_EQ(op.value->path.size(), 2u);
    EXPECT_EQ(op.value->path[0].key, "x.y");
    EXPECT_EQ(op.value->path[1].index, -1);
}

TEST(AggregateDefinitionTest, EventFieldSources) {
    const std::vector<std::pair<std::string, EventField>> fields = {
        {"type", EventField::Type},       {"stream", EventField::Stream},
        {"version", EventField::Version}, {"position", EventField::Position},
        {"id", EventField::Id},           {"recorded_at", EventField::RecordedAt},
    };
    for (const auto& [name, field] : fields) {
        const Operation op = single_op(R"({"set": "a", "event": ")" + name + R"("})");
        ASSERT_TRUE(op.value);
        EXPECT_EQ(op.value->kind, Source::Kind::Event) << name;
        EXPECT_EQ(op.value->field, field) << name;
        EXPECT_EQ(op.value->text, "event \"" + name + "\"");
    }
}

TEST(AggregateDefinitionTest, MetadataSources) {
    Operation op = single_op(R"({"set": "a", "event": "metadata"})");
    EXPECT_EQ(op.value->kind, Source::Kind::Metadata);
    EXPECT_TRUE(op.value->path.empty());
    EXPECT_EQ(op.value->text, R"(event "metadata")");

    op = single_op(R"({"set": "a", "event": "metadata.user.id"})");
    EXPECT_EQ(op.value->kind, Source::Kind::Metadata);
    EXPECT_EQ(path_text(op.value->path), "user.id");
    EXPECT_EQ(op.value->text, R"(event "metadata.user.id")");

    op = single_op(R"({"set": "a", "event": "metadata.tags.-1"})");
    ASSERT_EQ(op.value->path.size(), 2u);
    EXPECT_EQ(op.value->path[1].index, -1);
}

TEST(AggregateDefinitionTest, ReadsMetadataIsSetWhereverMetadataIsRead) {
    EXPECT_FALSE(parse(R"({"on": {"E": [{"set": "a", "from": "metadata"}]}})")
                     .program.reads_metadata);  // "from" reads the data
    EXPECT_FALSE(parse(R"({"on": {"E": [{"set": "a", "event": "type"},
        {"set": "b", "state": "metadata"}]}})")
                     .program.reads_metadata);
    // As a value, a key, a condition, a dynamic path segment; in a list or the fallback.
    for (const char* on : {
             R"({"E": [{"set": "a", "event": "metadata"}]})",
             R"({"E": [{"count": "a"}, {"set": "a", "event": "metadata.user"}]})",
             R"({"E": [{"put": "m", "key": {"event": "metadata.k"}, "value": 1}]})",
             R"({"E": [{"remove": "m", "key": {"event": "metadata.k"}}]})",
             R"({"E": [{"count": "n", "if": {"event": "metadata.flag", "exists": true}}]})",
             R"({"E": [{"count": "n", "if": [{"from": "x", "exists": true},
                                            {"event": "metadata", "exists": true}]}]})",
             R"({"E": [{"count": ["by", {"event": "metadata.user"}]}]})",
             R"({"A": [], "*": [{"set": "a", "event": "metadata"}]})",
             R"({"*": [], "Z": [{"set": "a", "event": "metadata"}]})",
         }) {
        EXPECT_TRUE(parse(R"({"on": )" + std::string(on) + "}").program.reads_metadata) << on;
    }
}

TEST(AggregateDefinitionTest, DefaultForValuesReadFromTheEventOrTheState) {
    Operation op = single_op(R"({"add": "a", "from": "amount", "default": 0})");
    ASSERT_TRUE(op.fallback);
    EXPECT_EQ(*op.fallback, Value(0));
    op = single_op(R"({"set": "a", "state": "b", "default": {"x": [1]}})");
    ASSERT_TRUE(op.fallback);
    EXPECT_EQ(to_json_text(*op.fallback), R"({"x":[1]})");
    op = single_op(R"({"set": "a", "event": "metadata.user", "default": null})");
    ASSERT_TRUE(op.fallback);
    EXPECT_TRUE(op.fallback->is_null());
    op = single_op(R"({"min": "a", "from": "x", "default": "zzz"})");
    EXPECT_EQ(*op.fallback, Value("zzz"));
    op = single_op(R"({"max": "a", "from": "x", "default": -1.5})");
    EXPECT_EQ(op.fallback->as_number().text(), "-1.5");
    op = single_op(R"({"subtract": "a", "state": "x", "default": 2})");
    EXPECT_EQ(*op.fallback, Value(2));
    op = single_op(R"({"put": "m", "key": {"from": "k"}, "from": "v", "default": false})");
    EXPECT_EQ(*op.fallback, Value(false));
    op = single_op(R"({"append": "l", "from": "v", "default": []})");
    EXPECT_TRUE(op.fallback->is_array());
    op = single_op(R"({"merge": "m", "from": "v", "default": {}})");
    EXPECT_TRUE(op.fallback->is_object());
}

// --- numbers and strings the operations accept ------------------------------------------------

TEST(AggregateDefinitionTest, AddAndSubtractTakeNumbers) {
    for (const char* op : {"add", "subtract"}) {
        const std::string o = op;
        EXPECT_NO_THROW(single_op(R"({")" + o + R"(": "n", "value": 19.99})"));
        EXPECT_NO_THROW(single_op(R"({")" + o + R"(": "n", "value": -1})"));
        EXPECT_NO_THROW(single_op(R"({")" + o + R"(": "n", "from": "amount"})"));
        EXPECT_NO_THROW(single_op(R"({")" + o + R"(": "n", "state": "other"})"));
        EXPECT_NO_THROW(single_op(R"({")" + o + R"(": "n", "event": "version"})"));
        EXPECT_NO_THROW(single_op(R"({")" + o + R"(": "n", "event": "position"})"));
        EXPECT_NO_THROW(single_op(R"({")" + o + R"(": "n", "event": "metadata.amount"})"));
    }
}

TEST(AggregateDefinitionTest, MinAndMaxTakeNumbersAndStrings) {
    for (const char* op : {"min", "max"}) {
        const std::string o = op;
        for (const char* source :
             {R"("value": 5)", R"("value": "2026-01-01")", R"("from": "x")", R"("state": "y")",
              R"("event": "version")", R"("event": "position")", R"("event": "recorded_at")",
              R"("event": "type")", R"("event": "stream")", R"("event": "id")",
              R"("event": "metadata.at")"}) {
            EXPECT_NO_THROW(single_op(R"({")" + o + R"(": "m", )" + source + "}")) << source;
        }
    }
}

TEST(AggregateDefinitionTest, PutAndRemoveKeys) {
    Operation op = single_op(R"({"put": "bySku", "key": {"from": "sku"}, "from": ""})");
    ASSERT_TRUE(op.key);
    EXPECT_EQ(op.key->kind, Source::Kind::Data);
    EXPECT_EQ(path_text(op.key->path), "sku");

    op = single_op(R"({"put": "m", "key": {"event": "version"}, "value": true})");
    EXPECT_EQ(op.key->kind, Source::Kind::Event);
    EXPECT_EQ(op.key->field, EventField::Version);

    op = single_op(R"({"put": "m", "key": {"event": "metadata.user"}, "value": true})");
    EXPECT_EQ(op.key->kind, Source::Kind::Metadata);

    op = single_op(R"({"put": "m", "key": {"state": "current"}, "value": true})");
    EXPECT_EQ(op.key->kind, Source::Kind::State);

    op = single_op(R"({"put": "m", "key": {"value": "fixed"}, "value": true})");
    EXPECT_EQ(op.key->kind, Source::Kind::Literal);
    EXPECT_EQ(op.key->literal, Value("fixed"));

    op = single_op(R"({"put": "m", "key": {"value": 42}, "value": true})");
    EXPECT_EQ(op.key->literal, Value(42));

    op = single_op(R"({"remove": "bySku", "key": {"from": "sku"}})");
    EXPECT_EQ(op.kind, OperationKind::Remove);
    EXPECT_EQ(op.key->kind, Source::Kind::Data);
    EXPECT_FALSE(op.value);

    op = single_op(R"({"remove": "m", "key": {"value": "x"}})");
    EXPECT_EQ(op.key->kind, Source::Kind::Literal);
}

// --- targets ----------------------------------------------------------------------------------

TEST(AggregateDefinitionTest, DottedTargets) {
    const Operation op = single_op(R"({"set": "lines.-1.sku", "value": "A"})");
    ASSERT_EQ(op.target.size(), 3u);
    EXPECT_EQ(op.target[0].fixed.key, "lines");
    EXPECT_FALSE(op.target[0].fixed.index);
    EXPECT_EQ(op.target[1].fixed.key, "-1");
    EXPECT_EQ(op.target[1].fixed.index, -1);
    EXPECT_EQ(op.target[2].fixed.key, "sku");
    EXPECT_EQ(op.target_text, R"("lines.-1.sku")");
}

TEST(AggregateDefinitionTest, ArrayTargets) {
    const Operation op = single_op(R"({"set": ["odd.key", 0, "-2", "x"], "value": 1})");
    ASSERT_EQ(op.target.size(), 4u);
    EXPECT_EQ(op.target[0].fixed.key, "odd.key");
    EXPECT_FALSE(op.target[0].fixed.index);
    EXPECT_EQ(op.target[1].fixed.key, "0");
    EXPECT_EQ(op.target[1].fixed.index, 0);
    EXPECT_EQ(op.target[2].fixed.index, -2);
    EXPECT_EQ(op.target[3].fixed.key, "x");
    for (const auto& segment : op.target) EXPECT_FALSE(segment.key);
    EXPECT_EQ(op.target_text, R"(["odd.key",0,"-2","x"])");
}

TEST(AggregateDefinitionTest, DynamicTargetSegments) {
    const Operation op = single_op(R"({"add": ["lines", {"from": "sku"}, "qty"], "from": "qty"})");
    ASSERT_EQ(op.target.size(), 3u);
    EXPECT_FALSE(op.target[0].key);
    EXPECT_EQ(op.target[0].fixed.key, "lines");
    ASSERT_TRUE(op.target[1].key);
    EXPECT_EQ(op.target[1].key->kind, Source::Kind::Data);
    EXPECT_EQ(path_text(op.target[1].key->path), "sku");
    EXPECT_FALSE(op.target[2].key);
    EXPECT_EQ(op.target_text, R"(["lines",{"from":"sku"},"qty"])");

    const Operation by_event = single_op(R"({"set": [{"event": "version"}], "value": 1})");
    ASSERT_EQ(by_event.target.size(), 1u);
    EXPECT_EQ(by_event.target[0].key->kind, Source::Kind::Event);
    EXPECT_EQ(by_event.target[0].key->field, EventField::Version);

    const Operation by_state = single_op(R"({"unset": ["m", {"state": "current"}]})");
    EXPECT_EQ(by_state.target[1].key->kind, Source::Kind::State);

    const Operation by_metadata = single_op(R"({"count": [{"event": "metadata.user"}]})");
    EXPECT_EQ(by_metadata.target[0].key->kind, Source::Kind::Metadata);
}

TEST(AggregateDefinitionTest, WholeStateTargets) {
    // Every operation but unset may work on the whole state.
    EXPECT_TRUE(single_op(R"({"set": "", "from": ""})").target.empty());
    EXPECT_TRUE(single_op(R"({"set": [], "value": {}})").target.empty());
    EXPECT_TRUE(single_op(R"({"merge": "", "from": ""})").target.empty());
    EXPECT_TRUE(single_op(R"({"put": "", "key": {"from": "k"}, "value": 1})").target.empty());
    EXPECT_TRUE(single_op(R"({"remove": "", "key": {"from": "k"}})").target.empty());
    EXPECT_TRUE(single_op(R"({"append": "", "value": 1})", "[]").target.empty());
    EXPECT_TRUE(single_op(R"({"count": ""})", "0").target.empty());
    EXPECT_TRUE(single_op(R"({"add": "", "value": 1})", "null").target.empty());
    EXPECT_TRUE(single_op(R"({"max": "", "value": 1})", "5").target.empty());
    EXPECT_EQ(single_op(R"({"set": "", "from": ""})").target_text, R"("")");
    EXPECT_EQ(single_op(R"({"set": [], "from": ""})").target_text, "[]");
}

// --- conditions -------------------------------------------------------------------------------

TEST(AggregateDefinitionTest, OneCondition) {
    const Operation op = single_op(R"({"count": "big", "if": {"from": "amount", "gt": 100}})");
    ASSERT_EQ(op.conditions.size(), 1u);
    const Condition& c = op.conditions[0];
    EXPECT_EQ(c.source.kind, Source::Kind::Data);
    EXPECT_EQ(path_text(c.source.path), "amount");
    EXPECT_EQ(c.test, Condition::Test::Gt);
    EXPECT_EQ(c.operand, Value(100));
}

TEST(AggregateDefinitionTest, EveryTest) {
    const std::vector<std::pair<std::string, Condition::Test>> tests = {
        {"eq", Condition::Test::Eq}, {"ne", Condition::Test::Ne}, {"lt", Condition::Test::Lt},
        {"le", Condition::Test::Le}, {"gt", Condition::Test::Gt}, {"ge", Condition::Test::Ge},
    };
    for (const auto& [name, test] : tests) {
        for (const char* operand : {"1", "-2.5", R"("text")"}) {
            const Operation op = single_op(R"({"count": "n", "if": {"from": "x", ")" + name +
                                           R"(": )" + operand + "}}");
            ASSERT_EQ(op.conditions.size(), 1u);
            EXPECT_EQ(op.conditions[0].test, test) << name;
            EXPECT_EQ(op.conditions[0].operand, json(operand)) << name;
        }
    }
    const Operation exists = single_op(R"({"count": "n", "if": {"from": "x", "exists": true}})");
    EXPECT_EQ(exists.conditions[0].test, Condition::Test::Exists);
    EXPECT_EQ(exists.conditions[0].operand, Value(true));
    const Operation missing = single_op(R"({"count": "n", "if": {"from": "x", "exists": false}})");
    EXPECT_EQ(missing.conditions[0].operand, Value(false));
}

TEST(AggregateDefinitionTest, EqualityComparesWithAnyJson) {
    for (const char* operand : {"null", "true", "[1, 2]", R"({"a": 1})", R"("s")", "0"}) {
        for (const char* test : {"eq", "ne"}) {
            const Operation op = single_op(R"({"count": "n", "if": {"from": "x", ")" +
                                           std::string(test) + R"(": )" + operand + "}}");
            EXPECT_EQ(op.conditions[0].operand, json(operand)) << operand;
        }
    }
}

TEST(AggregateDefinitionTest, ListOfConditionsAndEverySource) {
    const Operation op = single_op(R"({"set": "a", "value": 1, "if": [
        {"from": "x", "exists": true},
        {"state": "status", "eq": "OPEN"},
        {"event": "version", "ge": 2},
        {"event": "metadata.user", "ne": "root"},
        {"event": "type", "lt": "Z"}]})");
    ASSERT_EQ(op.conditions.size(), 5u);
    EXPECT_EQ(op.conditions[0].source.kind, Source::Kind::Data);
    EXPECT_EQ(op.conditions[1].source.kind, Source::Kind::State);
    EXPECT_EQ(op.conditions[2].source.kind, Source::Kind::Event);
    EXPECT_EQ(op.conditions[2].source.field, EventField::Version);
    EXPECT_EQ(op.conditions[3].source.kind, Source::Kind::Metadata);
    EXPECT_EQ(op.conditions[4].source.field, EventField::Type);
    EXPECT_EQ(op.conditions[4].test, Condition::Test::Lt);
}

TEST(AggregateDefinitionTest, EmptyListOfConditions) {
    EXPECT_TRUE(single_op(R"({"count": "n", "if": []})").conditions.empty());
}

// --- the initial state ------------------------------------------------------------------------

TEST(AggregateDefinitionTest, TargetsThatSuitTheInitialState) {
    const char* initial =
        R"({"n": 1, "s": "x", "l": [], "o": {}, "z": null, "deep": {"n": 2, "l": [{"n": 3}]}})";
    for (const char* op : {
             R"({"add": "n", "value": 1})",
             R"({"subtract": "n", "value": 1})",
             R"({"count": "n"})",
             R"({"min": "n", "value": 0})",
             R"({"max": "s", "value": "y"})",
             R"({"max": "s", "value": 1})" /* checked when folding: the value may be a string */,
             R"({"append": "l", "value": 1})",
             R"({"put": "o", "key": {"from": "k"}, "value": 1})",
             R"({"remove": "o", "key": {"from": "k"}})",
             R"({"add": "deep.n", "value": 1})",
             R"({"add": "deep.l.0.n", "value": 1})",
             R"({"add": "deep.l.-1.n", "value": 1})",
             // null and missing members are created as the operation needs
             R"({"add": "z", "value": 1})",
             R"({"append": "z", "value": 1})",
             R"({"put": "z", "key": {"from": "k"}, "value": 1})",
             R"({"count": "new"})",
             R"({"append": "z.deeper.l", "value": 1})",
             R"({"append": "o.new.l", "value": 1})",
             R"({"min": "z", "value": "a"})",
             R"({"remove": "gone", "key": {"from": "k"}})",
             // set, unset and merge work on anything
             R"({"set": "n", "value": "now a string"})",
             R"({"set": "l", "value": {}})",
             R"({"unset": "n"})",
             R"({"unset": "l.0"})",
             R"({"merge": "l", "from": "p"})",
             R"({"merge": "n", "from": "p"})",
             R"({"set": "", "value": 5})",
             // an index past the end: the array may have grown by then
             R"({"add": "deep.l.5.n", "value": 1})",
             // a dynamic segment stops the check: what it names depends on the event
             R"({"add": ["s", {"from": "k"}], "value": 1})",
             R"({"add": ["o", {"from": "k"}, "x"], "value": 1})",
         }) {
        EXPECT_NO_THROW(single_op(op, initial)) << op;
    }
}

// --- rejections: the definition as a whole ----------------------------------------------------

TEST(AggregateDefinitionRejectTest, NotAnObject) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"null", "null"},       {"true", "a boolean"}, {"1", "a number"},
        {R"("x")", "a string"}, {"[]", "an array"},    {R"([{"on": {}}])", "an array"},
    };
    for (const auto& [text, kind] : cases) {
        EXPECT_TRUE(Rejected(text, "", "the definition must be a JSON object, not " + kind));
    }
    const Error e = capture_error([] { parse("[]"); });
    EXPECT_EQ(e.what(),
              std::string(kPrefix) + "the definition must be a JSON object, not an array");
    EXPECT_TRUE(Contains(e.hint(), R"("reducer")"));
    EXPECT_TRUE(Contains(e.hint(), R"("on")"));
    EXPECT_TRUE(e.detail().empty());
}

TEST(AggregateDefinitionRejectTest, UnknownTopLevelKeys) {
    EXPECT_TRUE(Rejected(R"({"initial": {}, "on": {}, "snapshot_every": 10})", "",
                         R"(unknown key "snapshot_every")"));
    EXPECT_TRUE(Rejected(R"({"Initial": {}, "on": {}})", "", R"(unknown key "Initial")"));
    EXPECT_TRUE(Rejected(R"({"reducer": "f", "": 1})", "", R"(unknown key "")"));
    EXPECT_TRUE(Rejected(R"({"ops": {}})", "", R"(unknown key "ops")"));
    const Error e = capture_error([] { parse(R"({"on": {}, "of": {}})"); });
    EXPECT_EQ(e.what(), std::string(kPrefix) + R"(unknown key "of")");
    EXPECT_TRUE(Contains(e.hint(), R"("initial")"));
}

TEST(AggregateDefinitionRejectTest, OnAndReducerTogether) {
    EXPECT_TRUE(Rejected(R"({"initial": {}, "on": {}, "reducer": "f"})", "",
                         R"(a definition has "on" or "reducer", not both)"));
    EXPECT_TRUE(Rejected(R"({"on": {"E": []}, "reducer": "f"})", "", "not both"));
}

TEST(AggregateDefinitionRejectTest, NeitherOnNorReducer) {
    EXPECT_TRUE(Rejected("{}", "", R"(a definition needs "on")"));
    EXPECT_TRUE(Rejected(R"({"initial": {"n": 0}})", "", R"(or "reducer" (a function))"));
}

TEST(AggregateDefinitionRejectTest, BadReducer) {
    for (const char* reducer : {R"("")", "5", "null", "true", "{}", R"(["f"])"}) {
        EXPECT_TRUE(Rejected(R"({"reducer": )" + std::string(reducer) + "}", R"("reducer": )",
                             "expected the name of a function"))
            << reducer;
    }
}

TEST(AggregateDefinitionRejectTest, OnIsNotAnObject) {
    for (const char* on : {"[]", R"("E")", "null", "1", "true", R"([{"E": []}])"}) {
        EXPECT_TRUE(Rejected(R"({"on": )" + std::string(on) + "}", R"("on": )",
                             "expected an object of event types"))
            << on;
    }
}

TEST(AggregateDefinitionRejectTest, BadEventTypes) {
    EXPECT_TRUE(Rejected(R"({"on": {"": []}})", R"("on" "": )",
                         "not an event type: event type must not be empty"));
    const std::string too_long(256, 't');
    EXPECT_TRUE(Rejected(R"({"on": {")" + too_long + R"(": []}})", R"("on" ")" + too_long + "\": ",
                         "not an event type: event type is too long: 256 bytes"));
}

TEST(AggregateDefinitionRejectTest, ListIsNotAnArray) {
    for (const char* list : {"{}", "null", R"("set")", "1", R"({"set": "a", "value": 1})"}) {
        EXPECT_TRUE(Rejected(R"({"on": {"E": )" + std::string(list) + "}}", R"("on" "E": )",
                             "expected an array of operations"))
            << list;
    }
    EXPECT_TRUE(Rejected(R"({"on": {"*": {}}})", R"("on" "*": )", "expected an array"));
}

// --- rejections: operations -------------------------------------------------------------------

TEST(AggregateDefinitionRejectTest, OperationIsNotAnObject) {
    for (const char* op : {"5", "null", R"("set")", R"(["set", "a"])", "true"}) {
        EXPECT_TRUE(OpRejected(op, R"(operation 1 for "E": )", "an operation is an object")) << op;
    }
}

TEST(AggregateDefinitionRejectTest, EmptyOperation) {
    EXPECT_TRUE(OpRejected("{}", R"(operation 1 for "E": )", "empty operation"));
    const Error e = capture_error([] { parse(R"({"on": {"E": [{}]}})"); });
    EXPECT_EQ(e.hint(),
              "The operations are set, unset, merge, append, add, subtract, count, min, max, put, "
              "remove.");
}

TEST(AggregateDefinitionRejectTest, UnknownOperation) {
    EXPECT_TRUE(OpRejected(R"({"sett": "a", "value": 1})", R"(operation 1 for "E": )",
                           R"(unknown operation "sett")"));
    EXPECT_TRUE(OpRejected(R"({"increment": "a"})", R"(operation 1 for "E": )",
                           R"(unknown operation "increment")"));
    EXPECT_TRUE(OpRejected(R"({"SET": "a", "value": 1})", R"(operation 1 for "E": )",
                           R"(unknown operation "SET")"));
    const Error e = capture_error([] { parse(R"({"on": {"E": [{"push": "a"}]}})"); });
    EXPECT_TRUE(Contains(e.hint(), "set, unset, merge, append"));
}

TEST(AggregateDefinitionRejectTest, UnknownOperationNamesTheUnknownKey) {
    // The keys that an operation may have besides its name (value, from, if, ...) are not the
    // unknown operation: the message should name the key that is neither.
    EXPECT_TRUE(OpRejected(R"({"from": "x", "sett": "a"})", R"(operation 1 for "E": )",
                           R"(unknown operation "sett")"));
    EXPECT_TRUE(OpRejected(R"({"if": {"from": "x", "exists": true}, "incr": "a"})",
                           R"(operation 1 for "E": )", R"(unknown operation "incr")"));
}

TEST(AggregateDefinitionRejectTest, TwoOperations) {
    EXPECT_TRUE(OpRejected(R"({"set": "a", "add": "b", "value": 1})", R"(operation 1 for "E": )",
                           R"(an operation names one operation, not both "add" and "set")"));
    EXPECT_TRUE(OpRejected(R"({"count": "a", "unset": "b"})", R"(operation 1 for "E": )",
                           R"(not both "count" and "unset")"));
    EXPECT_TRUE(OpRejected(R"({"put": "a", "remove": "a", "key": {"from": "k"}})",
                           R"(operation 1 for "E": )", R"(not both "put" and "remove")"));
}

TEST(AggregateDefinitionRejectTest, WhereNamesTheOperationNumberAndTheList) {
    EXPECT_TRUE(Rejected(R"({"on": {"A": [], "B": [{"count": "n"}, {"count": "n"}, {"nope": 1}]}})",
                         R"(operation 3 for "B": )", R"(unknown operation "nope")"));
    EXPECT_TRUE(Rejected(R"({"on": {"*": [{"count": "n"}, {"add": "n", "value": "x"}]}})",
                         R"(operation 2 for "*" (add): )", R"(add needs a number)"));
    EXPECT_TRUE(Rejected(R"({"on": {"Order Paid": [{"set": "a"}]}})",
                         R"(operation 1 for "Order Paid" (set): )", "set needs a value"));
    // Event types are quoted as JSON strings.
    EXPECT_TRUE(Rejected(R"({"on": {"say \"hi\"": [{"set": "a"}]}})",
                         R"(operation 1 for "say \"hi\"" (set): )", "set needs a value"));
}

TEST(AggregateDefinitionRejectTest, MissingSource) {
    for (const char* op : {"set", "merge", "append", "add", "subtract", "min", "max"}) {
        const std::string o = op;
        EXPECT_TRUE(OpRejected(R"({")" + o + R"(": "a"})", at_op(op),
                               o + R"( needs a value: one of "value", "from", "event" or "state")"))
            << op;
        EXPECT_TRUE(
            OpRejected(R"({")" + o + R"(": "a", "default": 1})", at_op(op), o + " needs a value"))
            << op;
    }
    EXPECT_TRUE(
        OpRejected(R"({"put": "a", "key": {"from": "k"}})", at_op("put"), "put needs a value"));
}

TEST(AggregateDefinitionRejectTest, ExtraSource) {
    EXPECT_TRUE(OpRejected(R"({"unset": "a", "value": 1})", at_op("unset"),
                           R"(unset takes no value, but has "value")"));
    EXPECT_TRUE(OpRejected(R"({"count": "a", "from": "x"})", at_op("count"),
                           R"(count takes no value, but has "from")"));
    EXPECT_TRUE(OpRejected(R"({"remove": "a", "key": {"from": "k"}, "state": "x"})",
                           at_op("remove"), R"(remove takes no value, but has "state")"));
    EXPECT_TRUE(OpRejected(R"({"count": "a", "event": "version"})", at_op("count"),
                           R"(count takes no value, but has "event")"));
}

TEST(AggregateDefinitionRejectTest, TwoSources) {
    EXPECT_TRUE(OpRejected(R"({"set": "a", "value": 1, "from": "x"})", at_op("set"),
                           R"("from" and "value" cannot be used together)"));
    EXPECT_TRUE(OpRejected(R"({"set": "a", "event": "type", "state": "x"})", at_op("set"),
                           R"("event" and "state" cannot be used together)"));
    EXPECT_TRUE(OpRejected(R"({"unset": "a", "from": "x", "value": 1})", at_op("unset"),
                           "cannot be used together"));
}

TEST(AggregateDefinitionRejectTest, UnknownOperationKeys) {
    EXPECT_TRUE(OpRejected(R"({"set": "a", "value": 1, "when": {}})", at_op("set"),
                           R"(unknown key "when")"));
    EXPECT_TRUE(OpRejected(R"({"count": "a", "by": 2})", at_op("count"), R"(unknown key "by")"));
    EXPECT_TRUE(OpRejected(R"({"set": "a", "value": 1, "Default": 2})", at_op("set"),
                           R"(unknown key "Default")"));
    const Error e = capture_error([] { parse(R"({"on": {"E": [{"count": "a", "x": 1}]}})"); });
    EXPECT_TRUE(Contains(e.hint(), "optionally default, key (put and remove) and if"));
}

TEST(AggregateDefinitionRejectTest, KeyOnlyForPutAndRemove) {
    EXPECT_TRUE(OpRejected(R"({"set": "a", "value": 1, "key": {"from": "k"}})", at_op("set"),
                           R"(only put and remove take a "key")"));
    EXPECT_TRUE(OpRejected(R"({"count": "a", "key": {"from": "k"}})", at_op("count"),
                           R"(only put and remove take a "key")"));
    EXPECT_TRUE(OpRejected(R"({"unset": "a", "key": {"from": "k"}})", at_op("unset"),
                           R"(only put and remove take a "key")"));
    EXPECT_TRUE(OpRejected(R"({"append": "a", "value": 1, "key": {"from": "k"}})", at_op("append"),
                           R"(only put and remove take a "key")"));
}

TEST(AggregateDefinitionRejectTest, PutAndRemoveNeedAKey) {
    EXPECT_TRUE(OpRejected(R"({"put": "m", "value": 1})", at_op("put"),
                           R"(put needs a "key", such as {"from": "sku"})"));
    EXPECT_TRUE(OpRejected(R"({"remove": "m"})", at_op("remove"), R"(remove needs a "key")"));
}

TEST(AggregateDefinitionRejectTest, BadKeys) {
    const std::string where = R"(operation 1 for "E" (put), key: )";
    EXPECT_TRUE(OpRejected(R"({"put": "m", "value": 1, "key": "sku"})", where,
                           R"(expected an object such as {"from": "sku"}, not "sku")"));
    EXPECT_TRUE(OpRejected(R"({"put": "m", "value": 1, "key": null})", where,
                           "expected an object such as"));
    EXPECT_TRUE(OpRejected(R"({"put": "m", "value": 1, "key": ["sku"]})", where,
                           "expected an object such as"));
    EXPECT_TRUE(OpRejected(R"({"put": "m", "value": 1, "key": {}})", where,
                           R"(expected one of "value", "from", "event" or "state")"));
    EXPECT_TRUE(OpRejected(R"({"put": "m", "value": 1, "key": {"from": "a", "state": "b"}})", where,
                           R"("from" and "state" cannot be used together)"));
    EXPECT_TRUE(OpRejected(R"({"put": "m", "value": 1, "key": {"from": "a", "default": "x"}})",
                           where, R"(unexpected key "default")"));
    EXPECT_TRUE(OpRejected(R"({"put": "m", "value": 1, "key": {"from": "a..b"}})", where,
                           R"(path "a..b" has an empty segment)"));
    EXPECT_TRUE(OpRejected(R"({"put": "m", "value": 1, "key": {"event": "nope"}})", where,
                           R"(unknown event field "nope")"));
    EXPECT_TRUE(OpRejected(R"({"remove": "m", "key": {"from": 1.5}})",
                           R"(operation 1 for "E" (remove), key: )",
                           "a path must be a string or an array, not a number"));
    // A literal key must be a string or a number.
    for (const char* literal : {"true", "null", "[1]", R"({"k": 1})"}) {
        EXPECT_TRUE(OpRejected(
            R"({"put": "m", "value": 1, "key": {"value": )" + std::string(literal) + "}}",
            at_op("put"), "a key must be a string or a number, not"))
            << literal;
        EXPECT_TRUE(OpRejected(R"({"remove": "m", "key": {"value": )" + std::string(literal) + "}}",
                               at_op("remove"), "a key must be a string or a number, not"))
            << literal;
    }
}

// --- rejections: paths ------------------------------------------------------------------------

TEST(AggregateDefinitionRejectTest, TargetOfTheWrongType) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"5", "a number"},
        {"null", "null"},
        {"true", "a boolean"},
        {R"({"a": 1})", "an object"},
    };
    for (const auto& [target, kind] : cases) {
        EXPECT_TRUE(OpRejected(R"({"set": )" + target + R"(, "value": 1})", at_op("set"),
                               "a path must be a string or an array, not " + kind))
            << target;
    }
}

TEST(AggregateDefinitionRejectTest, EmptySegments) {
    for (const char* path : {".", "a.", ".a", "a..b", "a.b.", ".."}) {
        const std::string p = path;
        EXPECT_TRUE(OpRejected(R"({"set": ")" + p + R"(", "value": 1})", at_op("set"),
                               "path \"" + p + "\" has an empty segment"))
            << path;
        EXPECT_TRUE(OpRejected(R"({"set": "a", "from": ")" + p + R"("})", at_op("set"),
                               "path \"" + p + "\" has an empty segment"))
            << path;
        EXPECT_TRUE(OpRejected(R"({"set": "a", "state": ")" + p + R"("})", at_op("set"),
                               "has an empty segment"))
            << path;
    }
    const Error e = capture_error([] { parse(R"({"on": {"E": [{"set": "a..b", "value": 1}]}})"); });
    EXPECT_TRUE(Contains(e.hint(), R"(["odd.key", "price"])"));
}

TEST(AggregateDefinitionRejectTest, BadArraySegments) {
    for (const char* segment : {"1.5", "true", "null", R"(["a"])", "-0.5", "1e-1"}) {
        const std::string s = segment;
        EXPECT_TRUE(OpRejected(R"({"set": ["a", )" + s + R"(], "value": 1})", at_op("set"),
                               "a path segment must be a string or an integer, not"))
            << segment;
        EXPECT_TRUE(OpRejected(R"({"set": "a", "from": ["a", )" + s + R"(]})", at_op("set"),
                               "a path segment must be a string or an integer, not"))
            << segment;
    }
    EXPECT_TRUE(OpRejected(R"({"set": "a", "from": [1.5]})", at_op("set"),
                           "a path segment must be a string or an integer, not 1.5"));
}

TEST(AggregateDefinitionRejectTest, SourcePathOfTheWrongType) {
    EXPECT_TRUE(OpRejected(R"({"set": "a", "from": 5})", at_op("set"),
                           "a path must be a string or an array, not a number"));
    EXPECT_TRUE(OpRejected(R"({"set": "a", "from": null})", at_op("set"),
                           "a path must be a string or an array, not null"));
    EXPECT_TRUE(OpRejected(R"({"set": "a", "state": {}})", at_op("set"),
                           "a path must be a string or an array, not an object"));
    EXPECT_TRUE(OpRejected(R"({"set": "a", "state": false})", at_op("set"),
                           "a path must be a string or an array, not a boolean"));
}

TEST(AggregateDefinitionRejectTest, UnsetNeedsAPathInsideTheState) {
    EXPECT_TRUE(OpRejected(R"({"unset": ""})", at_op("unset"),
                           "this operation needs a path inside the state, not the whole state"));
    EXPECT_TRUE(OpRejected(R"({"unset": []})", at_op("unset"),
                           "this operation needs a path inside the state"));
}

TEST(AggregateDefinitionRejectTest, BadDynamicSegments) {
    EXPECT_TRUE(OpRejected(R"({"set": ["a", {"value": "b"}], "value": 1})", at_op("set"),
                           "a literal path segment is written as itself"));
    const std::string where = R"(operation 1 for "E" (set), path segment: )";
    EXPECT_TRUE(OpRejected(R"({"set": ["a", {}], "value": 1})", where,
                           R"(expected one of "value", "from", "event" or "state")"));
    EXPECT_TRUE(OpRejected(R"({"set": ["a", {"from": "k", "state": "j"}], "value": 1})", where,
                           "cannot be used together"));
    EXPECT_TRUE(OpRejected(R"({"set": ["a", {"from": "k", "default": "x"}], "value": 1})", where,
                           R"(unexpected key "default")"));
    EXPECT_TRUE(OpRejected(R"({"set": ["a", {"from": "k..j"}], "value": 1})", where,
                           "has an empty segment"));
    EXPECT_TRUE(OpRejected(R"({"set": ["a", {"event": "nope"}], "value": 1})", where,
                           R"(unknown event field "nope")"));
    EXPECT_TRUE(OpRejected(R"({"unset": [{"from": 7}]})",
                           R"(operation 1 for "E" (unset), path segment: )",
                           "a path must be a string or an array, not a number"));
}

// --- rejections: sources ----------------------------------------------------------------------

TEST(AggregateDefinitionRejectTest, BadEventFields) {
    for (const char* field :
         {"nope", "Type", "data", "data.x", "", "version.x", "metadata_x", "recordedAt", " type"}) {
        const std::string f = field;
        EXPECT_TRUE(OpRejected(R"({"set": "a", "event": ")" + f + R"("})", at_op("set"),
                               "unknown event field \"" + f + "\""))
            << field;
    }
    const Error e = capture_error([] { parse(R"({"on": {"E": [{"set": "a", "event": "x"}]}})"); });
    EXPECT_TRUE(Contains(e.hint(), "type, stream, version, position, id, recorded_at"));
    EXPECT_TRUE(Contains(e.hint(), R"("from")"));

    for (const char* field : {"5", "null", "true", R"(["type"])", R"({"type": 1})"}) {
        EXPECT_TRUE(OpRejected(R"({"set": "a", "event": )" + std::string(field) + "}", at_op("set"),
                               R"("event" must name a field of the event, as a string)"))
            << field;
    }
    EXPECT_TRUE(OpRejected(R"({"set": "a", "event": "metadata."})", at_op("set"),
                           R"(event "metadata." needs a path after the dot)"));
    EXPECT_TRUE(OpRejected(R"({"set": "a", "event": "metadata..user"})", at_op("set"),
                           R"(path ".user" has an empty segment)"));
    EXPECT_TRUE(OpRejected(R"({"set": "a", "event": "metadata.user."})", at_op("set"),
                           "has an empty segment"));
}

TEST(AggregateDefinitionRejectTest, WrongLiteralTypes) {
    for (const char* op : {"add", "subtract"}) {
        const std::string o = op;
        for (const char* literal : {R"("5")", "true", "null", "[1]", "{}"}) {
            EXPECT_TRUE(OpRejected(R"({")" + o + R"(": "n", "value": )" + literal + "}", at_op(op),
                                   o + " needs a number, not value " + to_json_text(json(literal))))
                << op << " " << literal;
        }
        for (const char* field : {"type", "stream", "id", "recorded_at"}) {
            EXPECT_TRUE(OpRejected(R"({")" + o + R"(": "n", "event": ")" + field + R"("})",
                                   at_op(op), o + " needs a number, not event \"" + field + "\""))
                << op << " " << field;
        }
    }
    for (const char* op : {"min", "max"}) {
        const std::string o = op;
        for (const char* literal : {"true", "null", "[1]", "{}"}) {
            EXPECT_TRUE(OpRejected(
                R"({")" + o + R"(": "m", "value": )" + literal + "}", at_op(op),
                o + " needs a number or a string, not value " + to_json_text(json(literal))))
                << op << " " << literal;
        }
    }
}

TEST(AggregateDefinitionRejectTest, DefaultMisuse) {
    // Only for values read from the event or the state.
    EXPECT_TRUE(OpRejected(R"({"set": "a", "value": 1, "default": 2})", at_op("set"),
                           R"("default" is for values read from the event or the state)"));
    EXPECT_TRUE(OpRejected(R"({"count": "a", "default": 2})", at_op("count"),
                           R"("default" is for values read)"));
    EXPECT_TRUE(OpRejected(R"({"unset": "a", "default": 2})", at_op("unset"),
                           R"("default" is for values read)"));
    EXPECT_TRUE(OpRejected(R"({"remove": "a", "key": {"from": "k"}, "default": 2})",
                           at_op("remove"), R"("default" is for values read)"));
    EXPECT_TRUE(OpRejected(R"({"add": "a", "value": 1, "default": 0})", at_op("add"),
                           R"("default" is for values read)"));
    // Of the type the operation needs.
    EXPECT_TRUE(OpRejected(R"({"add": "a", "from": "x", "default": "0"})", at_op("add"),
                           R"("default" must be a number, not "0")"));
    EXPECT_TRUE(OpRejected(R"({"subtract": "a", "state": "x", "default": null})", at_op("subtract"),
                           R"("default" must be a number, not null)"));
    EXPECT_TRUE(OpRejected(R"({"min": "a", "from": "x", "default": true})", at_op("min"),
                           R"("default" must be a number or a string, not true)"));
    EXPECT_TRUE(OpRejected(R"({"max": "a", "event": "metadata.x", "default": [1]})", at_op("max"),
                           R"("default" must be a number or a string, not [1])"));
}

// --- rejections: conditions -------------------------------------------------------------------

TEST(AggregateDefinitionRejectTest, BadConditions) {
    const std::string where = R"(operation 1 for "E" (count), if: )";
    auto rejected = [&](const std::string& condition, const std::string& what) {
        return OpRejected(R"({"count": "n", "if": )" + condition + "}", where, what);
    };
    for (const char* c : {"5", "null", R"("from")", "true"}) {
        EXPECT_TRUE(rejected(c, "a condition is an object such as")) << c;
    }
    EXPECT_TRUE(rejected(R"([{"from": "a", "exists": true}, 5])", "a condition is an object"));
    EXPECT_TRUE(rejected(R"([[{"from": "a", "exists": true}]])", "a condition is an object"));
    EXPECT_TRUE(rejected(R"({"eq": 1})", R"(a condition needs one of "from", "event" or "state")"));
    EXPECT_TRUE(rejected("{}", "a condition needs one of"));
    EXPECT_TRUE(
        rejected(R"({"value": 1, "eq": 1})", R"(a condition tests "from", "event" or "state")"));
    EXPECT_TRUE(rejected(R"({"from": "a", "state": "b", "eq": 1})",
                         R"("from" and "state" cannot be used together)"));
    EXPECT_TRUE(
        rejected(R"({"from": "a"})", "a condition needs a test: eq, ne, lt, le, gt, ge or exists"));
    EXPECT_TRUE(rejected(R"({"from": "a", "eq": 1, "ne": 2})", "a condition has exactly one test"));
    EXPECT_TRUE(rejected(R"({"from": "a", "gt": 1, "lt": 5})", "a condition has exactly one test"));
    EXPECT_TRUE(rejected(R"({"from": "a", "equals": 1})", R"(unknown condition key "equals")"));
    EXPECT_TRUE(
        rejected(R"({"from": "a", "eq": 1, "default": 0})", R"(unknown condition key "default")"));
    for (const char* operand : {"1", "null", R"("yes")", "[]", "{}"}) {
        EXPECT_TRUE(rejected(R"({"from": "a", "exists": )" + std::string(operand) + "}",
                             R"("exists" takes true or false)"))
            << operand;
    }
    for (const char* test : {"lt", "le", "gt", "ge"}) {
        for (const char* operand : {"true", "null", "[1]", R"({"a": 1})"}) {
            EXPECT_TRUE(
                rejected(R"({"from": "a", ")" + std::string(test) + R"(": )" + operand + "}",
                         "lt, le, gt and ge compare with a number or a string, not " +
                             to_json_text(json(operand))))
                << test << " " << operand;
        }
    }
    EXPECT_TRUE(rejected(R"({"from": "a..b", "eq": 1})", R"(path "a..b" has an empty segment)"));
    EXPECT_TRUE(rejected(R"({"event": "nope", "eq": 1})", R"(unknown event field "nope")"));
    EXPECT_TRUE(rejected(R"({"state": 3, "eq": 1})", "a path must be a string or an array"));

    const Error e = capture_error(
        [] { parse(R"({"on": {"E": [{"count": "n", "if": {"from": "a", "is": 1}}]}})"); });
    EXPECT_TRUE(Contains(e.hint(), "eq, ne, lt, le, gt, ge or exists"));
}

// --- rejections: the initial state ------------------------------------------------------------

TEST(AggregateDefinitionRejectTest, TypeMismatchWithTheInitialState) {
    const char* initial =
        R"({"name": "x", "items": [], "n": 1, "flag": true, "m": {}, "deep": {"l": [{"s": "x"}]}})";
    struct Case {
        const char* op;
        const char* name;
        const char* what;
    };
    const std::vector<Case> cases = {
        {R"({"add": "name", "value": 1})", "add",
         R"(add needs a number at "name", but the initial state holds a string there)"},
        {R"({"subtract": "flag", "value": 1})", "subtract",
         R"(subtract needs a number at "flag", but the initial state holds a boolean there)"},
        {R"({"count": "items"})", "count",
         R"(count needs a number at "items", but the initial state holds an array there)"},
        {R"({"count": "m"})", "count", "holds an object there"},
        {R"({"append": "m", "value": 1})", "append",
         R"(append needs an array at "m", but the initial state holds an object there)"},
        {R"({"append": "n", "value": 1})", "append", "holds a number there"},
        {R"({"put": "items", "key": {"from": "k"}, "value": 1})", "put",
         R"(put needs an object at "items", but the initial state holds an array there)"},
        {R"({"remove": "name", "key": {"from": "k"}})", "remove",
         R"(remove needs an object at "name", but the initial state holds a string there)"},
        {R"({"min": "flag", "value": 1})", "min",
         R"(min needs a number or a string at "flag", but the initial state holds a boolean there)"},
        {R"({"max": "m", "value": 1})", "max", "holds an object there"},
        {R"({"max": "items", "from": "x"})", "max", "holds an array there"},
        {R"({"count": ""})", "count",
         R"(count needs a number at "", but the initial state holds an object there)"},
        {R"({"append": "", "value": 1})", "append", R"(append needs an array at "")"},
        {R"({"add": "deep.l.0.s", "value": 1})", "add",
         R"(add needs a number at "deep.l.0.s", but the initial state holds a string there)"},
        {R"({"add": "deep.l.-1.s", "value": 1})", "add", "holds a string there"},
        {R"({"add": ["deep", "l", 0, "s"], "value": 1})", "add",
         R"(add needs a number at ["deep","l",0,"s"], but the initial state holds a string there)"},
        // Paths that go through what cannot hold members.
        {R"({"set": "n.x", "value": 1})", "set",
         R"(the initial state holds a number at "n", which has no member "x")"},
        {R"({"set": "items.x", "value": 1})", "set",
         R"(the initial state holds an array at "items", which has no member "x")"},
        {R"({"add": "deep.l.0.s.len", "value": 1})", "add",
         R"(the initial state holds a string at "deep.l.0.s", which has no member "len")"},
        {R"({"merge": "flag.a", "from": "x"})", "merge",
         R"(the initial state holds a boolean at "flag", which has no member "a")"},
    };
    for (const Case& c : cases) {
        EXPECT_TRUE(OpRejected(c.op, at_op(c.name), c.what, initial)) << c.op;
    }
    // A scalar initial state has no members at all.
    EXPECT_TRUE(OpRejected(R"({"set": "a", "value": 1})", at_op("set"),
                           R"(the initial state holds a number, which has no member "a")", "5"));
    EXPECT_TRUE(OpRejected(R"({"count": "a"})", at_op("count"),
                           R"(the initial state holds a string, which has no member "a")",
                           R"("text")"));
}

// --- validate_aggregate_name ------------------------------------------------------------------

TEST(AggregateDefinitionNameTest, Accepts) {
    EXPECT_NO_THROW(validate_aggregate_name(std::string_view("orders")));
    EXPECT_NO_THROW(validate_aggregate_name(std::string_view("x")));
    EXPECT_NO_THROW(validate_aggregate_name(std::string_view("order summary v2.1-beta")));
    EXPECT_NO_THROW(validate_aggregate_name(std::string_view("Bestellübersicht ✓")));
    const std::string longest(kMaxAggregateNameBytes, 'n');
    EXPECT_NO_THROW(validate_aggregate_name(std::string_view(longest)));
    static_assert(kMaxAggregateNameBytes == 255, "an aggregate name has at most 255 bytes");
}

TEST(AggregateDefinitionNameTest, RejectsNull) {
    const Error e = capture_error([] { validate_aggregate_name(std::nullopt); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_STREQ(e.what(), "aggregate name must not be NULL");
}

TEST(AggregateDefinitionNameTest, RejectsEmpty) {
    const Error e = capture_error([] { validate_aggregate_name(std::string_view()); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_STREQ(e.what(), "aggregate name must not be empty");
}

TEST(AggregateDefinitionNameTest, RejectsTooLong) {
    const std::string name(256, 'n');
    const Error e = capture_error([&] { validate_aggregate_name(std::string_view(name)); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_STREQ(e.what(), "aggregate name is too long: 256 bytes");
    EXPECT_EQ(e.detail(), "An aggregate name has at most 255 bytes.");
    EXPECT_TRUE(e.hint().empty());
    // Bytes, not characters: 128 two-byte characters are 256 bytes.
    std::string wide;
    for (int i = 0; i < 128; ++i) wide += "é";
    const Error w = capture_error([&] { validate_aggregate_name(std::string_view(wide)); });
    EXPECT_STREQ(w.what(), "aggregate name is too long: 256 bytes");
}

TEST(AggregateDefinitionNameTest, RejectsControlCharacters) {
    for (const std::string& name :
         {std::string("a\tb"), std::string("a\nb"), std::string("\x01x"), std::string("x\x1f"),
          std::string("x\x7f"), std::string("a\0b", 3), std::string("\r")}) {
        const Error e = capture_error([&] { validate_aggregate_name(std::string_view(name)); });
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
        EXPECT_STREQ(e.what(), "aggregate name must not contain control characters");
    }
}

// --- validate_aggregate_category --------------------------------------------------------------

TEST(AggregateDefinitionCategoryTest, Accepts) {
    EXPECT_NO_THROW(validate_aggregate_category(std::nullopt));
    EXPECT_NO_THROW(validate_aggregate_category(std::string_view("order")));
    EXPECT_NO_THROW(validate_aggregate_category(std::string_view("order_items.v2")));
    const std::string longest(255, 'c');
    EXPECT_NO_THROW(validate_aggregate_category(std::string_view(longest)));
}

TEST(AggregateDefinitionCategoryTest, RejectsEmpty) {
    const Error e = capture_error([] { validate_aggregate_category(std::string_view("")); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_STREQ(e.what(), "category must not be empty");
    EXPECT_TRUE(e.detail().empty());
    EXPECT_EQ(e.hint(), "Pass NULL for an aggregate without a category.");
}

TEST(AggregateDefinitionCategoryTest, RejectsTooLong) {
    const std::string category(256, 'c');
    const Error e = capture_error([&] { validate_aggregate_category(std::string_view(category)); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_STREQ(e.what(), "category is too long: 256 bytes");
}

TEST(AggregateDefinitionCategoryTest, RejectsDash) {
    for (const char* category : {"order-1", "-", "-order", "order-"}) {
        const Error e =
            capture_error([&] { validate_aggregate_category(std::string_view(category)); });
        EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
        EXPECT_EQ(std::string(e.what()), "category \"" + std::string(category) + "\" contains '-'");
        EXPECT_TRUE(Contains(e.detail(), "before the first '-'"));
    }
}

// --- validate_snapshot_every ------------------------------------------------------------------

TEST(AggregateDefinitionSnapshotEveryTest, Accepts) {
    EXPECT_NO_THROW(validate_snapshot_every(std::int64_t{0}));
    EXPECT_NO_THROW(validate_snapshot_every(std::int64_t{1}));
    EXPECT_NO_THROW(validate_snapshot_every(std::int64_t{100}));
    EXPECT_NO_THROW(validate_snapshot_every(std::numeric_limits<std::int64_t>::max()));
}

TEST(AggregateDefinitionSnapshotEveryTest, RejectsNull) {
    const Error e = capture_error([] { validate_snapshot_every(std::nullopt); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_STREQ(e.what(), "snapshot_every must not be NULL");
    EXPECT_EQ(e.hint(), "Pass 0 to turn snapshots off.");
}

TEST(AggregateDefinitionSnapshotEveryTest, RejectsNegative) {
    const Error e = capture_error([] { validate_snapshot_every(std::int64_t{-1}); });
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_STREQ(e.what(), "snapshot_every must be 0 (no snapshots) or positive, not -1");
    const Error m =
        capture_error([] { validate_snapshot_every(std::numeric_limits<std::int64_t>::min()); });
    EXPECT_STREQ(m.what(),
                 "snapshot_every must be 0 (no snapshots) or positive, not -9223372036854775808");
}

}  // namespace
