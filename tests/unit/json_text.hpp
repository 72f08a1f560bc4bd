// JSON text to a chronicle::Value, for the unit tests and fuzz targets only: the extension
// gets its values from jsonb (src/pg/boundary/jsonb_value.cpp) and never parses JSON text, so
// this parser, built on nlohmann/json, stays out of the library.
#pragma once

#include <string_view>

#include "chronicle/core/error.hpp"
#include "chronicle/core/json_value.hpp"

namespace chronicle {

// Parses JSON text (RFC 8259) keeping numbers exact. Throws Error(kind) with a message that
// says where the text is wrong ("invalid JSON at byte 7: ...": the 0-based offset of the byte
// at which the error showed, the length of the text when it ends too early); `kind` is the
// caller's error kind for malformed input.
// Numbers follow Decimal::try_parse, so exponents beyond +-100000 are rejected. Arrays and
// objects nested deeper than kMaxValueDepth (limits.hpp) are rejected too, and so is text
// whose value would take more than kMaxValueBytes.
Value parse_json_text(std::string_view text, ErrorKind kind);

}  // namespace chronicle
