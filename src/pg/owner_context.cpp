// Entering and leaving an owner context (owner_context.hpp): identity, security
// restrictions, a GUC nest level and the pinned search_path, set and undone together.
#include "chronicle/pg/owner_context.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "utils/syscache.h"
}

namespace chronicle::pg {

namespace {

void pin_search_path() {
    // Already pinned (the worker's session, a reducer inside a projection's context): the
    // same value again would only cost a stack entry and a recomputed namespace path.
    if (namespace_search_path != nullptr && strcmp(namespace_search_path, kPinnedSearchPath) == 0) {
        return;
    }
    // GUC_ACTION_SAVE in the nest level just opened: rolled back with it, as a function's
    // SET clause is. PGC_S_SESSION so that the owner's own functions may still set theirs
    // (ALTER FUNCTION ... SET search_path), which is what users are told to do.
    (void)set_config_option("search_path", kPinnedSearchPath, PGC_USERSET, PGC_S_SESSION,
                            GUC_ACTION_SAVE, true, 0, false);
}

}  // namespace

void enter_owner_context(OwnerContext* context, Oid owner, const char* kind, const char* name) {
    // A syscache probe, not a catalog scan: cheap enough for every append. The owner column
    // is a regrole, which DROP ROLE does not know about.
    if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(owner))) {
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                        errmsg("the owner of %s \"%s\" no longer exists", kind, name),
                        errdetail("Its owner was role %u, which was dropped.", owner),
                        errhint("Give the %s to an existing role.", kind)));
    }
    GetUserIdAndSecContext(&context->saved_user, &context->saved_security);
    SetUserIdAndSecContext(owner, context->saved_security | SECURITY_LOCAL_USERID_CHANGE |
                                      SECURITY_RESTRICTED_OPERATION);
    context->guc_nest = NewGUCNestLevel();
    pin_search_path();
}

void enter_pinned_context(OwnerContext* context) {
    GetUserIdAndSecContext(&context->saved_user, &context->saved_security);
    context->guc_nest = NewGUCNestLevel();
    pin_search_path();
}

void leave_owner_context(const OwnerContext* context) {
    AtEOXact_GUC(false, context->guc_nest);
    SetUserIdAndSecContext(context->saved_user, context->saved_security);
}

}  // namespace chronicle::pg
