// The extension's entry: module magic and what happens when the library is loaded.
//
// Every hook and transaction callback chronicle installs is here, once, calling the
// subsystems in the order written below; none registers its own (PostgreSQL would then call
// them in the reverse order of registration, an order nobody chose).
//
// Per-backend state, and who resets it when:
//
//   catalog-derived (forgotten by the metadata cache's one relcache and one syscache callback,
//   rebuilt on next use):
//     catalog/metadata_cache.cpp       installed?, version, schemas, relation OIDs, the
//                                      event log's layout check; the definition epochs
//     aggregates/aggregate_catalog.cpp compiled aggregates (current while their epoch is)
//     projections/inline_projections   running inline projections by category, their plans
//     projections/projection_round     catalog_has_failure_columns: set from the version at
//                                      the start of every round
//   per transaction (reset by on_xact_event below, at commit, abort and prepare):
//     event_log/in_flight_positions.cpp holding_slot, my_lowest_position
//     projections/inline_projections   wake_worker_at_commit
//     workers/worker_utility_hook.cpp  extension_created/dropped, database_created, the
//                                      suspended databases (a list: no bound)
//     subscriptions/commit_signals.cpp the categories appended to, unlisten_at_commit
//   per error (boundary/boundary.cpp): the captured error, set and consumed by one
//     core_call / pg_guarded crossing
//   per backend, set once: the shared memory pointers (in_flight_positions `shared`,
//     worker_registry `registry`, commit_signals `shared`) at shmem startup; in_flight_positions'
//     exit_callback_registered; the worker's slot (worker_registry `my_slot`); the launcher's
//     own lists (projection_launcher.cpp, launcher process only); the time-limit timeout and
//     its signal flags (projection_round.cpp, worker process only); how far the worker has
//     notified (subscriptions/worker_notifier.cpp, worker process only); random_pool.cpp's bytes
//   settings (GUC variables): worker_settings.cpp, extension_drop_guard.cpp,
//     event_log/correlation_settings.cpp
#include "chronicle/pg/aggregates/aggregate_catalog.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/catalog/metadata_cache.hpp"
#include "chronicle/pg/event_log/correlation_settings.hpp"
#include "chronicle/pg/event_log/extension_drop_guard.hpp"
#include "chronicle/pg/event_log/in_flight_positions.hpp"
#include "chronicle/pg/projections/inline_projections.hpp"
#include "chronicle/pg/roles/owner_context.hpp"
#include "chronicle/pg/subscriptions/commit_signals.hpp"
#include "chronicle/pg/workers/projection_launcher.hpp"
#include "chronicle/pg/workers/worker_registry.hpp"
#include "chronicle/pg/workers/worker_settings.hpp"
#include "chronicle/pg/workers/worker_utility_hook.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/ipc.h"
#include "tcop/utility.h"

PG_MODULE_MAGIC;

void _PG_init(void);
}

namespace chronicle::pg {
namespace {

// Loaded by shared_preload_libraries: the workers and their shared memory exist.
bool preloaded = false;

shmem_request_hook_type previous_shmem_request = nullptr;
shmem_startup_hook_type previous_shmem_startup = nullptr;
ProcessUtility_hook_type previous_utility_hook = nullptr;

void on_shmem_request() {
    if (previous_shmem_request) previous_shmem_request();
    in_flight_positions_shmem_request();
    worker_registry_shmem_request();
    commit_signals_shmem_request();
}

void on_shmem_startup() {
    if (previous_shmem_startup) previous_shmem_startup();
    in_flight_positions_shmem_startup();
    worker_registry_shmem_startup();
    commit_signals_shmem_startup();
}

bool is_chronicle_extension_statement(Node* statement) {
    switch (nodeTag(statement)) {
        case T_CreateExtensionStmt:
            return strcmp(castNode(CreateExtensionStmt, statement)->extname, "chronicle") == 0;
        case T_AlterExtensionStmt:
            return strcmp(castNode(AlterExtensionStmt, statement)->extname, "chronicle") == 0;
        case T_DropStmt: {
            const DropStmt* drop = castNode(DropStmt, statement);
            if (drop->removeType != OBJECT_EXTENSION) return false;
            const ListCell* cell;
            foreach (cell, drop->objects) {
                if (strcmp(strVal(lfirst(cell)), "chronicle") == 0) return true;
            }
            return false;
        }
        default:
            return false;
    }
}

void utility_hook(PlannedStmt* pstmt, const char* query_string, bool read_only_tree,
                  ProcessUtilityContext context, ParamListInfo params, QueryEnvironment* query_env,
                  DestReceiver* dest, QueryCompletion* qc) {
    Node* statement = pstmt->utilityStmt;
    // 1. Before the statement: a DROP DATABASE must find the database's worker gone.
    if (preloaded) worker_note_utility_statement(statement);
    commit_signals_note_utility_statement(statement);
    const bool extension_statement = is_chronicle_extension_statement(statement);
    if (previous_utility_hook) {
        previous_utility_hook(pstmt, query_string, read_only_tree, context, params, query_env, dest,
                              qc);
    } else {
        standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env,
                                dest, qc);
    }
    // 2. After it: every backend's metadata cache forgets the extension's version and objects
    // (this one at its next command, the others when this transaction commits).
    if (extension_statement) note_extension_statement();
}

// The one transaction callback. The order matters:
// 1. in_flight_positions first: PRE_PREPARE may refuse the transaction, and at COMMIT the
//    published position must be cleared before anything wakes a worker (a worker woken
//    while the position still looked in flight would stop below it and sleep again).
// 2. inline projections: wake the worker after a projection changed.
// 3. commit signals: NOTIFY at PRE_COMMIT (before PostgreSQL queues the notifications); at
//    COMMIT, after 1 (the same reason as the worker's), wake wait_for_events.
// 4. the workers' utility part (preloaded only): notify the launcher of CREATE/DROP
//    EXTENSION and CREATE DATABASE, and resume the workers sent away.
void on_xact_event(XactEvent event, void*) {
    in_flight_positions_xact_event(event);
    inline_projections_xact_event(event);
    commit_signals_xact_event(event);
    if (preloaded) worker_utility_xact_event(event);
}

}  // namespace
}  // namespace chronicle::pg

extern "C" void _PG_init(void) {
    using namespace chronicle::pg;
    // Always, so that SHOW and ALTER SYSTEM know the settings even without preloading.
    // Before register_worker_settings, which reserves the "chronicle" prefix: a value SET
    // before the library was loaded survives only for settings defined by then.
    register_extension_drop_guard_settings();
    register_correlation_settings();
    register_worker_settings();
    if (process_shared_preload_libraries_in_progress) {
        // Background workers need shared memory and the postmaster: preloading only.
        preloaded = true;
        previous_shmem_request = shmem_request_hook;
        shmem_request_hook = on_shmem_request;
        previous_shmem_startup = shmem_startup_hook;
        shmem_startup_hook = on_shmem_startup;
        // Not while pg_upgrade runs the server (binary-upgrade mode): nothing may write to a
        // database then but pg_upgrade's own restore, and the old cluster must end as it was
        // dumped. The workers start with the upgraded server's first normal start.
        if (max_workers > 0 && !IsBinaryUpgrade) register_projection_launcher();
    }
    install_exit_on_error_guard();
    previous_utility_hook = ProcessUtility_hook;
    ProcessUtility_hook = utility_hook;
    RegisterXactCallback(on_xact_event, nullptr);
    register_metadata_cache_invalidation();
}
