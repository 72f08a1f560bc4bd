// A timeout argument (interval) as milliseconds, as the wait functions take it: NULL is the
// function's default, zero or negative means "do not wait, just tell", and anything longer
// than about eleven days is capped there.
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "utils/timestamp.h"
}

namespace chronicle::pg {

inline long timeout_milliseconds(const Interval* timeout, long default_ms) {
    if (timeout == nullptr) return default_ms;
    const double seconds = static_cast<double>(timeout->time) / USECS_PER_SEC +
                           static_cast<double>(timeout->day) * SECS_PER_DAY +
                           static_cast<double>(timeout->month) * DAYS_PER_MONTH * SECS_PER_DAY;
    return seconds <= 0 ? 0 : seconds >= 1e6 ? 1000000000L : static_cast<long>(seconds * 1000);
}

}  // namespace chronicle::pg
