// The arguments chronicle.fold and chronicle.load share, (aggregate, stream, as_of,
// at_version): read from the call and checked in one place.

#include "chronicle/pg/aggregates/fold_arguments.hpp"

#include <string>

#include "chronicle/core/aggregate_definition.hpp"
#include "chronicle/core/error.hpp"
#include "chronicle/core/stream_name.hpp"
#include "chronicle/pg/boundary/text_view.hpp"

extern "C" {
#include "utils/timestamp.h"
}

namespace chronicle::pg {

FoldArguments read_fold_arguments(FunctionCallInfo fcinfo) {
    FoldArguments arguments;
    arguments.aggregate = PG_ARGISNULL(0) ? nullptr : PG_GETARG_TEXT_PP(0);
    arguments.stream = PG_ARGISNULL(1) ? nullptr : PG_GETARG_TEXT_PP(1);
    arguments.target.has_as_of = !PG_ARGISNULL(2);
    if (arguments.target.has_as_of) arguments.target.as_of = PG_GETARG_TIMESTAMPTZ(2);
    arguments.has_at_version = !PG_ARGISNULL(3);
    arguments.at_version = arguments.has_at_version ? PG_GETARG_INT64(3) : 0;
    if (arguments.has_at_version) {
        arguments.target.bounded = true;
        arguments.target.max_version = arguments.at_version;
    }
    return arguments;
}

void check_fold_arguments(const FoldArguments& arguments) {
    chronicle::validate_aggregate_name(optional_view(arguments.aggregate));
    chronicle::validate_stream_name(optional_view(arguments.stream));
    if (arguments.has_at_version && arguments.at_version < 0) {
        throw chronicle::Error(
            chronicle::ErrorKind::InvalidArgument,
            "at_version must be 0 or more, not " + std::to_string(arguments.at_version));
    }
}

}  // namespace chronicle::pg
