// The aggregates of this database, compiled once per backend and kept until
// chronicle.aggregates changes, so a fold or an append finds its aggregates with one lookup.

#include "chronicle/pg/aggregates/aggregate_catalog.hpp"

#include <unordered_map>

#include "chronicle/core/error.hpp"
#include "chronicle/core/limits.hpp"
#include "chronicle/pg/boundary/jsonb_value.hpp"
#include "chronicle/pg/catalog/recorded_function.hpp"
#include "chronicle/pg/roles/owner_context.hpp"
#include "chronicle/pg/boundary/pg_guard.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(chronicle_aggregates_changed);
}

namespace chronicle::pg {

namespace {

struct Cache {
    std::uint64_t epoch = 0;  // definitions_epoch(Definitions::Aggregates) when built
    std::unordered_map<std::string, AggregateRef> by_name;
    std::unordered_map<std::string, std::vector<AggregateRef>> snapshotting_by_category;
};
Cache* cache = nullptr;  // created on first use, never destroyed (lives as long as the backend)

const std::vector<AggregateRef> kNone;

// One row of chronicle.aggregates, copied out of SPI into plain PostgreSQL memory.
struct StoredAggregate {
    char* name;
    Jsonb* definition;
    char* category;  // NULL when none
    int32 snapshot_every;
    int64 revision;
    char* reducer_identity;  // NULL when declarative
    Oid reducer;             // the function; before 0.7 (regprocedure), read as its OID
    Oid owner;
};

// Reads every row; PostgreSQL calls only, results in `context`.
// Who owns the aggregates of a database still at 0.2 or 0.3 (during an upgrade), whose
// table has no owner column yet: the owner of chronicle.aggregates, as the upgrade decides.
Oid aggregates_table_owner(Oid table) {
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(table));
    if (!HeapTupleIsValid(tuple))
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("cache lookup failed for relation %u", table)));
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);
    return owner;
}

StoredAggregate* read_stored_aggregates(MemoryContext context, uint64* count) {
    const MetadataCache& metadata = metadata_cache();
    const Oid table = metadata.aggregates.aggregates;
    // The owner column came with 0.4.
    const bool has_owner = at_least(metadata.version, 0, 4);
    const Oid table_owner = has_owner ? InvalidOid : aggregates_table_owner(table);
    if (SPI_connect() != SPI_OK_CONNECT)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("SPI_connect failed")));
    // Read with the latest snapshot, not the statement's: like PostgreSQL's own catalogs,
    // definitions are current whatever the transaction's isolation. An append that waited for
    // a redefinition to commit must see it, or it would snapshot the old definition.
    // From 0.7 the reducer is recorded by identity and owner (recorded_function.hpp).
    const bool records_identity = at_least(metadata.version, 0, 7);
    const char* reducer_columns =
        records_identity ? "reducer, coalesce(reducer_owner::pg_catalog.oid, 0::pg_catalog.oid)"
                         : "NULL::pg_catalog.text, "
                           "coalesce(reducer::pg_catalog.oid, 0::pg_catalog.oid)";
    SPIPlanPtr plan = SPI_prepare(
        psprintf("SELECT name, definition, category, snapshot_every, revision, %s, %s "
                 "FROM chronicle.aggregates",
                 reducer_columns, has_owner ? "owner::pg_catalog.oid" : "0::pg_catalog.oid"),
        0, nullptr);
    if (plan == nullptr)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("preparing the aggregates query failed")));
    // In parallel mode (a fold under a Gather) no new snapshot may be taken: there the
    // statement's must do; no definition can change under a running parallel query's locks.
    Snapshot snapshot = IsInParallelMode() ? GetActiveSnapshot() : GetLatestSnapshot();
    const int rc =
        SPI_execute_snapshot(plan, nullptr, nullptr, snapshot, InvalidSnapshot, true, false, 0);
    if (rc != SPI_OK_SELECT)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("reading chronicle.aggregates failed")));
    MemoryContext spi_context = MemoryContextSwitchTo(context);
    *count = SPI_processed;
    StoredAggregate* rows =
        static_cast<StoredAggregate*>(palloc0(sizeof(StoredAggregate) * (SPI_processed + 1)));
    for (uint64 i = 0; i < SPI_processed; ++i) {
        HeapTuple tuple = SPI_tuptable->vals[i];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool isnull;
        rows[i].name = TextDatumGetCString(SPI_getbinval(tuple, desc, 1, &isnull));
        rows[i].definition = DatumGetJsonbPCopy(SPI_getbinval(tuple, desc, 2, &isnull));
        Datum category = SPI_getbinval(tuple, desc, 3, &isnull);
        rows[i].category = isnull ? nullptr : TextDatumGetCString(category);
        rows[i].snapshot_every = DatumGetInt32(SPI_getbinval(tuple, desc, 4, &isnull));
        rows[i].revision = DatumGetInt64(SPI_getbinval(tuple, desc, 5, &isnull));
        Datum identity = SPI_getbinval(tuple, desc, 6, &isnull);
        rows[i].reducer_identity = isnull ? nullptr : TextDatumGetCString(identity);
        rows[i].reducer = DatumGetObjectId(SPI_getbinval(tuple, desc, 7, &isnull));
        rows[i].owner =
            has_owner ? DatumGetObjectId(SPI_getbinval(tuple, desc, 8, &isnull)) : table_owner;
    }
    MemoryContextSwitchTo(spi_context);
    SPI_finish();
    return rows;
}

void reload(Cache& fresh) {
    MemoryContext context = nullptr;
    StoredAggregate* rows = nullptr;
    uint64 count = 0;
    pg_guarded([&] {
        context = AllocSetContextCreate(CurrentMemoryContext, "chronicle aggregates load",
                                        ALLOCSET_DEFAULT_SIZES);
        // Not through the caller's search_path: the query's casts and functions are
        // chronicle's, whoever folds.
        OwnerContext pinned;
        enter_pinned_context(&pinned);
        PG_TRY();
        { rows = read_stored_aggregates(context, &count); }
        PG_FINALLY();
        { leave_owner_context(&pinned); }
        PG_END_TRY();
    });
    // Reducers recorded with their owners (0.7) are resolved now, and again after any change
    // to pg_proc (the cache is invalidated then). As the owner of chronicle.aggregates, not as
    // whoever folds: looking a name up needs USAGE on its schema, and one aggregate whose
    // reducer's schema the caller may not use must not stop every fold of the caller's.
    struct Resolved {
        Oid function;
        const char* problem;
    };
    Resolved* resolved = nullptr;
    pg_guarded([&] {
        MemoryContext previous = MemoryContextSwitchTo(context);
        resolved = static_cast<Resolved*>(palloc0(sizeof(Resolved) * (count + 1)));
        OwnerContext as_owner;
        enter_owner_context(&as_owner,
                            aggregates_table_owner(metadata_cache().aggregates.aggregates), "table",
                            "chronicle.aggregates");
        PG_TRY();
        {
            for (uint64 i = 0; i < count; ++i) {
                if (rows[i].reducer_identity == nullptr) continue;
                resolved[i].function = resolve_recorded_function(
                    rows[i].reducer_identity, rows[i].reducer, &resolved[i].problem);
            }
        }
        PG_FINALLY();
        { leave_owner_context(&as_owner); }
        PG_END_TRY();
        MemoryContextSwitchTo(previous);
    });
    for (uint64 i = 0; i < count; ++i) {
        const StoredAggregate& row = rows[i];
        auto entry = std::make_shared<CachedAggregate>();
        entry->name = row.name;
        if (row.category) entry->category = std::string(row.category);
        entry->snapshot_every = row.snapshot_every;
        entry->revision = row.revision;
        entry->owner = row.owner;
        if (row.reducer_identity) {
            entry->reducer = resolved[i].function;
            entry->reducer_identity = row.reducer_identity;
            if (resolved[i].problem) entry->reducer_problem = resolved[i].problem;
        } else if (OidIsValid(row.reducer)) {
            entry->reducer = row.reducer;
            pg_guarded([&] { entry->reducer_identity = recorded_function_identity(row.reducer); });
        }
        Value definition;
        JsonbRead read = JsonbRead::Found;
        pg_guarded([&] { read = jsonb_to_value(&row.definition->root, definition); });
        try {
            // Stored before chronicle checked its limits: only this aggregate's folds fail.
            if (read != JsonbRead::Found) {
                throw Error(ErrorKind::InvalidAggregateDefinition, definition_read_problem(read));
            }
            entry->definition = parse_aggregate_definition(definition);
        } catch (const Error& e) {
            // Stored by an older chronicle, or written by hand: only its own folds fail.
            entry->broken = e.what();
        }
        fresh.by_name.emplace(row.name, std::move(entry));
    }
    for (const auto& [name, aggregate] : fresh.by_name) {
        if (aggregate->category && aggregate->snapshot_every > 0 && aggregate->broken.empty()) {
            fresh.snapshotting_by_category[*aggregate->category].push_back(aggregate);
        }
    }
    pg_guarded([&] { MemoryContextDelete(context); });
}

Cache& current_cache() {
    if (!cache) cache = new Cache();
    const std::uint64_t epoch = definitions_epoch(Definitions::Aggregates);
    if (cache->epoch != epoch) {
        Cache fresh;
        reload(fresh);
        // An invalidation that arrived while loading advanced the epoch: this load is used
        // once and replaced at the next call.
        fresh.epoch = epoch;
        *cache = std::move(fresh);
    }
    return *cache;
}

}  // namespace

const AggregateRelations& aggregate_relations() {
    if (!metadata_cache_is_valid()) pg_guarded([] { (void)metadata_cache(); });
    Assert(metadata_cache_is_valid());
    return metadata_cache().aggregates;
}

AggregateRef find_aggregate(std::string_view name) {
    if (!OidIsValid(aggregate_relations().aggregates)) {
        throw Error(ErrorKind::UnknownAggregate,
                    "aggregate \"" + std::string(name) + "\" does not exist",
                    "This database's chronicle has no aggregates yet.",
                    "Run ALTER EXTENSION chronicle UPDATE.");
    }
    Cache& c = current_cache();
    auto it = c.by_name.find(std::string(name));
    if (it == c.by_name.end()) {
        throw Error(ErrorKind::UnknownAggregate,
                    "aggregate \"" + std::string(name) + "\" does not exist", {},
                    "Define it with chronicle.define_aggregate; chronicle.aggregates lists "
                    "the defined ones.");
    }
    if (!it->second->broken.empty()) {
        throw Error(ErrorKind::InvalidAggregateDefinition,
                    "the stored definition of aggregate \"" + std::string(name) +
                        "\" does not compile: " + it->second->broken,
                    {}, "Define the aggregate again with chronicle.define_aggregate.");
    }
    return it->second;
}

const std::vector<AggregateRef>& snapshotting_aggregates_of(std::string_view category) {
    if (!OidIsValid(aggregate_relations().aggregates)) return kNone;
    Cache& c = current_cache();
    if (c.snapshotting_by_category.empty()) return kNone;
    auto it = c.snapshotting_by_category.find(std::string(category));
    return it == c.snapshotting_by_category.end() ? kNone : it->second;
}

}  // namespace chronicle::pg

// AFTER ... FOR EACH STATEMENT on chronicle.aggregates: tell every backend (this one at the
// end of the statement, the others at commit) that the definitions changed.
extern "C" Datum chronicle_aggregates_changed(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_TRIGGER(fcinfo)) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("chronicle.aggregates_changed() is a trigger function")));
    }
    TriggerData* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    CacheInvalidateRelcache(trigger->tg_relation);
    return PointerGetDatum(nullptr);
}
