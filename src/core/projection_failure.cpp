// A projection worker's failure policy (projection_failure.hpp).
#include "chronicle/core/projection_failure.hpp"

#include <algorithm>

#include "chronicle/core/error_origin.hpp"

namespace chronicle {

namespace {

FailureAction give_up(const BatchFailure& failure, const FailurePolicy& policy) noexcept {
    return policy.park_events && failure.event_known ? FailureAction::Park : FailureAction::Stop;
}

}  // namespace

FailureAction failure_action(const BatchFailure& failure, const FailurePolicy& policy) noexcept {
    if (failure.cancel_requested) return FailureAction::Escalate;
    // The time limit is the worker's own: whatever SQLSTATE the interrupted code turned it
    // into, the batch was too slow, which a smaller batch or a later try may fix.
    if (failure.time_limit) {
        return failure.attempts < policy.retries ? FailureAction::Retry : give_up(failure, policy);
    }
    switch (error_origin(failure.sqlstate)) {
        case ErrorOrigin::Transient:
            // Never given up on: a lock held by a long report or a burst of deadlocks must not
            // fail a projection that is fine. The delay grows instead.
            return FailureAction::Retry;
        case ErrorOrigin::Server:
            return failure.attempts < policy.retries ? FailureAction::Retry
                                                     : give_up(failure, policy);
        case ErrorOrigin::User:
            // Deterministic: the same batch fails the same way until someone changes it.
            return give_up(failure, policy);
    }
    return FailureAction::Stop;
}

std::int64_t retry_delay_ms(int attempts) noexcept {
    const int doublings = std::clamp(attempts - 1, 0, 6);
    return std::min<std::int64_t>(std::int64_t{1000} << doublings, 60000);
}

std::int64_t retry_batch_size(std::int64_t batch_size, int attempts) noexcept {
    const int shift = std::clamp(attempts, 0, 15) * 2;
    return std::max<std::int64_t>(batch_size >> shift, 1);
}

}  // namespace chronicle
