// Inline projections: the running ones of each category cached per backend, applied by
// append and append_batch in the appending transaction, as each projection's owner.

#include "chronicle/pg/projections/inline_projections.hpp"

#include <string>
#include <unordered_map>
#include <vector>

#include "chronicle/pg/aggregates/aggregate_catalog.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/roles/owner_context.hpp"
#include "chronicle/pg/boundary/pg_guard.hpp"
#include "chronicle/pg/projections/projection_rows.hpp"
#include "chronicle/pg/boundary/text_view.hpp"
#include "chronicle/pg/catalog/metadata_cache.hpp"
#include "chronicle/pg/workers/worker_registry.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "commands/trigger.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
}

namespace chronicle::pg {

namespace {

struct InlineProjection {
    std::string name;
    std::string aggregate;
    Oid table;
    Oid owner;       // its statements, their casts and domain checks, and the fold run as this role
    Jsonb* columns;  // in the cache's memory context
    RowStatements statements{nullptr, nullptr, nullptr};  // kept plans, made on first use
};

struct Cache {
    std::uint64_t epoch = 0;  // definitions_epoch(Definitions::InlineProjections) when built
    MemoryContext memory = nullptr;
    std::unordered_map<std::string, std::vector<InlineProjection>> by_category;
};
Cache* cache = nullptr;  // created on first use, lives as long as the backend

// A projection was created, resumed, rebuilt...: the database's worker is woken when this
// transaction commits, instead of at its next naptime. Per transaction: reset by
// inline_projections_xact_event (see module.cpp).
bool wake_worker_at_commit = false;

Oid find_projections_table() {
    Oid table = InvalidOid;
    if (metadata_cache_is_valid()) return metadata_cache().projections;
    pg_guarded([&] { table = metadata_cache().projections; });
    return table;
}

void free_plans(Cache& c) {
    for (auto& [category, list] : c.by_category) {
        for (InlineProjection& projection : list) {
            pg_guarded([&] {
                const RowStatements& sql = projection.statements;
                if (sql.select_row) SPI_freeplan(sql.select_row);
                if (sql.update_row) SPI_freeplan(sql.update_row);
                if (sql.insert_row) SPI_freeplan(sql.insert_row);
            });
        }
    }
    c.by_category.clear();
}

void reload(Cache& c, std::uint64_t epoch) {
    free_plans(c);
    c.epoch = 0;  // until loaded: a failure below leaves it stale
    uint64 count = 0;
    SPITupleTable* rows = nullptr;
    pg_guarded([&] {
        if (c.memory == nullptr) {
            c.memory = AllocSetContextCreate(CacheMemoryContext, "chronicle inline projections",
                                             ALLOCSET_SMALL_SIZES);
        }
        MemoryContextReset(c.memory);
        if (SPI_connect() != SPI_OK_CONNECT)
            ereport(ERROR,
                    (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("SPI_connect failed")));
        // The latest snapshot, like the aggregates' cache: an append that waited for a
        // projection's creation to commit must keep that projection current.
        // Not through the appender's search_path: the query's operators are chronicle's.
        OwnerContext pinned;
        enter_pinned_context(&pinned);
        PG_TRY();
        {
            SPIPlanPtr plan = SPI_prepare(
                "SELECT name, aggregate, category, table_name::oid, columns, owner::oid "
                "FROM chronicle.projections WHERE mode = 'inline' AND state = 'running'",
                0, nullptr);
            if (plan == nullptr ||
                SPI_execute_snapshot(plan, nullptr, nullptr, GetLatestSnapshot(), InvalidSnapshot,
                                     true, false, 0) != SPI_OK_SELECT) {
                ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                                errmsg_internal("reading chronicle.projections failed")));
            }
        }
        PG_FINALLY();
        { leave_owner_context(&pinned); }
        PG_END_TRY();
        count = SPI_processed;
        rows = SPI_tuptable;
    });
    for (uint64 i = 0; i < count; ++i) {
        InlineProjection projection;
        const char* category = nullptr;
        pg_guarded([&] {
            bool isnull;
            TupleDesc desc = rows->tupdesc;
            HeapTuple row = rows->vals[i];
            MemoryContext caller = MemoryContextSwitchTo(c.memory);
            projection.columns = DatumGetJsonbPCopy(SPI_getbinval(row, desc, 5, &isnull));
            MemoryContextSwitchTo(caller);
            projection.table = DatumGetObjectId(SPI_getbinval(row, desc, 4, &isnull));
            projection.owner = DatumGetObjectId(SPI_getbinval(row, desc, 6, &isnull));
            category = TextDatumGetCString(SPI_getbinval(row, desc, 3, &isnull));
        });
        pg_guarded([&] {
            bool isnull;
            projection.name.assign(
                TextDatumGetCString(SPI_getbinval(rows->vals[i], rows->tupdesc, 1, &isnull)));
            projection.aggregate.assign(
                TextDatumGetCString(SPI_getbinval(rows->vals[i], rows->tupdesc, 2, &isnull)));
        });
        c.by_category[category].push_back(std::move(projection));
    }
    pg_guarded([&] { SPI_finish(); });
    // An invalidation that arrived while loading advanced the epoch: reloaded at the next call.
    c.epoch = epoch;
}

std::vector<InlineProjection>* inline_projections_of(std::string_view category) {
    if (!OidIsValid(find_projections_table())) return nullptr;
    if (!cache) cache = new Cache();
    const std::uint64_t epoch = definitions_epoch(Definitions::InlineProjections);
    if (cache->epoch != epoch) reload(*cache, epoch);
    if (cache->by_category.empty()) return nullptr;
    auto it = cache->by_category.find(std::string(category));
    return it == cache->by_category.end() ? nullptr : &it->second;
}

}  // namespace

void apply_inline_projections(text* stream, std::string_view category, int64 new_version) {
    core_call([&] {
        std::vector<InlineProjection>* projections = inline_projections_of(category);
        if (projections == nullptr) return;
        pg_guarded([&] {
            if (SPI_connect() != SPI_OK_CONNECT)
                ereport(ERROR,
                        (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("SPI_connect failed")));
        });
        for (InlineProjection& projection : *projections) {
            const AggregateRef aggregate = find_aggregate(projection.aggregate);
            // Everything below is the projection owner's business, done with the owner's
            // rights: the appender needs none on the table, and the table's casts and
            // domain checks never run with the appender's. Prepared as the owner too, so
            // that the statements are planned with the same (pinned) search_path they run
            // with and are not re-planned on every append.
            as_owner(projection.owner, "projection", projection.name.c_str(), [&] {
                if (projection.statements.select_row == nullptr) {
                    RowStatements prepared =
                        prepare_row_statements(projection.table, projection.columns);
                    pg_guarded([&] {
                        SPI_keepplan(prepared.select_row);
                        SPI_keepplan(prepared.update_row);
                        SPI_keepplan(prepared.insert_row);
                    });
                    projection.statements = prepared;
                }
                // Under the stream's lock SnapshotSelf sees all of its events; the statements
                // run with the latest snapshot once the table is locked, so that a
                // repeatable-read append finds the row its predecessor on this stream (or a
                // rebuild's swap) wrote.
                fold_onto_row(*aggregate, projection.table, projection.statements, stream,
                              new_version, SnapshotSelf);
            });
        }
        pg_guarded([&] { SPI_finish(); });
    });
}

void lock_inline_projection_tables(std::string_view category) {
    core_call([&] {
        std::vector<InlineProjection>* projections = inline_projections_of(category);
        if (projections == nullptr) return;
        for (const InlineProjection& projection : *projections) {
            pg_guarded([&] { LockRelationOid(projection.table, RowExclusiveLock); });
        }
    });
}

void inline_projections_xact_event(XactEvent event) {
    if (event == XACT_EVENT_COMMIT && wake_worker_at_commit) wake_database_worker(MyDatabaseId);
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
        event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
        event == XACT_EVENT_PREPARE) {
        wake_worker_at_commit = false;
    }
}

void wake_worker_when_committed() {
    wake_worker_at_commit = true;
}

}  // namespace chronicle::pg

// AFTER ... FOR EACH STATEMENT on chronicle.projections (definition columns): every
// backend's inline projections are reloaded.
extern "C" {
PG_FUNCTION_INFO_V1(chronicle_projections_changed);
}

extern "C" Datum chronicle_projections_changed(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_TRIGGER(fcinfo)) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("chronicle.projections_changed() is a trigger function")));
    }
    TriggerData* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    CacheInvalidateRelcache(trigger->tg_relation);
    chronicle::pg::wake_worker_when_committed();
    return PointerGetDatum(nullptr);
}
