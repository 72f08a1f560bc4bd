// Entering and leaving an owner context (owner_context.hpp): identity, security
// restrictions, a GUC nest level and the pinned search_path, set and undone together.
#include "chronicle/pg/boundary/pg_compat.hpp"
#include "chronicle/pg/roles/owner_context.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "utils/guc_tables.h"
#include "utils/syscache.h"
}

namespace chronicle::pg {

namespace {

void set_search_path(const char* search_path) {
    // Already this path (the worker's session, a reducer inside a projection's context): the
    // same value again would only cost a stack entry and a recomputed namespace path.
    if (namespace_search_path != nullptr && strcmp(namespace_search_path, search_path) == 0) {
        return;
    }
    // GUC_ACTION_SAVE in the nest level just opened: rolled back with it, as a function's
    // SET clause is. PGC_S_SESSION so that the owner's own functions may still set theirs
    // (ALTER FUNCTION ... SET search_path), which is what users are told to do.
    (void)set_config_option("search_path", search_path, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
                            true, 0, false);
}

GucBoolCheckHook previous_exit_on_error_check = nullptr;

// exit_on_error turns every ERROR into FATAL. Set by user code that chronicle runs as its
// owner (set_config(), or a SET clause of the owner's function), the owner's next error would
// end the session it borrows: an appender's connection, or the worker that keeps every
// role's projections, in a restart loop. Such code always runs security-restricted, so
// that is where turning it on is refused; nothing else changes for anyone.
bool check_exit_on_error(bool* newval, void** extra, GucSource source) {
    if (*newval && InSecurityRestrictedOperation()) {
        GUC_check_errcode(ERRCODE_INSUFFICIENT_PRIVILEGE);
        GUC_check_errmsg(
            "cannot set parameter \"exit_on_error\" within security-restricted "
            "operation");
        GUC_check_errdetail(
            "Reducers, handlers and projection casts run as their owner; they may "
            "not end the session they run in.");
        return false;
    }
    return previous_exit_on_error_check == nullptr ||
           previous_exit_on_error_check(newval, extra, source);
}

}  // namespace

void install_exit_on_error_guard() {
    // PostgreSQL 15 keeps its settings in an array; find exit_on_error there once per process.
    int count = 0;
    struct config_generic** settings = compat::guc_variables(&count);
    for (int i = 0; i < count; ++i) {
        if (settings[i]->vartype != PGC_BOOL || strcmp(settings[i]->name, "exit_on_error") != 0) {
            continue;
        }
        auto* setting = reinterpret_cast<struct config_bool*>(settings[i]);
        if (setting->check_hook != check_exit_on_error) {
            previous_exit_on_error_check = setting->check_hook;
            setting->check_hook = check_exit_on_error;
        }
        return;
    }
}

void enter_owner_context(OwnerContext* context, Oid owner, const char* kind, const char* name) {
    // A syscache probe, not a catalog scan: cheap enough for every append. The owner column
    // is a regrole, which DROP ROLE does not know about.
    if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(owner))) {
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                        errmsg("the owner of %s \"%s\" no longer exists", kind, name),
                        errdetail("Its owner was role %u, which was dropped.", owner),
                        errhint("Give the %s to an existing role.", kind)));
    }
    enter_role_context(context, owner, kPinnedSearchPath);
}

void enter_role_context(OwnerContext* context, Oid role, const char* search_path) {
    GetUserIdAndSecContext(&context->saved_user, &context->saved_security);
    SetUserIdAndSecContext(role, context->saved_security | SECURITY_LOCAL_USERID_CHANGE |
                                     SECURITY_RESTRICTED_OPERATION);
    context->guc_nest = NewGUCNestLevel();
    set_search_path(search_path);
}

void enter_pinned_context(OwnerContext* context) {
    GetUserIdAndSecContext(&context->saved_user, &context->saved_security);
    context->guc_nest = NewGUCNestLevel();
    set_search_path(kPinnedSearchPath);
}

void leave_owner_context(const OwnerContext* context) {
    AtEOXact_GUC(false, context->guc_nest);
    SetUserIdAndSecContext(context->saved_user, context->saved_security);
}

}  // namespace chronicle::pg
