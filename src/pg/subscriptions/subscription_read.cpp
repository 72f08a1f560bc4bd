// The read side of subscriptions: the events of one member of a consumer group, gap-safe as
// read_all, and where that read stopped looking; stream_member and head_position.
#include <optional>
#include <string_view>

#include "chronicle/core/consumer_group.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/boundary/text_view.hpp"
#include "chronicle/pg/event_log/event_log_access.hpp"
#include "chronicle/pg/event_log/in_flight_positions.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(chronicle_stream_member);
PG_FUNCTION_INFO_V1(chronicle_head_position);
PG_FUNCTION_INFO_V1(chronicle_subscription_read);
PG_FUNCTION_INFO_V1(chronicle_subscription_read_end);
}

namespace chronicle::pg {
namespace {

// Where this backend's last _subscription_read stopped looking (-1 before the first one), and
// the last position it returned (-1: none).
int64 last_read_end = -1;
int64 last_read_returned = -1;

// The sorted positions a read passes by (parked events), searched as the scan advances.
struct SkipList {
    int count;
    int64* positions;
    int next;
};

SkipList skip_list(ArrayType* array) {
    SkipList skip{0, nullptr, 0};
    if (array == nullptr) return skip;
    Datum* values;
    bool* nulls;
    deconstruct_array(array, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &values,
                      &nulls, &skip.count);
    skip.positions = static_cast<int64*>(palloc(sizeof(int64) * (skip.count + 1)));
    int kept = 0;
    for (int i = 0; i < skip.count; ++i) {
        if (nulls[i]) continue;
        const int64 position = DatumGetInt64(values[i]);
        // The caller sorts; an unsorted list would silently deliver a parked event.
        if (kept > 0 && position < skip.positions[kept - 1]) {
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg_internal("_subscription_read: skip list not sorted")));
        }
        skip.positions[kept++] = position;
    }
    skip.count = kept;
    return skip;
}

bool skipped(SkipList& skip, int64 position) {
    while (skip.next < skip.count && skip.positions[skip.next] < position) ++skip.next;
    return skip.next < skip.count && skip.positions[skip.next] == position;
}

}  // namespace
}  // namespace chronicle::pg

extern "C" Datum chronicle_stream_member(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    const std::string_view stream = view_of(PG_GETARG_TEXT_PP(0));
    const int members = PG_GETARG_INT32(1);
    const int member = core_call([&] { return chronicle::stream_member(stream, members); });
    PG_RETURN_INT32(member);
}

extern "C" Datum chronicle_head_position(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    const EventLogOids& oids = event_log_oids();
    PG_RETURN_INT64(current_read_horizon(oids.position_seq) - 1);
}

// _subscription_read(after, max_count, category, event_types, member, members, skip): as
// read_all, passing by the events of other members' streams and those in `skip`. Every
// argument comes from chronicle's own catalog (only _poll calls it), checked there.
extern "C" Datum chronicle_subscription_read(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(4) || PG_ARGISNULL(5)) {
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("_subscription_read needs after, max_count, member and members")));
    }
    const int64 after = PG_GETARG_INT64(0);
    const int32 max_count = PG_GETARG_INT32(1);
    text* category = PG_ARGISNULL(2) ? nullptr : PG_GETARG_TEXT_PP(2);
    ArrayType* types = PG_ARGISNULL(3) ? nullptr : PG_GETARG_ARRAYTYPE_P(3);
    const int32 member = PG_GETARG_INT32(4);
    const int32 members = PG_GETARG_INT32(5);
    if (members < 1 || members > chronicle::kMaxGroupMembers || member < 0 || member >= members ||
        after < 0 || after == PG_INT64_MAX || max_count < 0) {
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("_subscription_read: invalid arguments")));
    }
    SkipList skip = skip_list(PG_ARGISNULL(6) ? nullptr : PG_GETARG_ARRAYTYPE_P(6));

    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    last_read_end = after;
    last_read_returned = -1;
    if (max_count == 0) return (Datum)0;

    const EventLogOids& oids = event_log_oids();
    const int64 horizon = current_read_horizon(oids.position_seq);
    if (horizon <= after + 1) return (Datum)0;

    const TypeFilter filter = type_filter(types);
    const Snapshot snapshot = GetActiveSnapshot();
    SnapshotData dirty;
    InitDirtySnapshot(dirty);
    Relation heap = table_open(oids.event_log, AccessShareLock);
    PositionRangeScan range =
        begin_position_range_scan(heap, oids, category, after, horizon, &dirty);
    TupleDesc desc = RelationGetDescr(heap);
    int64 examined = after;
    bool stopped = false;
    int emitted = 0;
    HeapTuple row;
    while (emitted < max_count &&
           HeapTupleIsValid(row = systable_getnext_ordered(range.scan, ForwardScanDirection))) {
        CHECK_FOR_INTERRUPTS();
        bool isnull;
        const int64 position = DatumGetInt64(heap_getattr(row, kColGlobalPosition, desc, &isnull));
        // Events this member will never receive are passed by, visible or not.
        bool wanted = !skipped(skip, position);
        if (wanted && filter.active) {
            wanted = type_matches(filter,
                                  DatumGetTextPP(heap_getattr(row, kColEventType, desc, &isnull)));
        }
        if (wanted && members > 1) {
            text* stream = DatumGetTextPP(heap_getattr(row, kColStream, desc, &isnull));
            wanted = chronicle::stream_hash(view_of(stream)) % static_cast<uint64>(members) ==
                     static_cast<uint64>(member);
        }
        if (!wanted) {
            examined = position;
            continue;
        }
        if (!written_before(row, snapshot)) {
            // Committed after this statement's snapshot: the next read starts here.
            examined = position - 1;
            stopped = true;
            break;
        }
        Datum values[kEventTypeColumnCount];
        bool nulls[kEventTypeColumnCount];
        event_row_values(row, desc, values, nulls);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        ++emitted;
        examined = position;
        last_read_returned = position;
    }
    // Exhausted below the horizon: every position up to it is committed or never will be.
    if (!stopped && emitted < max_count) examined = horizon - 1;
    end_position_range_scan(range);
    table_close(heap, AccessShareLock);
    last_read_end = examined;
    return (Datum)0;
}

// _subscription_read_end(OUT examined bigint, OUT last_returned bigint): NULLs before the first
// read of this backend, and for a read that returned nothing.
extern "C" Datum chronicle_subscription_read_end(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE) {
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("_subscription_read_end must return a composite")));
    }
    desc = BlessTupleDesc(desc);
    Datum values[2] = {Int64GetDatum(last_read_end), Int64GetDatum(last_read_returned)};
    bool nulls[2] = {last_read_end < 0, last_read_returned < 0};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
