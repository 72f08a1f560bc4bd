// What the aggregate language may read from one event. The glue implements it over a row of
// chronicle.event_log (reading jsonb in place, converting only what an operation asks for);
// unit tests implement it over in-memory values.
#pragma once

#include <cstdint>
#include <string_view>

#include "chronicle/core/json_path.hpp"
#include "chronicle/core/json_value.hpp"

namespace chronicle {

// The event's own fields a definition can name with {"event": "..."}.
enum class EventField { Type, Stream, Version, Position, Id, RecordedAt };

class EventView {
  public:
    virtual std::string_view type() const = 0;
    virtual std::string_view stream() const = 0;
    virtual std::int64_t version() const = 0;
    // Copies the value at `path` inside the event's data (or metadata) into `out`; false
    // when there is none (no such member, or no metadata at all). Throws Error(FoldFailed)
    // instead of building a value nested deeper than kMaxValueDepth or larger than
    // kMaxValueBytes (limits.hpp).
    virtual bool data_at(const Path& path, Value& out) const = 0;
    virtual bool metadata_at(const Path& path, Value& out) const = 0;
    // The global position (a number), the event id (a string, canonical uuid text) and
    // recorded_at (a string, ISO 8601 in UTC: "2026-11-26T01:18:03.123456+00:00").
    virtual void field(EventField field, Value& out) const = 0;

    // An event folded without the event store (chronicle.fold_events) is in no stream:
    // {"event": "stream"} reads null, and version() is only its place among the events
    // folded, named in errors. When that place is not its version either (events folded
    // onto a given state, whose version is unknown), {"event": "version"} reads null too.
    virtual bool in_stream() const { return true; }
    virtual bool version_known() const { return true; }

  protected:
    // Not virtual: views are never owned through this interface, and the glue's view must
    // stay trivially destructible (see pg/boundary/boundary.hpp).
    ~EventView() = default;
};

}  // namespace chronicle
