// The SQLSTATE classification (error_origin.hpp). By class (the first two characters), as
// PostgreSQL's appendix A groups them, with the few transient conditions named exactly.
#include "chronicle/core/error_origin.hpp"

namespace chronicle {

ErrorOrigin error_origin(std::string_view sqlstate) noexcept {
    if (sqlstate.size() != 5) return ErrorOrigin::Server;
    // 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available.
    if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
        return ErrorOrigin::Transient;
    }
    const std::string_view cls = sqlstate.substr(0, 2);
    // 53 insufficient resources, 54 program limit exceeded (a value too big for jsonb, a
    // stack too deep: the server's limits, which a snapshot must not hide and a retry with a
    // smaller batch may get under), 57 operator intervention, 58 system error, F0
    // configuration file error, XX internal error.
    if (cls == "53" || cls == "54" || cls == "57" || cls == "58" || cls == "F0" || cls == "XX") {
        return ErrorOrigin::Server;
    }
    return ErrorOrigin::User;
}

}  // namespace chronicle
