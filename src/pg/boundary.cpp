#include "chronicle/pg/boundary.hpp"

#include <cstring>

#include "chronicle/pg/pg_guard.hpp"
#include "chronicle/pg/postgres.hpp"

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
// A PostgreSQL error that pg_guarded turned into a PgError: re-raised as it was.
ErrorData* captured_pg_error = nullptr;
// Holds the latest PostgreSQL error caught by pg_guarded until it is re-raised.
MemoryContext pg_error_context = nullptr;

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
    } catch (const chronicle::Error& e) {
        copy_text(captured.sqlstate, sizeof captured.sqlstate, sqlstate_of(e.kind()));
        copy_text(captured.message, sizeof captured.message, e.what());
        copy_text(captured.detail, sizeof captured.detail, e.detail().c_str());
        copy_text(captured.hint, sizeof captured.hint, e.hint().c_str());
    } catch (const std::bad_alloc&) {
        copy_text(captured.sqlstate, sizeof captured.sqlstate, "53200");
        copy_text(captured.message, sizeof captured.message, "out of memory in chronicle");
    } catch (const std::exception& e) {
        copy_text(captured.sqlstate, sizeof captured.sqlstate, "XX000");
        copy_text(captured.message, sizeof captured.message, "chronicle internal error: ");
        std::strncat(captured.message, e.what(),
                     sizeof captured.message - std::strlen(captured.message) - 1);
    } catch (...) {
        copy_text(captured.sqlstate, sizeof captured.sqlstate, "XX000");
        copy_text(captured.message, sizeof captured.message,
                  "chronicle internal error: unknown C++ exception");
    }
}

void raise_captured_error() {
    if (captured_pg_error) {
        ErrorData* error = captured_pg_error;
        captured_pg_error = nullptr;
        ReThrowError(error);
    }
    const char* s = captured.sqlstate;
    ereport(ERROR,
            (errcode(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])), errmsg("%s", captured.message),
             captured.detail[0] ? errdetail("%s", captured.detail) : 0,
             captured.hint[0] ? errhint("%s", captured.hint) : 0));
    pg_unreachable();
}

const char* PgError::what() const noexcept {
    return data_ && data_->message ? data_->message : "PostgreSQL error";
}

ErrorData* take_pg_error(MemoryContext caller_context) {
    if (pg_error_context == nullptr) {
        pg_error_context =
            AllocSetContextCreate(TopMemoryContext, "chronicle caught error", ALLOCSET_SMALL_SIZES);
    }
    // Only one caught error is ever in flight: the previous one was re-raised already.
    Assert(captured_pg_error == nullptr);
    MemoryContextReset(pg_error_context);
    MemoryContextSwitchTo(pg_error_context);
    ErrorData* error = CopyErrorData();
    FlushErrorState();
    MemoryContextSwitchTo(caller_context);
    return error;
}

}  // namespace chronicle::pg

namespace chronicle::pg {

int sqlerrcode_of(chronicle::ErrorKind kind) noexcept {
    const char* s = sqlstate_of(kind);
    return MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
}

}  // namespace chronicle::pg
