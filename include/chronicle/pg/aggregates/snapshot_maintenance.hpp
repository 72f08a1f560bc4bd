// Snapshots are taken by the append that reaches them: when an append moves a stream past a
// multiple of an aggregate's snapshot_every, the state at that version is folded (from the
// previous snapshot, so the work is about snapshot_every events) and written in the same
// transaction. Appends that cross no such version pay one hash lookup.
#pragma once

#include <string_view>

#include "chronicle/pg/boundary/postgres.hpp"

namespace chronicle::pg {

// Called under the stream's lock, after the events of versions (old_version, new_version]
// were inserted. A state that cannot be folded does not fail the append: the snapshot is
// skipped with a WARNING (fold reports the error itself).
void take_due_snapshots(text* stream, std::string_view category, int64 old_version,
                        int64 new_version);

// Called before the stream's lock: when an aggregate of `category` takes snapshots, takes the
// lock that writing one needs (see append.cpp for why it must come first).
void lock_for_snapshots(std::string_view category);

}  // namespace chronicle::pg
