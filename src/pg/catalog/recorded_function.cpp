// Reducers and handlers recorded by identity, found again by it (see recorded_function.hpp).
#include "chronicle/pg/catalog/recorded_function.hpp"

#include <cstring>

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(chronicle_function_identity);
}

namespace chronicle::pg {

char* recorded_function_identity(Oid function) {
    return format_procedure_qualified(function);
}

Oid function_owner(Oid function) {
    HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(function));
    if (!HeapTupleIsValid(tuple)) return InvalidOid;
    const Oid owner = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple))->proowner;
    ReleaseSysCache(tuple);
    return owner;
}

Oid resolve_recorded_function(const char* identity, Oid recorded_owner, const char** problem) {
    *problem = nullptr;
    // Digits alone are an OID to regprocedure's input: whatever has that OID now. Never
    // recorded by chronicle; refused if written by hand.
    if (identity[strspn(identity, "0123456789 \t\n")] == '\0') {
        *problem = "it is recorded as a number, not as a name and arguments";
        return InvalidOid;
    }
    // to_regprocedure: NULL, not an error, when nothing has that name. The identity is always
    // the output of format_procedure_qualified, never a bare number (which regprocedure input
    // would take as an OID).
    LOCAL_FCINFO(call, 1);
    InitFunctionCallInfoData(*call, nullptr, 1, InvalidOid, nullptr, nullptr);
    call->args[0].value = CStringGetTextDatum(identity);
    call->args[0].isnull = false;
    const Datum found = to_regprocedure(call);
    if (call->isnull) {
        *problem =
            "no function has that name and those arguments any more (dropped, renamed or "
            "moved to another schema)";
        return InvalidOid;
    }
    const Oid function = DatumGetObjectId(found);
    const Oid owner = function_owner(function);
    if (owner != recorded_owner) {
        const char* now = GetUserNameFromId(owner, true);
        const char* then = GetUserNameFromId(recorded_owner, true);
        *problem = psprintf(
            "it is owned by role %s, not by role %s who owned it when it was "
            "recorded",
            now ? quote_identifier(now) : "(dropped)", then ? quote_identifier(then) : "(dropped)");
        return InvalidOid;
    }
    return function;
}

}  // namespace chronicle::pg

// chronicle_internal._function_identity(regprocedure): what the SQL side records.
// NULL for a function that no longer exists: never its OID in digits, which regprocedure's input
// would take back as that OID whatever it names by then.
extern "C" Datum chronicle_function_identity(PG_FUNCTION_ARGS) {
    char* identity = format_procedure_extended(
        PG_GETARG_OID(0), FORMAT_PROC_FORCE_QUALIFY | FORMAT_PROC_INVALID_AS_NULL);
    if (identity == nullptr) PG_RETURN_NULL();
    PG_RETURN_TEXT_P(cstring_to_text(identity));
}
