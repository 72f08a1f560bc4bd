// Running a compiled declarative aggregate over events, changing the state in place.
#pragma once

#include <cstddef>
#include <string_view>

#include "chronicle/core/aggregate_program.hpp"
#include "chronicle/core/event_view.hpp"
#include "chronicle/core/json_value.hpp"

namespace chronicle {

// Applies `event` to `state`. Throws Error(FoldFailed) when an operation meets a value of
// the wrong type (adding to a string, appending to an object, ...), naming the aggregate,
// the stream, the version, the event type and the operation; `state` may then be partly
// changed and must be thrown away.
// What a fold knows of its state's size between events (limits.hpp, kMaxValueBytes): an
// upper bound, raised by what each operation writes and measured again only when it passes
// the limit, so that an event costs what it writes, not the size of the state.
class StateSize {
  public:
    explicit StateSize(const Value& state);

    // Makes room for `bytes` more: false when the state, measured again, has no room.
    bool make_room(const Value& state, std::size_t bytes);

  private:
    std::size_t bound_;
};

// Applies `event` to `state`, whose size `size` follows. Also throws Error(FoldFailed) when
// the state would nest deeper than kMaxValueDepth or grow beyond kMaxValueBytes.
void apply_event(const AggregateProgram& program, std::string_view aggregate, Value& state,
                 const EventView& event, StateSize& size);

// The same for one event: measures the state first, which costs as much as copying it.
void apply_event(const AggregateProgram& program, std::string_view aggregate, Value& state,
                 const EventView& event);

}  // namespace chronicle
