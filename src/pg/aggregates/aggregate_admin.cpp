// SQL entry points that change aggregate definitions: define_aggregate and drop_aggregate.
// Rare, administrative calls: they check in C++, then write with SPI.
#include <optional>

#include "chronicle/core/aggregate_definition.hpp"
#include "chronicle/core/error.hpp"
#include "chronicle/core/error_origin.hpp"
#include "chronicle/core/limits.hpp"
#include "chronicle/pg/boundary/pg_compat.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/event_log/event_log_catalog.hpp"
#include "chronicle/pg/boundary/jsonb_value.hpp"
#include "chronicle/pg/roles/owner_context.hpp"
#include "chronicle/pg/boundary/pg_guard.hpp"
#include "chronicle/pg/boundary/spi_call.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/aggregates/reducer_call.hpp"
#include "chronicle/pg/boundary/text_view.hpp"
#include "chronicle/pg/boundary/errcodes.hpp"
#include "chronicle/pg/catalog/recorded_function.hpp"

extern "C" {
#include "access/xact.h"
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(chronicle_define_aggregate);
PG_FUNCTION_INFO_V1(chronicle_drop_aggregate);
}

namespace chronicle::pg {
namespace {

// "myschema.apply_order" (arguments implied) or "myschema.apply_order(jsonb, chronicle.event)".
// A name PostgreSQL cannot parse, or a function that does not exist, is a definition error.
Oid lookup_reducer(const char* name) {
    if (strchr(name, '(') != nullptr) {
        LOCAL_FCINFO(call, 1);
        InitFunctionCallInfoData(*call, nullptr, 1, InvalidOid, nullptr, nullptr);
        call->args[0].value = CStringGetTextDatum(name);
        call->args[0].isnull = false;
        Datum found = to_regprocedure(call);
        return call->isnull ? InvalidOid : DatumGetObjectId(found);
    }
    Oid argtypes[2] = {JSONBOID, event_log_oids().event_type};
    return LookupFuncName(compat::qualified_name_list(name), 2, argtypes, true);
}

Oid resolve_reducer(const char* name) {
    Oid function = InvalidOid;
    MemoryContext caller = CurrentMemoryContext;
    PG_TRY();
    { function = lookup_reducer(name); }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller);
        ErrorData* error = CopyErrorData();
        // The name's fault (the user's) becomes a definition error; the server's conditions
        // and those of the moment are raised as they are.
        if (chronicle::error_origin(unpack_sql_state(error->sqlerrcode)) !=
            chronicle::ErrorOrigin::User) {
            PG_RE_THROW();
        }
        FlushErrorState();
        ereport(ERROR, (errcode(ERRCODE_CHRONICLE_INVALID_AGGREGATE_DEFINITION),
                        errmsg("invalid aggregate definition: \"reducer\": \"%s\" does not name a "
                               "function",
                               name),
                        errdetail("%s", error->message)));
    }
    PG_END_TRY();
    if (!OidIsValid(function)) {
        const bool has_arguments = strchr(name, '(') != nullptr;
        ereport(ERROR, (errcode(ERRCODE_CHRONICLE_INVALID_AGGREGATE_DEFINITION),
                        errmsg("invalid aggregate definition: reducer function %s%s does not exist",
                               name, has_arguments ? "" : "(jsonb, chronicle.event)"),
                        errhint("A reducer is a function (state jsonb, e chronicle.event) RETURNS "
                                "jsonb; create it before the aggregate.")));
    }
    check_reducer_signature(function);
    // A temporary function is gone with its session, and its schema (pg_temp_N) is another
    // session's later: an aggregate would outlive it and then name somebody else's function.
    if (isAnyTempNamespace(get_func_namespace(function))) {
        ereport(ERROR, (errcode(ERRCODE_CHRONICLE_INVALID_AGGREGATE_DEFINITION),
                        errmsg("invalid aggregate definition: reducer %s is a temporary function",
                               format_procedure(function)),
                        errhint("Create the reducer in a permanent schema.")));
    }
    if (compat::function_aclcheck(function, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK) {
        aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_FUNCTION, get_func_name(function));
    }
    return function;
}

// define_aggregate and drop_aggregate are granted as functions: a role allowed to call them
// needs no rights on chronicle's tables, so their writes run as the tables' owner (the
// transaction's abort restores the caller's identity if anything fails). Their queries then
// resolve names with search_path pinned to pg_catalog, pg_temp: with the caller's path, an
// operator `mine.=(text, text)` or a function `mine.nextval(text)` would run as the owner.
// Every name is qualified as well, in case a query ever runs without the pin.
struct AsTableOwner {
    Oid caller;
    OwnerContext context;
    // Before ALTER EXTENSION ... UPDATE TO '0.4' the library runs on a catalog without
    // owners: aggregates then belong to nobody, as they did.
    bool has_owner;
    // From 0.7 a reducer is recorded by identity and owner (recorded_function.hpp), before
    // as regprocedure.
    bool records_identity;
};

AsTableOwner become_table_owner() {
    AsTableOwner saved;
    saved.caller = GetUserId();
    // By OID and name in the given schema: no lookup here goes through search_path.
    const MetadataCache& metadata = installed_metadata_cache();
    const Oid table = metadata.aggregates.aggregates;
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(table));
    if (!HeapTupleIsValid(tuple))
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("chronicle.aggregates does not exist")));
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);
    saved.has_owner = at_least(metadata.version, 0, 4);
    saved.records_identity = at_least(metadata.version, 0, 7);
    enter_owner_context(&saved.context, owner, "table", "chronicle.aggregates");
    return saved;
}

void restore_user(const AsTableOwner& saved) {
    leave_owner_context(&saved.context);
}

// Only the owner, a member of the owning role or a superuser (has_privs_of_role says yes to
// superusers) may change an aggregate: others could otherwise redefine what a victim's fold
// returns, or run their reducer in the victim's appends.
void check_aggregate_owner(Oid caller, Oid owner, text* name) {
    if (has_privs_of_role(caller, owner)) return;
    ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                    errmsg("must be owner of aggregate \"%s\"", text_to_cstring(name)),
                    errdetail("Aggregate \"%s\" is owned by role \"%s\".", text_to_cstring(name),
                              GetUserNameFromId(owner, true) ? GetUserNameFromId(owner, true)
                                                             : "(dropped)")));
}

}  // namespace
}  // namespace chronicle::pg

using chronicle::pg::core_call;

extern "C" Datum chronicle_define_aggregate(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    PreventCommandIfReadOnly("chronicle.define_aggregate()");
    PreventCommandDuringRecovery("chronicle.define_aggregate()");
    text* name = PG_ARGISNULL(0) ? nullptr : PG_GETARG_TEXT_PP(0);
    Jsonb* definition = PG_ARGISNULL(1) ? nullptr : PG_GETARG_JSONB_P(1);
    text* category = PG_ARGISNULL(2) ? nullptr : PG_GETARG_TEXT_PP(2);
    const std::optional<int64> every =
        PG_ARGISNULL(3) ? std::nullopt : std::optional<int64>(PG_GETARG_INT32(3));

    // The definition is checked and compiled by the core; what SQL needs comes back as C.
    char* reducer_name = core_call([&]() -> char* {
        chronicle::validate_aggregate_name(optional_view(name));
        chronicle::validate_aggregate_category(optional_view(category));
        chronicle::validate_snapshot_every(every);
        if (!definition) {
            throw chronicle::Error(chronicle::ErrorKind::InvalidAggregateDefinition,
                                   "invalid aggregate definition: it must not be NULL");
        }
        chronicle::Value value;
        JsonbRead read = JsonbRead::Found;
        pg_guarded([&] { read = jsonb_to_value(&definition->root, value); });
        if (read != JsonbRead::Found) {
            throw chronicle::Error(chronicle::ErrorKind::InvalidAggregateDefinition,
                                   definition_read_problem(read), {},
                                   "See docs/aggregates.md for the limits on definitions.");
        }
        const chronicle::AggregateDefinition parsed = chronicle::parse_aggregate_definition(value);
        char* reducer = nullptr;
        if (parsed.reducer) pg_guarded([&] { reducer = pstrdup(parsed.reducer->c_str()); });
        return reducer;
    });
    const Oid reducer = reducer_name ? resolve_reducer(reducer_name) : InvalidOid;

    const AsTableOwner caller = become_table_owner();
    if (SPI_connect() != SPI_OK_CONNECT)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("SPI_connect failed")));
    // Appends that write snapshots hold RowExclusiveLock on chronicle.snapshots: waiting for
    // them here means no snapshot of the old definition is written after ours commits.
    spi_run("LOCK TABLE chronicle.snapshots IN SHARE ROW EXCLUSIVE MODE", 0, nullptr, nullptr,
            nullptr, SPI_OK_UTILITY);
    // $5 the reducer (its identity from 0.7, else its OID), $6 the caller, $7 the reducer's
    // owner.
    Oid types[7] = {
        TEXTOID, JSONBOID, TEXTOID, INT4OID, caller.records_identity ? Oid{TEXTOID} : Oid{OIDOID},
        OIDOID,  OIDOID};
    Datum values[7] = {PointerGetDatum(name),
                       JsonbPGetDatum(definition),
                       category ? PointerGetDatum(category) : (Datum)0,
                       Int32GetDatum(static_cast<int32>(*every)),
                       ObjectIdGetDatum(reducer),
                       ObjectIdGetDatum(caller.caller),
                       ObjectIdGetDatum(InvalidOid)};
    if (OidIsValid(reducer)) {
        values[6] = ObjectIdGetDatum(function_owner(reducer));
        if (caller.records_identity) {
            values[4] = CStringGetTextDatum(recorded_function_identity(reducer));
        }
    }
    const char* reducer_value =
        caller.records_identity ? "$5, $7::pg_catalog.regrole" : "$5::pg_catalog.regprocedure";
    char nulls[7] = {' ',
                     ' ',
                     category ? ' ' : 'n',
                     ' ',
                     OidIsValid(reducer) ? ' ' : 'n',
                     ' ',
                     OidIsValid(reducer) ? ' ' : 'n'};
    // A new aggregate is inserted; an existing one, locked, is checked for its owner and then
    // updated. An insert that loses a race with a concurrent define of the same name inserts
    // nothing and goes round again, to find that row and check its owner like any other.
    for (;;) {
        spi_run(caller.has_owner
                    ? "SELECT revision, definition OPERATOR(pg_catalog.=) $2 AND reducer IS NULL, "
                      "owner::pg_catalog.oid FROM chronicle.aggregates "
                      "WHERE name OPERATOR(pg_catalog.=) $1 FOR UPDATE"
                    : "SELECT revision, definition OPERATOR(pg_catalog.=) $2 AND reducer IS NULL, "
                      "0::pg_catalog.oid FROM chronicle.aggregates "
                      "WHERE name OPERATOR(pg_catalog.=) $1 FOR UPDATE",
                2, types, values, nulls, SPI_OK_SELECT);
        if (SPI_processed == 0) {
            // The caller owns what it creates: GetUserId() before become_table_owner.
            spi_run(psprintf("INSERT INTO chronicle.aggregates "
                             "(name, definition, category, snapshot_every, revision, %s, "
                             "defined_at%s) "
                             "VALUES ($1, $2, $3, $4, "
                             "pg_catalog.nextval('chronicle.aggregate_revision_seq'::"
                             "pg_catalog.regclass), %s, pg_catalog.now()%s) "
                             "ON CONFLICT (name) DO NOTHING",
                             caller.records_identity ? "reducer, reducer_owner" : "reducer",
                             caller.has_owner ? ", owner" : "", reducer_value,
                             caller.has_owner ? ", $6::pg_catalog.regrole" : ""),
                    caller.records_identity ? 7
                    : caller.has_owner      ? 6
                                            : 5,
                    types, values, nulls, SPI_OK_INSERT);
            if (SPI_processed > 0) break;
            continue;
        }
        bool isnull;
        HeapTuple row = SPI_tuptable->vals[0];
        TupleDesc desc = SPI_tuptable->tupdesc;
        const int64 old_revision = DatumGetInt64(SPI_getbinval(row, desc, 1, &isnull));
        const bool same_definition =
            DatumGetBool(SPI_getbinval(row, desc, 2, &isnull)) && !OidIsValid(reducer);
        if (caller.has_owner) {
            check_aggregate_owner(caller.caller,
                                  DatumGetObjectId(SPI_getbinval(row, desc, 3, &isnull)), name);
        }
        if (same_definition) {
            // The same declarative definition: its snapshots stay valid.
            spi_run(
                "UPDATE chronicle.aggregates SET category = $3, snapshot_every = $4 "
                "WHERE name OPERATOR(pg_catalog.=) $1 "
                "AND ((category IS NULL) OPERATOR(pg_catalog.<>) ($3 IS NULL) "
                "OR category OPERATOR(pg_catalog.<>) $3 "
                "OR snapshot_every OPERATOR(pg_catalog.<>) $4)",
                4, types, values, nulls, SPI_OK_UPDATE);
        } else {
            Oid revision_type[1] = {INT8OID};
            Datum revision[1] = {Int64GetDatum(old_revision)};
            spi_run("DELETE FROM chronicle.snapshots WHERE revision OPERATOR(pg_catalog.=) $1", 1,
                    revision_type, revision, nullptr, SPI_OK_DELETE);
            // The owner stays: a redefinition by a member or a superuser does not take it.
            spi_run(psprintf("UPDATE chronicle.aggregates SET definition = $2, category = $3, "
                             "snapshot_every = $4, revision = pg_catalog.nextval("
                             "'chronicle.aggregate_revision_seq'::pg_catalog.regclass), %s, "
                             "defined_at = pg_catalog.now() WHERE name OPERATOR(pg_catalog.=) $1",
                             caller.records_identity
                                 ? "reducer = $5, reducer_owner = $7::pg_catalog.regrole"
                                 : "reducer = $5::pg_catalog.regprocedure"),
                    caller.records_identity ? 7 : 5, types, values, nulls, SPI_OK_UPDATE);
        }
        break;
    }
    SPI_finish();
    restore_user(caller);
    PG_RETURN_VOID();
}

extern "C" Datum chronicle_drop_aggregate(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    PreventCommandIfReadOnly("chronicle.drop_aggregate()");
    PreventCommandDuringRecovery("chronicle.drop_aggregate()");
    text* name = PG_ARGISNULL(0) ? nullptr : PG_GETARG_TEXT_PP(0);
    core_call([&] { chronicle::validate_aggregate_name(optional_view(name)); });

    const AsTableOwner caller = become_table_owner();
    if (SPI_connect() != SPI_OK_CONNECT)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("SPI_connect failed")));
    spi_run("LOCK TABLE chronicle.snapshots IN SHARE ROW EXCLUSIVE MODE", 0, nullptr, nullptr,
            nullptr, SPI_OK_UTILITY);
    Oid key_type[1] = {TEXTOID};
    Datum key[1] = {PointerGetDatum(name)};
    spi_run(caller.has_owner ? "SELECT revision, owner::pg_catalog.oid FROM chronicle.aggregates "
                               "WHERE name OPERATOR(pg_catalog.=) $1 FOR UPDATE"
                             : "SELECT revision, 0::pg_catalog.oid FROM chronicle.aggregates "
                               "WHERE name OPERATOR(pg_catalog.=) $1 FOR UPDATE",
            1, key_type, key, nullptr, SPI_OK_SELECT);
    if (SPI_processed == 0) {
        ereport(ERROR, (errcode(ERRCODE_CHRONICLE_UNKNOWN_AGGREGATE),
                        errmsg("aggregate \"%s\" does not exist", text_to_cstring(name)),
                        errhint("See chronicle.aggregates for the defined aggregates.")));
    }
    bool isnull;
    Oid revision_type[1] = {INT8OID};
    Datum revision[1] = {SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)};
    if (caller.has_owner) {
        check_aggregate_owner(caller.caller,
                              DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
                                                             SPI_tuptable->tupdesc, 2, &isnull)),
                              name);
    }
    spi_run("DELETE FROM chronicle.aggregates WHERE name OPERATOR(pg_catalog.=) $1", 1, key_type,
            key, nullptr, SPI_OK_DELETE);
    spi_run("DELETE FROM chronicle.snapshots WHERE revision OPERATOR(pg_catalog.=) $1", 1,
            revision_type, revision, nullptr, SPI_OK_DELETE);
    SPI_finish();
    restore_user(caller);
    PG_RETURN_VOID();
}
