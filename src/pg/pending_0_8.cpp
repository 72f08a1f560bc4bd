// TEMPORARY (issue 13 in progress): entry points declared by chronicle--0.8.sql whose
// implementation is being written. Each one moves to its own file; this file must be gone
// before the issue is done.
#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "fmgr.h"
PG_FUNCTION_INFO_V1(chronicle_load);
PG_FUNCTION_INFO_V1(chronicle_fold_events);
PG_FUNCTION_INFO_V1(chronicle_stream_member);
PG_FUNCTION_INFO_V1(chronicle_head_position);
PG_FUNCTION_INFO_V1(chronicle_subscription_read);
PG_FUNCTION_INFO_V1(chronicle_subscription_read_end);
PG_FUNCTION_INFO_V1(chronicle_wait_for_events);
}

#define PENDING(name)                                                                     \
    extern "C" Datum name(PG_FUNCTION_ARGS) {                                             \
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg(#name " pending"))); \
        PG_RETURN_NULL();                                                                 \
    }
PENDING(chronicle_load)
PENDING(chronicle_fold_events)
PENDING(chronicle_stream_member)
PENDING(chronicle_head_position)
PENDING(chronicle_subscription_read)
PENDING(chronicle_subscription_read_end)
PENDING(chronicle_wait_for_events)
