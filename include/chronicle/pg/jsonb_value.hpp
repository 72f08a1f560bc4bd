// jsonb <-> chronicle::Value, walking jsonb with its iterator API and building it with
// pushJsonbValue (never through text). Every function here calls PostgreSQL: call them only
// inside pg_guarded() (pg_guard.hpp). They build into objects the caller owns, so that an
// error in the middle leaves no C++ object behind a longjmp.
#pragma once

#include "chronicle/core/json_path.hpp"
#include "chronicle/core/json_value.hpp"
#include "chronicle/pg/postgres.hpp"

extern "C" {
#include "utils/jsonb.h"
}

namespace chronicle::pg {

// The whole container (an object, an array, or a raw scalar) into `out`.
void jsonb_to_value(JsonbContainer* container, Value& out);

// The value at `path` inside `container` into `out`, reading only what the path passes
// through; false when there is none.
bool jsonb_value_at(JsonbContainer* container, const Path& path, Value& out);

// A new jsonb datum holding `value`, palloc'd in the current memory context.
Jsonb* value_to_jsonb(const Value& value);

}  // namespace chronicle::pg
