// One fold of one stream by one aggregate: start from the newest usable snapshot (or the
// initial state), replay the events after it up to the target, and report states on the way.
// Shared by fold(), history() and the snapshots taken at append time, so that "the state at
// version v" means one thing everywhere.
//
// C++ side of the boundary: call inside core_call; PostgreSQL is reached via pg_guarded.
#pragma once

#include <cstdint>
#include <limits>

#include "chronicle/pg/aggregates/aggregate_catalog.hpp"
#include "chronicle/pg/boundary/jsonb_value.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/event_log/stream_scan.hpp"

extern "C" {
#include "utils/jsonb.h"
#include "utils/snapshot.h"
#include "utils/timestamp.h"
}

namespace chronicle::pg {

struct FoldTarget {
    bool bounded = false;                                   // at_version given
    int64 max_version = std::numeric_limits<int64>::max();  // at_version
    bool has_as_of = false;
    TimestampTz as_of = 0;
    bool use_snapshots = true;  // false: always from the initial state (history, tests)
    // A state the caller already has (a projection's row): the fold starts from it instead
    // of a snapshot, and replays only the events after start_version.
    bool has_start = false;
    int64 start_version = 0;
    Jsonb* start_state = nullptr;
};

// Receives states as the fold passes them. Called inside pg_guarded with the scan on the
// event just applied; `state` is palloc'd in a context that is reset after the call.
class FoldObserver {
  public:
    // Whether the state after `version` is wanted (converting it has a cost).
    virtual bool wants(int64 version) const = 0;
    virtual void state_after(StreamScan* row, Jsonb* state) = 0;

  protected:
    ~FoldObserver() = default;
};

struct FoldResult {
    bool has_state;  // false: no event at or before the target (or no stream)
    bool reached;    // false: the stream ended before max_version
    int64 version;   // of the last event applied
    Jsonb* state;    // palloc'd in the caller's memory context
};

// Plain C-style (raises): the CH023 error of a reducer aggregate whose recorded function no
// longer resolves to one its recorded owner owns (CachedAggregate::reducer_problem). Every
// reducer fold raises it, in the owner's context, before planning the call.
void raise_if_reducer_unresolved(const CachedAggregate& aggregate);

// For the event views of a fold (the store's, fold_events'): whether a value read from the
// event is there. EventView's contract: a value too deep or too large for the core is an error
// of the fold (FoldFailed), which names the operation that read it.
bool event_value_found(JsonbRead read, const char* what);

FoldResult run_fold(const CachedAggregate& aggregate, text* stream, const FoldTarget& target,
                    Snapshot snapshot, FoldObserver* observer);

}  // namespace chronicle::pg
