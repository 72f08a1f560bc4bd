// chronicle._projection_fill(name): an inline projection's table refolded from every stream
// of its category while appends are held off, called by the management functions when an
// inline projection is created, resumed or rebuilt without workers. The rows are written
// as the projection's owner (their casts and domain checks are the owner's code), the
// catalog read and the lock taken as the caller.
#include <string>
#include <vector>

#include "chronicle/core/error.hpp"
#include "chronicle/core/projection_batch.hpp"
#include "chronicle/pg/aggregates/aggregate_catalog.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/event_log/event_log_catalog.hpp"
#include "chronicle/pg/roles/owner_context.hpp"
#include "chronicle/pg/boundary/pg_guard.hpp"
#include "chronicle/pg/projections/projection_rows.hpp"
#include "chronicle/pg/boundary/errcodes.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(chronicle_projection_fill);
}

namespace chronicle::pg {

namespace {

// Streams refolded per statement: one SELECT ... FOR UPDATE and one upsert each.
constexpr long kStreamsPerBatch = 1000;

struct FillTarget {
    char* name;
    char* aggregate;
    char* category;
    Oid table;
    Jsonb* columns;
    Oid owner;
};

// Plain C-style: reads the projection, checks the isolation and holds appends off.
void begin_fill(text* name, MemoryContext result_context, FillTarget* target) {
    Oid types[1] = {TEXTOID};
    Datum values[1] = {PointerGetDatum(name)};
    const int rc = SPI_execute_with_args(
        "SELECT name, aggregate, category, table_name::oid, columns, owner::oid "
        "FROM chronicle.projections WHERE name = $1 AND kind = 'aggregate'",
        1, types, values, nullptr, true, 0);
    if (rc != SPI_OK_SELECT)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("reading chronicle.projections failed")));
    if (SPI_processed != 1) {
        ereport(ERROR, (errcode(ERRCODE_CHRONICLE_UNKNOWN_PROJECTION),
                        errmsg("projection \"%s\" does not exist", text_to_cstring(name))));
    }
    HeapTuple row = SPI_tuptable->vals[0];
    TupleDesc desc = SPI_tuptable->tupdesc;
    bool isnull;
    MemoryContext spi = MemoryContextSwitchTo(result_context);
    target->name = text_to_cstring(name);
    target->aggregate = TextDatumGetCString(SPI_getbinval(row, desc, 2, &isnull));
    target->category = TextDatumGetCString(SPI_getbinval(row, desc, 3, &isnull));
    target->table = DatumGetObjectId(SPI_getbinval(row, desc, 4, &isnull));
    target->columns = DatumGetJsonbPCopy(SPI_getbinval(row, desc, 5, &isnull));
    target->owner = DatumGetObjectId(SPI_getbinval(row, desc, 6, &isnull));
    MemoryContextSwitchTo(spi);
    // Every statement below must see every event committed before the lock; a snapshot
    // taken earlier in the transaction would leave streams out for good.
    if (XactIsoLevel != XACT_READ_COMMITTED) {
        ereport(ERROR,
                (errcode(ERRCODE_CHRONICLE_TRANSACTION_NOT_SUPPORTED),
                 errmsg("an inline projection is filled in a read committed transaction only"),
                 errdetail("This transaction is %s.",
                           XactIsoLevel == XACT_SERIALIZABLE ? "serializable" : "repeatable read"),
                 errhint("Run it in a transaction of its own, or SET TRANSACTION ISOLATION LEVEL "
                         "READ COMMITTED first.")));
    }
    // Waits for appends in flight and holds new ones until commit. Taken in C, as the
    // caller: no SQL (and no search_path) involved, and the caller needs no right on the
    // event log for it.
    LockRelationOid(event_log_oids().event_log, ShareLock);
}

void fill(text* name) {
    FillTarget target{};
    ProjectionStatements sql{nullptr, nullptr};
    Portal streams_cursor = nullptr;
    Snapshot events = nullptr;
    pg_guarded([&] {
        MemoryContext caller = CurrentMemoryContext;
        if (SPI_connect() != SPI_OK_CONNECT)
            ereport(ERROR,
                    (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("SPI_connect failed")));
        begin_fill(name, caller, &target);
        // Taken after the lock: sees every event of every stream as of now.
        events = RegisterSnapshot(GetLatestSnapshot());
    });
    const AggregateRef aggregate = find_aggregate(target.aggregate);
    as_owner(target.owner, "projection", target.name, [&] {
        sql = prepare_projection_statements(target.table, target.columns);
        pg_guarded([&] {
            char* remove = psprintf(
                "DELETE FROM %s",
                quote_qualified_identifier(get_namespace_name(get_rel_namespace(target.table)),
                                           get_rel_name(target.table)));
            if (SPI_execute(remove, false, 0) != SPI_OK_DELETE) {
                ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                                errmsg_internal("emptying the table of projection \"%s\" failed",
                                                target.name)));
            }
        });
    });
    pg_guarded([&] {
        Oid types[1] = {TEXTOID};
        Datum values[1] = {CStringGetTextDatum(target.category)};
        // Not read-only: the cursor takes a fresh snapshot, after the lock.
        streams_cursor = SPI_cursor_open_with_args(nullptr,
                                                   "SELECT stream, version FROM chronicle.streams "
                                                   "WHERE category = $1 ORDER BY stream",
                                                   1, types, values, nullptr, false, 0);
    });
    std::vector<TouchedStream> batch;
    batch.reserve(kStreamsPerBatch);
    while (true) {
        batch.clear();
        uint64 fetched = 0;
        pg_guarded([&] {
            CHECK_FOR_INTERRUPTS();
            SPI_cursor_fetch(streams_cursor, true, kStreamsPerBatch);
            fetched = SPI_processed;
        });
        if (fetched == 0) break;
        for (uint64 i = 0; i < fetched; ++i) {
            const char* stream = nullptr;
            int64 version = 0;
            pg_guarded([&] {
                bool isnull;
                stream = TextDatumGetCString(
                    SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
                version = DatumGetInt64(
                    SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
            });
            batch.push_back(TouchedStream{stream, version, 1, 0, version});
        }
        pg_guarded([&] { SPI_freetuptable(SPI_tuptable); });
        RowFailure failure;
        as_owner(target.owner, "projection", target.name,
                 [&] { fold_onto_rows(*aggregate, sql, batch, events, InvalidSnapshot, failure); });
    }
    pg_guarded([&] {
        SPI_cursor_close(streams_cursor);
        UnregisterSnapshot(events);
        SPI_finish();
    });
}

}  // namespace

}  // namespace chronicle::pg

extern "C" Datum chronicle_projection_fill(PG_FUNCTION_ARGS) {
    text* name = PG_GETARG_TEXT_PP(0);
    chronicle::pg::core_call([&] {
        // The caller's search_path is not trusted for chronicle's own queries either; each
        // owner context below pins it again for the owner.
        chronicle::pg::OwnerContext pinned{InvalidOid, 0, 0};
        chronicle::pg::pg_guarded([&] { chronicle::pg::enter_pinned_context(&pinned); });
        try {
            chronicle::pg::fill(name);
        } catch (...) {
            chronicle::pg::pg_guarded([&] { chronicle::pg::leave_owner_context(&pinned); });
            throw;
        }
        chronicle::pg::pg_guarded([&] { chronicle::pg::leave_owner_context(&pinned); });
    });
    PG_RETURN_VOID();
}
