// chronicle.event_log below the executor: the index scans of reads and the direct inserts
// of appends, on a relation the caller opened once.

#include "chronicle/pg/event_log/event_log_access.hpp"

#include "chronicle/core/error.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/event_log/indexed_insert.hpp"
#include "chronicle/pg/boundary/text_view.hpp"
#include "chronicle/pg/boundary/errcodes.hpp"

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/typcache.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "storage/lmgr.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace chronicle::pg {

namespace {

// The first row a one-key scan of `index_oid` returns in `direction`, copied; NULL if none.
HeapTuple first_row(Relation event_log, Oid index_oid, Snapshot snapshot, ScanKey key,
                    ScanDirection direction) {
    Relation index = index_open(index_oid, AccessShareLock);
    SysScanDesc scan = systable_beginscan_ordered(event_log, index, snapshot, 1, key);
    HeapTuple row = systable_getnext_ordered(scan, direction);
    if (HeapTupleIsValid(row)) row = heap_copytuple(row);
    systable_endscan_ordered(scan);
    index_close(index, AccessShareLock);
    return row;
}

}  // namespace

StreamHead read_stream_head(Relation event_log, const EventLogOids& oids, text* stream,
                            Snapshot snapshot) {
    StreamHead head{0, DT_NOBEGIN};
    ScanKeyData key;
    ScanKeyEntryInitialize(&key, 0, kColStream, BTEqualStrategyNumber, InvalidOid, C_COLLATION_OID,
                           F_TEXTEQ, PointerGetDatum(stream));
    HeapTuple row =
        first_row(event_log, oids.stream_version_index, snapshot, &key, BackwardScanDirection);
    if (row) {
        bool isnull;
        TupleDesc desc = RelationGetDescr(event_log);
        head.version = DatumGetInt64(heap_getattr(row, kColStreamVersion, desc, &isnull));
        head.last_recorded_at =
            DatumGetTimestampTz(heap_getattr(row, kColRecordedAt, desc, &isnull));
    }
    return head;
}

namespace {

// jsonb's `=` (jsonb_eq) without the fmgr call: key order and whitespace never matter.
bool same_jsonb(Jsonb* a, Jsonb* b) {
    if (a == nullptr || b == nullptr) return a == b;
    return compareJsonbContainers(&a->root, &b->root) == 0;
}

// A stored text id (COLLATE "C", so `=` is byte equality) against one about to be written.
bool same_id(HeapTuple row, TupleDesc desc, int column, text* id) {
    bool isnull;
    const Datum stored = heap_getattr(row, column, desc, &isnull);
    if (isnull || id == nullptr) return isnull && id == nullptr;
    return view_of(DatumGetTextPP(stored)) == view_of(id);
}

}  // namespace

StoredEventIdRow find_event_id(Relation event_log, const EventLogOids& oids, const pg_uuid_t* id,
                               text* stream, const EventContent& content) {
    StoredEventIdRow found{false, false, nullptr, 0, false, false, false, false, false};
    ScanKeyData key;
    ScanKeyEntryInitialize(&key, 0, kColEventId, BTEqualStrategyNumber, InvalidOid, InvalidOid,
                           F_UUID_EQ, UUIDPGetDatum(id));
    HeapTuple row =
        first_row(event_log, oids.event_id_index, SnapshotSelf, &key, ForwardScanDirection);
    if (row) {
        bool isnull;
        TupleDesc desc = RelationGetDescr(event_log);
        text* stored_stream = DatumGetTextPP(heap_getattr(row, kColStream, desc, &isnull));
        found.found = true;
        found.same_stream = view_of(stored_stream) == view_of(stream);
        found.stream = text_to_cstring(stored_stream);
        found.version = DatumGetInt64(heap_getattr(row, kColStreamVersion, desc, &isnull));
        if (found.same_stream) {
            // event_type is text COLLATE "C": its `=` is byte equality.
            found.same_type =
                view_of(DatumGetTextPP(heap_getattr(row, kColEventType, desc, &isnull))) ==
                view_of(content.event_type);
            found.same_data = same_jsonb(DatumGetJsonbP(heap_getattr(row, kColData, desc, &isnull)),
                                         content.data);
            const Datum stored_metadata = heap_getattr(row, kColMetadata, desc, &isnull);
            found.same_metadata =
                same_jsonb(isnull ? nullptr : DatumGetJsonbP(stored_metadata), content.metadata);
            found.same_correlation_id =
                !oids.has_correlation_columns ||
                same_id(row, desc, kColCorrelationId, content.correlation_id);
            found.same_causation_id = !oids.has_correlation_columns ||
                                      same_id(row, desc, kColCausationId, content.causation_id);
        }
    }
    return found;
}

namespace {

// A concurrent writer won a unique index race: say so with the chronicle error it means.
void rethrow_unique_violation_as_chronicle_error(ErrorData* edata, text* stream) {
    if (edata->sqlerrcode != ERRCODE_UNIQUE_VIOLATION || edata->constraint_name == nullptr) {
        return;
    }
    if (strcmp(edata->constraint_name, "event_log_event_id_key") == 0) {
        FlushErrorState();
        ereport(ERROR, (errcode(ERRCODE_CHRONICLE_DUPLICATE_EVENT_ID),
                        errmsg("an event id of this append to stream \"%s\" is already stored",
                               text_to_cstring(stream)),
                        errdetail("%s", edata->detail ? edata->detail : edata->message)));
    }
    if (strcmp(edata->constraint_name, "event_log_stream_version_key") == 0) {
        FlushErrorState();
        ereport(ERROR, (errcode(ERRCODE_CHRONICLE_WRONG_EXPECTED_VERSION),
                        errmsg("wrong expected version for stream \"%s\": a concurrent append "
                               "took the same version",
                               text_to_cstring(stream))));
    }
}

}  // namespace

void insert_events(Relation heap, const EventLogOids& oids, text* stream, text* category,
                   TimestampTz recorded_at, const NewEvent* events, int count) {
    LockRelationOid(RelationGetRelid(heap), RowExclusiveLock);
    // The layout the metadata cache checked is the one the slot is made for: every column
    // below gets a value, and no other.
    const int columns =
        oids.has_correlation_columns ? kEventLogColumnCount : kEventLogColumnCountBefore08;
    if (unlikely(RelationGetDescr(heap)->natts != columns)) {
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("chronicle.event_log has %d columns where the metadata "
                                        "cache found %d",
                                        RelationGetDescr(heap)->natts, columns)));
    }
    IndexedInsert insert;
    indexed_insert_begin(&insert, heap);

    MemoryContext caller_context = CurrentMemoryContext;
    PG_TRY();
    {
        for (int i = 0; i < count; ++i) {
            // Caught below only to be re-thrown: a cancel ends the batch within one row.
            CHECK_FOR_INTERRUPTS();
            const NewEvent& e = events[i];
            // The table's CHECK (stream_version > 0), which this insert below the executor
            // does not evaluate; the versions come from the stream's head, so it never fails.
            if (unlikely(e.stream_version <= 0)) {
                ereport(ERROR, (errcode(ERRCODE_CHECK_VIOLATION),
                                errmsg("new row for relation \"event_log\" violates check "
                                       "constraint \"event_log_stream_version_check\""),
                                errdetail("Stream version %lld is not positive.",
                                          static_cast<long long>(e.stream_version)),
                                errtableconstraint(heap, "event_log_stream_version_check")));
            }
            // One append writes consecutive versions at increasing positions.
            Assert(i == 0 || (e.stream_version == events[i - 1].stream_version + 1 &&
                              e.global_position > events[i - 1].global_position));
            Datum* values = insert.slot->tts_values;
            bool* nulls = insert.slot->tts_isnull;
            values[kColGlobalPosition - 1] = Int64GetDatum(e.global_position);
            values[kColStream - 1] = PointerGetDatum(stream);
            values[kColCategory - 1] = PointerGetDatum(category);
            values[kColStreamVersion - 1] = Int64GetDatum(e.stream_version);
            values[kColEventId - 1] = UUIDPGetDatum(&e.event_id);
            values[kColEventType - 1] = PointerGetDatum(e.event_type);
            values[kColData - 1] = JsonbPGetDatum(e.data);
            values[kColMetadata - 1] = e.metadata ? JsonbPGetDatum(e.metadata) : (Datum)0;
            values[kColRecordedAt - 1] = TimestampTzGetDatum(recorded_at);
            for (int c = 0; c < columns; ++c) nulls[c] = false;
            nulls[kColMetadata - 1] = e.metadata == nullptr;
            if (columns == kEventLogColumnCount) {
                values[kColCorrelationId - 1] = PointerGetDatum(e.correlation_id);
                values[kColCausationId - 1] = PointerGetDatum(e.causation_id);
                nulls[kColCorrelationId - 1] = e.correlation_id == nullptr;
                nulls[kColCausationId - 1] = e.causation_id == nullptr;
            }
            indexed_insert_row(&insert);
        }
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller_context);
        ErrorData* edata = CopyErrorData();
        rethrow_unique_violation_as_chronicle_error(edata, stream);
        PG_RE_THROW();
    }
    PG_END_TRY();

    indexed_insert_end(&insert);
}

void event_row_values(HeapTuple row, TupleDesc desc, Datum* values, bool* nulls) {
    for (int i = 0; i < kEventTypeColumnCount; ++i) {
        values[i] = heap_getattr(row, kEventTypeColumnInLog[i], desc, &nulls[i]);
    }
}

TypeFilter type_filter(ArrayType* array) {
    TypeFilter filter{false, 0, nullptr};
    if (!array) return filter;
    filter.active = true;
    bool* nulls;
    deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &filter.types, &nulls,
                      &filter.count);
    int kept = 0;
    for (int i = 0; i < filter.count; ++i) {
        if (!nulls[i]) filter.types[kept++] = filter.types[i];
    }
    filter.count = kept;
    return filter;
}

bool type_matches(const TypeFilter& filter, text* event_type) {
    const std::string_view type = view_of(event_type);
    for (int i = 0; i < filter.count; ++i) {
        if (view_of(DatumGetTextPP(filter.types[i])) == type) return true;
    }
    return false;
}

PositionRangeScan begin_position_range_scan(Relation event_log, const EventLogOids& oids,
                                            text* category, int64 after, int64 before,
                                            Snapshot snapshot) {
    PositionRangeScan range{nullptr, nullptr};
    range.index = index_open(category ? oids.category_index : oids.position_index, AccessShareLock);
    ScanKeyData keys[3];
    int nkeys = 0;
    if (category) {
        ScanKeyEntryInitialize(&keys[nkeys++], 0, kColCategory, BTEqualStrategyNumber, InvalidOid,
                               C_COLLATION_OID, F_TEXTEQ, PointerGetDatum(category));
    }
    ScanKeyEntryInitialize(&keys[nkeys++], 0, kColGlobalPosition, BTGreaterStrategyNumber,
                           InvalidOid, InvalidOid, F_INT8GT, Int64GetDatum(after));
    ScanKeyEntryInitialize(&keys[nkeys++], 0, kColGlobalPosition, BTLessStrategyNumber, InvalidOid,
                           InvalidOid, F_INT8LT, Int64GetDatum(before));
    range.scan = systable_beginscan_ordered(event_log, range.index, snapshot, nkeys, keys);
    return range;
}

void end_position_range_scan(PositionRangeScan& range) {
    systable_endscan_ordered(range.scan);
    index_close(range.index, AccessShareLock);
}

bool written_before(HeapTuple row, Snapshot snapshot) {
    const TransactionId xmin = HeapTupleHeaderGetXmin(row->t_data);
    if (TransactionIdIsCurrentTransactionId(xmin)) return true;
    return !XidInMVCCSnapshot(xmin, snapshot);
}

EventBatch scan_event_batch(text* category, const TypeFilter& types, int64 after, int64 horizon,
                            int64 limit, Snapshot snapshot, bool with_events) {
    const EventLogOids& oids = event_log_oids();
    EventBatch batch{0, nullptr, nullptr, nullptr, nullptr};
    const Size capacity = static_cast<Size>(limit);
    batch.positions = static_cast<int64*>(palloc(sizeof(int64) * capacity));
    batch.streams = static_cast<char**>(palloc(sizeof(char*) * capacity));
    batch.versions = static_cast<int64*>(palloc(sizeof(int64) * capacity));
    TupleDesc event_desc = nullptr;
    if (with_events) {
        batch.events = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
        event_desc = lookup_rowtype_tupdesc_copy(oids.event_type, -1);
    }
    Relation heap = table_open(oids.event_log, AccessShareLock);
    // The scan stops after `limit` matching events.
    PositionRangeScan range =
        begin_position_range_scan(heap, oids, category, after, horizon, snapshot);
    SysScanDesc scan = range.scan;
    TupleDesc desc = RelationGetDescr(heap);
    HeapTuple row;
    while (batch.count < limit &&
           HeapTupleIsValid(row = systable_getnext_ordered(scan, ForwardScanDirection))) {
        // A type filter may pass over many rows before it fills the batch.
        CHECK_FOR_INTERRUPTS();
        bool isnull;
        if (types.active &&
            !type_matches(types, DatumGetTextPP(heap_getattr(row, kColEventType, desc, &isnull)))) {
            continue;
        }
        const int i = batch.count++;
        batch.positions[i] = DatumGetInt64(heap_getattr(row, kColGlobalPosition, desc, &isnull));
        // In position order, inside (after, horizon): what the batch's plan relies on.
        Assert(batch.positions[i] > (i == 0 ? after : batch.positions[i - 1]) &&
               batch.positions[i] < horizon);
        batch.streams[i] = TextDatumGetCString(heap_getattr(row, kColStream, desc, &isnull));
        batch.versions[i] = DatumGetInt64(heap_getattr(row, kColStreamVersion, desc, &isnull));
        if (with_events) {
            Datum values[kEventTypeColumnCount];
            bool nulls[kEventTypeColumnCount];
            event_row_values(row, desc, values, nulls);
            batch.events[i] =
                heap_copy_tuple_as_datum(heap_form_tuple(event_desc, values, nulls), event_desc);
        }
    }
    end_position_range_scan(range);
    table_close(heap, AccessShareLock);
    return batch;
}

}  // namespace chronicle::pg
