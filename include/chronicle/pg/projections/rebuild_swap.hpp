// The start of a rebuild's swap: the live table locked against its writers, and how far the
// rebuilt rows must catch up before they replace the live ones.
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "utils/snapshot.h"
}

namespace chronicle::pg {

struct SwapPoint {
    int64 horizon;      // the rebuilt rows take every event below it that `snapshot` sees
    Snapshot snapshot;  // registered; the caller unregisters it
};

// Locks `live` EXCLUSIVE until the end of the transaction and says what the rebuilt rows
// must hold. `inline_mode`: the live table is an inline projection's (written by appends),
// not an async one's (written by the worker at its position). PostgreSQL calls only: use
// inside pg_guarded.
SwapPoint lock_live_table_for_swap(Oid live, bool inline_mode);

}  // namespace chronicle::pg
