// What a projection's worker does with an error raised while it applies a batch.
#pragma once

#include <string_view>

namespace chronicle {

enum class FailureAction {
    MarkFailed,  // the projection's own problem (its handler, its state, its table): record
                 // the error, stop this projection, keep the others going
    RetryLater,  // a condition of the moment (serialization failure, deadlock, lock
                 // timeout): roll the batch back and try again on the next round
    Escalate,    // the worker itself was told to stop (a cancel request): let the error end
                 // the worker's transaction
};

// From the error's SQLSTATE (five characters) and whether the worker really received a
// cancel request. The SQLSTATE alone never escalates: user code can raise any of them
// (RAISE ... USING ERRCODE = '57014'), and an error of one role's handler must not end
// the worker that keeps every other role's projections.
FailureAction failure_action(std::string_view sqlstate, bool cancel_requested) noexcept;

}  // namespace chronicle
