// chronicle.snapshots below the executor: the newest usable snapshot of a stream for one
// aggregate revision, and writing one at append time. Plain C-style code.
#pragma once

#include "chronicle/pg/aggregates/aggregate_catalog.hpp"
#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "utils/jsonb.h"
#include "utils/snapshot.h"
#include "utils/timestamp.h"
}

namespace chronicle::pg {

struct StoredSnapshot {
    bool found;
    int64 version;
    TimestampTz recorded_at;
    Jsonb* state;  // palloc'd in the caller's memory context
};

// The newest snapshot of `stream` by `revision` at or below `max_version` and, when
// `has_as_of`, recorded at or before `as_of`.
StoredSnapshot newest_snapshot(const AggregateRelations& relations, int64 revision, text* stream,
                               int64 max_version, bool has_as_of, TimestampTz as_of,
                               Snapshot snapshot);

void write_snapshot(const AggregateRelations& relations, int64 revision, text* stream,
                    int64 version, TimestampTz recorded_at, Jsonb* state);
}  // namespace chronicle::pg
