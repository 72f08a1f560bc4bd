// A database's projection worker: started by the launcher for one database, it runs
// projection rounds (projection_round.hpp), a transaction per projection, and sleeps on its latch
// when there is nothing left to do. A commit that appended events in its database sets the
// latch (in_flight_positions.cpp), so projections lag by milliseconds, not a naptime.
//
// Plain C-style code: an ERROR that escapes a round longjmps to the bgworker's top level and
// ends the process (exit code 1); the launcher starts a new worker after a short delay.
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/projections/projection_round.hpp"
#include "chronicle/pg/subscriptions/worker_notifier.hpp"
#include "chronicle/pg/workers/worker_registry.hpp"
#include "chronicle/pg/workers/worker_settings.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/backend_status.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"

PGDLLEXPORT void chronicle_worker_main(Datum main_arg);
}

namespace {

const char* const kAppName = "chronicle worker";

// pg_cancel_backend of the worker: remembered, so that the round tells a real cancel from
// an error with the same SQLSTATE raised by user code, then handled as any backend does.
void cancel_handler(SIGNAL_ARGS) {
    chronicle::pg::note_cancel_request();
    StatementCancelHandler(postgres_signal_arg);
}

chronicle::pg::WorkerStartInfo start_info() {
    chronicle::pg::WorkerStartInfo info;
    memcpy(&info, MyBgworkerEntry->bgw_extra, sizeof(info));
    return info;
}

}  // namespace

extern "C" void chronicle_worker_main(Datum main_arg) {
    using namespace chronicle::pg;
    const Oid database = DatumGetObjectId(main_arg);
    const WorkerStartInfo info = start_info();

    // die: SIGTERM interrupts a round at its next CHECK_FOR_INTERRUPTS (pg_terminate_backend,
    // DROP DATABASE, shutdown); its transaction rolls back, nothing is half-applied.
    pqsignal(SIGTERM, die);
    pqsignal(SIGINT, cancel_handler);
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    BackgroundWorkerUnblockSignals();

    // Not wanted any more (the launcher restarted and started another worker, or the database
    // is being dropped): leave before connecting, so as not to hold up DROP DATABASE.
    if (!attach_worker(info, database, false)) proc_exit(0);
    // As the bootstrap superuser by OID, not the standalone default: connecting as a named
    // user pins session_authorization (PGC_S_OVERRIDE), which ALTER DATABASE ... SET
    // session_authorization by a database owner would otherwise change for the worker.
    BackgroundWorkerInitializeConnectionByOid(database, BOOTSTRAP_SUPERUSERID, 0);
    if (GetSessionUserId() != BOOTSTRAP_SUPERUSERID || GetUserId() != BOOTSTRAP_SUPERUSERID) {
        ereport(FATAL, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("connected as role %u, not the bootstrap superuser",
                                        GetUserId())));
    }
    if (!attach_worker(info, database, true)) proc_exit(0);

    SetConfigOption("application_name", kAppName, PGC_USERSET, PGC_S_SESSION);
    // The worker is connected as the bootstrap superuser, and ALTER DATABASE / ALTER ROLE
    // settings (a database owner who is no superuser may set them for the whole database)
    // were applied when it connected. None of them may steer it:
    // * search_path: the worker's own queries, and the user code it runs as the owners,
    //   resolve names through pg_catalog only (user code qualifies names or sets its own
    //   path with ALTER FUNCTION ... SET). PGC_S_CLIENT, the source of a client's startup
    //   options: it beats the database's and roles' settings and becomes the RESET value
    //   (a RESET in user code cannot bring the database's back), while a function's own SET
    //   clause (PGC_S_SESSION) still applies inside that function. PGC_S_OVERRIDE would
    //   silently ignore those SET clauses, leaving well-written handlers without their path.
    // * role: ALTER DATABASE ... SET role would make the worker run its own loop as that
    //   role (the superuser is a member of every role). Forced back to the session user;
    //   user code cannot SET ROLE anyway (security-restricted).
    // DateStyle, TimeZone, IntervalStyle and extra_float_digits are left to the database:
    // the worker's queries pass values in binary (no text round trip), a fold's recorded_at
    // is always UTC, and handlers formatting values as the database does is what users want.
    // session_replication_role and the logging settings are superuser-only: no database
    // owner can set them. check_function_bodies only matters to CREATE FUNCTION.
    SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_CLIENT);
    SetConfigOption("role", "none", PGC_SUSET, PGC_S_OVERRIDE);
    // * exit_on_error: a database's (or user code's) exit_on_error = on would turn one
    //   projection's error into the worker's exit, a restart loop that holds back every
    //   other projection of the database.
    SetConfigOption("exit_on_error", "off", PGC_SUSET, PGC_S_OVERRIDE);
    // A round reads the read horizon and only then the events below it; under a snapshot
    // taken before the horizon (repeatable read set as the server's default) it would miss
    // events committed in between and pass them forever. Whatever the server's defaults,
    // the worker's transactions are read-committed and read-write.
    SetConfigOption("default_transaction_isolation", "read committed", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("default_transaction_read_only", "off", PGC_SUSET, PGC_S_OVERRIDE);
    // A server-wide statement_timeout meant for clients would cancel long rounds (a big
    // batch, a rebuild's swap) every time, and the worker would never get past them.
    SetConfigOption("statement_timeout", "0", PGC_SUSET, PGC_S_OVERRIDE);
    // A projection table locked by a long user transaction must not hold up every other
    // projection of the database: its batch gives up after a second (lock_not_available)
    // and is retried on the next round.
    SetConfigOption("lock_timeout", "1s", PGC_SUSET, PGC_S_OVERRIDE);
    pgstat_report_appname(kAppName);

    register_projection_time_limit();

    MemoryContext round_context =
        AllocSetContextCreate(TopMemoryContext, "chronicle worker round", ALLOCSET_DEFAULT_SIZES);

    bool wanted_commits = false;
    for (;;) {
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        MemoryContextReset(round_context);
        MemoryContextSwitchTo(round_context);

        const uint64 notice_epoch = extension_notice_epoch();
        // First the notifications: they are what a listener waits for, and a projection round
        // may take a while.
        const bool listened = notify_committed_appends();
        MemoryContextSwitchTo(round_context);
        const RoundResult round = run_projection_round();
        if (!round.installed) {
            // DROP EXTENSION, or a database that never had it: nothing to do here until
            // CREATE EXTENSION tells the launcher otherwise.
            report_no_extension(notice_epoch);
            proc_exit(0);
        }
        bool more = round.more;
        const bool wants_commits = round.has_work || listened;
        set_worker_wants_commits(wants_commits);
        // Appends that committed before the flag was up did not wake it: look once more.
        if (wants_commits && !wanted_commits) more = true;
        wanted_commits = wants_commits;
        MemoryContextSwitchTo(round_context);
        pgstat_report_stat(false);
        pgstat_report_activity(STATE_IDLE, nullptr);

        long sleep_ms = worker_naptime_ms;
        // A projection waiting for a retry is due then, whatever wakes the worker before.
        if (round.wake_in_ms >= 0) sleep_ms = Min(sleep_ms, round.wake_in_ms);
        if (!more) {
            (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, sleep_ms,
                            PG_WAIT_EXTENSION);
        }
    }
}
