#include "chronicle/pg/boundary.hpp"

#include <cstring>

#include "chronicle/pg/postgres.hpp"

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

void copy_text(char* out, std::size_t size, const char* text) noexcept {
    const std::size_t len = strnlen(text, size - 1);
    std::memcpy(out, text, len);
    out[len] = '\0';
}

}  // namespace

void capture_current_exception() noexcept {
    captured.detail[0] = '\0';
    captured.hint[0] = '\0';
    try {
        throw;
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
    const char* s = captured.sqlstate;
    ereport(ERROR,
            (errcode(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])), errmsg("%s", captured.message),
             captured.detail[0] ? errdetail("%s", captured.detail) : 0,
             captured.hint[0] ? errhint("%s", captured.hint) : 0));
    pg_unreachable();
}

}  // namespace chronicle::pg

namespace chronicle::pg {

int sqlerrcode_of(chronicle::ErrorKind kind) noexcept {
    const char* s = sqlstate_of(kind);
    return MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
}

}  // namespace chronicle::pg
