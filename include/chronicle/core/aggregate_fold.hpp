// Running a compiled declarative aggregate over events, changing the state in place.
#pragma once

#include <string_view>

#include "chronicle/core/aggregate_program.hpp"
#include "chronicle/core/event_view.hpp"
#include "chronicle/core/json_value.hpp"

namespace chronicle {

// Applies `event` to `state`. Throws Error(FoldFailed) when an operation meets a value of
// the wrong type (adding to a string, appending to an object, ...), naming the aggregate,
// the stream, the version, the event type and the operation; `state` may then be partly
// changed and must be thrown away.
void apply_event(const AggregateProgram& program, std::string_view aggregate, Value& state,
                 const EventView& event);

}  // namespace chronicle
