// wait_for_events: the long poll of consumers that cannot LISTEN (behind a transaction-mode
// pooler). Returns true as soon as events the subscription would deliver are visible to a new
// snapshot, false at the timeout. Each look takes the newest snapshot and lets it go; between
// looks it sleeps on the commit signal (commit_signals.hpp), holding no snapshot of its own.
#include "chronicle/pg/boundary/errcodes.hpp"
#include "chronicle/pg/boundary/pg_compat.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/boundary/text_view.hpp"
#include "chronicle/pg/boundary/timeout.hpp"
#include "chronicle/core/consumer_group.hpp"
#include "chronicle/pg/event_log/event_log_access.hpp"
#include "chronicle/pg/event_log/in_flight_positions.hpp"
#include "chronicle/pg/subscriptions/commit_signals.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(chronicle_wait_for_events);
}

namespace chronicle::pg {
namespace {

// A subscription as _subscription_wait_target describes it, palloc'd.
struct WaitTarget {
    text* category;  // nullptr: every category
    ArrayType* event_types;
    int members;
    int only_member;   // -1: any member's events count
    int64* positions;  // per member
    bool replays;      // parked events wait to be delivered again
    int parked_count;  // sorted positions the polls pass by
    int64* parked;
};

int64* int8_array(ArrayType* array, int* count) {
    Datum* values;
    bool* nulls;
    deconstruct_array(array, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &values,
                      &nulls, count);
    int64* out = static_cast<int64*>(palloc(sizeof(int64) * (*count + 1)));
    for (int i = 0; i < *count; ++i) out[i] = nulls[i] ? 0 : DatumGetInt64(values[i]);
    return out;
}

// Runs as the extension's owner (the function is SECURITY DEFINER), with the caller passed
// in: _subscription_wait_target checks that the caller may consume the subscription.
WaitTarget read_target(Datum caller, Datum subscription, Datum member, Datum members,
                       const char* nulls) {
    Oid types[4] = {REGROLEOID, TEXTOID, INT4OID, INT4OID};
    Datum values[4] = {caller, subscription, member, members};
    if (SPI_execute_with_args(
            "SELECT category, event_types, group_size, positions, replays, parked "
            "FROM chronicle_internal._subscription_wait_target($1, $2, $3, $4)",
            4, types, values, nulls, false, 1) != SPI_OK_SELECT ||
        SPI_processed != 1) {
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("reading the subscription failed")));
    }
    HeapTuple row = SPI_tuptable->vals[0];
    TupleDesc desc = SPI_tuptable->tupdesc;
    WaitTarget target{};
    bool isnull;
    // Copied (palloc, inside SPI: valid until SPI_finish) before the tuple table is freed.
    Datum category = SPI_getbinval(row, desc, 1, &isnull);
    target.category = isnull ? nullptr : DatumGetTextPCopy(category);
    Datum types_value = SPI_getbinval(row, desc, 2, &isnull);
    target.event_types = isnull ? nullptr : DatumGetArrayTypePCopy(types_value);
    target.members = DatumGetInt32(SPI_getbinval(row, desc, 3, &isnull));
    target.only_member = nulls[2] == 'n' ? -1 : DatumGetInt32(member);
    int count = 0;
    target.positions = int8_array(DatumGetArrayTypeP(SPI_getbinval(row, desc, 4, &isnull)), &count);
    if (count != target.members || count < 1) {
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("subscription has %d checkpoints for %d members", count,
                                        target.members)));
    }
    target.replays = DatumGetBool(SPI_getbinval(row, desc, 5, &isnull));
    target.parked =
        int8_array(DatumGetArrayTypeP(SPI_getbinval(row, desc, 6, &isnull)), &target.parked_count);
    SPI_freetuptable(SPI_tuptable);
    return target;
}

// Whether an event the subscription would deliver is visible to a new snapshot. Starts at
// `*from` (every earlier position was found of no interest by an earlier look) and moves it.
bool events_visible(const WaitTarget& target, int64* from) {
    int64 lowest =
        target.only_member < 0 ? target.positions[0] : target.positions[target.only_member];
    for (int i = 1; target.only_member < 0 && i < target.members; ++i) {
        if (target.positions[i] < lowest) lowest = target.positions[i];
    }
    if (*from < lowest) *from = lowest;
    const EventLogOids& oids = event_log_oids();
    const int64 horizon = current_read_horizon(oids.position_seq);
    if (horizon <= *from + 1) return false;

    const TypeFilter filter = type_filter(target.event_types);
    Snapshot snapshot = RegisterSnapshot(GetLatestSnapshot());
    SnapshotData dirty;
    InitDirtySnapshot(dirty);
    Relation heap = table_open(oids.event_log, AccessShareLock);
    PositionRangeScan range =
        begin_position_range_scan(heap, oids, target.category, *from, horizon, &dirty);
    TupleDesc desc = RelationGetDescr(heap);
    int next_parked = 0;
    bool found = false;
    bool stopped = false;
    HeapTuple row;
    while (HeapTupleIsValid(row = systable_getnext_ordered(range.scan, ForwardScanDirection))) {
        CHECK_FOR_INTERRUPTS();
        bool isnull;
        const int64 position = DatumGetInt64(heap_getattr(row, kColGlobalPosition, desc, &isnull));
        while (next_parked < target.parked_count && target.parked[next_parked] < position) {
            ++next_parked;
        }
        bool wanted =
            !(next_parked < target.parked_count && target.parked[next_parked] == position);
        if (wanted && filter.active) {
            wanted = type_matches(filter,
                                  DatumGetTextPP(heap_getattr(row, kColEventType, desc, &isnull)));
        }
        if (wanted) {
            text* stream = DatumGetTextPP(heap_getattr(row, kColStream, desc, &isnull));
            const int member = static_cast<int>(chronicle::stream_hash(view_of(stream)) %
                                                static_cast<uint64>(target.members));
            wanted = (target.only_member < 0 || member == target.only_member) &&
                     position > target.positions[member];
        }
        if (!wanted) {
            *from = position;
            continue;
        }
        if (!written_before(row, snapshot)) {
            stopped = true;  // committed after the snapshot: the next look sees it
            break;
        }
        found = true;
        break;
    }
    if (!found && !stopped) *from = horizon - 1;
    end_position_range_scan(range);
    table_close(heap, AccessShareLock);
    UnregisterSnapshot(snapshot);
    return found;
}

}  // namespace
}  // namespace chronicle::pg

// chronicle_internal._wait_for_events(caller regrole, caller_path text, subscription text,
// timeout interval, member integer, members integer), reached through chronicle.wait_for_events'
// trampoline. With member and members, only that member's events count.
extern "C" Datum chronicle_wait_for_events(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    if (PG_ARGISNULL(0) || PG_ARGISNULL(2)) {
        ereport(ERROR, (errcode(ERRCODE_CHRONICLE_UNKNOWN_SUBSCRIPTION),
                        errmsg("wait_for_events needs a subscription name")));
    }
    const Datum caller = PG_GETARG_DATUM(0);
    const Datum subscription = PG_GETARG_DATUM(2);
    const char nulls[4] = {' ', ' ', PG_ARGISNULL(4) ? 'n' : ' ', PG_ARGISNULL(5) ? 'n' : ' '};
    const Datum member = PG_ARGISNULL(4) ? (Datum)0 : PG_GETARG_DATUM(4);
    const Datum members = PG_ARGISNULL(5) ? (Datum)0 : PG_GETARG_DATUM(5);
    const long timeout_ms =
        timeout_milliseconds(PG_ARGISNULL(3) ? nullptr : PG_GETARG_INTERVAL_P(3), 30000);
    if (current_transaction_holds_position()) {
        // Until this transaction ends, its own positions hold back every reader of the
        // database, this wait included: it could only time out.
        ereport(ERROR, (errcode(ERRCODE_CHRONICLE_TRANSACTION_NOT_SUPPORTED),
                        errmsg("wait_for_events cannot wait in a transaction that appended events"),
                        errhint("Commit first, then wait.")));
    }
    const TimestampTz started = GetCurrentTimestamp();
    if (SPI_connect() != SPI_OK_CONNECT)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("SPI_connect failed")));
    bool found = false;
    int64 from = 0;
    prepare_to_wait_for_appends();
    PG_TRY();
    {
        while (true) {
            const WaitTarget target = read_target(caller, subscription, member, members, nulls);
            if (target.replays || events_visible(target, &from)) {
                found = true;
                break;
            }
            const long waited = static_cast<long>((GetCurrentTimestamp() - started) / 1000);
            if (waited >= timeout_ms) break;
            // Nothing of ours is held across the sleep: the looks' snapshots are gone, and so is
            // the catalog snapshot; only the calling statement's own snapshot remains.
            InvalidateCatalogSnapshot();
            wait_for_appends(timeout_ms - waited);
            CHECK_FOR_INTERRUPTS();
        }
    }
    PG_FINALLY();
    { cancel_wait_for_appends(); }
    PG_END_TRY();
    SPI_finish();
    PG_RETURN_BOOL(found);
}
