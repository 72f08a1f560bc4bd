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

// Drops `rebuild`, the rebuild table `projection` records, only when it is one chronicle made
// (in chronicle's schema, named rebuild_<n> from chronicle.rebuild_table_seq); anything else
// is refused (42501), never dropped. Nothing to do for InvalidOid or a table already gone
// (dropped behind chronicle's back: only its OID was left). The worker calls it after a swap,
// the management functions through chronicle._drop_rebuild_table: one check for both.
// Plain C-style: use inside pg_guarded, within an SPI connection.
void drop_rebuild_table(const char* projection, Oid rebuild);

}  // namespace chronicle::pg
