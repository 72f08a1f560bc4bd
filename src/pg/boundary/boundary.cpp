// core_call: the one wrapper through which core code runs in the glue, turning C++
// exceptions (and PgErrors caught by pg_guarded) into ereport(ERROR) after every C++ scope ends.

#include "chronicle/pg/boundary/boundary.hpp"

#include <cstring>

#include "chronicle/core/sqlstate.hpp"
#include "chronicle/pg/boundary/errcodes.hpp"
#include "chronicle/pg/boundary/pg_guard.hpp"
#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "utils/memutils.h"
}

namespace chronicle::pg {
namespace {

// Fixed storage: filling it can neither allocate nor fail, so it is safe in a catch handler.
struct CapturedError {
    char sqlstate[6];
    char message[1024];
    char detail[1024];
    char hint[512];
};
CapturedError captured;
// A PostgreSQL error that pg_guarded turned into a PgError: re-raised as it was. Its
// context is taken from the PgError in the catch handler (no allocation there) and freed at
// the next re-raise (ReThrowError copies the error into ErrorContext).
ErrorData* captured_pg_error = nullptr;
MemoryContext captured_pg_context = nullptr;
MemoryContext reraised_pg_context = nullptr;

void copy_text(char* out, std::size_t size, const char* text) noexcept {
    const std::size_t len = strnlen(text, size - 1);
    std::memcpy(out, text, len);
    out[len] = '\0';
}

}  // namespace

void capture_current_exception() noexcept {
    captured.detail[0] = '\0';
    captured.hint[0] = '\0';
    captured_pg_error = nullptr;
    try {
        throw;
    } catch (const PgError& e) {
        captured_pg_error = e.data();
        captured_pg_context = e.caught()->release();
    } catch (const chronicle::Error& e) {
        copy_text(captured.sqlstate, sizeof captured.sqlstate, sqlstate_of(e.kind()));
        copy_text(captured.message, sizeof captured.message, e.what());
        copy_text(captured.detail, sizeof captured.detail, e.detail().c_str());
        copy_text(captured.hint, sizeof captured.hint, e.hint().c_str());
    } catch (const std::bad_alloc&) {
        copy_text(captured.sqlstate, sizeof captured.sqlstate, sqlstate::kOutOfMemory.code);
        copy_text(captured.message, sizeof captured.message, "out of memory");
    } catch (const std::exception& e) {
        copy_text(captured.sqlstate, sizeof captured.sqlstate, sqlstate::kInternalError.code);
        copy_text(captured.message, sizeof captured.message, "unexpected C++ exception: ");
        std::strncat(captured.message, e.what(),
                     sizeof captured.message - std::strlen(captured.message) - 1);
    } catch (...) {
        copy_text(captured.sqlstate, sizeof captured.sqlstate, sqlstate::kInternalError.code);
        copy_text(captured.message, sizeof captured.message,
                  "unexpected C++ exception of unknown type");
    }
}

void raise_captured_error() {
    if (reraised_pg_context != nullptr) {
        MemoryContextDelete(reraised_pg_context);
        reraised_pg_context = nullptr;
    }
    if (captured_pg_error) {
        ErrorData* error = captured_pg_error;
        captured_pg_error = nullptr;
        reraised_pg_context = captured_pg_context;
        captured_pg_context = nullptr;
        ReThrowError(error);
    }
    ereport(ERROR, (errcode(make_errcode(captured.sqlstate)), errmsg("%s", captured.message),
                    captured.detail[0] ? errdetail("%s", captured.detail) : 0,
                    captured.hint[0] ? errhint("%s", captured.hint) : 0));
    pg_unreachable();
}

const char* PgError::what() const noexcept {
    const ErrorData* error = caught_ ? caught_->data() : nullptr;
    return error && error->message ? error->message : "PostgreSQL error";
}

MemoryContext take_pg_error(MemoryContext caller_context, ErrorData** data) {
    // Under TopMemoryContext: the error outlives the (sub)transaction it was raised in, which
    // its handler rolls back before it looks at the error.
    MemoryContext context =
        AllocSetContextCreate(TopMemoryContext, "chronicle caught error", ALLOCSET_SMALL_SIZES);
    MemoryContextSwitchTo(context);
    *data = CopyErrorData();
    FlushErrorState();
    MemoryContextSwitchTo(caller_context);
    return context;
}

CaughtError::~CaughtError() {
    // Deleting a context raises no error; a context given up to core_call is freed there.
    if (context_ != nullptr) MemoryContextDelete(context_);
}

MemoryContext CaughtError::release() noexcept {
    MemoryContext context = context_;
    context_ = nullptr;
    return context;
}

}  // namespace chronicle::pg
