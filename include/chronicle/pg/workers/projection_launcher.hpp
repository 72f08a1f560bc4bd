// The projection launcher, a static background worker (see src/pg/projection_launcher.cpp).
#pragma once

namespace chronicle::pg {

// Registers the launcher with the postmaster. _PG_init, when preloaded.
void register_projection_launcher();

}  // namespace chronicle::pg
