// Gap-safe global positions.
//
// A position is taken from a sequence before the appending transaction commits, so
// transactions can commit in another order than their positions. Every appending
// transaction publishes, in shared memory, the lowest position it holds; it is cleared when
// the transaction commits or aborts (after the commit is visible to new snapshots). Positions
// are handed out and published under one LWLock in shared mode; a reader takes it in
// exclusive mode for an instant to see a consistent picture, and stops below the lowest
// position still in flight (read_horizon).
//
// Without shared_preload_libraries there is no shared memory: appenders then hold a
// database-wide heavyweight lock in share mode until they end, and readers wait for them
// with an exclusive one. Correct, but readers and appenders queue behind each other.
#pragma once

#include <cstdint>

#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "access/xact.h"
}

namespace chronicle::pg {

// The shared memory hooks' parts (module.cpp's hooks, when preloaded): request the slots'
// memory and lock, then find or create them.
void in_flight_positions_shmem_request();
void in_flight_positions_shmem_startup();

// The transaction callback's part (called from module.cpp's one callback, every load,
// preloaded or not): refuses PREPARE after an append, clears the published slot at the
// transaction's end and, after a commit that appended, wakes the projection worker.
void in_flight_positions_xact_event(XactEvent event);

// Takes `count` new global positions for the current transaction, in increasing order,
// and publishes the lowest one this transaction holds.
void allocate_positions(Oid position_seq, int64 count, int64* positions);

// The first position a reader must not pass (see chronicle::read_horizon).
int64 current_read_horizon(Oid position_seq);

// The first position after every one handed out so far, whether its transaction is still in
// flight or not: every event a snapshot taken before the call can see lies below it. Only for
// a reader that must see every committed event and may leave out the uncommitted ones for
// good, because their own transactions take care of them (a rebuild's swap of an inline
// projection, see rebuild_swap.hpp); any other reader stops at current_read_horizon.
int64 committed_horizon(Oid position_seq);

// Whether the current transaction holds a position (it appended, perhaps in a savepoint it
// rolled back): until it ends, no reader and no projection of this database passes it.
bool current_transaction_holds_position();

}  // namespace chronicle::pg
