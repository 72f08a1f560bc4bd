// The arguments chronicle.fold and chronicle.load share, (aggregate, stream, as_of,
// at_version), read and checked one way, so that load's state is fold's for the same call.
#pragma once

#include "chronicle/pg/aggregates/fold_runner.hpp"
#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "fmgr.h"
}

namespace chronicle::pg {

// Plain data: lives in C-style frames.
struct FoldArguments {
    text* aggregate;  // NULL for SQL NULL
    text* stream;     // NULL for SQL NULL
    bool has_at_version;
    int64 at_version;
    FoldTarget target;  // as_of and at_version
};

// Plain C-style: arguments 0 to 3 of the function being called.
FoldArguments read_fold_arguments(FunctionCallInfo fcinfo);

// C++ side (inside core_call): throws the Error of the first bad argument (aggregate name
// CH016, stream name CH010, negative at_version CH016).
void check_fold_arguments(const FoldArguments& arguments);

}  // namespace chronicle::pg
