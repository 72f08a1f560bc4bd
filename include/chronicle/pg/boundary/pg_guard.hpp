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
#include <memory>

#include "chronicle/pg/boundary/postgres.hpp"

namespace chronicle::pg {

// A caught PostgreSQL error's copy, in a memory context of its own that lives exactly as
// long as the PgError objects that share it (or, once core_call has taken it to re-raise,
// until the next re-raise). An error caught while another is being handled (SQL run in a
// catch block that fails too) gets its own context and frees nothing of the first.
class CaughtError {
  public:
    CaughtError(MemoryContext context, ErrorData* data) noexcept : context_(context), data_(data) {}
    ~CaughtError();
    CaughtError(const CaughtError&) = delete;
    CaughtError& operator=(const CaughtError&) = delete;

    ErrorData* data() const noexcept { return data_; }
    // Gives the context up (to core_call, which frees it after re-raising the error).
    MemoryContext release() noexcept;

  private:
    MemoryContext context_;
    ErrorData* data_;
};

// A PostgreSQL error travelling through C++ frames.
class PgError : public std::exception {
  public:
    explicit PgError(std::shared_ptr<CaughtError> caught) noexcept : caught_(std::move(caught)) {}
    ErrorData* data() const noexcept { return caught_->data(); }
    const std::shared_ptr<CaughtError>& caught() const noexcept { return caught_; }
    const char* what() const noexcept override;

  private:
    std::shared_ptr<CaughtError> caught_;
};

// Copies the error being handled (inside PG_CATCH) into a context of its own and clears
// PostgreSQL's error state. Returns the context; the copy is its only allocation's owner.
MemoryContext take_pg_error(MemoryContext caller_context, ErrorData** data);

template <typename F>
void pg_guarded(F&& body) {
    ErrorData* volatile caught = nullptr;
    volatile MemoryContext caught_context = nullptr;
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
    {
        ErrorData* data = nullptr;
        caught_context = take_pg_error(caller_context, &data);
        caught = data;
    }
    PG_END_TRY();
    if (cpp_error) std::rethrow_exception(cpp_error);
    if (caught) throw PgError(std::make_shared<CaughtError>(caught_context, caught));
}

}  // namespace chronicle::pg
