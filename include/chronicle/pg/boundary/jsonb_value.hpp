// jsonb <-> chronicle::Value, walking jsonb with its iterator API and building it with
// pushJsonbValue (never through text). Every function here calls PostgreSQL: call them only
// inside pg_guarded() (pg_guard.hpp). They build into objects the caller owns, so that an
// error in the middle leaves no C++ object behind a longjmp.
#pragma once

#include <string>

#include "chronicle/core/json_path.hpp"
#include "chronicle/core/json_value.hpp"
#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "utils/jsonb.h"
}

namespace chronicle::pg {

// What reading a value from jsonb came to. TooDeep and TooLarge: the value nests deeper
// than kMaxValueDepth or would take more than kMaxValueBytes (core/limits.hpp); `out` is then
// partly filled, and the caller reports the error its context calls for (outside
// pg_guarded). A value deep enough to exhaust max_stack_depth first raises PostgreSQL's
// "stack depth limit exceeded".
enum class JsonbRead { Absent, Found, TooDeep, TooLarge };

// "nests deeper than 1000 levels", "is larger than 64 MiB": for messages about TooDeep and
// TooLarge. Plain C++: call it outside pg_guarded.
std::string jsonb_read_problem(JsonbRead read);

// The message for a definition that could not be read: "invalid aggregate definition: ...".
std::string definition_read_problem(JsonbRead read);

// The whole container (an object, an array, or a raw scalar) into `out`: Found, TooDeep or
// TooLarge.
[[nodiscard]] JsonbRead jsonb_to_value(JsonbContainer* container, Value& out);

// The value at `path` inside `container` into `out`, reading only what the path passes
// through: Absent when there is none.
[[nodiscard]] JsonbRead jsonb_value_at(JsonbContainer* container, const Path& path, Value& out);

// A new jsonb datum holding `value`, palloc'd in the current memory context.
Jsonb* value_to_jsonb(const Value& value);

}  // namespace chronicle::pg
