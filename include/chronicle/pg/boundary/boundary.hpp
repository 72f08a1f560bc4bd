// The C++/PostgreSQL boundary: the one wrapper through which core code runs inside the glue.
//
// PostgreSQL reports errors with longjmp, C++ with exceptions. core_call() runs a piece of
// C++ in try, catches everything, copies code and message into static buffers while still
// inside the handler (no PostgreSQL call there, so nothing can longjmp out of a catch block),
// leaves every C++ scope, and only then raises ereport(ERROR) with the error's SQLSTATE.
//
// The rule that goes with it: glue code that calls PostgreSQL keeps no C++ object with a
// non-trivial destructor alive; such objects live only inside the callables given to
// core_call, which call no PostgreSQL function.
#pragma once

#include <exception>
#include <new>
#include <type_traits>

#include "chronicle/core/error.hpp"

namespace chronicle::pg {

// Records the caught exception in static storage; called only from a catch handler.
void capture_current_exception() noexcept;

// ereport(ERROR) with what capture_current_exception() recorded.
[[noreturn]] void raise_captured_error();

template <typename F>
auto core_call(F&& body) -> decltype(body()) {
    static_assert(std::is_trivially_destructible_v<std::decay_t<F>>,
                  "core_call's callable must be trivially destructible (capture by reference)");
    try {
        return body();
    } catch (...) {
        capture_current_exception();
    }
    raise_captured_error();
}

}  // namespace chronicle::pg
