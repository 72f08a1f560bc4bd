#include "chronicle/core/projection_failure.hpp"

namespace chronicle {

FailureAction failure_action(std::string_view sqlstate) noexcept {
    if (sqlstate.size() != 5) return FailureAction::MarkFailed;
    const std::string_view error_class = sqlstate.substr(0, 2);
    // 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available.
    if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
        return FailureAction::RetryLater;
    }
    // 57 operator intervention (query_canceled, admin_shutdown, ...), 53 insufficient
    // resources, 58 system errors (I/O): the server's condition, not the projection's.
    if (error_class == "57" || error_class == "53" || error_class == "58") {
        return FailureAction::Escalate;
    }
    return FailureAction::MarkFailed;
}

}  // namespace chronicle
