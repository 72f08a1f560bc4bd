// Calling a reducer aggregate's function once per event, the way PL/pgSQL evaluates a simple
// expression: reducer(state, event) is planned once (a SQL function is inlined there), then
// evaluated per event with the two values as parameters. No SPI, no query per event.
// Plain C-style state; call inside pg_guarded.
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/event_log/stream_scan.hpp"

extern "C" {
#include "access/tupdesc.h"
#include "nodes/execnodes.h"
#include "nodes/params.h"
}

namespace chronicle::pg {

struct ReducerCall {
    Oid function;
    ExprState* expression;
    ExprContext* econtext;
    ParamListInfo params;
    TupleDesc event_desc;             // chronicle.event, blessed
    MemoryContext state_contexts[2];  // the current state lives in one, the next goes to the other
    int current;
    Datum state;
    bool nest_per_call;  // the planned call may change settings: roll them back after each
};

// Checks that `function` can be a reducer: (jsonb, chronicle.event) RETURNS jsonb, a plain
// function, not returning a set. Raises a CH020 error saying what is wrong.
void check_reducer_signature(Oid function);

// Plans the call and starts from a copy of `initial`. A reducer that was dropped since the
// aggregate was defined is a CH023 error naming the aggregate. Call this and the calls
// below in the aggregate owner's context (owner_context.hpp): planning checks EXECUTE for
// the current user, and inlines a SQL reducer with the current search_path.
void reducer_call_begin(ReducerCall* call, Oid function, Jsonb* initial, const char* aggregate);

// state := reducer(state, the scan's current event). A NULL result is an error.
void reducer_call_apply(ReducerCall* call, StreamScan* row, const char* aggregate,
                        const char* stream);

// The same for an event that is not read from the log (fold_events): `values` and `nulls`
// are chronicle.event's kEventTypeColumnCount columns, in its order, valid until the call
// returns. `number` is the event's version, named in errors with `stream`; a NULL `stream`
// names it as the `number`th of the events given.
void reducer_call_apply_values(ReducerCall* call, const Datum* values, const bool* nulls,
                               int64 number, const char* aggregate, const char* stream);

inline Jsonb* reducer_call_state(const ReducerCall* call) {
    return DatumGetJsonbP(call->state);
}

void reducer_call_end(ReducerCall* call);

}  // namespace chronicle::pg
