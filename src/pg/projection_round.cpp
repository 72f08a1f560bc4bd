// Placeholder until the projection engine lands: no projections anywhere.
#include "chronicle/pg/projection_round.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "commands/extension.h"
}

namespace chronicle::pg {

bool projections_installed() { return OidIsValid(get_extension_oid("chronicle", true)); }

bool run_projection_round() { return false; }

}  // namespace chronicle::pg
