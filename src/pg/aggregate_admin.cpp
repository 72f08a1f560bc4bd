// SQL entry points that change aggregate definitions: define_aggregate and drop_aggregate.
// Rare, administrative calls: they check in C++, then write with SPI.
#include <optional>

#include "chronicle/core/aggregate_definition.hpp"
#include "chronicle/core/error.hpp"
#include "chronicle/pg/boundary.hpp"
#include "chronicle/pg/event_log_catalog.hpp"
#include "chronicle/pg/jsonb_value.hpp"
#include "chronicle/pg/pg_guard.hpp"
#include "chronicle/pg/postgres.hpp"
#include "chronicle/pg/reducer_call.hpp"
#include "chronicle/pg/text_view.hpp"

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
    return LookupFuncName(stringToQualifiedNameList(name), 2, argtypes, true);
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
        const int category = ERRCODE_TO_CATEGORY(error->sqlerrcode);
        if (category != ERRCODE_TO_CATEGORY(ERRCODE_DATA_EXCEPTION) &&
            category != ERRCODE_TO_CATEGORY(ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION) &&
            category != ERRCODE_TO_CATEGORY(ERRCODE_FEATURE_NOT_SUPPORTED)) {
            PG_RE_THROW();
        }
        FlushErrorState();
        ereport(ERROR, (errcode(sqlerrcode_of(chronicle::ErrorKind::InvalidAggregateDefinition)),
                        errmsg("invalid aggregate definition: \"reducer\": \"%s\" does not name a "
                               "function",
                               name),
                        errdetail("%s", error->message)));
    }
    PG_END_TRY();
    if (!OidIsValid(function)) {
        const bool has_arguments = strchr(name, '(') != nullptr;
        ereport(ERROR, (errcode(sqlerrcode_of(chronicle::ErrorKind::InvalidAggregateDefinition)),
                        errmsg("invalid aggregate definition: reducer function %s%s does not exist",
                               name, has_arguments ? "" : "(jsonb, chronicle.event)"),
                        errhint("A reducer is a function (state jsonb, e chronicle.event) RETURNS "
                                "jsonb; create it before the aggregate.")));
    }
    check_reducer_signature(function);
    if (pg_proc_aclcheck(function, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK) {
        aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_FUNCTION, get_func_name(function));
    }
    return function;
}

// define_aggregate and drop_aggregate are granted as functions: a role allowed to call them
// needs no rights on chronicle's tables, so their writes run as the tables' owner (the
// transaction's abort restores the caller's identity if anything fails).
struct AsTableOwner {
    Oid saved_user;
    int saved_context;
};

AsTableOwner become_table_owner() {
    AsTableOwner saved;
    GetUserIdAndSecContext(&saved.saved_user, &saved.saved_context);
    Oid schema = get_namespace_oid("chronicle", false);
    Oid table = get_relname_relid("aggregates", schema);
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(table));
    if (!HeapTupleIsValid(tuple)) elog(ERROR, "chronicle: chronicle.aggregates does not exist");
    const Oid owner = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);
    SetUserIdAndSecContext(
        owner, saved.saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    return saved;
}

void restore_user(const AsTableOwner& saved) {
    SetUserIdAndSecContext(saved.saved_user, saved.saved_context);
}

void spi_exec(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls,
              int expected) {
    const int rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
    if (rc != expected)
        elog(ERROR, "chronicle: \"%s\" failed: %s", sql, SPI_result_code_string(rc));
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
        pg_guarded([&] { jsonb_to_value(&definition->root, value); });
        const chronicle::AggregateDefinition parsed = chronicle::parse_aggregate_definition(value);
        char* reducer = nullptr;
        if (parsed.reducer) pg_guarded([&] { reducer = pstrdup(parsed.reducer->c_str()); });
        return reducer;
    });
    const Oid reducer = reducer_name ? resolve_reducer(reducer_name) : InvalidOid;

    const AsTableOwner caller = become_table_owner();
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "chronicle: SPI_connect failed");
    // Appends that write snapshots hold RowExclusiveLock on chronicle.snapshots: waiting for
    // them here means no snapshot of the old definition is written after ours commits.
    spi_exec("LOCK TABLE chronicle.snapshots IN SHARE ROW EXCLUSIVE MODE", 0, nullptr, nullptr,
             nullptr, SPI_OK_UTILITY);
    Oid lookup_types[2] = {TEXTOID, JSONBOID};
    Datum lookup_values[2] = {PointerGetDatum(name), JsonbPGetDatum(definition)};
    spi_exec(
        "SELECT revision, definition = $2 AND reducer IS NULL FROM chronicle.aggregates "
        "WHERE name = $1 FOR UPDATE",
        2, lookup_types, lookup_values, nullptr, SPI_OK_SELECT);
    bool exists = SPI_processed > 0;
    bool same_definition = false;
    int64 old_revision = 0;
    if (exists) {
        bool isnull;
        old_revision =
            DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
        same_definition =
            DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)) &&
            !OidIsValid(reducer);
    }

    Oid types[5] = {TEXTOID, JSONBOID, TEXTOID, INT4OID, OIDOID};
    Datum values[5] = {PointerGetDatum(name), JsonbPGetDatum(definition),
                       category ? PointerGetDatum(category) : (Datum)0,
                       Int32GetDatum(static_cast<int32>(*every)), ObjectIdGetDatum(reducer)};
    char nulls[5] = {' ', ' ', category ? ' ' : 'n', ' ', OidIsValid(reducer) ? ' ' : 'n'};
    if (same_definition) {
        // The same declarative definition: its snapshots stay valid.
        spi_exec(
            "UPDATE chronicle.aggregates SET category = $3, snapshot_every = $4 "
            "WHERE name = $1 AND (category IS DISTINCT FROM $3 OR snapshot_every <> $4)",
            5, types, values, nulls, SPI_OK_UPDATE);
    } else {
        if (exists) {
            Oid revision_type[1] = {INT8OID};
            Datum revision[1] = {Int64GetDatum(old_revision)};
            spi_exec("DELETE FROM chronicle.snapshots WHERE revision = $1", 1, revision_type,
                     revision, nullptr, SPI_OK_DELETE);
        }
        spi_exec(
            "INSERT INTO chronicle.aggregates AS a "
            "(name, definition, category, snapshot_every, revision, reducer, defined_at) "
            "VALUES ($1, $2, $3, $4, nextval('chronicle.aggregate_revision_seq'), "
            "$5::regprocedure, now()) "
            "ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, "
            "category = excluded.category, snapshot_every = excluded.snapshot_every, "
            "revision = excluded.revision, reducer = excluded.reducer, "
            "defined_at = excluded.defined_at",
            5, types, values, nulls, SPI_OK_INSERT);
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
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "chronicle: SPI_connect failed");
    spi_exec("LOCK TABLE chronicle.snapshots IN SHARE ROW EXCLUSIVE MODE", 0, nullptr, nullptr,
             nullptr, SPI_OK_UTILITY);
    Oid key_type[1] = {TEXTOID};
    Datum key[1] = {PointerGetDatum(name)};
    spi_exec("DELETE FROM chronicle.aggregates WHERE name = $1 RETURNING revision", 1, key_type,
             key, nullptr, SPI_OK_DELETE_RETURNING);
    if (SPI_processed == 0) {
        ereport(ERROR, (errcode(sqlerrcode_of(chronicle::ErrorKind::UnknownAggregate)),
                        errmsg("aggregate \"%s\" does not exist", text_to_cstring(name)),
                        errhint("chronicle.aggregates lists the defined aggregates.")));
    }
    bool isnull;
    Oid revision_type[1] = {INT8OID};
    Datum revision[1] = {SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)};
    spi_exec("DELETE FROM chronicle.snapshots WHERE revision = $1", 1, revision_type, revision,
             nullptr, SPI_OK_DELETE);
    SPI_finish();
    restore_user(caller);
    PG_RETURN_VOID();
}
