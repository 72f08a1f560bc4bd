// Aggregate definitions as define_aggregate receives them, checked once and compiled:
//   {"initial": {...}, "on": {"OrderCreated": [ops...], "*": [ops...]}}   declarative
//   {"initial": {...}, "reducer": "myschema.apply_order"}                  by function
// Every mistake a definition can hold is reported here, at define time, with where it is.
// The language itself is documented in docs/aggregates.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "chronicle/core/aggregate_program.hpp"
#include "chronicle/core/json_value.hpp"

namespace chronicle {

struct AggregateDefinition {
    Value initial;                       // the state before the first event
    std::optional<std::string> reducer;  // by function: the function's name as written
    AggregateProgram program;            // declarative: the compiled operations
};

// Throws Error(InvalidAggregateDefinition) naming the first mistake and where it is, or the
// limit (limits.hpp) the definition passes: its size, its nesting, a path's segments, a
// literal that would make the state nest too deep.
AggregateDefinition parse_aggregate_definition(const Value& definition);

// How many levels the containers above the value `op` writes take (its target's segments,
// plus one for the array or object append and put write into): the value written may nest
// at most kMaxValueDepth minus this.
std::size_t operation_depth_above_value(const Operation& op);

inline constexpr std::size_t kMaxAggregateNameBytes = 255;

// Throws Error(InvalidArgument) unless `name` is a usable aggregate name: not NULL, not
// empty, at most 255 bytes, no control characters.
void validate_aggregate_name(const std::optional<std::string_view>& name);

// Throws Error(InvalidArgument) unless `category` (NULL allowed) could be the category of a
// stream: non-empty, at most 255 bytes, without '-'.
void validate_aggregate_category(const std::optional<std::string_view>& category);

// Throws Error(InvalidArgument) unless snapshot_every is >= 0 (0: no snapshots).
void validate_snapshot_every(const std::optional<std::int64_t>& every);

}  // namespace chronicle
