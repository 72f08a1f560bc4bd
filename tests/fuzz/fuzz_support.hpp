// What both fuzz targets share: the invariants every value the core holds must keep.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "chronicle/core/error.hpp"
#include "chronicle/core/json_value.hpp"
#include "chronicle/core/limits.hpp"
#include "../unit/json_text.hpp"

namespace chronicle::fuzz {

[[noreturn]] inline void broken(const char* invariant, const std::string& detail) {
    std::fprintf(stderr, "invariant broken: %s\n%s\n", invariant, detail.substr(0, 2000).c_str());
    std::abort();
}

// Every value the core holds nests at most kMaxValueDepth levels, and prints as JSON text
// that parses back to an equal value.
inline void check_value(const Value& value, ErrorKind kind) {
    const std::size_t depth = value_depth(value, kMaxValueDepth);
    if (depth > kMaxValueDepth) broken("value within kMaxValueDepth", std::to_string(depth));
    const std::string text = to_json_text(value);
    Value again;
    try {
        again = parse_json_text(text, kind);
    } catch (const Error& e) {
        broken("printed JSON parses", text + "\n" + e.what());
    }
    if (again != value) broken("printed JSON parses to an equal value", text);
    if (to_json_text(again) != text) broken("printing is stable", text);
}

}  // namespace chronicle::fuzz
