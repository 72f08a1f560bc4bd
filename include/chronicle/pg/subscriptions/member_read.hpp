// The read of one member of a subscription's consumer group: gap-safe as read_all, in position
// order, of the subscription's category and types, of the streams hashed to the member, passing
// by the positions a poll must not deliver (parked, or acknowledged by the previous group).
// Plain C-style code: may raise PostgreSQL errors.
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/array.h"
}

namespace chronicle::pg {

struct MemberRead {
    int64 after;             // events after this position
    int32 max_count;         // at most this many
    text* category;          // nullptr: every category
    ArrayType* event_types;  // nullptr: every type
    int32 member;
    int32 members;
    ArrayType* passed;  // sorted positions to pass by, or nullptr
};

struct MemberReadEnd {
    int64 examined;       // every event at or below it was examined (delivered or not wanted)
    int64 last_returned;  // -1: none returned
    int returned;
};

// Appends the events to `rsinfo`'s tuplestore (materialized SRF), as the active snapshot sees
// them.
MemberReadEnd read_member_events(ReturnSetInfo* rsinfo, const MemberRead& read);

// Appends the event at each of `positions` (replayed parked events), as the active snapshot
// sees it; returns how many it found.
int emit_events_at(ReturnSetInfo* rsinfo, ArrayType* positions);

}  // namespace chronicle::pg
