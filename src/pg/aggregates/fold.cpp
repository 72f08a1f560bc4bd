// SQL entry points of aggregate folding: chronicle.fold and chronicle.history.

#include "chronicle/core/aggregate_definition.hpp"
#include "chronicle/core/error.hpp"
#include "chronicle/core/stream_name.hpp"
#include "chronicle/pg/aggregates/aggregate_catalog.hpp"
#include "chronicle/pg/aggregates/fold_arguments.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/aggregates/fold_runner.hpp"
#include "chronicle/pg/boundary/pg_guard.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/boundary/text_view.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(chronicle_fold);
PG_FUNCTION_INFO_V1(chronicle_history);
}

namespace chronicle::pg {
namespace {

text* text_arg(FunctionCallInfo fcinfo, int n) {
    return PG_ARGISNULL(n) ? nullptr : PG_GETARG_TEXT_PP(n);
}

// Every state of the stream goes to the function's result set.
class HistoryRows final : public FoldObserver {
  public:
    explicit HistoryRows(ReturnSetInfo* rsinfo) : rsinfo_(rsinfo) {}
    bool wants(int64) const override { return true; }
    void state_after(StreamScan* row, Jsonb* state) override {
        Datum values[4] = {Int64GetDatum(row->version), TimestampTzGetDatum(row->recorded_at),
                           PointerGetDatum(row->event_type), JsonbPGetDatum(state)};
        bool nulls[4] = {false, false, false, false};
        tuplestore_putvalues(rsinfo_->setResult, rsinfo_->setDesc, values, nulls);
    }

  private:
    ReturnSetInfo* rsinfo_;
};

}  // namespace
}  // namespace chronicle::pg

using chronicle::pg::core_call;

extern "C" Datum chronicle_fold(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    const FoldArguments arguments = read_fold_arguments(fcinfo);
    Snapshot snapshot = GetActiveSnapshot();

    Jsonb* state = core_call([&]() -> Jsonb* {
        check_fold_arguments(arguments);
        AggregateRef found = find_aggregate(view_of(arguments.aggregate));
        const FoldResult result =
            run_fold(*found, arguments.stream, arguments.target, snapshot, nullptr);
        return result.has_state && result.reached ? result.state : nullptr;
    });
    if (!state) PG_RETURN_NULL();
    PG_RETURN_JSONB_P(state);
}

extern "C" Datum chronicle_history(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    text* aggregate = text_arg(fcinfo, 0);
    text* stream = text_arg(fcinfo, 1);
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    Snapshot snapshot = GetActiveSnapshot();
    core_call([&] {
        chronicle::validate_aggregate_name(optional_view(aggregate));
        chronicle::validate_stream_name(optional_view(stream));
        AggregateRef found = find_aggregate(view_of(aggregate));
        FoldTarget target;
        target.use_snapshots = false;  // every state from the first event on
        HistoryRows rows(rsinfo);
        run_fold(*found, stream, target, snapshot, &rows);
    });
    return (Datum)0;
}
