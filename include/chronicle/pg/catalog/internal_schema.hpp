// Where chronicle's internal functions live: the schema chronicle_internal since 0.6, the
// schema chronicle before. The library serves databases not yet ALTER EXTENSION UPDATEd, so
// it looks the schema up instead of assuming it. Plain-C-style glue: call it under pg_guarded.
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"

namespace chronicle::pg {

// The OID of chronicle_internal when it is a member of extension chronicle, else of chronicle
// (InvalidOid when neither exists). A schema of that name made by someone else is ignored.
Oid internal_namespace_oid();

// The same schema's name, quoted as an identifier, for SPI texts.
const char* internal_namespace_name();

}  // namespace chronicle::pg
