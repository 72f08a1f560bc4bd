// SQL entry point chronicle.load: a repository's read, the state fold returns and the stream
// version that state is at, both from the one fold under the statement's snapshot.

#include "chronicle/core/error.hpp"
#include "chronicle/pg/aggregates/aggregate_catalog.hpp"
#include "chronicle/pg/aggregates/fold_arguments.hpp"
#include "chronicle/pg/aggregates/fold_runner.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/boundary/text_view.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/jsonb.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(chronicle_load);
}

// One row (state, version). The version is the one the fold stopped at (the last event it
// applied, or the snapshot it started from when no event followed), not the stream's head
// read a second time: under READ COMMITTED an append committed between two reads would pair
// a state with a version it is not at, and "load, decide, append with expected_version"
// would accept a decision taken on an old state. Whatever the fold did not reach (no stream,
// no event yet at as_of or at_version, at_version past the end) is NULL and 0: fold's NULL,
// and the expected version that a stream which does not exist yet has.
extern "C" Datum chronicle_load(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    const FoldArguments arguments = read_fold_arguments(fcinfo);
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    Snapshot snapshot = GetActiveSnapshot();

    const FoldResult result = core_call([&] {
        check_fold_arguments(arguments);
        AggregateRef found = find_aggregate(view_of(arguments.aggregate));
        return run_fold(*found, arguments.stream, arguments.target, snapshot, nullptr);
    });
    const bool folded = result.has_state && result.reached;
    Datum values[2] = {folded ? JsonbPGetDatum(result.state) : (Datum)0,
                       Int64GetDatum(folded ? result.version : 0)};
    bool nulls[2] = {!folded, false};
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    return (Datum)0;
}
