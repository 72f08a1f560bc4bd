// chronicle.poll: what only SQL does well (checking the consumer, locking its member's
// checkpoint, choosing the parked events to deliver again, moving the checkpoint) is done by
// two internal PL/pgSQL functions, _poll_begin and _poll_end; the events themselves go from the
// event log straight into the result, as read_all's do (a PL/pgSQL RETURN QUERY would copy
// every row once more).
//
// The internal functions are reached through fmgr with the calling role passed in, as the
// management trampoline reaches its targets (roles/management_call.cpp): they are not
// executable by PUBLIC, and the caller they receive cannot be forged.
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/catalog/metadata_cache.hpp"
#include "chronicle/pg/subscriptions/member_read.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

PG_FUNCTION_INFO_V1(chronicle_poll);
}

namespace chronicle::pg {
namespace {

struct PollFunctions {
    FmgrInfo begin;
    FmgrInfo end;
};

void find_internal(const char* name, const Oid* types, int nargs, FmgrInfo* info,
                   MemoryContext context) {
    const Oid function =
        GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid, CStringGetDatum(name),
                        PointerGetDatum(buildoidvector(types, nargs)),
                        ObjectIdGetDatum(installed_metadata_cache().internal_namespace));
    if (!OidIsValid(function)) {
        ereport(ERROR,
                (errcode(ERRCODE_INTERNAL_ERROR),
                 errmsg_internal("the internal function chronicle_internal.%s is missing", name)));
    }
    fmgr_info_cxt(function, info, context);
}

// Looked up once per call site, by the schema's OID and the exact argument types.
PollFunctions* poll_functions(FunctionCallInfo fcinfo) {
    auto* functions = static_cast<PollFunctions*>(fcinfo->flinfo->fn_extra);
    if (functions != nullptr) return functions;
    MemoryContext context = fcinfo->flinfo->fn_mcxt;
    functions = static_cast<PollFunctions*>(MemoryContextAllocZero(context, sizeof(PollFunctions)));
    const Oid begin_types[6] = {REGROLEOID, TEXTOID, TEXTOID, INT4OID, INT4OID, INT4OID};
    find_internal("_poll_begin", begin_types, 6, &functions->begin, context);
    const Oid end_types[4] = {TEXTOID, INT4OID, INT8OID, INT8OID};
    find_internal("_poll_end", end_types, 4, &functions->end, context);
    fcinfo->flinfo->fn_extra = functions;
    return functions;
}

// _poll_begin's answer: the read to do, and the parked events to deliver first.
struct PollPlan {
    text* subscription;
    int32 member;
    MemberRead read;
    ArrayType* replayed;
};

Datum attribute(HeapTupleHeader row, TupleDesc desc, int number, bool* isnull) {
    HeapTupleData tuple;
    tuple.t_len = HeapTupleHeaderGetDatumLength(row);
    ItemPointerSetInvalid(&tuple.t_self);
    tuple.t_tableOid = InvalidOid;
    tuple.t_data = row;
    return heap_getattr(&tuple, number, desc, isnull);
}

PollPlan begin_poll(FunctionCallInfo fcinfo, PollFunctions* functions) {
    LOCAL_FCINFO(call, 6);
    InitFunctionCallInfoData(*call, &functions->begin, 6, fcinfo->fncollation, nullptr, nullptr);
    call->args[0].value = ObjectIdGetDatum(GetUserId());
    call->args[0].isnull = false;
    call->args[1].value = CStringGetTextDatum(namespace_search_path);
    call->args[1].isnull = false;
    for (int i = 0; i < 4; ++i) call->args[i + 2] = fcinfo->args[i];
    const Datum result = FunctionCallInvoke(call);
    if (call->isnull) {
        ereport(ERROR,
                (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("_poll_begin returned NULL")));
    }
    HeapTupleHeader row = DatumGetHeapTupleHeader(result);
    TupleDesc desc =
        lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(row), HeapTupleHeaderGetTypMod(row));
    PollPlan plan{};
    // A NULL name made _poll_begin raise (no such subscription).
    plan.subscription = PG_GETARG_TEXT_PP(0);
    bool isnull;
    Datum value = attribute(row, desc, 1, &isnull);
    plan.read.category = isnull ? nullptr : DatumGetTextPP(value);
    value = attribute(row, desc, 2, &isnull);
    plan.read.event_types = isnull ? nullptr : DatumGetArrayTypeP(value);
    plan.read.after = DatumGetInt64(attribute(row, desc, 3, &isnull));
    plan.read.max_count = DatumGetInt32(attribute(row, desc, 4, &isnull));
    plan.member = DatumGetInt32(attribute(row, desc, 5, &isnull));
    plan.read.member = plan.member;
    plan.read.members = DatumGetInt32(attribute(row, desc, 6, &isnull));
    value = attribute(row, desc, 7, &isnull);
    plan.read.passed = isnull ? nullptr : DatumGetArrayTypeP(value);
    value = attribute(row, desc, 8, &isnull);
    plan.replayed = isnull ? nullptr : DatumGetArrayTypeP(value);
    ReleaseTupleDesc(desc);
    return plan;
}

void end_poll(FunctionCallInfo fcinfo, PollFunctions* functions, const PollPlan& plan,
              const MemberReadEnd& end) {
    LOCAL_FCINFO(call, 4);
    InitFunctionCallInfoData(*call, &functions->end, 4, fcinfo->fncollation, nullptr, nullptr);
    call->args[0].value = PointerGetDatum(plan.subscription);
    call->args[0].isnull = false;
    call->args[1].value = Int32GetDatum(plan.member);
    call->args[1].isnull = false;
    call->args[2].value = Int64GetDatum(end.examined);
    call->args[2].isnull = false;
    call->args[3].value = Int64GetDatum(end.last_returned);
    call->args[3].isnull = end.last_returned < 0;
    (void)FunctionCallInvoke(call);
}

}  // namespace
}  // namespace chronicle::pg

// chronicle.poll(subscription text, max_count integer, member integer, members integer)
// RETURNS SETOF chronicle.event.
extern "C" Datum chronicle_poll(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    PollFunctions* functions = poll_functions(fcinfo);
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    PollPlan plan = begin_poll(fcinfo, functions);
    const int replayed = emit_events_at(rsinfo, plan.replayed);
    plan.read.max_count = plan.read.max_count > replayed ? plan.read.max_count - replayed : 0;
    const MemberReadEnd end = read_member_events(rsinfo, plan.read);
    end_poll(fcinfo, functions, plan, end);
    return (Datum)0;
}
