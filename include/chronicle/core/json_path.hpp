// Paths into JSON values, as aggregate definitions write them: "item.price", "lines.0.sku",
// or ["odd.key", "price"] for keys that contain dots. A segment indexes an array when it is
// an integer (negative counts from the end) and names an object member otherwise, which is
// how PostgreSQL's jsonb #> operator reads a text[] path.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chronicle/core/json_value.hpp"

namespace chronicle {

struct PathSegment {
    std::string key;                 // the segment's text: an object member name
    std::optional<long long> index;  // set when the text is an integer: an array index
};

PathSegment make_path_segment(std::string key);

using Path = std::vector<PathSegment>;  // empty: the whole value

// Parses a dotted path ("" is the whole value). Returns false when it has an empty segment
// ("a..b", ".a", "a.").
bool parse_dotted_path(std::string_view text, Path& out);

// How a path is shown in messages: "item.price", or "" for the whole value.
std::string path_text(const Path& path);

// The value at `path` inside `root`, or nullptr when there is none.
const Value* find_at_path(const Value& root, const Path& path);

// The element of `array` that `index` names (negative from the end), or nullptr.
const Value* array_element(const Array& array, long long index);
Value* array_element(Array& array, long long index);

}  // namespace chronicle
