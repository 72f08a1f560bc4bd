// SQL entry points of the read side: read_stream, read_all, stream_version, category.
#include <optional>
#include <string_view>

#include "chronicle/core/read_rules.hpp"
#include "chronicle/core/stream_name.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/event_log/event_log_access.hpp"
#include "chronicle/pg/event_log/in_flight_positions.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/boundary/text_view.hpp"

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(chronicle_category);
PG_FUNCTION_INFO_V1(chronicle_stream_version);
PG_FUNCTION_INFO_V1(chronicle_read_stream);
PG_FUNCTION_INFO_V1(chronicle_read_all);
}

namespace chronicle::pg {
namespace {

std::optional<int64> optional_int64(FunctionCallInfo fcinfo, int n) {
    return PG_ARGISNULL(n) ? std::nullopt : std::optional<int64>(PG_GETARG_INT64(n));
}

text* validated_stream(FunctionCallInfo fcinfo, int n) {
    text* stream = PG_ARGISNULL(n) ? nullptr : PG_GETARG_TEXT_PP(n);
    core_call([&] { chronicle::validate_stream_name(optional_view(stream)); });
    return stream;
}

void emit(ReturnSetInfo* rsinfo, HeapTuple row, TupleDesc log_desc) {
    Datum values[kEventTypeColumnCount];
    bool nulls[kEventTypeColumnCount];
    event_row_values(row, log_desc, values, nulls);
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

}  // namespace
}  // namespace chronicle::pg

using chronicle::pg::core_call;

extern "C" Datum chronicle_category(PG_FUNCTION_ARGS) {
    text* stream = PG_GETARG_TEXT_PP(0);
    const std::string_view category = chronicle::category_of(chronicle::pg::view_of(stream));
    PG_RETURN_TEXT_P(cstring_to_text_with_len(category.data(), static_cast<int>(category.size())));
}

extern "C" Datum chronicle_stream_version(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    text* stream = validated_stream(fcinfo, 0);
    const EventLogOids& oids = event_log_oids();
    Relation event_log = table_open(oids.event_log, AccessShareLock);
    const StreamHead head = read_stream_head(event_log, oids, stream, GetActiveSnapshot());
    table_close(event_log, AccessShareLock);
    PG_RETURN_INT64(head.version);
}

extern "C" Datum chronicle_read_stream(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    text* stream = validated_stream(fcinfo, 0);
    const std::optional<int64> from_arg = optional_int64(fcinfo, 1);
    const std::optional<int64> max_arg = optional_int64(fcinfo, 2);
    const bool backwards = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
    const chronicle::StreamRead read =
        core_call([&] { return chronicle::validate_stream_read(from_arg, max_arg, backwards); });

    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    if (read.max_count && *read.max_count == 0) return (Datum)0;

    const EventLogOids& oids = event_log_oids();
    Relation heap = table_open(oids.event_log, AccessShareLock);
    Relation index = index_open(oids.stream_version_index, AccessShareLock);
    ScanKeyData keys[2];
    int nkeys = 1;
    ScanKeyEntryInitialize(&keys[0], 0, kColStream, BTEqualStrategyNumber, InvalidOid,
                           C_COLLATION_OID, F_TEXTEQ, PointerGetDatum(stream));
    if (read.from_version) {
        if (backwards) {
            ScanKeyEntryInitialize(&keys[1], 0, kColStreamVersion, BTLessEqualStrategyNumber,
                                   InvalidOid, InvalidOid, F_INT8LE,
                                   Int64GetDatum(*read.from_version));
        } else {
            ScanKeyEntryInitialize(&keys[1], 0, kColStreamVersion, BTGreaterEqualStrategyNumber,
                                   InvalidOid, InvalidOid, F_INT8GE,
                                   Int64GetDatum(*read.from_version));
        }
        nkeys = 2;
    }
    SysScanDesc scan = systable_beginscan_ordered(heap, index, GetActiveSnapshot(), nkeys, keys);
    const ScanDirection direction = backwards ? BackwardScanDirection : ForwardScanDirection;
    int64 emitted = 0;
    HeapTuple row;
    while ((!read.max_count || emitted < *read.max_count) &&
           HeapTupleIsValid(row = systable_getnext_ordered(scan, direction))) {
        CHECK_FOR_INTERRUPTS();
        emit(rsinfo, row, RelationGetDescr(heap));
        ++emitted;
    }
    systable_endscan_ordered(scan);
    index_close(index, AccessShareLock);
    table_close(heap, AccessShareLock);
    return (Datum)0;
}

// Gap-safe: returns events in position order and stops before the first position whose
// transaction might still commit (in flight now), or did commit but is invisible to the
// caller's snapshot (REPEATABLE READ, or a READ COMMITTED statement that began before it).
// A reader that passes the largest position it has seen therefore never skips an event.
extern "C" Datum chronicle_read_all(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    const std::optional<int64> after_arg = optional_int64(fcinfo, 0);
    const std::optional<int64> max_arg =
        PG_ARGISNULL(1) ? std::nullopt : std::optional<int64>(PG_GETARG_INT32(1));
    text* category = PG_ARGISNULL(2) ? nullptr : PG_GETARG_TEXT_PP(2);
    ArrayType* types = PG_ARGISNULL(3) ? nullptr : PG_GETARG_ARRAYTYPE_P(3);
    const chronicle::GlobalRead read =
        core_call([&] { return chronicle::validate_global_read(after_arg, max_arg); });

    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    if (read.max_count && *read.max_count == 0) return (Datum)0;

    const EventLogOids& oids = event_log_oids();
    const int64 horizon = current_read_horizon(oids.position_seq);
    if (horizon <= read.after_position + 1) return (Datum)0;

    const TypeFilter filter = type_filter(types);
    const Snapshot snapshot = GetActiveSnapshot();
    SnapshotData dirty;
    InitDirtySnapshot(dirty);

    Relation heap = table_open(oids.event_log, AccessShareLock);
    PositionRangeScan range =
        begin_position_range_scan(heap, oids, category, read.after_position, horizon, &dirty);
    SysScanDesc scan = range.scan;
    TupleDesc desc = RelationGetDescr(heap);
    int64 emitted = 0;
    HeapTuple row;
    while ((!read.max_count || emitted < *read.max_count) &&
           HeapTupleIsValid(row = systable_getnext_ordered(scan, ForwardScanDirection))) {
        CHECK_FOR_INTERRUPTS();
        if (filter.active) {
            bool isnull;
            text* event_type = DatumGetTextPP(heap_getattr(row, kColEventType, desc, &isnull));
            // An event of another type will never be of interest, visible or not.
            if (!type_matches(filter, event_type)) continue;
        }
        if (!written_before(row, snapshot)) break;
        emit(rsinfo, row, desc);
        ++emitted;
    }
    end_position_range_scan(range);
    table_close(heap, AccessShareLock);
    return (Datum)0;
}
