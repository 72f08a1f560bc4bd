#include "chronicle/core/projection_failure.hpp"

namespace chronicle {

FailureAction failure_action(std::string_view sqlstate, bool cancel_requested) noexcept {
    if (cancel_requested) return FailureAction::Escalate;
    // 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available.
    if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
        return FailureAction::RetryLater;
    }
    // Everything else, 57xxx, 53xxx and 58xxx included, is recorded against the projection:
    // a shutdown or terminate is FATAL and never reaches here, and out-of-memory or I/O
    // errors during one projection's batch are retried by resume_projection once fixed.
    return FailureAction::MarkFailed;
}

}  // namespace chronicle
