// TEMPORARY (issue 13 in progress): entry points declared by chronicle--0.8.sql whose
// implementation is being written. Each one moves to its own file; this file must be gone
// before the issue is done.
#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "fmgr.h"
PG_FUNCTION_INFO_V1(chronicle_read_correlated);
}

#define PENDING(name)                                                                     \
    extern "C" Datum name(PG_FUNCTION_ARGS) {                                             \
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg(#name " pending"))); \
        PG_RETURN_NULL();                                                                 \
    }
PENDING(chronicle_read_correlated)
