// How chronicle's management functions learn who called them, and act as that role.
//
// The catalogs are written only by SECURITY DEFINER functions (owned by the extension's
// owner), and a SECURITY DEFINER function cannot see the role that called it. So each public
// management function (chronicle.create_projection, ...) is this one C entry point: it runs
// as its caller, takes GetUserId() and the caller's search_path, and calls the internal
// definer function chronicle._<name>(caller regrole, caller_path text, <the same arguments>).
// The internal functions are not executable by PUBLIC; this trampoline reaches them through
// fmgr, which checks no privilege, so the caller they receive cannot be forged.
//
// chronicle._execute_as runs one piece of SQL as a given role (the caller, or an object's
// owner), security-restricted, with a given search_path and its settings undone afterwards:
// how a definer function creates or drops a user's table with that user's own rights.
#include "chronicle/pg/boundary/pg_compat.hpp"
#include "chronicle/pg/catalog/metadata_cache.hpp"
#include "chronicle/pg/roles/owner_context.hpp"
#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "parser/parse_type.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(chronicle_management_call);
PG_FUNCTION_INFO_V1(chronicle_execute_as);
PG_FUNCTION_INFO_V1(chronicle_parse_type);
PG_FUNCTION_INFO_V1(chronicle_column_type);
}

namespace {

// Arguments the trampoline puts before the caller's own: the calling role and its path.
constexpr int kCallerArguments = 2;

struct ManagementTarget {
    FmgrInfo function;
    int nargs;
};

// chronicle.X(args) -> chronicle._X(regrole, text, args), looked up once per call site.
ManagementTarget* find_target(FunctionCallInfo fcinfo) {
    const Oid self = fcinfo->flinfo->fn_oid;
    HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(self));
    if (!HeapTupleIsValid(tuple))
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("cache lookup failed for function %u", self)));
    Form_pg_proc proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple));
    const chronicle::pg::MetadataCache& metadata = chronicle::pg::installed_metadata_cache();
    const Oid schema = metadata.chronicle_namespace;
    const Oid internal_schema = metadata.internal_namespace;
    if (proc->pronamespace != schema || proc->pronargs + kCallerArguments > FUNC_MAX_ARGS) {
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("%s is not a chronicle management function",
                                        NameStr(proc->proname))));
    }
    const int nargs = proc->pronargs + kCallerArguments;
    Oid types[FUNC_MAX_ARGS];
    types[0] = REGROLEOID;
    types[1] = TEXTOID;
    for (int i = 0; i < proc->pronargs; ++i)
        types[i + kCallerArguments] = proc->proargtypes.values[i];
    char* internal_name = psprintf("_%s", NameStr(proc->proname));
    ReleaseSysCache(tuple);

    // By the schema's OID and the exact argument types: no search_path, no overloading.
    const Oid internal = GetSysCacheOid3(
        PROCNAMEARGSNSP, Anum_pg_proc_oid, CStringGetDatum(internal_name),
        PointerGetDatum(buildoidvector(types, nargs)), ObjectIdGetDatum(internal_schema));
    if (!OidIsValid(internal)) {
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("the internal function %s.%s is missing",
                                        get_namespace_name(internal_schema), internal_name)));
    }
    auto* target = static_cast<ManagementTarget*>(
        MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ManagementTarget)));
    fmgr_info_cxt(internal, &target->function, fcinfo->flinfo->fn_mcxt);
    target->nargs = nargs;
    return target;
}

// The functions that act as another role (_execute_as, _column_type) are revoked from
// PUBLIC; they check here too, so that a grant by mistake is not a way to act as any role.
void require_superuser_caller(const char* function) {
    if (!superuser()) {
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("permission denied for function chronicle_internal.%s", function),
                        errdetail("Only chronicle's own functions act as another role.")));
    }
}

// The role they act as, which must exist (a regrole argument is only an OID).
Oid existing_role(Oid role) {
    if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(role))) {
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("role %u does not exist", role)));
    }
    return role;
}

}  // namespace

extern "C" Datum chronicle_management_call(PG_FUNCTION_ARGS) {
    auto* target = static_cast<ManagementTarget*>(fcinfo->flinfo->fn_extra);
    if (target == nullptr) {
        target = find_target(fcinfo);
        fcinfo->flinfo->fn_extra = target;
    }
    LOCAL_FCINFO(call, FUNC_MAX_ARGS);
    InitFunctionCallInfoData(*call, &target->function, target->nargs, fcinfo->fncollation, nullptr,
                             nullptr);
    // GetUserId(): the role whose rights this call has, as PostgreSQL's own ownership checks
    // take it (inside another SECURITY DEFINER function, that function's owner).
    call->args[0].value = ObjectIdGetDatum(GetUserId());
    call->args[0].isnull = false;
    call->args[1].value = CStringGetTextDatum(namespace_search_path);
    call->args[1].isnull = false;
    for (int i = 0; i < PG_NARGS(); ++i) call->args[i + kCallerArguments] = fcinfo->args[i];
    const Datum result = FunctionCallInvoke(call);
    fcinfo->isnull = call->isnull;
    return result;
}

// chronicle._execute_as(role regrole, search_path text, sql text) RETURNS text: the first
// column of the last statement's first row, as text (NULL when none).
extern "C" Datum chronicle_execute_as(PG_FUNCTION_ARGS) {
    require_superuser_caller("_execute_as");
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2)) PG_RETURN_NULL();
    const Oid role = existing_role(PG_GETARG_OID(0));
    char* search_path = text_to_cstring(PG_GETARG_TEXT_PP(1));
    char* sql = text_to_cstring(PG_GETARG_TEXT_PP(2));

    // An error anywhere below aborts the (sub)transaction, which restores the user, the
    // security context and the settings as they were at its start.
    chronicle::pg::OwnerContext context{InvalidOid, 0, 0};
    chronicle::pg::enter_role_context(&context, role, search_path);

    if (SPI_connect() != SPI_OK_CONNECT)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("SPI_connect failed")));
    const int rc = SPI_execute(sql, false, 0);
    if (rc < 0)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("\"%s\" failed: %s", sql, SPI_result_code_string(rc))));
    char* first = nullptr;
    if (SPI_tuptable != nullptr && SPI_processed > 0 && SPI_tuptable->tupdesc->natts > 0) {
        char* value = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
        if (value != nullptr) {
            first = static_cast<char*>(SPI_palloc(strlen(value) + 1));
            strcpy(first, value);
        }
    }
    SPI_finish();

    chronicle::pg::leave_owner_context(&context);
    if (first == nullptr) PG_RETURN_NULL();
    PG_RETURN_TEXT_P(cstring_to_text(first));
}

// chronicle._parse_type(type_name text) RETURNS bigint[], for databases still at 0.5 (0.6
// uses _column_type below): {type oid, typmod} of a type name as the calling role sees it (its
// search_path, its USAGE). The management functions run it through _execute_as as the caller, then
// write the type into DDL only as format_type gives it back: the user's text never reaches SQL
// ("int4 --" is a valid type string to regtype's input, and would comment out the rest of a line).
extern "C" Datum chronicle_parse_type(PG_FUNCTION_ARGS) {
    Oid type = InvalidOid;
    int32 typmod = -1;
    chronicle::pg::compat::parse_type_string(text_to_cstring(PG_GETARG_TEXT_PP(0)), &type, &typmod);
    Datum parts[2] = {Int64GetDatum(type), Int64GetDatum(typmod)};
    PG_RETURN_ARRAYTYPE_P(
        construct_array(parts, 2, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

// chronicle_internal._column_type(caller regrole, caller_path text, type_name text,
//     OUT type_oid oid, OUT typmod integer, OUT ddl_name text): a projection column's type
// name parsed as the caller would parse it in its own DDL (its search_path, its USAGE), and
// format_type's spelling of it under that same path, for the CREATE TABLE that runs as the
// caller. Called directly by create_projection (no SQL text, so no USAGE on
// chronicle_internal is needed by anyone); the caller's text never reaches SQL.
// (_parse_type above serves databases still at 0.5.)
extern "C" Datum chronicle_column_type(PG_FUNCTION_ARGS) {
    require_superuser_caller("_column_type");
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2)) PG_RETURN_NULL();
    const Oid role = existing_role(PG_GETARG_OID(0));
    char* search_path = text_to_cstring(PG_GETARG_TEXT_PP(1));
    char* type_name = text_to_cstring(PG_GETARG_TEXT_PP(2));
    TupleDesc result_type;
    if (get_call_result_type(fcinfo, nullptr, &result_type) != TYPEFUNC_COMPOSITE) {
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("_column_type must return a composite")));
    }

    // As _execute_as: an error below aborts the (sub)transaction, which restores the user,
    // the security context and the settings.
    chronicle::pg::OwnerContext context{InvalidOid, 0, 0};
    chronicle::pg::enter_role_context(&context, role, search_path);
    Oid type = InvalidOid;
    int32 typmod = -1;
    chronicle::pg::compat::parse_type_string(type_name, &type, &typmod);
    char* ddl_name = format_type_with_typemod(type, typmod);
    chronicle::pg::leave_owner_context(&context);

    Datum values[3] = {ObjectIdGetDatum(type), Int32GetDatum(typmod),
                       CStringGetTextDatum(ddl_name)};
    bool nulls[3] = {false, false, false};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(result_type), values, nulls)));
}
