// Snapshots are taken by the append that reaches them: when an append moves a stream past a
// multiple of an aggregate's snapshot_every, the state at that version is folded (from the
// previous snapshot, so the work is about snapshot_every events) and written in the same
// transaction. Appends that cross no such version pay one hash lookup.
#pragma once

#include <string_view>

#include "chronicle/pg/postgres.hpp"

namespace chronicle::pg {

// Called under the stream's lock, after the events of versions (old_version, new_version]
// were inserted. A state that cannot be folded does not fail the append: the snapshot is
// skipped with a WARNING (fold reports the error itself).
void take_due_snapshots(text* stream, std::string_view category, int64 old_version,
                        int64 new_version);

}  // namespace chronicle::pg
