// What a projection's worker does with an error raised while it applies a batch.
#pragma once

#include <string_view>

namespace chronicle {

enum class FailureAction {
    MarkFailed,  // the projection's own problem (its handler, its state, its table): record
                 // the error, stop this projection, keep the others going
    RetryLater,  // a condition of the moment (serialization failure, deadlock, lock
                 // timeout): roll the batch back and try again on the next round
    Escalate,    // not the projection's to absorb (cancel, shutdown, out of memory or disk):
                 // let it end the worker's transaction
};

// From the error's SQLSTATE (five characters).
FailureAction failure_action(std::string_view sqlstate) noexcept;

}  // namespace chronicle
