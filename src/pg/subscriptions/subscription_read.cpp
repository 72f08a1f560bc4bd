// The read side of subscriptions: the events of one member of a consumer group, gap-safe as
// read_all, and where that read stopped looking (member_read.hpp); stream_member and
// head_position.
#include <optional>
#include <string_view>

#include "chronicle/core/consumer_group.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/boundary/text_view.hpp"
#include "chronicle/pg/event_log/event_log_access.hpp"
#include "chronicle/pg/event_log/in_flight_positions.hpp"
#include "chronicle/pg/subscriptions/member_read.hpp"

extern "C" {
#include "access/genam.h"
#include "access/stratnum.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(chronicle_stream_member);
PG_FUNCTION_INFO_V1(chronicle_head_position);
}

namespace chronicle::pg {
namespace {

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

namespace chronicle::pg {

MemberReadEnd read_member_events(ReturnSetInfo* rsinfo, const MemberRead& read) {
    if (read.members < 1 || read.members > chronicle::kMaxGroupMembers || read.member < 0 ||
        read.member >= read.members || read.after < 0 || read.after == PG_INT64_MAX ||
        read.max_count < 0) {
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("read_member_events: invalid arguments")));
    }
    MemberReadEnd end{read.after, -1, 0};
    if (read.max_count == 0) return end;
    SkipList skip = skip_list(read.passed);
    const EventLogOids& oids = event_log_oids();
    const int64 horizon = current_read_horizon(oids.position_seq);
    if (horizon <= read.after + 1) return end;

    const TypeFilter filter = type_filter(read.event_types);
    const Snapshot snapshot = GetActiveSnapshot();
    SnapshotData dirty;
    InitDirtySnapshot(dirty);
    Relation heap = table_open(oids.event_log, AccessShareLock);
    PositionRangeScan range =
        begin_position_range_scan(heap, oids, read.category, read.after, horizon, &dirty);
    TupleDesc desc = RelationGetDescr(heap);
    bool stopped = false;
    HeapTuple row;
    while (end.returned < read.max_count &&
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
        if (wanted && read.members > 1) {
            text* stream = DatumGetTextPP(heap_getattr(row, kColStream, desc, &isnull));
            wanted = chronicle::stream_hash(view_of(stream)) % static_cast<uint64>(read.members) ==
                     static_cast<uint64>(read.member);
        }
        if (!wanted) {
            end.examined = position;
            continue;
        }
        if (!written_before(row, snapshot)) {
            // Committed after this statement's snapshot: the next read starts here.
            end.examined = position - 1;
            stopped = true;
            break;
        }
        Datum values[kEventTypeColumnCount];
        bool nulls[kEventTypeColumnCount];
        event_row_values(row, desc, values, nulls);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        ++end.returned;
        end.examined = position;
        end.last_returned = position;
    }
    // Exhausted below the horizon: every position up to it is committed or never will be.
    if (!stopped && end.returned < read.max_count) end.examined = horizon - 1;
    end_position_range_scan(range);
    table_close(heap, AccessShareLock);
    return end;
}

int emit_events_at(ReturnSetInfo* rsinfo, ArrayType* positions) {
    if (positions == nullptr) return 0;
    SkipList list = skip_list(positions);
    const EventLogOids& oids = event_log_oids();
    Relation heap = table_open(oids.event_log, AccessShareLock);
    Relation index = index_open(oids.position_index, AccessShareLock);
    TupleDesc desc = RelationGetDescr(heap);
    int found = 0;
    for (int i = 0; i < list.count; ++i) {
        ScanKeyData key;
        ScanKeyEntryInitialize(&key, 0, kColGlobalPosition, BTEqualStrategyNumber, InvalidOid,
                               InvalidOid, F_INT8EQ, Int64GetDatum(list.positions[i]));
        SysScanDesc scan = systable_beginscan_ordered(heap, index, GetActiveSnapshot(), 1, &key);
        HeapTuple row = systable_getnext_ordered(scan, ForwardScanDirection);
        if (HeapTupleIsValid(row)) {
            Datum values[kEventTypeColumnCount];
            bool nulls[kEventTypeColumnCount];
            event_row_values(row, desc, values, nulls);
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
            ++found;
        }
        systable_endscan_ordered(scan);
    }
    index_close(index, AccessShareLock);
    table_close(heap, AccessShareLock);
    return found;
}

}  // namespace chronicle::pg
