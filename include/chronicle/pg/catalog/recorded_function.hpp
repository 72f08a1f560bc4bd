// Functions chronicle calls later (an aggregate's reducer, a projection's handler) are recorded
// in its tables by identity, not by OID: the schema-qualified name and argument types as text,
// and the role that owned the function then. pg_upgrade keeps the OIDs of relations, types and
// roles but not of functions, and refuses a cluster with regprocedure columns (docs/operations.md).
//
// A recorded function is found again by that identity. Because a name can be taken again by
// somebody else once the function is dropped, it is called only while the role that owned it
// when it was recorded still owns it: a function of the same name created by another role is
// never run on chronicle's behalf. Renaming or moving the function, or giving it away, detaches
// it; the aggregate or projection then fails with a message saying so.
//
// Plain C-style code: raises PostgreSQL errors (see boundary.hpp).
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"

namespace chronicle::pg {

// What chronicle records of `function`: its identity (every name quoted and schema-qualified,
// so that reading it back does not depend on a search_path) and its owner.
char* recorded_function_identity(Oid function);
Oid function_owner(Oid function);

// The function recorded as `identity`, owned by `recorded_owner` when recorded. InvalidOid when
// it no longer exists under that identity or another role owns it now; `*problem` then says
// which, in words for an error message.
Oid resolve_recorded_function(const char* identity, Oid recorded_owner, const char** problem);

}  // namespace chronicle::pg
