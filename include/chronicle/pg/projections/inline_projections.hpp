// Inline projections: kept current by the appending transaction itself. Each backend keeps
// the running inline projections of every category in memory, with their statements
// prepared, until chronicle.projections changes (its trigger sends a relcache invalidation
// that every backend receives), so that an append to a category without inline projections
// pays one hash lookup.
#pragma once

#include <string_view>

#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "access/xact.h"
}

namespace chronicle::pg {

// Called under the stream's lock, after the events up to `new_version` were inserted (and
// the write lock on the event log is held, which create_projection's fill waits for): folds
// the stream's row in every inline projection of its category forward to new_version. A
// state that cannot be folded fails the append, as a failing constraint would.
void apply_inline_projections(text* stream, std::string_view category, int64 new_version);

// Called before the stream's lock: takes the write lock on the table of every inline
// projection of `category` (see append.cpp for why it must come first).
void lock_inline_projection_tables(std::string_view category);

// The transaction callback's part (called from module.cpp's one callback): wakes the worker
// at commit after a projection changed, and forgets that at the transaction's end.
void inline_projections_xact_event(XactEvent event);

// Called by chronicle.projections' trigger: wake this database's worker at commit.
void wake_worker_when_committed();

}  // namespace chronicle::pg
