// The one way chronicle runs a piece of work in an internal subtransaction from C++: begin
// it, and either commit it or roll it back, restoring the memory context, the resource
// owner and the user and security context on every path (a normal return, a PostgreSQL
// error turned into PgError, a C++ exception).
//
// The rule that goes with it: between a caught error and rollback() run no SQL and touch no
// catalog (the subtransaction is in an aborted state); look at the error (PgError owns its
// copy) only after rollback().
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "utils/resowner.h"
}

namespace chronicle::pg {

class Subtransaction {
  public:
    // BeginInternalSubTransaction; the caller's memory context stays current.
    Subtransaction();
    // Rolls back if neither commit() nor rollback() was called (an exception on its way
    // out). A rollback that fails leaves the backend in a state no caller can repair:
    // FATAL, as PostgreSQL's own AbortSubTransaction failures are.
    ~Subtransaction();
    Subtransaction(const Subtransaction&) = delete;
    Subtransaction& operator=(const Subtransaction&) = delete;

    void commit();
    void rollback();
    bool open() const noexcept { return open_; }

  private:
    void restore() noexcept;

    MemoryContext context_;
    ResourceOwner owner_;
    Oid user_;
    int security_context_;
    bool open_ = false;
};

}  // namespace chronicle::pg
