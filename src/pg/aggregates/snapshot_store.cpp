// chronicle.snapshots below the executor: the newest usable snapshot of a stream for one
// aggregate revision, and writing one at append time.

#include "chronicle/pg/boundary/pg_compat.hpp"
#include "chronicle/pg/aggregates/snapshot_store.hpp"

#include "chronicle/pg/event_log/indexed_insert.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_collation.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
}

namespace chronicle::pg {

namespace {

enum SnapshotColumn : int {
    kSnapRevision = 1,
    kSnapStream,
    kSnapVersion,
    kSnapRecordedAt,
    kSnapState,
    kSnapColumnCount = kSnapState
};

}  // namespace

StoredSnapshot newest_snapshot(const AggregateRelations& relations, int64 revision, text* stream,
                               int64 max_version, bool has_as_of, TimestampTz as_of,
                               Snapshot snapshot) {
    StoredSnapshot result{false, 0, 0, nullptr};
    Relation heap = table_open(relations.snapshots, AccessShareLock);
    // By version: (revision, stream, stream_version <= max). As of a time:
    // (revision, stream, recorded_at <= as_of), newest first, then the version bound.
    Relation index =
        index_open(has_as_of ? relations.snapshots_recorded_at_idx : relations.snapshots_pkey,
                   AccessShareLock);
    ScanKeyData keys[3];
    ScanKeyEntryInitialize(&keys[0], 0, 1, BTEqualStrategyNumber, InvalidOid, InvalidOid, F_INT8EQ,
                           Int64GetDatum(revision));
    ScanKeyEntryInitialize(&keys[1], 0, 2, BTEqualStrategyNumber, InvalidOid, C_COLLATION_OID,
                           F_TEXTEQ, PointerGetDatum(stream));
    if (has_as_of) {
        ScanKeyEntryInitialize(&keys[2], 0, 3, BTLessEqualStrategyNumber, InvalidOid, InvalidOid,
                               F_TIMESTAMPTZ_LE, TimestampTzGetDatum(as_of));
    } else {
        ScanKeyEntryInitialize(&keys[2], 0, 3, BTLessEqualStrategyNumber, InvalidOid, InvalidOid,
                               F_INT8LE, Int64GetDatum(max_version));
    }
    IndexScanDesc scan = compat::begin_index_scan(heap, index, snapshot, 3);
    index_rescan(scan, keys, 3, nullptr, 0);
    TupleTableSlot* slot = table_slot_create(heap, nullptr);
    while (index_getnext_slot(scan, BackwardScanDirection, slot)) {
        bool isnull;
        const int64 version = DatumGetInt64(slot_getattr(slot, kSnapVersion, &isnull));
        if (version > max_version) continue;
        result.found = true;
        result.version = version;
        result.recorded_at = DatumGetTimestampTz(slot_getattr(slot, kSnapRecordedAt, &isnull));
        result.state = DatumGetJsonbPCopy(slot_getattr(slot, kSnapState, &isnull));
        break;
    }
    index_endscan(scan);
    ExecDropSingleTupleTableSlot(slot);
    index_close(index, AccessShareLock);
    table_close(heap, AccessShareLock);
    return result;
}

void write_snapshot(const AggregateRelations& relations, int64 revision, text* stream,
                    int64 version, TimestampTz recorded_at, Jsonb* state) {
    Relation heap = table_open(relations.snapshots, RowExclusiveLock);
    IndexedInsert insert;
    indexed_insert_begin(&insert, heap);
    Datum* values = insert.slot->tts_values;
    values[kSnapRevision - 1] = Int64GetDatum(revision);
    values[kSnapStream - 1] = PointerGetDatum(stream);
    values[kSnapVersion - 1] = Int64GetDatum(version);
    values[kSnapRecordedAt - 1] = TimestampTzGetDatum(recorded_at);
    values[kSnapState - 1] = JsonbPGetDatum(state);
    for (int c = 0; c < kSnapColumnCount; ++c) insert.slot->tts_isnull[c] = false;
    indexed_insert_row(&insert);
    indexed_insert_end(&insert);
    table_close(heap, NoLock);
}

}  // namespace chronicle::pg
