// Unit tests for include/chronicle/core/json_path.hpp.
#include "test_support.hpp"
#include "chronicle/core/json_path.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chronicle/core/error.hpp"
#include "chronicle/core/json_value.hpp"
#include "json_text.hpp"

namespace {

using chronicle::Array;
using chronicle::array_element;
using chronicle::ErrorKind;
using chronicle::find_at_path;
using chronicle::make_path_segment;
using chronicle::parse_dotted_path;
using chronicle::parse_json_text;
using chronicle::Path;
using chronicle::path_text;
using chronicle::PathSegment;
using chronicle::to_json_text;
using chronicle::Value;

Value json(std::string_view text) {
    return parse_json_text(text, ErrorKind::Internal);
}

Path dotted(std::string_view text) {
    Path path;
    EXPECT_TRUE(parse_dotted_path(text, path)) << text;
    return path;
}

std::vector<std::string> keys_of(const Path& path) {
    std::vector<std::string> keys;
    for (const PathSegment& segment : path) keys.push_back(segment.key);
    return keys;
}

// The JSON text of what `path` finds in `root`, or "<none>".
std::string found(const Value& root, const Path& path) {
    const Value* value = find_at_path(root, path);
    return value ? to_json_text(*value) : "<none>";
}

// --- make_path_segment ------------------------------------------------------------------------

TEST(MakePathSegmentTest, NamesAMemberWhenNotAnInteger) {
    for (const char* key :
         {"price", "", "-", "--1", "1.5", "1e3", "+1", " 1", "1 ", "0x10", "a1", "1a", "-a", "१"}) {
        const PathSegment segment = make_path_segment(key);
        EXPECT_EQ(segment.key, key);
        EXPECT_FALSE(segment.index.has_value()) << key;
    }
}

TEST(MakePathSegmentTest, IndexesAnArrayWhenAnInteger) {
    const std::vector<std::pair<std::string, long long>> cases = {
        {"0", 0},
        {"1", 1},
        {"42", 42},
        {"-1", -1},
        {"-42", -42},
        {"007", 7},
        {"-0", 0},
        {"00", 0},
        {"123456789012345678", 123456789012345678LL},
        {"-123456789012345678", -123456789012345678LL},
    };
    for (const auto& [key, index] : cases) {
        const PathSegment segment = make_path_segment(key);
        EXPECT_EQ(segment.key, key);
        ASSERT_TRUE(segment.index.has_value()) << key;
        EXPECT_EQ(*segment.index, index) << key;
    }
}

TEST(MakePathSegmentTest, OverlongIntegersAreMemberNames) {
    // More than 18 digits would not fit an index (nor jsonb's int); they stay keys, no overflow.
    for (const char* key : {"1234567890123456789", "-1234567890123456789", "9223372036854775807",
                            "9223372036854775808", "99999999999999999999999999"}) {
        const PathSegment segment = make_path_segment(key);
        EXPECT_EQ(segment.key, key);
        EXPECT_FALSE(segment.index.has_value()) << key;
    }
}

// --- parse_dotted_path ------------------------------------------------------------------------

TEST(ParseDottedPathTest, EmptyTextIsTheWholeValue) {
    Path path = {make_path_segment("stale")};
    EXPECT_TRUE(parse_dotted_path("", path));
    EXPECT_TRUE(path.empty());
}

TEST(ParseDottedPathTest, SplitsOnDots) {
    EXPECT_EQ(keys_of(dotted("price")), (std::vector<std::string>{"price"}));
    EXPECT_EQ(keys_of(dotted("item.price")), (std::vector<std::string>{"item", "price"}));
    EXPECT_EQ(keys_of(dotted("lines.0.sku")), (std::vector<std::string>{"lines", "0", "sku"}));
    EXPECT_EQ(keys_of(dotted("a b.c-d.é")), (std::vector<std::string>{"a b", "c-d", "é"}));
}

TEST(ParseDottedPathTest, IntegerSegmentsBecomeIndexes) {
    const Path path = dotted("lines.-1.qty.3");
    ASSERT_EQ(path.size(), 4u);
    EXPECT_FALSE(path[0].index);
    ASSERT_TRUE(path[1].index);
    EXPECT_EQ(*path[1].index, -1);
    EXPECT_FALSE(path[2].index);
    ASSERT_TRUE(path[3].index);
    EXPECT_EQ(*path[3].index, 3);
}

TEST(ParseDottedPathTest, ReplacesWhatTheOutputHeld) {
    Path path = {make_path_segment("x"), make_path_segment("y"), make_path_segment("z")};
    EXPECT_TRUE(parse_dotted_path("a", path));
    EXPECT_EQ(keys_of(path), (std::vector<std::string>{"a"}));
}

TEST(ParseDottedPathTest, RejectsEmptySegments) {
    for (const char* text : {".", "..", ".a", "a.", "a..b", "a.b.", ".a.b", "a...b"}) {
        Path path;
        EXPECT_FALSE(parse_dotted_path(text, path)) << text;
    }
}

TEST(ParseDottedPathTest, LongPaths) {
    std::string text;
    for (int i = 0; i < 1000; ++i) {
        if (i) text += '.';
        text += "k" + std::to_string(i);
    }
    const Path path = dotted(text);
    ASSERT_EQ(path.size(), 1000u);
    EXPECT_EQ(path.front().key, "k0");
    EXPECT_EQ(path.back().key, "k999");
    EXPECT_EQ(path_text(path), text);
}

// --- path_text --------------------------------------------------------------------------------

TEST(PathTextTest, JoinsWithDots) {
    EXPECT_EQ(path_text(Path{}), "");
    EXPECT_EQ(path_text(dotted("a")), "a");
    EXPECT_EQ(path_text(dotted("item.price")), "item.price");
    EXPECT_EQ(path_text(dotted("lines.-1.sku")), "lines.-1.sku");
    EXPECT_EQ(path_text(Path{make_path_segment("odd.key"), make_path_segment("price")}),
              "odd.key.price");
}

TEST(PathTextTest, RoundTripsDottedPaths) {
    for (const char* text : {"a", "a.b", "a.0.b", "x.-3", "1.2.3"}) {
        EXPECT_EQ(path_text(dotted(text)), text);
    }
}

// --- array_element ----------------------------------------------------------------------------

TEST(ArrayElementTest, CountsFromTheStartAndFromTheEnd) {
    const Array array = {Value(10), Value(20), Value(30)};
    EXPECT_EQ(array_element(array, 0), &array[0]);
    EXPECT_EQ(array_element(array, 1), &array[1]);
    EXPECT_EQ(array_element(array, 2), &array[2]);
    EXPECT_EQ(array_element(array, -1), &array[2]);
    EXPECT_EQ(array_element(array, -2), &array[1]);
    EXPECT_EQ(array_element(array, -3), &array[0]);
}

TEST(ArrayElementTest, OutOfRangeIsNull) {
    const Array array = {Value(10), Value(20), Value(30)};
    EXPECT_EQ(array_element(array, 3), nullptr);
    EXPECT_EQ(array_element(array, 100), nullptr);
    EXPECT_EQ(array_element(array, -4), nullptr);
    EXPECT_EQ(array_element(array, -100), nullptr);
    EXPECT_EQ(array_element(array, LLONG_MAX), nullptr);
    EXPECT_EQ(array_element(array, LLONG_MIN), nullptr);
    const Array empty;
    EXPECT_EQ(array_element(empty, 0), nullptr);
    EXPECT_EQ(array_element(empty, -1), nullptr);
}

TEST(ArrayElementTest, MutableOverloadReturnsAWritableElement) {
    Array array = {Value(1), Value(2)};
    Value* last = array_element(array, -1);
    ASSERT_NE(last, nullptr);
    EXPECT_EQ(last, &array[1]);
    *last = Value("two");
    EXPECT_EQ(array[1], Value("two"));
    EXPECT_EQ(array_element(array, 2), nullptr);
}

// --- find_at_path -----------------------------------------------------------------------------

TEST(FindAtPathTest, EmptyPathIsTheRoot) {
    const Value root = json(R"({"a": 1})");
    EXPECT_EQ(find_at_path(root, Path{}), &root);
    const Value scalar(5);
    EXPECT_EQ(find_at_path(scalar, Path{}), &scalar);
    const Value null;
    EXPECT_EQ(find_at_path(null, Path{}), &null);
}

TEST(FindAtPathTest, WalksObjectsAndArrays) {
    const Value root =
        json(R"({"item": {"price": 19.99}, "lines": [{"sku": "A"}, {"sku": "B"}], "n": null})");
    EXPECT_EQ(found(root, dotted("item")), R"({"price":19.99})");
    EXPECT_EQ(found(root, dotted("item.price")), "19.99");
    EXPECT_EQ(found(root, dotted("lines.0.sku")), R"("A")");
    EXPECT_EQ(found(root, dotted("lines.1.sku")), R"("B")");
    EXPECT_EQ(found(root, dotted("lines.-1.sku")), R"("B")");
    EXPECT_EQ(found(root, dotted("lines.-2.sku")), R"("A")");
    // A null member is found: it is there, holding null.
    EXPECT_EQ(found(root, dotted("n")), "null");
}

TEST(FindAtPathTest, MissingIsNull) {
    const Value root = json(R"({"item": {"price": 19.99}, "lines": [{"sku": "A"}], "n": null})");
    EXPECT_EQ(found(root, dotted("nope")), "<none>");
    EXPECT_EQ(found(root, dotted("item.nope")), "<none>");
    EXPECT_EQ(found(root, dotted("item.price.deeper")), "<none>");  // into a number
    EXPECT_EQ(found(root, dotted("lines.1")), "<none>");            // past the end
    EXPECT_EQ(found(root, dotted("lines.-2")), "<none>");           // before the start
    EXPECT_EQ(found(root, dotted("lines.sku")), "<none>");          // a name into an array
    EXPECT_EQ(found(root, dotted("n.x")), "<none>");                // into null
    EXPECT_EQ(found(Value("text"), dotted("0")), "<none>");         // strings are not indexed
    EXPECT_EQ(found(Value(true), dotted("a")), "<none>");
}

TEST(FindAtPathTest, IntegerSegmentsNameObjectMembers) {
    // As jsonb's #> does: an integer segment is a member name when the value is an object.
    const Value root = json(R"({"0": "zero", "-1": "minus one", "007": "bond"})");
    EXPECT_EQ(found(root, dotted("0")), R"("zero")");
    EXPECT_EQ(found(root, dotted("-1")), R"("minus one")");
    EXPECT_EQ(found(root, dotted("007")), R"("bond")");
    EXPECT_EQ(found(root, dotted("7")), "<none>");
}

TEST(FindAtPathTest, KeysWithDotsAsOneSegment) {
    const Value root = json(R"({"odd.key": {"price": 3}, "odd": {"key": {"price": 4}}})");
    EXPECT_EQ(found(root, Path{make_path_segment("odd.key"), make_path_segment("price")}), "3");
    EXPECT_EQ(found(root, dotted("odd.key.price")), "4");
}

TEST(FindAtPathTest, EmptyKeySegment) {
    const Value root = json(R"({"": {"": 1}})");
    EXPECT_EQ(found(root, Path{make_path_segment(""), make_path_segment("")}), "1");
}

TEST(FindAtPathTest, ReturnsAPointerIntoTheRoot) {
    const Value root = json(R"({"a": [1, {"b": 2}]})");
    const Value* b = find_at_path(root, dotted("a.1.b"));
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b, &root.find("a")->as_array()[1].as_object().at("b"));
}

TEST(FindAtPathTest, DeepNesting) {
    Value root = Value(7);
    Path path;
    for (int i = 0; i < 500; ++i) {
        root = Value(chronicle::Object{{"k", std::move(root)}});
        path.push_back(make_path_segment("k"));
    }
    EXPECT_EQ(found(root, path), "7");
    path.push_back(make_path_segment("k"));
    EXPECT_EQ(found(root, path), "<none>");
}

}  // namespace
