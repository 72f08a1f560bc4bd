// Running user code (reducers, handlers, projection tables' casts and domain checks) as the
// role that owns it, the way PostgreSQL runs REFRESH MATERIALIZED VIEW and maintenance
// commands: security-restricted, with a pinned search_path, its setting changes undone.
//
// Why each guard: the caller's identity would let one role's code run with another's rights;
// the caller's search_path (or a database-level one) would let whoever set it decide what
// the owner's code resolves names to (CVE-2018-1058); SECURITY_RESTRICTED_OPERATION keeps
// user code from changing the session it borrows (SET ROLE, temporary objects, ...; CVE-
// 2020-25695); and a GUC nest level rolled back after each call keeps a set_config(...,
// false) from outliving the call and steering whatever runs next.
#pragma once

#include "chronicle/pg/boundary/pg_guard.hpp"
#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace chronicle::pg {

// From _PG_init: user code running security-restricted may not turn exit_on_error on (its
// next error would end the appender's session or the worker).
void install_exit_on_error_guard();

// The search_path user code runs with, as PostgreSQL 17 pins it for maintenance operations.
inline constexpr const char* kPinnedSearchPath = "pg_catalog, pg_temp";

// What leave_owner_context restores. Plain data: lives in C-style frames.
struct OwnerContext {
    Oid saved_user;
    int saved_security;
    int guc_nest;
};

// Plain C-style (PostgreSQL calls; may raise): switch to `owner`, security-restricted, open
// a GUC nest level and pin search_path in it. A role that no longer exists is an error
// naming the object (`kind` "aggregate", "projection"; `name` its name).
void enter_owner_context(OwnerContext* context, Oid owner, const char* kind, const char* name);

// Only the GUC nest level and the pinned search_path, as the current user: chronicle's own
// queries run by a caller whose search_path is not to be trusted.
void enter_pinned_context(OwnerContext* context);

// As enter_owner_context, with another search_path: chronicle._execute_as runs a caller's
// DDL as the caller would have run it, resolving names with the caller's own path.
void enter_role_context(OwnerContext* context, Oid role, const char* search_path);

// Undoes every setting changed since the matching enter (the pinned search_path included)
// and restores the identity. Call it on every path, errors included, and before the
// caller's subtransaction (if any) is rolled back: rolling it back first would already have
// popped the nest level. Harmless after an error if the transaction is aborted instead.
void leave_owner_context(const OwnerContext* context);

// One call of user code inside an owner context: what it changes with set_config(...,
// false) ends with it, not with the context (the next event's call must not see it).
// Cheap: AtEOXact_GUC only walks the settings when some setting has a saved value.
inline int begin_user_call() {
    return NewGUCNestLevel();
}
inline void end_user_call(int nest) {
    AtEOXact_GUC(false, nest);
}

// C++ side: runs `body` (which calls PostgreSQL only through pg_guarded) in an owner
// context, left on every path, C++ exceptions and PostgreSQL errors alike.
template <typename F>
void as_owner(Oid owner, const char* kind, const char* name, F&& body) {
    OwnerContext context{InvalidOid, 0, 0};
    pg_guarded([&] { enter_owner_context(&context, owner, kind, name); });
    try {
        body();
    } catch (...) {
        pg_guarded([&] { leave_owner_context(&context); });
        throw;
    }
    pg_guarded([&] { leave_owner_context(&context); });
}

}  // namespace chronicle::pg
