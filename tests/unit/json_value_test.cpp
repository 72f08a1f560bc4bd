// Unit tests for include/chronicle/core/json_value.hpp.
#include "test_support.hpp"
#include "chronicle/core/json_value.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chronicle/core/decimal.hpp"
#include "chronicle/core/error.hpp"
#include "json_text.hpp"

namespace {

using chronicle::Array;
using chronicle::Decimal;
using chronicle::Error;
using chronicle::ErrorKind;
using chronicle::kMaxValueDepth;
using chronicle::merge_patch;
using chronicle::Object;
using chronicle::parse_json_text;
using chronicle::to_json_text;
using chronicle::Value;
using chronicle::ValueKind;
using chronicle::test::capture_error;
using chronicle::test::Contains;
using chronicle::test::StartsWith;

Value parse(std::string_view text) {
    return parse_json_text(text, ErrorKind::InvalidEventData);
}

// Parses and prints again: the canonical compact text of `text`.
std::string reprint(std::string_view text) {
    return to_json_text(parse(text));
}

Error parse_failure(std::string_view text) {
    return capture_error([&] { parse_json_text(text, ErrorKind::InvalidEventData); });
}

std::string patched(std::string_view target, std::string_view patch) {
    Value value = parse(target);
    merge_patch(value, parse(patch));
    return to_json_text(value);
}

// --- Kinds, accessors, find ----------------------------------------------------------------

TEST(JsonValueTest, KindNames) {
    EXPECT_STREQ(chronicle::value_kind_name(ValueKind::Null), "null");
    EXPECT_STREQ(chronicle::value_kind_name(ValueKind::Bool), "boolean");
    EXPECT_STREQ(chronicle::value_kind_name(ValueKind::Number), "number");
    EXPECT_STREQ(chronicle::value_kind_name(ValueKind::String), "string");
    EXPECT_STREQ(chronicle::value_kind_name(ValueKind::Array), "array");
    EXPECT_STREQ(chronicle::value_kind_name(ValueKind::Object), "object");
}

TEST(JsonValueTest, ConstructorsPickTheKind) {
    EXPECT_TRUE(Value().is_null());
    EXPECT_TRUE(Value(nullptr).is_null());
    EXPECT_TRUE(Value(false).is_bool());
    EXPECT_TRUE(Value(3).is_number());
    EXPECT_TRUE(Value(3L).is_number());
    EXPECT_TRUE(Value(3LL).is_number());
    EXPECT_TRUE(Value(Decimal::parse("1.5")).is_number());
    EXPECT_TRUE(Value("text").is_string());
    EXPECT_TRUE(Value(std::string("text")).is_string());
    EXPECT_TRUE(Value(std::string_view("text")).is_string());
    EXPECT_TRUE(Value::array().is_array());
    EXPECT_TRUE(Value::object().is_object());
}

TEST(JsonValueTest, FindMembers) {
    Value value = parse(R"({"a":1,"b":{"c":"x"}})");
    ASSERT_NE(value.find("a"), nullptr);
    EXPECT_EQ(value.find("a")->as_number().text(), "1");
    ASSERT_NE(value.find("b"), nullptr);
    ASSERT_NE(value.find("b")->find("c"), nullptr);
    EXPECT_EQ(value.find("b")->find("c")->as_string(), "x");
    EXPECT_EQ(value.find("missing"), nullptr);
    EXPECT_EQ(value.find(""), nullptr);

    value.find("a")->as_number() = Decimal(2);
    EXPECT_EQ(to_json_text(value), R"({"a":2,"b":{"c":"x"}})");

    const Value& constant = value;
    EXPECT_NE(constant.find("b"), nullptr);
}

TEST(JsonValueTest, FindOnNonObjectsIsNull) {
    for (const char* text : {"null", "true", "1", "\"a\"", "[\"a\"]", "[]"}) {
        const Value value = parse(text);
        EXPECT_EQ(value.find("a"), nullptr) << text;
        EXPECT_EQ(value.find("0"), nullptr) << text;
    }
}

// --- Equality --------------------------------------------------------------------------------

TEST(JsonValueTest, NumbersCompareNumerically) {
    EXPECT_EQ(Value(Decimal::parse("1.0")), Value(1));
    EXPECT_EQ(parse("1.0"), parse("1"));
    EXPECT_EQ(parse("0.00"), parse("-0"));
    EXPECT_EQ(parse("1e2"), parse("100.000"));
    EXPECT_NE(parse("1.01"), parse("1"));
}

TEST(JsonValueTest, EqualityInsideNestedStructures) {
    EXPECT_EQ(parse(R"({"a":[1.0,{"b":2.50}],"c":{"d":[[0.0]]}})"),
              parse(R"({"c":{"d":[[0]]},"a":[1,{"b":2.5}]})"));
    EXPECT_NE(parse(R"({"a":[1.0,{"b":2.51}]})"), parse(R"({"a":[1,{"b":2.5}]})"));
}

TEST(JsonValueTest, ObjectsCompareByKeySet) {
    EXPECT_EQ(parse(R"({"a":1,"b":2})"), parse(R"({"b":2,"a":1})"));
    EXPECT_NE(parse(R"({"a":1})"), parse(R"({"a":1,"b":2})"));
    EXPECT_NE(parse(R"({"a":1,"b":2})"), parse(R"({"a":1})"));
    EXPECT_NE(parse(R"({"a":1})"), parse(R"({"b":1})"));
    EXPECT_NE(parse(R"({"a":null})"), parse(R"({})"));
    EXPECT_EQ(parse("{}"), Value::object());
}

TEST(JsonValueTest, ArraysCompareElementwise) {
    EXPECT_EQ(parse("[1,2,3]"), parse("[1.0,2.00,3]"));
    EXPECT_NE(parse("[1,2,3]"), parse("[3,2,1]"));
    EXPECT_NE(parse("[1,2]"), parse("[1,2,3]"));
    EXPECT_NE(parse("[1,2,3]"), parse("[1,2]"));
    EXPECT_EQ(parse("[]"), Value::array());
}

TEST(JsonValueTest, DifferentKindsAreUnequal) {
    const std::vector<Value> values = {Value(),   Value(false),   Value(true),
                                       Value(0),  Value(1),       Value("1"),
                                       Value(""), Value::array(), Value::object()};
    for (std::size_t i = 0; i < values.size(); ++i) {
        for (std::size_t j = 0; j < values.size(); ++j) {
            EXPECT_EQ(values[i] == values[j], i == j) << i << " vs " << j;
            EXPECT_EQ(values[i] != values[j], i != j) << i << " vs " << j;
        }
    }
    EXPECT_NE(parse("[]"), parse("{}"));
    EXPECT_NE(parse("[null]"), parse("[]"));
}

// --- to_json_text ----------------------------------------------------------------------------

TEST(JsonValueTest, PrintsScalars) {
    EXPECT_EQ(to_json_text(Value()), "null");
    EXPECT_EQ(to_json_text(Value(true)), "true");
    EXPECT_EQ(to_json_text(Value(false)), "false");
    EXPECT_EQ(to_json_text(Value(-12)), "-12");
    EXPECT_EQ(to_json_text(Value(Decimal::parse("1.50"))), "1.50");
    EXPECT_EQ(to_json_text(Value("")), "\"\"");
    EXPECT_EQ(to_json_text(Value("plain")), "\"plain\"");
}

TEST(JsonValueTest, PrintsContainersCompactInKeyOrder) {
    Object object;
    object.emplace("b", Value(Array{Value(1), Value(), Value("x")}));
    object.emplace("a", Value(Object{{"z", Value(true)}}));
    object.emplace("c", Value::array());
    object.emplace("d", Value::object());
    EXPECT_EQ(to_json_text(Value(std::move(object))),
              R"({"a":{"z":true},"b":[1,null,"x"],"c":[],"d":{}})");
}

TEST(JsonValueTest, EscapesStrings) {
    EXPECT_EQ(to_json_text(Value("quote\" backslash\\ slash/")), R"("quote\" backslash\\ slash/")");
    EXPECT_EQ(to_json_text(Value("\b\f\n\r\t")), R"("\b\f\n\r\t")");
    EXPECT_EQ(to_json_text(Value("\x01\x02\x1f")), R"("\u0001\u0002\u001f")");
    EXPECT_EQ(to_json_text(Value(std::string("a\0b", 3))), R"("a\u0000b")");
    EXPECT_EQ(to_json_text(Value("\x0b")), R"("\u000b")");
    EXPECT_EQ(to_json_text(Value("del\x7f")), "\"del\x7f\"");  // not a control character
    EXPECT_EQ(to_json_text(Value("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")),
              "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

TEST(JsonValueTest, EscapesObjectKeys) {
    Object object;
    object.emplace("a\"b\n", Value(1));
    EXPECT_EQ(to_json_text(Value(std::move(object))), R"({"a\"b\n":1})");
}

// --- parse_json_text -------------------------------------------------------------------------

TEST(JsonValueTest, ParsesEveryKind) {
    const Value value = parse(R"( { "n" : null , "t" : true , "f" : false , "i" : -7 , "d" : 2.50 ,
                   "s" : "x" , "a" : [ 1 , [ ] , { } ] , "o" : { "k" : "v" } } )");
    ASSERT_TRUE(value.is_object());
    EXPECT_TRUE(value.find("n")->is_null());
    EXPECT_TRUE(value.find("t")->as_bool());
    EXPECT_FALSE(value.find("f")->as_bool());
    EXPECT_EQ(value.find("i")->as_number().text(), "-7");
    EXPECT_EQ(value.find("d")->as_number().text(), "2.50");
    EXPECT_EQ(value.find("s")->as_string(), "x");
    ASSERT_EQ(value.find("a")->as_array().size(), 3u);
    EXPECT_TRUE(value.find("a")->as_array()[1].is_array());
    EXPECT_TRUE(value.find("a")->as_array()[2].is_object());
    EXPECT_EQ(value.find("o")->find("k")->as_string(), "v");
}

TEST(JsonValueTest, ParsesTopLevelScalars) {
    EXPECT_TRUE(parse("null").is_null());
    EXPECT_TRUE(parse(" true ").as_bool());
    EXPECT_EQ(parse("\"s\"").as_string(), "s");
    EXPECT_EQ(parse("\n\t 42 \r\n").as_number().text(), "42");
}

TEST(JsonValueTest, KeepsNumbersExact) {
    EXPECT_EQ(parse("0.1").as_number().text(), "0.1");
    EXPECT_EQ(parse("19.99").as_number().text(), "19.99");
    EXPECT_EQ(parse("1.50").as_number().text(), "1.50");
    EXPECT_EQ(parse("-0").as_number().text(), "0");
    EXPECT_EQ(parse("-0.0").as_number().text(), "0.0");
    EXPECT_EQ(parse("1e3").as_number().text(), "1000");
    EXPECT_EQ(parse("1.5E-3").as_number().text(), "0.0015");
    EXPECT_EQ(parse("0.30000000000000004441").as_number().text(), "0.30000000000000004441");
    EXPECT_EQ(parse("9223372036854775807").as_number().text(), "9223372036854775807");
    EXPECT_EQ(parse("-9223372036854775808").as_number().text(), "-9223372036854775808");
    EXPECT_EQ(parse("9223372036854775808").as_number().text(), "9223372036854775808");
    EXPECT_EQ(parse("18446744073709551615").as_number().text(), "18446744073709551615");
    EXPECT_EQ(parse("18446744073709551616").as_number().text(), "18446744073709551616");
    EXPECT_EQ(parse("-9223372036854775809").as_number().text(), "-9223372036854775809");
    EXPECT_EQ(parse("123456789012345678901234567890.5").as_number().text(),
              "123456789012345678901234567890.5");
}

TEST(JsonValueTest, KeepsNumbersBeyondDoubleRange) {
    const std::string huge = "1" + std::string(400, '0');
    EXPECT_EQ(parse("1e400").as_number().text(), huge);
    EXPECT_EQ(parse("-1E+400").as_number().text(), "-" + huge);
    EXPECT_EQ(parse(huge).as_number().text(), huge);
    const std::string thousands(3000, '7');
    EXPECT_EQ(parse(thousands + ".5").as_number().text(), thousands + ".5");
    EXPECT_EQ(parse("1e-400").as_number().text(), "0." + std::string(399, '0') + "1");

    // Mixed with ordinary numbers and with strings that look like numbers.
    const Value value = parse(R"({"a\"1e400":[1,1e400,"1e400",2.5,-0,1e999],"b":3})");
    EXPECT_EQ(to_json_text(value), R"({"a\"1e400":[1,)" + huge + R"(,"1e400",2.5,0,1)" +
                                       std::string(999, '0') + R"(],"b":3})");
}

TEST(JsonValueTest, RejectsExponentsBeyondTheLimit) {
    Error error = parse_failure("[1, 1e100001]");
    EXPECT_EQ(error.kind(), ErrorKind::InvalidEventData);
    EXPECT_TRUE(StartsWith(error.what(), "invalid JSON at byte 4: number out of range"));

    // A double holds these (as 0), only Decimal refuses them.
    error = parse_failure(R"({"x": 1e-100001})");
    EXPECT_TRUE(StartsWith(error.what(), "invalid JSON at byte 6: number out of range"));
    error = parse_failure("0e999999");
    EXPECT_TRUE(StartsWith(error.what(), "invalid JSON at byte 0: number out of range"));

    error = parse_failure(R"(["1e9999999", 1e9999999])");
    EXPECT_TRUE(StartsWith(error.what(), "invalid JSON at byte 14: number out of range"));
}

TEST(JsonValueTest, ReportsSyntaxErrorsBehindHugeNumbersAtTheSameOffset) {
    EXPECT_TRUE(StartsWith(parse_failure("[1e400, tru]").what(), "invalid JSON at byte 11:"));
    EXPECT_TRUE(StartsWith(parse_failure("[1e400,]").what(), "invalid JSON at byte 7:"));
    EXPECT_TRUE(StartsWith(parse_failure("[1e400 2]").what(), "invalid JSON at byte 7:"));
    EXPECT_TRUE(StartsWith(parse_failure("[1e400, 01]").what(), "invalid JSON at byte 9:"));
    EXPECT_TRUE(StartsWith(parse_failure("[1e400, 1.]").what(), "invalid JSON at byte 10:"));
}

TEST(JsonValueTest, DecodesStringEscapes) {
    EXPECT_EQ(parse(R"("\"\\\/\b\f\n\r\t")").as_string(), "\"\\/\b\f\n\r\t");
    EXPECT_EQ(parse(R"("\u00e9\u20AC")").as_string(), "\xc3\xa9\xe2\x82\xac");
    EXPECT_EQ(parse(R"("\ud83d\ude00")").as_string(), "\xf0\x9f\x98\x80");
    EXPECT_EQ(parse("\"caf\xc3\xa9\"").as_string(), "caf\xc3\xa9");
    EXPECT_EQ(parse(R"("\u0001")").as_string(), "\x01");
}

TEST(JsonValueTest, LastDuplicateKeyWins) {
    EXPECT_EQ(reprint(R"({"a":1,"a":2})"), R"({"a":2})");
    EXPECT_EQ(reprint(R"({"a":{"x":1},"b":0,"a":[2]})"), R"({"a":[2],"b":0})");
    EXPECT_EQ(reprint(R"({"a":[1],"a":{"y":{"z":1}}})"), R"({"a":{"y":{"z":1}}})");
    EXPECT_EQ(reprint(R"({"o":{"k":1,"k":null}})"), R"({"o":{"k":null}})");
}

TEST(JsonValueTest, RoundTripsCanonicalText) {
    for (const char* text :
         {"null", "true", "false", "0", "-1.50", "\"\"", "[]", "{}", "[[],{}]",
          R"({"a":1,"b":[true,false,null],"c":"x"})", R"([1.50,-0.001,1000,0.000])",
          R"({"":{"":[""]}})", R"(["\"\\\b\f\n\r\t\u0001\u001f"])", "\"caf\xc3\xa9\"",
          R"({"nested":{"deeper":{"deepest":[1,{"x":2.5}]}}})"}) {
        EXPECT_EQ(reprint(text), text);
    }
}

TEST(JsonValueTest, ReprintNormalizes) {
    EXPECT_EQ(reprint(R"( { "b" : 1 , "a" : [ 1 , 2 ] } )"), R"({"a":[1,2],"b":1})");
    EXPECT_EQ(reprint("[1e3, 1.5e-3, -0, -0.0, 1E+2]"), "[1000,0.0015,0,0.0,100]");
    EXPECT_EQ(reprint(R"("\/\u001F\u00e9")"), "\"/\\u001f\xc3\xa9\"");
}

TEST(JsonValueTest, ErrorsCarryTheCallersKind) {
    EXPECT_EQ(capture_error([] { parse_json_text("{", ErrorKind::InvalidMetadata); }).kind(),
              ErrorKind::InvalidMetadata);
    EXPECT_EQ(capture_error([] { parse_json_text("{", ErrorKind::InvalidArgument); }).kind(),
              ErrorKind::InvalidArgument);
}

TEST(JsonValueTest, ErrorsSayWhereAndWhat) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "invalid JSON at byte 0:"},
        {"   ", "invalid JSON at byte 3:"},
        {"[1,tru]", "invalid JSON at byte 6:"},
        {"[1,", "invalid JSON at byte 3:"},
        {"[1 2]", "invalid JSON at byte 3:"},
        {R"({"a":1,})", "invalid JSON at byte 7:"},
        {R"({"a" 1})", "invalid JSON at byte 5:"},
        {R"({1:2})", "invalid JSON at byte 1:"},
        {"[1]x", "invalid JSON at byte 3:"},
        {"[1] [2]", "invalid JSON at byte 4:"},
        {"01", "invalid JSON at byte 1:"},
        {"1.", "invalid JSON at byte 2:"},
        {".5", "invalid JSON at byte 0:"},
        {"+1", "invalid JSON at byte 0:"},
        {"-", "invalid JSON at byte 1:"},
        {"NaN", "invalid JSON at byte 0:"},
        {"Infinity", "invalid JSON at byte 0:"},
        {"'a'", "invalid JSON at byte 0:"},
        {R"("abc)", "invalid JSON at byte 4:"},
        {"\"a\x01\"", "invalid JSON at byte 2:"},
        {R"("\x")", "invalid JSON at byte 2:"},
        {R"("\ud800")", "invalid JSON at byte 7:"},
        {"\"\xff\"", "invalid JSON at byte 1:"},
        {"[1,]", "invalid JSON at byte 3:"},
        {"[// comment\n1]", "invalid JSON at byte 1:"},
    };
    for (const auto& [text, prefix] : cases) {
        const Error error = parse_failure(text);
        EXPECT_EQ(error.kind(), ErrorKind::InvalidEventData) << text;
        EXPECT_TRUE(StartsWith(error.what(), prefix)) << text;
        EXPECT_GT(std::string(error.what()).size(), prefix.size() + 5) << text;  // says what
    }
}

TEST(JsonValueTest, ErrorMessagesDescribeTheProblemWithoutEchoingInput) {
    Error error = parse_failure("[1,tru]");
    EXPECT_TRUE(Contains(error.what(), "invalid literal"));
    EXPECT_FALSE(Contains(error.what(), "tru]"));
    EXPECT_FALSE(Contains(error.what(), "json.exception"));

    error = parse_failure("[1 2]");
    EXPECT_TRUE(Contains(error.what(), "expected ']'"));

    error = parse_failure("\"" + std::string(100000, 'a'));
    EXPECT_TRUE(Contains(error.what(), "missing closing quote"));
    EXPECT_LT(std::string(error.what()).size(), 300u);

    error = parse_failure("\"\xff\"");
    EXPECT_TRUE(Contains(error.what(), "UTF-8"));
    EXPECT_FALSE(Contains(error.what(), "\xff"));
}

TEST(JsonValueTest, NestingUpToTheLimitParses) {
    const std::string arrays = std::string(kMaxValueDepth, '[') + std::string(kMaxValueDepth, ']');
    const Value value = parse(arrays);
    EXPECT_EQ(to_json_text(value), arrays);

    std::string objects;
    for (std::size_t i = 0; i < kMaxValueDepth; ++i) objects += R"({"a":)";
    objects += "1";
    objects += std::string(kMaxValueDepth, '}');
    EXPECT_EQ(reprint(objects), objects);
}

TEST(JsonValueTest, NestingBeyondTheLimitIsRejected) {
    const std::string text =
        "[\"[[\"," + std::string(kMaxValueDepth, '[') + std::string(kMaxValueDepth + 1, ']');
    const Error error = parse_failure(text);
    EXPECT_EQ(error.kind(), ErrorKind::InvalidEventData);
    EXPECT_TRUE(StartsWith(error.what(),
                           "invalid JSON at byte " + std::to_string(6 + kMaxValueDepth - 1) + ":"));
    EXPECT_TRUE(Contains(error.what(), "nested deeper than"));

    // Even when the text is unbalanced, and when a huge number forced a second pass.
    EXPECT_TRUE(
        Contains(parse_failure(std::string(kMaxValueDepth + 1, '[')).what(), "nested deeper than"));
    EXPECT_TRUE(Contains(
        parse_failure("[1e400," + std::string(kMaxValueDepth, '[')).what(),
        "invalid JSON at byte " + std::to_string(7 + kMaxValueDepth - 1) + ": arrays and objects"));
}

// --- merge_patch: RFC 7396 -------------------------------------------------------------------

TEST(JsonValueTest, MergePatchAppendixA) {
    struct Case {
        const char* target;
        const char* patch;
        const char* result;
    };
    const std::vector<Case> cases = {
        {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
        {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
        {R"({"a":"b"})", R"({"a":null})", R"({})"},
        {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
        {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
        {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
        {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
        {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
        {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
        {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
        {R"({"a":"foo"})", "null", "null"},
        {R"({"a":"foo"})", R"("bar")", R"("bar")"},
        {R"({"e":null})", R"({"a":1})", R"({"a":1,"e":null})"},
        {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
        {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(patched(c.target, c.patch), c.result) << c.target << " + " << c.patch;
    }
}

TEST(JsonValueTest, MergePatchSection3Example) {
    const char* target = R"({
        "title": "Goodbye!",
        "author": {"givenName": "John", "familyName": "Doe"},
        "tags": ["example", "sample"],
        "content": "This will be unchanged"
    })";
    const char* patch = R"({
        "title": "Hello!",
        "phoneNumber": "+01-123-456-7890",
        "author": {"familyName": null},
        "tags": ["example"]
    })";
    EXPECT_EQ(parse(patched(target, patch)), parse(R"({
        "title": "Hello!",
        "author": {"givenName": "John"},
        "tags": ["example"],
        "content": "This will be unchanged",
        "phoneNumber": "+01-123-456-7890"
    })"));
}

TEST(JsonValueTest, MergePatchEdgeCases) {
    EXPECT_EQ(patched("null", R"({"a":null})"), "{}");
    EXPECT_EQ(patched("1", R"({"a":1})"), R"({"a":1})");
    EXPECT_EQ(patched(R"({"a":1})", "{}"), R"({"a":1})");
    EXPECT_EQ(patched(R"({"a":1})", R"({"missing":null})"), R"({"a":1})");
    EXPECT_EQ(patched(R"({"a":{"b":1}})", R"({"a":{"c":{"d":null,"e":2}}})"),
              R"({"a":{"b":1,"c":{"e":2}}})");
    EXPECT_EQ(patched(R"({"a":1.0})", R"({"a":2.50})"), R"({"a":2.50})");
    EXPECT_EQ(patched(R"({"a":[1,{"x":null}]})", R"({"a":[{"x":null}]})"), R"({"a":[{"x":null}]})");
}

TEST(JsonValueTest, MergePatchWithItself) {
    Value value = parse(R"({"a":{"b":null,"c":1},"d":null,"e":[null]})");
    merge_patch(value, value);
    EXPECT_EQ(to_json_text(value), R"({"a":{"c":1},"e":[null]})");

    Value scalar = parse("[1,2]");
    merge_patch(scalar, scalar);
    EXPECT_EQ(to_json_text(scalar), "[1,2]");
}

TEST(JsonValueTest, MergePatchLeavesThePatchAlone) {
    Value target = parse(R"({"a":{"b":1}})");
    const Value patch = parse(R"({"a":{"c":{"d":null}},"x":null})");
    const std::string before = to_json_text(patch);
    merge_patch(target, patch);
    EXPECT_EQ(to_json_text(patch), before);
    EXPECT_EQ(to_json_text(target), R"({"a":{"b":1,"c":{}}})");
}

}  // namespace
