// Inline projections: kept current by the appending transaction itself. Each backend keeps
// the running inline projections of every category in memory, with their statements
// prepared, until chronicle.projections changes (its trigger sends a relcache invalidation
// that every backend receives), so that an append to a category without inline projections
// pays one hash lookup.
#pragma once

#include <string_view>

#include "chronicle/pg/boundary/postgres.hpp"

namespace chronicle::pg {

// Called under the stream's lock, after the events up to `new_version` were inserted (and
// the write lock on the event log is held, which create_projection's fill waits for): folds
// the stream's row in every inline projection of its category forward to new_version. A
// state that cannot be folded fails the append, as a failing constraint would.
void apply_inline_projections(text* stream, std::string_view category, int64 new_version);

// Called before the stream's lock: takes the write lock on the table of every inline
// projection of `category` (see append.cpp for why it must come first).
void lock_inline_projection_tables(std::string_view category);

// Registers the relcache callback that marks the cache stale, and the commit callback that
// wakes the worker after a projection changed; from _PG_init.
void register_inline_projection_invalidation();

// Called by chronicle.projections' trigger: wake this database's worker at commit.
void wake_worker_when_committed();

}  // namespace chronicle::pg
