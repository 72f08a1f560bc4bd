// The settings chronicle.correlation_id and chronicle.causation_id (0.8): the ids an append
// records for an event whose metadata does not carry them (see core/correlation_ids.hpp).
// Registered in _PG_init whether or not the library is preloaded; a value SET before the
// library was loaded is adopted then.
#pragma once

#include "chronicle/core/correlation_ids.hpp"

namespace chronicle::pg {

// The current values, "" for none (never NULL once registered). Plain C-style: reading them
// raises nothing.
extern char* correlation_id_setting;
extern char* causation_id_setting;

inline chronicle::IdSettings current_id_settings() {
    return chronicle::IdSettings{correlation_id_setting ? correlation_id_setting : "",
                                 causation_id_setting ? causation_id_setting : ""};
}

// From _PG_init, before the "chronicle" prefix is reserved (worker_settings.cpp).
void register_correlation_settings();

}  // namespace chronicle::pg
