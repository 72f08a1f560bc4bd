// wait_for_projection: read-your-writes for callers that need it. The target is the newest
// event committed before the call; the projection has applied it once its position is at or
// past it (positions move past every event below the read horizon, matching or not).
#include "chronicle/pg/boundary/pg_compat.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/core/error.hpp"
#include "chronicle/pg/event_log/event_log_catalog.hpp"
#include "chronicle/pg/event_log/in_flight_positions.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/boundary/errcodes.hpp"
#include "chronicle/pg/boundary/timeout.hpp"

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(chronicle_wait_for_projection);
}

namespace chronicle::pg {
namespace {

constexpr long kPollMilliseconds = 5;

// The position of the newest event committed by another transaction, read from the end of
// the position index: this transaction's own uncommitted events are not "committed before
// the call" and no worker can apply them before it commits.
int64 newest_committed_position() {
    const EventLogOids& oids = event_log_oids();
    Relation log = table_open(oids.event_log, AccessShareLock);
    Relation index = index_open(oids.position_index, AccessShareLock);
    Snapshot snapshot = RegisterSnapshot(GetLatestSnapshot());
    IndexScanDesc scan = compat::begin_index_scan(log, index, snapshot, 0);
    index_rescan(scan, nullptr, 0, nullptr, 0);
    TupleTableSlot* slot = table_slot_create(log, nullptr);
    int64 newest = 0;
    while (index_getnext_slot(scan, BackwardScanDirection, slot)) {
        CHECK_FOR_INTERRUPTS();
        bool should_free;
        HeapTuple tuple = ExecFetchSlotHeapTuple(slot, false, &should_free);
        const bool own = TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tuple->t_data));
        if (should_free) heap_freetuple(tuple);
        if (own) continue;
        bool isnull;
        newest = DatumGetInt64(slot_getattr(slot, 1, &isnull));
        break;
    }
    ExecDropSingleTupleTableSlot(slot);
    index_endscan(scan);
    UnregisterSnapshot(snapshot);
    index_close(index, AccessShareLock);
    table_close(log, AccessShareLock);
    return newest;
}

struct ProjectionProgress {
    bool found;
    bool inline_mode;
    char state;  // 'r'unning, 'p'aused, 'f'ailed
    int64 position;
};

// Read with the latest snapshot: the worker's commits must be seen inside a
// repeatable-read transaction too.
ProjectionProgress read_progress(SPIPlanPtr plan, Datum name) {
    Datum values[1] = {name};
    if (SPI_execute_snapshot(plan, values, nullptr, GetLatestSnapshot(), InvalidSnapshot, true,
                             false, 1) != SPI_OK_SELECT) {
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("reading chronicle.projections failed")));
    }
    ProjectionProgress progress{false, false, 'r', 0};
    if (SPI_processed == 0) return progress;
    bool isnull;
    HeapTuple row = SPI_tuptable->vals[0];
    TupleDesc desc = SPI_tuptable->tupdesc;
    progress.found = true;
    progress.inline_mode = DatumGetBool(SPI_getbinval(row, desc, 1, &isnull));
    char* state = TextDatumGetCString(SPI_getbinval(row, desc, 2, &isnull));
    progress.state = state[0];
    progress.position = DatumGetInt64(SPI_getbinval(row, desc, 3, &isnull));
    SPI_freetuptable(SPI_tuptable);
    return progress;
}

}  // namespace
}  // namespace chronicle::pg

extern "C" Datum chronicle_wait_for_projection(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    if (PG_ARGISNULL(0)) {
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("wait_for_projection needs a projection name")));
    }
    Datum name = PG_GETARG_DATUM(0);
    const long timeout_ms =
        timeout_milliseconds(PG_ARGISNULL(1) ? nullptr : PG_GETARG_INTERVAL_P(1), 5000);
    const int64 target = newest_committed_position();
    const TimestampTz started = GetCurrentTimestamp();

    if (SPI_connect() != SPI_OK_CONNECT)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("SPI_connect failed")));
    Oid types[1] = {TEXTOID};
    SPIPlanPtr plan = SPI_prepare(
        // Every operator named with its schema: the caller's search_path resolves nothing here.
        "SELECT mode OPERATOR(pg_catalog.=) 'inline', state, position FROM chronicle.projections "
        "WHERE name OPERATOR(pg_catalog.=) $1",
        1, types);
    if (plan == nullptr)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("preparing the projection query failed")));
    bool done = false;
    while (true) {
        const ProjectionProgress progress = read_progress(plan, name);
        if (!progress.found) {
            ereport(ERROR,
                    (errcode(ERRCODE_CHRONICLE_UNKNOWN_PROJECTION),
                     errmsg("projection \"%s\" does not exist", TextDatumGetCString(name)),
                     errhint("SELECT name FROM chronicle.projections lists the projections of "
                             "this database.")));
        }
        if (progress.state == 'f') break;  // it will not move until resumed
        // An inline projection is current in every transaction, this one's events included.
        if (progress.state == 'r' && progress.inline_mode) {
            done = true;
            break;
        }
        if (!progress.inline_mode && current_transaction_holds_position()) {
            // Waiting could only end in a time-out, or in `true` for the others' events
            // while the caller's own (which it most likely means) are not applied: no
            // worker sees them before this transaction commits, and until then this
            // transaction's first position holds back every projection of the database.
            ereport(ERROR, (errcode(ERRCODE_CHRONICLE_TRANSACTION_NOT_SUPPORTED),
                            errmsg("wait_for_projection cannot wait in a transaction that appended "
                                   "events"),
                            errdetail("No worker can apply this transaction's events to projection "
                                      "\"%s\" before it commits.",
                                      TextDatumGetCString(name)),
                            errhint("Commit first, then call wait_for_projection. (Drivers such as "
                                    "psycopg2 open a transaction implicitly: commit, or use "
                                    "autocommit.)")));
        }
        if (progress.state == 'r' && progress.position >= target) {
            done = true;
            break;
        }
        const long waited = static_cast<long>((GetCurrentTimestamp() - started) / 1000);
        if (waited >= timeout_ms) break;
        const long nap =
            timeout_ms - waited < kPollMilliseconds ? timeout_ms - waited : kPollMilliseconds;
        // Nothing of ours is held across the sleep: each poll reads with a snapshot of its
        // own, released when it returns; the catalog snapshot (SPI's lookups take one) goes
        // too, so that only the calling statement's snapshot remains.
        InvalidateCatalogSnapshot();
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, nap,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    }
    SPI_finish();
    PG_RETURN_BOOL(done);
}
