// The other half of the boundary (see boundary.hpp): C++ code that has to call PostgreSQL
// while C++ objects are alive (a fold keeps its state in C++ while it reads events) does it
// through pg_guarded(). A PostgreSQL error raised inside is caught with PG_TRY, copied, and
// turned into a C++ PgError, so that C++ unwinds normally; core_call() then re-raises the
// original error, SQLSTATE and all. C++ exceptions thrown inside never cross PG_TRY: they
// are caught inside it and rethrown after PG_END_TRY.
//
// The rule for the body: between two PostgreSQL calls it may create and destroy C++ objects,
// but none with a non-trivial destructor may be alive in the body's own frames while a
// PostgreSQL function runs (a longjmp would skip its destructor). Write into objects owned
// by the caller instead.
#pragma once

#include <exception>

#include "chronicle/pg/postgres.hpp"

namespace chronicle::pg {

// A PostgreSQL error travelling through C++ frames. The error data lives in a memory
// context of its own until core_call re-raises it.
class PgError : public std::exception {
  public:
    explicit PgError(ErrorData* data) noexcept : data_(data) {}
    ErrorData* data() const noexcept { return data_; }
    const char* what() const noexcept override;

  private:
    ErrorData* data_;
};

// Copies the error being handled (inside PG_CATCH) and clears PostgreSQL's error state.
ErrorData* take_pg_error(MemoryContext caller_context);

template <typename F>
void pg_guarded(F&& body) {
    ErrorData* volatile caught = nullptr;
    std::exception_ptr cpp_error;
    MemoryContext caller_context = CurrentMemoryContext;
    PG_TRY();
    {
        try {
            body();
        } catch (...) {
            cpp_error = std::current_exception();
        }
    }
    PG_CATCH();
    { caught = take_pg_error(caller_context); }
    PG_END_TRY();
    if (cpp_error) std::rethrow_exception(cpp_error);
    if (caught) throw PgError(caught);
}

}  // namespace chronicle::pg
