// One stream's events in version order, straight from the (stream, stream_version) index;
// a scan can be abandoned by an error at any point.

#include "chronicle/pg/boundary/pg_compat.hpp"
#include "chronicle/pg/event_log/stream_scan.hpp"

extern "C" {
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_collation.h"
#include "miscadmin.h"
#include "utils/fmgroids.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

namespace chronicle::pg {

void stream_scan_begin(StreamScan* scan, text* stream, int64 after_version, Snapshot snapshot) {
    const EventLogOids& oids = event_log_oids();
    scan->event_log = table_open(oids.event_log, AccessShareLock);
    scan->index = index_open(oids.stream_version_index, AccessShareLock);
    ScanKeyEntryInitialize(&scan->keys[0], 0, 1, BTEqualStrategyNumber, InvalidOid, C_COLLATION_OID,
                           F_TEXTEQ, PointerGetDatum(stream));
    ScanKeyEntryInitialize(&scan->keys[1], 0, 2, BTGreaterStrategyNumber, InvalidOid, InvalidOid,
                           F_INT8GT, Int64GetDatum(after_version));
    scan->scan = compat::begin_index_scan(scan->event_log, scan->index, snapshot, 2);
    index_rescan(scan->scan, scan->keys, 2, nullptr, 0);
    scan->slot = table_slot_create(scan->event_log, nullptr);
    scan->row_context = AllocSetContextCreate(CurrentMemoryContext, "chronicle stream scan row",
                                              ALLOCSET_DEFAULT_SIZES);
    scan->version = 0;
    scan->recorded_at = 0;
    scan->event_type = nullptr;
}

bool stream_scan_next(StreamScan* scan) {
    CHECK_FOR_INTERRUPTS();
    MemoryContextReset(scan->row_context);
    if (!index_getnext_slot(scan->scan, ForwardScanDirection, scan->slot)) return false;
    bool isnull;
    scan->version = DatumGetInt64(slot_getattr(scan->slot, kColStreamVersion, &isnull));
    scan->recorded_at = DatumGetTimestampTz(slot_getattr(scan->slot, kColRecordedAt, &isnull));
    Assert(!isnull);  // event_log's columns are NOT NULL (metadata aside)
    MemoryContext caller = MemoryContextSwitchTo(scan->row_context);
    scan->event_type = DatumGetTextPP(slot_getattr(scan->slot, kColEventType, &isnull));
    MemoryContextSwitchTo(caller);
    return true;
}

Datum stream_scan_column(StreamScan* scan, int column, bool* isnull) {
    return slot_getattr(scan->slot, column, isnull);
}

Jsonb* stream_scan_data(StreamScan* scan) {
    bool isnull;
    Datum data = slot_getattr(scan->slot, kColData, &isnull);
    MemoryContext caller = MemoryContextSwitchTo(scan->row_context);
    Jsonb* result = DatumGetJsonbP(data);
    MemoryContextSwitchTo(caller);
    return result;
}

Jsonb* stream_scan_metadata(StreamScan* scan) {
    bool isnull;
    Datum metadata = slot_getattr(scan->slot, kColMetadata, &isnull);
    if (isnull) return nullptr;
    MemoryContext caller = MemoryContextSwitchTo(scan->row_context);
    Jsonb* result = DatumGetJsonbP(metadata);
    MemoryContextSwitchTo(caller);
    return result;
}

void stream_scan_end(StreamScan* scan) {
    index_endscan(scan->scan);
    ExecDropSingleTupleTableSlot(scan->slot);
    index_close(scan->index, AccessShareLock);
    table_close(scan->event_log, AccessShareLock);
    MemoryContextDelete(scan->row_context);
}

}  // namespace chronicle::pg
