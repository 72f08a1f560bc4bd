// A reducer function called once per event the way PL/pgSQL evaluates a simple expression:
// planned once, evaluated per event as the aggregate's owner, with no SPI per event.

#include "chronicle/pg/aggregates/reducer_call.hpp"

#include "chronicle/core/error.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/event_log/event_log_access.hpp"
#include "chronicle/pg/roles/owner_context.hpp"
#include "chronicle/pg/boundary/errcodes.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "access/transam.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/syscache.h"
#include "utils/typcache.h"
}

namespace chronicle::pg {

namespace {

[[noreturn]] void bad_reducer(Oid function, const char* what) {
    ereport(ERROR, (errcode(ERRCODE_CHRONICLE_INVALID_AGGREGATE_DEFINITION),
                    errmsg("invalid aggregate definition: function %s cannot be a reducer: %s",
                           format_procedure(function), what),
                    errhint("A reducer is a function (state jsonb, e chronicle.event) RETURNS "
                            "jsonb that returns the state after the event.")));
}

Param* make_param(int id, Oid type) {
    Param* param = makeNode(Param);
    param->paramkind = PARAM_EXTERN;
    param->paramid = id;
    param->paramtype = type;
    param->paramtypmod = -1;
    param->paramcollid = InvalidOid;
    param->location = -1;
    return param;
}

// How many bytes of old states a reducer fold keeps before it frees them in one go.
constexpr Size kGarbageBytes = 256 * 1024;

struct ReducerErrorContext {
    const char* aggregate;
    const char* stream;  // NULL: events given to fold_events, numbered by their place
    int64 version;
    Oid function;
};

void reducer_error_context(void* arg) {
    const ReducerErrorContext* where = static_cast<const ReducerErrorContext*>(arg);
    if (where->stream == nullptr) {
        errcontext("reducer %s of aggregate \"%s\", applying event %lld of the events given",
                   format_procedure(where->function), where->aggregate,
                   static_cast<long long>(where->version));
        return;
    }
    errcontext("reducer %s of aggregate \"%s\", applying event %lld of stream \"%s\"",
               format_procedure(where->function), where->aggregate,
               static_cast<long long>(where->version), where->stream);
}

bool user_type(Oid type) {
    return type >= FirstGenbkiObjectId;
}

bool user_function(Oid function, List* args) {
    // Built-in functions that run queries given as text, or change settings.
    switch (function) {
        case F_SET_CONFIG:
        case F_QUERY_TO_XML:
        case F_QUERY_TO_XMLSCHEMA:
        case F_QUERY_TO_XML_AND_XMLSCHEMA:
        case F_CURSOR_TO_XML:
        case F_CURSOR_TO_XMLSCHEMA:
        case F_TABLE_TO_XML:
        case F_TABLE_TO_XMLSCHEMA:
        case F_TABLE_TO_XML_AND_XMLSCHEMA:
        case F_SCHEMA_TO_XML:
        case F_SCHEMA_TO_XMLSCHEMA:
        case F_SCHEMA_TO_XML_AND_XMLSCHEMA:
        case F_DATABASE_TO_XML:
        case F_DATABASE_TO_XMLSCHEMA:
        case F_DATABASE_TO_XML_AND_XMLSCHEMA:
        case F_TS_STAT_TEXT:
        case F_TS_REWRITE_TSQUERY_TEXT:
            return true;
        default:
            break;
    }
    if (function >= FirstGenbkiObjectId) return true;
    // A built-in function of a user type's values (comparing, converting) may call that
    // type's functions.
    ListCell* cell;
    foreach (cell, args) {
        if (user_type(exprType(static_cast<Node*>(lfirst(cell))))) return true;
    }
    return false;
}

// Whether evaluating the planned reducer may run code other than PostgreSQL's own built-in
// functions on built-in types (a function of the user, a domain check, a subquery, a query
// run from text, set_config). Conservative: anything it cannot vouch for counts.
bool may_run_user_code(Node* node, void* context) {
    if (node == nullptr) return false;
    switch (nodeTag(node)) {
        case T_FuncExpr: {
            FuncExpr* call = reinterpret_cast<FuncExpr*>(node);
            if (user_function(call->funcid, call->args)) return true;
            break;
        }
        case T_OpExpr:
        case T_DistinctExpr:
        case T_NullIfExpr: {
            OpExpr* op = reinterpret_cast<OpExpr*>(node);
            set_opfuncid(op);
            if (user_function(op->opfuncid, op->args)) return true;
            break;
        }
        case T_ScalarArrayOpExpr: {
            ScalarArrayOpExpr* op = reinterpret_cast<ScalarArrayOpExpr*>(node);
            set_sa_opfuncid(op);
            if (user_function(op->opfuncid, op->args)) return true;
            break;
        }
        case T_CoerceViaIO: {
            CoerceViaIO* coerce = reinterpret_cast<CoerceViaIO*>(node);
            if (user_type(coerce->resulttype) ||
                user_type(exprType(reinterpret_cast<Node*>(coerce->arg)))) {
                return true;
            }
            break;
        }
        case T_ArrayCoerceExpr:
        case T_MinMaxExpr:
            if (user_type(exprType(node))) return true;
            break;
        case T_CoerceToDomain:
        case T_RowCompareExpr:
        case T_SubLink:
        case T_SubPlan:
        case T_AlternativeSubPlan:
        case T_Aggref:
        case T_WindowFunc:
        case T_NextValueExpr:
            return true;
        default:
            break;
    }
    // PostgreSQL 15 declares the walker without a prototype, bool (*)(); through void (*)()
    // is the cast GCC accepts as deliberate.
    auto walker = reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(may_run_user_code));
    return expression_tree_walker(node, walker, context);
}

}  // namespace

void check_reducer_signature(Oid function) {
    HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(function));
    if (!HeapTupleIsValid(tuple))
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("cache lookup failed for function %u", function)));
    Form_pg_proc proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple));
    const char prokind = proc->prokind;
    const bool retset = proc->proretset;
    const Oid rettype = proc->prorettype;
    const int nargs = proc->pronargs;
    const Oid arg0 = nargs > 0 ? proc->proargtypes.values[0] : InvalidOid;
    const Oid arg1 = nargs > 1 ? proc->proargtypes.values[1] : InvalidOid;
    ReleaseSysCache(tuple);
    if (prokind != PROKIND_FUNCTION) bad_reducer(function, "it is not a plain function");
    if (retset) bad_reducer(function, "it returns a set");
    if (rettype != JSONBOID) bad_reducer(function, "it does not return jsonb");
    if (nargs != 2 || arg0 != JSONBOID || arg1 != event_log_oids().event_type) {
        bad_reducer(function, "its arguments are not (jsonb, chronicle.event)");
    }
}

void reducer_call_begin(ReducerCall* call, Oid function, Jsonb* initial, const char* aggregate) {
    if (!SearchSysCacheExists1(PROCOID, ObjectIdGetDatum(function))) {
        ereport(ERROR,
                (errcode(ERRCODE_CHRONICLE_REDUCER_FAILED),
                 errmsg("the reducer function of aggregate \"%s\" no longer exists", aggregate),
                 errhint("Define the aggregate again with chronicle.define_aggregate, "
                         "or drop it.")));
    }
    // Checked at define time, and again here: a reducer is recorded by name (pg_upgrade keeps no
    // function OIDs), and its owner may have dropped it and created another of that name and
    // arguments that returns something else, which would be read as jsonb.
    check_reducer_signature(function);
    const Oid event_type = event_log_oids().event_type;
    call->function = function;
    call->event_desc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(event_type, -1));

    FuncExpr* invocation = makeFuncExpr(
        function, JSONBOID, list_make2(make_param(1, JSONBOID), make_param(2, event_type)),
        InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
    // Inlines a SQL reducer into the expression, as the planner would in a query.
    Expr* planned = expression_planner(reinterpret_cast<Expr*>(invocation));
    // A nest level per call costs a walk over every setting (the owner context's pinned
    // search_path keeps the quick exit from applying): a tenth of the time of a small
    // inlined reducer. Only code that may change a setting needs it.
    call->nest_per_call = may_run_user_code(reinterpret_cast<Node*>(planned), nullptr);

    call->params = makeParamList(2);
    call->params->numParams = 2;
    call->params->params[0].ptype = JSONBOID;
    call->params->params[0].pflags = 0;
    call->params->params[1].ptype = event_type;
    call->params->params[1].pflags = 0;
    call->expression = ExecInitExprWithParams(planned, call->params);
    call->econtext = CreateStandaloneExprContext();
    call->econtext->ecxt_param_list_info = call->params;

    for (MemoryContext& context : call->state_contexts) {
        context = AllocSetContextCreate(CurrentMemoryContext, "chronicle reducer state",
                                        ALLOCSET_DEFAULT_SIZES);
    }
    call->current = 0;
    MemoryContext caller = MemoryContextSwitchTo(call->state_contexts[0]);
    call->state = PointerGetDatum(DatumGetJsonbPCopy(JsonbPGetDatum(initial)));
    MemoryContextSwitchTo(caller);
}

void reducer_call_apply(ReducerCall* call, StreamScan* row, const char* aggregate,
                        const char* stream) {
    MemoryContext caller = MemoryContextSwitchTo(call->econtext->ecxt_per_tuple_memory);
    Datum values[kEventTypeColumnCount];
    bool nulls[kEventTypeColumnCount];
    for (int i = 0; i < kEventTypeColumnCount; ++i) {
        values[i] = stream_scan_column(row, kEventTypeColumnInLog[i], &nulls[i]);
    }
    MemoryContextSwitchTo(caller);
    reducer_call_apply_values(call, values, nulls, row->version, aggregate, stream);
}

void reducer_call_apply_values(ReducerCall* call, const Datum* values, const bool* nulls,
                               int64 number, const char* aggregate, const char* stream) {
    ReducerErrorContext where{aggregate, stream, number, call->function};
    ErrorContextCallback callback;
    callback.callback = reducer_error_context;
    callback.arg = &where;
    callback.previous = error_context_stack;
    error_context_stack = &callback;

    MemoryContext per_event = call->econtext->ecxt_per_tuple_memory;
    MemoryContext caller = MemoryContextSwitchTo(per_event);
    HeapTuple event =
        heap_form_tuple(call->event_desc, const_cast<Datum*>(values), const_cast<bool*>(nulls));
    Assert(HeapTupleHeaderGetTypeId(event->t_data) == call->event_desc->tdtypeid);

    call->params->params[0].value = call->state;
    call->params->params[0].isnull = false;
    // heap_form_tuple already made a composite datum of it (length, type id, typmod); only
    // an event with out-of-line (TOASTed) data needs the flattening copy.
    call->params->params[1].value =
        HeapTupleHasExternal(event) ? HeapTupleGetDatum(event) : PointerGetDatum(event->t_data);
    call->params->params[1].isnull = false;
    bool isnull = false;
    // Each call in a nest level of its own: a set_config(..., false) in the reducer ends
    // with this event, not with the fold.
    const int nest = call->nest_per_call ? begin_user_call() : 0;
    Datum result = ExecEvalExpr(call->expression, call->econtext, &isnull);
    if (call->nest_per_call) end_user_call(nest);
    if (isnull && stream == nullptr) {
        ereport(ERROR, (errcode(ERRCODE_CHRONICLE_REDUCER_FAILED),
                        errmsg("reducer %s of aggregate \"%s\" returned NULL for event %lld of "
                               "the events given",
                               format_procedure(call->function), aggregate,
                               static_cast<long long>(number)),
                        errhint("A reducer returns the new state as jsonb; return 'null'::jsonb "
                                "for a JSON null.")));
    }
    if (isnull) {
        ereport(ERROR, (errcode(ERRCODE_CHRONICLE_REDUCER_FAILED),
                        errmsg("reducer %s of aggregate \"%s\" returned NULL for event %lld of "
                               "stream \"%s\"",
                               format_procedure(call->function), aggregate,
                               static_cast<long long>(number), stream),
                        errhint("A reducer returns the new state as jsonb; return 'null'::jsonb "
                                "for a JSON null.")));
    }
    // The new state is copied out of this event's memory. Old states are freed in bulk,
    // not after every event: freeing a large state per event made the C library hand its
    // pages back to the kernel and fault them in again on the next event (a fifth of the
    // time of a reducer whose state grows). A state context is reset once it holds
    // kGarbageBytes, after the live state moved to the other one. The event's own memory
    // is reset every event: small and reused, it stays in the CPU's cache.
    MemoryContextSwitchTo(call->state_contexts[call->current]);
    call->state = PointerGetDatum(DatumGetJsonbPCopy(result));
    if (MemoryContextMemAllocated(call->state_contexts[call->current], false) > kGarbageBytes) {
        const int next = 1 - call->current;
        MemoryContextSwitchTo(call->state_contexts[next]);
        call->state = PointerGetDatum(DatumGetJsonbPCopy(call->state));
        MemoryContextReset(call->state_contexts[call->current]);
        call->current = next;
    }
    Assert(GetMemoryChunkContext(DatumGetPointer(call->state)) ==
           call->state_contexts[call->current]);
    MemoryContextSwitchTo(caller);
    ResetExprContext(call->econtext);

    error_context_stack = callback.previous;
}

void reducer_call_end(ReducerCall* call) {
    FreeExprContext(call->econtext, true);
    for (MemoryContext context : call->state_contexts) MemoryContextDelete(context);
}

}  // namespace chronicle::pg
