// The extension's entry: module magic and what happens when the library is loaded.
#include "chronicle/pg/aggregates/aggregate_catalog.hpp"
#include "chronicle/pg/log/event_log_catalog.hpp"
#include "chronicle/pg/log/extension_drop_guard.hpp"
#include "chronicle/pg/log/in_flight_positions.hpp"
#include "chronicle/pg/roles/owner_context.hpp"
#include "chronicle/pg/projections/inline_projections.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/workers/projection_launcher.hpp"
#include "chronicle/pg/workers/worker_registry.hpp"
#include "chronicle/pg/workers/worker_settings.hpp"
#include "chronicle/pg/workers/worker_utility_hook.hpp"

extern "C" {
#include "miscadmin.h"

PG_MODULE_MAGIC;

void _PG_init(void);
}

extern "C" void _PG_init(void) {
    // Always, so that SHOW and ALTER SYSTEM know the settings even without preloading.
    // Before register_worker_settings, which reserves the "chronicle" prefix: a value SET
    // before the library was loaded survives only for settings defined by then.
    chronicle::pg::register_extension_drop_guard_settings();
    chronicle::pg::register_worker_settings();
    if (process_shared_preload_libraries_in_progress) {
        chronicle::pg::request_in_flight_positions_shmem();
        // Background workers need shared memory and the postmaster: preloading only.
        chronicle::pg::request_worker_registry_shmem();
        chronicle::pg::install_worker_utility_hook();
        if (chronicle::pg::max_workers > 0) chronicle::pg::register_projection_launcher();
    }
    chronicle::pg::install_exit_on_error_guard();
    chronicle::pg::register_in_flight_positions_callbacks();
    chronicle::pg::register_event_log_invalidation();
    chronicle::pg::register_aggregate_invalidation();
    chronicle::pg::register_inline_projection_invalidation();
}
