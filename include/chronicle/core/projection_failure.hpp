// What a projection's worker does with an error raised while it applied a batch, and how
// long it waits before trying again. The batch itself is always rolled back first.
#pragma once

#include <cstdint>
#include <string_view>

namespace chronicle {

enum class FailureAction {
    Retry,     // try the batch again after retry_delay(): a transient condition, a time-out,
               // a server condition with retries left
    Stop,      // mark the projection failed with the error recorded; the others go on
    Park,      // record the failing event as parked and go on after it (opt-in, handlers)
    Escalate,  // the worker itself was told to stop (a real cancel request): let the error
               // end the worker's transaction
};

// A projection's failure settings (chronicle.projections, or the server's defaults).
struct FailurePolicy {
    int retries = 3;           // failed attempts of one batch before giving up
    bool park_events = false;  // on_error = 'park': give up by parking, not by stopping
};

// What happened, as the worker saw it.
struct BatchFailure {
    std::string_view sqlstate;      // five characters
    bool cancel_requested = false;  // the worker received a real cancel (pg_cancel_backend)
    bool time_limit = false;        // the worker's own per-batch time limit ran out
    bool event_known = false;       // the failing event's position is known (parking needs it)
    int attempts = 0;               // failed attempts of this batch before this one
};

// The SQLSTATE alone never escalates: user code can raise any of them (RAISE ... USING
// ERRCODE = '57014'), and an error of one role's handler must not end the worker that keeps
// every other role's projections.
FailureAction failure_action(const BatchFailure& failure, const FailurePolicy& policy) noexcept;

// How long to wait before attempt number `attempts` + 1 (attempts >= 1): doubling from one
// second, at most a minute.
std::int64_t retry_delay_ms(int attempts) noexcept;

// The batch size of a retry: a quarter per failed attempt (at least one event), so that a
// projection whose batches are merely slow still moves under its time limit.
std::int64_t retry_batch_size(std::int64_t batch_size, int attempts) noexcept;

}  // namespace chronicle
