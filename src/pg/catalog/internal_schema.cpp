// The schema of chronicle's internal functions (chronicle_internal from 0.6 on, chronicle
// before), found once per lookup so that the library works with every installed version.
#include "chronicle/pg/catalog/internal_schema.hpp"

extern "C" {
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
}

namespace chronicle::pg {

namespace {

bool has_internal_schema() {
    const Oid internal = get_namespace_oid("chronicle_internal", true);
    if (!OidIsValid(internal)) return false;
    const Oid extension = get_extension_oid("chronicle", true);
    return OidIsValid(extension) &&
           getExtensionOfObject(NamespaceRelationId, internal) == extension;
}

}  // namespace

Oid internal_namespace_oid() {
    return has_internal_schema() ? get_namespace_oid("chronicle_internal", false)
                                 : get_namespace_oid("chronicle", true);
}

const char* internal_namespace_name() {
    return has_internal_schema() ? "chronicle_internal" : "chronicle";
}

}  // namespace chronicle::pg
