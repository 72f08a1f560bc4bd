// Reading one stream's events in version order, below the executor, straight from the
// (stream, stream_version) index of chronicle.event_log. Plain C-style state: a scan can be
// abandoned by an error at any point (the resource owner releases what it holds).
#pragma once

#include "chronicle/pg/event_log/event_log_catalog.hpp"
#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "access/genam.h"
#include "executor/tuptable.h"
#include "utils/jsonb.h"
#include "utils/relcache.h"
#include "utils/snapshot.h"
#include "utils/timestamp.h"
}

namespace chronicle::pg {

struct StreamScan {
    Relation event_log;
    Relation index;
    IndexScanDesc scan;
    TupleTableSlot* slot;
    MemoryContext row_context;  // what reading one row allocates; reset for the next row
    ScanKeyData keys[2];
    // The current row, once stream_scan_next returned true.
    int64 version;
    TimestampTz recorded_at;
    text* event_type;
};

// Events of `stream` with a version above `after_version`, as `snapshot` sees them.
// Opens the event log and its index with AccessShareLock.
void stream_scan_begin(StreamScan* scan, text* stream, int64 after_version, Snapshot snapshot);
bool stream_scan_next(StreamScan* scan);
void stream_scan_end(StreamScan* scan);

// Columns of the current row, read on demand (data and metadata detoasted into the row's
// memory context; metadata NULL when the event has none).
Jsonb* stream_scan_data(StreamScan* scan);
Jsonb* stream_scan_metadata(StreamScan* scan);
Datum stream_scan_column(StreamScan* scan, int column, bool* isnull);

}  // namespace chronicle::pg
