// One round of a database's projection worker. For each running projection kept by the
// worker (and each rebuild in progress), in a transaction of its own: lock the projection's
// row, read the next batch of committed events below the read horizon, apply it as the
// projection's owner under the projection's time limit, move the position. The rows and the
// position commit together, so a crash anywhere replays the batch from the old position:
// every event is applied exactly once.
//
// A transaction per projection, not one per round: a projection's row lock, its snapshot and
// its locks on its tables last only as long as its own batch, so a slow or stuck projection
// holds up pause_projection, drop_projection and the other projections by at most its time
// limit. A failed batch is rolled back (in a subtransaction, so that the failure is recorded
// in the same transaction) and retried with back-off, failed, or its event parked
// (core/projection_failure.hpp).
#include "chronicle/pg/boundary/pg_compat.hpp"
#include "chronicle/pg/projections/projection_round.hpp"

#include <string>
#include <vector>

#include "chronicle/core/error_origin.hpp"
#include "chronicle/core/projection_batch.hpp"
#include "chronicle/core/projection_failure.hpp"
#include "chronicle/pg/aggregates/aggregate_catalog.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/event_log/event_log_access.hpp"
#include "chronicle/pg/event_log/event_log_catalog.hpp"
#include "chronicle/pg/event_log/in_flight_positions.hpp"
#include "chronicle/pg/roles/owner_context.hpp"
#include "chronicle/pg/boundary/pg_guard.hpp"
#include "chronicle/pg/boundary/spi_call.hpp"
#include "chronicle/pg/projections/projection_rows.hpp"
#include "chronicle/pg/projections/rebuild_swap.hpp"
#include "chronicle/pg/boundary/subtransaction.hpp"
#include "chronicle/pg/workers/worker_settings.hpp"
#include "chronicle/pg/boundary/errcodes.hpp"
#include "chronicle/pg/catalog/recorded_function.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_proc.h"
#include "storage/lmgr.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "storage/latch.h"
#include "utils/backend_status.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
}

namespace chronicle::pg {

namespace {

// Set by the worker's SIGINT handler (pg_cancel_backend of the worker); the worker exits
// after a cancel, so it is never reset.
volatile sig_atomic_t cancel_requested = 0;

// The per-batch time limit: a timeout of the worker's own (not statement_timeout, whose
// handler sends SIGINT and would look like a real cancel). When it fires it cancels what
// runs as a query cancel does; the flag tells the round it was the time limit.
volatile sig_atomic_t time_limit_fired = 0;
TimeoutId time_limit_timeout = MAX_TIMEOUTS;

void time_limit_handler() {
    time_limit_fired = 1;
    InterruptPending = true;
    QueryCancelPending = true;
    SetLatch(MyLatch);
}

void arm_time_limit(int64 ms) {
    time_limit_fired = 0;
    if (time_limit_timeout != MAX_TIMEOUTS) {
        enable_timeout_after(time_limit_timeout, static_cast<int>(Min(ms, (int64)INT_MAX)));
    }
}

// Returns whether the limit fired. A cancel it raised that nothing consumed yet (it fired
// just as the batch ended) is withdrawn, unless a real cancel came too.
bool disarm_time_limit() {
    if (time_limit_timeout != MAX_TIMEOUTS) disable_timeout(time_limit_timeout, false);
    const bool fired = time_limit_fired != 0;
    if (fired && cancel_requested == 0) QueryCancelPending = false;
    time_limit_fired = 0;
    return fired;
}

// Whether chronicle.projections has 0.5's failure columns (the library may be newer than
// the installed SQL until ALTER EXTENSION chronicle UPDATE).
bool catalog_has_failure_columns = false;

// Whether it records handlers by identity and owner (0.7) rather than as regprocedure.
bool catalog_records_identities = false;

// A projection as the round found it, copied out of SPI into the round's memory.
struct Job {
    char* name;
    bool handler_kind;
    bool async;  // false: inline, here only for its rebuild
    char* aggregate;
    char* category;  // NULL: every category (handlers)
    Oid table;
    Jsonb* columns;
    Oid handler;  // InvalidOid when the recorded handler no longer resolves (handler_problem)
    const char* handler_identity;
    const char* handler_problem;
    text* category_text;  // the same as text, NULL for every category
    TypeFilter types;     // event_types (inactive when NULL: every type)
    Oid owner;
    Oid rebuild_table;
    int64 time_limit_ms;  // this projection's, or chronicle.projection_time_limit
    FailurePolicy policy;
    int attempts;     // failed attempts of the batch at its position so far
    bool has_parked;  // parked events: some to skip, or to replay
};

// Where a projection got to in this round.
struct Progress {
    int64 position;
    int64 rebuild_position;  // meaningful while rebuilding
    bool rebuilding;
    int64 applied = 0;
    bool rebuild_finished = false;
    bool more = false;
    int64 failing_position = 0;  // the event being applied, for the error record
    // An aggregate batch knows the failing event by stream and version only; its position is
    // looked up after the rollback (no SQL runs in a failing subtransaction).
    std::string failing_stream;
    int64 failing_version = 0;
    int64 locked_position = 0;  // as found when the row was locked
    int64 locked_rebuild_position = 0;
};

// What a failed batch left to record, copied out of the error before anything else runs.
struct BatchError {
    std::string sqlstate;
    std::string message;
    std::string detail;
};

// SPI helpers: PostgreSQL calls only; use inside pg_guarded.
Datum text_datum(const char* s) {
    return s ? CStringGetTextDatum(s) : (Datum)0;
}

// The running projections due for a batch, copied into `into` (they outlive the listing's
// transaction). Projections waiting for a retry are left out; *wake_in_ms says when the
// first of them is due (-1: none).
Job* load_jobs(int* count, MemoryContext into, long* wake_in_ms) {
    const char* failure_columns =
        catalog_has_failure_columns
            ? "coalesce((extract(epoch FROM p.time_limit) * 1000)::int8, -1), "
              "coalesce(p.retries, -1), p.on_error = 'park', p.attempts, "
              "EXISTS (SELECT 1 FROM chronicle.projection_parked_events pe "
              "WHERE pe.projection OPERATOR(pg_catalog.=) p.name) "
            : "-1::int8, -1, false, 0, false ";
    const char* due =
        catalog_has_failure_columns
            ? "AND (p.retry_at IS NULL OR p.retry_at <= pg_catalog.clock_timestamp()) "
            : "";
    // The handler: its recorded owner (column 8) and identity (17), or before 0.7 its OID.
    const char* handler_owner = catalog_records_identities
                                    ? "coalesce(p.handler_owner::oid, 0::oid)"
                                    : "coalesce(p.handler::oid, 0::oid)";
    const char* handler_identity = catalog_records_identities ? "p.handler" : "NULL::text";
    spi_run(psprintf("SELECT p.name, p.kind = 'handler', p.mode = 'async', p.aggregate, "
                     "p.category, coalesce(p.table_name::oid, 0::oid), p.columns, %s, "
                     "p.event_types, p.owner::oid, coalesce(p.rebuild_table::oid, 0::oid), "
                     "%s, %s "
                     "FROM chronicle.projections p WHERE p.state = 'running' "
                     "AND (p.mode = 'async' OR p.rebuild_table IS NOT NULL) %sORDER BY p.name",
                     handler_owner, failure_columns, handler_identity, due),
            0, nullptr, nullptr, nullptr, SPI_OK_SELECT);
    *count = static_cast<int>(SPI_processed);
    MemoryContext spi = MemoryContextSwitchTo(into);
    Job* jobs = static_cast<Job*>(palloc0(sizeof(Job) * (SPI_processed + 1)));
    for (uint64 i = 0; i < SPI_processed; ++i) {
        HeapTuple row = SPI_tuptable->vals[i];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool isnull;
        Job& job = jobs[i];
        job.name = TextDatumGetCString(SPI_getbinval(row, desc, 1, &isnull));
        job.handler_kind = DatumGetBool(SPI_getbinval(row, desc, 2, &isnull));
        job.async = DatumGetBool(SPI_getbinval(row, desc, 3, &isnull));
        Datum value = SPI_getbinval(row, desc, 4, &isnull);
        job.aggregate = isnull ? nullptr : TextDatumGetCString(value);
        value = SPI_getbinval(row, desc, 5, &isnull);
        job.category = isnull ? nullptr : TextDatumGetCString(value);
        job.table = DatumGetObjectId(SPI_getbinval(row, desc, 6, &isnull));
        job.columns = DatumGetJsonbPCopy(SPI_getbinval(row, desc, 7, &isnull));
        // From 0.7 the handler's recorded owner, before it the handler itself (load_jobs' query).
        const Oid handler_owner_or_oid = DatumGetObjectId(SPI_getbinval(row, desc, 8, &isnull));
        job.category_text = job.category ? cstring_to_text(job.category) : nullptr;
        value = SPI_getbinval(row, desc, 9, &isnull);
        job.types = type_filter(isnull ? nullptr : DatumGetArrayTypePCopy(value));
        job.owner = DatumGetObjectId(SPI_getbinval(row, desc, 10, &isnull));
        job.rebuild_table = DatumGetObjectId(SPI_getbinval(row, desc, 11, &isnull));
        const int64 limit = DatumGetInt64(SPI_getbinval(row, desc, 12, &isnull));
        job.time_limit_ms = limit > 0 ? limit : projection_time_limit_ms;
        const int retries = DatumGetInt32(SPI_getbinval(row, desc, 13, &isnull));
        job.policy.retries = retries >= 0 ? retries : projection_retries;
        job.policy.park_events = DatumGetBool(SPI_getbinval(row, desc, 14, &isnull));
        job.attempts = DatumGetInt32(SPI_getbinval(row, desc, 15, &isnull));
        job.has_parked = DatumGetBool(SPI_getbinval(row, desc, 16, &isnull));
        value = SPI_getbinval(row, desc, 17, &isnull);
        if (!isnull) {
            job.handler_identity = TextDatumGetCString(value);
            job.handler = resolve_recorded_function(job.handler_identity, handler_owner_or_oid,
                                                    &job.handler_problem);
        } else if (OidIsValid(handler_owner_or_oid)) {
            job.handler = handler_owner_or_oid;
            job.handler_identity = format_procedure_qualified(job.handler);
        }
    }
    MemoryContextSwitchTo(spi);
    *wake_in_ms = -1;
    if (catalog_has_failure_columns) {
        spi_run(
            "SELECT ceil(extract(epoch FROM min(retry_at) - pg_catalog.clock_timestamp()) * 1000)"
            "::int8 FROM chronicle.projections WHERE state = 'running' "
            "AND retry_at > pg_catalog.clock_timestamp()",
            0, nullptr, nullptr, nullptr, SPI_OK_SELECT);
        bool isnull;
        const Datum due_in =
            SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        if (!isnull) *wake_in_ms = static_cast<long>(Max(DatumGetInt64(due_in), (int64)1));
    }
    return jobs;
}

// Locks the projection's row for the rest of its batch's transaction (one worker, one
// pause or drop at a time) and reads its position. False when it is gone, not running, or
// locked by someone else (a pause or drop in progress: the next round will see its outcome,
// and the other projections do not wait for it).
bool lock_projection(const Job& job, Progress* progress) {
    Oid types[1] = {TEXTOID};
    Datum values[1] = {text_datum(job.name)};
    spi_run(
        "SELECT position, coalesce(rebuild_position, 0), rebuild_table IS NOT NULL "
        "FROM chronicle.projections WHERE name = $1 AND state = 'running' FOR UPDATE SKIP LOCKED",
        1, types, values, nullptr, SPI_OK_SELECT);
    if (SPI_processed != 1) return false;
    bool isnull;
    progress->position =
        DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    progress->rebuild_position =
        DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
    progress->rebuilding =
        DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
    progress->locked_position = progress->position;
    progress->locked_rebuild_position = progress->rebuild_position;
    return true;
}

// Only the progress columns, and only when they moved: an idle round writes nothing, and a
// write of a definition column would fire chronicle.projections' trigger (every backend's
// inline projections reloaded, and the worker woken again by its own commit).
void save_progress(const Job& job, const Progress& progress) {
    const bool moved = progress.position != progress.locked_position ||
                       progress.rebuild_position != progress.locked_rebuild_position ||
                       progress.applied > 0;
    if (job.attempts > 0 && catalog_has_failure_columns) {
        // The batch that failed before went through: its retry count starts again.
        Oid types[1] = {TEXTOID};
        Datum values[1] = {text_datum(job.name)};
        spi_run(
            "UPDATE chronicle.projections SET attempts = 0, retry_at = NULL "
            "WHERE name OPERATOR(pg_catalog.=) $1",
            1, types, values, nullptr, SPI_OK_UPDATE);
    }
    if (moved) {
        Oid types[4] = {TEXTOID, INT8OID, INT8OID, INT8OID};
        Datum values[4] = {text_datum(job.name), Int64GetDatum(progress.position),
                           Int64GetDatum(progress.applied),
                           Int64GetDatum(progress.rebuild_position)};
        const char nulls[5] = {' ', ' ', ' ', progress.rebuilding ? ' ' : 'n', '\0'};
        spi_run(
            "UPDATE chronicle.projections SET position = $2, "
            "events_applied = events_applied + $3, "
            "applied_at = CASE WHEN $3 > 0 THEN now() ELSE applied_at END, "
            "rebuild_position = $4 WHERE name = $1",
            4, types, values, nulls, SPI_OK_UPDATE);
    }
    if (progress.rebuild_finished) {
        // Only the rebuild that finished: user code run in this batch (a reducer calling
        // rebuild_projection) may have started another, whose table must not be orphaned.
        Oid types[2] = {TEXTOID, OIDOID};
        Datum values[2] = {text_datum(job.name), ObjectIdGetDatum(job.rebuild_table)};
        spi_run(
            "UPDATE chronicle.projections SET rebuild_table = NULL, rebuild_position = NULL, "
            "rebuild_started_at = NULL WHERE name OPERATOR(pg_catalog.=) $1 "
            "AND rebuild_table::pg_catalog.oid OPERATOR(pg_catalog.=) $2",
            2, types, values, nullptr, SPI_OK_UPDATE);
    }
}

// The failure columns of the projection's row: `state` failed (Stop) or kept (Retry, Park),
// the error, and the retry bookkeeping.
void record_error(const Job& job, const BatchError& error, int64 position, bool failed,
                  int attempts, int64 retry_in_ms) {
    Oid types[7] = {TEXTOID, TEXTOID, TEXTOID, INT8OID, BOOLOID, INT4OID, INT8OID};
    Datum values[7] = {text_datum(job.name),
                       text_datum(error.message.c_str()),
                       text_datum(error.sqlstate.c_str()),
                       Int64GetDatum(position),
                       BoolGetDatum(failed),
                       Int32GetDatum(attempts),
                       Int64GetDatum(retry_in_ms)};
    const char nulls[8] = {' ', ' ', ' ', position > 0 ? ' ' : 'n', ' ', ' ', ' ', '\0'};
    if (catalog_has_failure_columns) {
        spi_run(
            "UPDATE chronicle.projections SET "
            "state = CASE WHEN $5 THEN 'failed' ELSE state END, last_error = $2, "
            "last_error_sqlstate = $3, last_error_at = now(), last_error_position = $4, "
            "attempts = $6, retry_at = CASE WHEN $7 > 0 THEN pg_catalog.clock_timestamp() "
            "OPERATOR(pg_catalog.+) pg_catalog.make_interval(secs => $7 / 1000.0) END "
            "WHERE name OPERATOR(pg_catalog.=) $1",
            7, types, values, nulls, SPI_OK_UPDATE);
    } else {
        spi_run(
            "UPDATE chronicle.projections SET "
            "state = CASE WHEN $5 THEN 'failed' ELSE state END, last_error = $2, "
            "last_error_sqlstate = $3, last_error_at = now(), last_error_position = $4 "
            "WHERE name OPERATOR(pg_catalog.=) $1",
            5, types, values, nulls, SPI_OK_UPDATE);
    }
}

void save_failure(const Job& job, const BatchError& error, int64 position) {
    record_error(job, error, position, true, 0, 0);
    ereport(WARNING,
            (errmsg("projection \"%s\" failed at position " INT64_FORMAT, job.name, position),
             errdetail("%s", error.message.c_str()),
             errhint("Fix the cause, then SELECT chronicle.resume_projection('%s').", job.name)));
}

void save_retry(const Job& job, const BatchError& error, int64 position) {
    const int attempts = job.attempts + 1;
    const int64 delay = retry_delay_ms(attempts);
    record_error(job, error, position, false, attempts, delay);
    ereport(LOG,
            (errmsg("projection \"%s\" will retry its batch in " INT64_FORMAT " ms (attempt %d)",
                    job.name, delay, attempts + 1),
             errdetail("%s", error.message.c_str())));
}

// Parks the event at `position` (recorded with the error; replay_parked_events delivers it
// again) and lets the projection go on past it.
void park_event(const Job& job, const BatchError& error, int64 position) {
    Oid types[4] = {TEXTOID, INT8OID, TEXTOID, TEXTOID};
    Datum values[4] = {text_datum(job.name), Int64GetDatum(position),
                       text_datum(error.message.c_str()), text_datum(error.sqlstate.c_str())};
    spi_run(
        "INSERT INTO chronicle.projection_parked_events AS pe (projection, global_position, "
        "stream, stream_version, event_type, error, error_sqlstate) "
        "SELECT $1, e.global_position, e.stream, e.stream_version, e.event_type, $3, $4 "
        "FROM chronicle.event_log e WHERE e.global_position OPERATOR(pg_catalog.=) $2 "
        "ON CONFLICT (projection, global_position) DO UPDATE SET error = excluded.error, "
        "error_sqlstate = excluded.error_sqlstate, parked_at = excluded.parked_at, "
        "replay_requested_at = NULL, attempts = pe.attempts OPERATOR(pg_catalog.+) 1",
        4, types, values, nullptr, SPI_OK_INSERT);
    record_error(job, error, position, false, 0, 0);
    ereport(WARNING, (errmsg("projection \"%s\" parked the event at position " INT64_FORMAT,
                             job.name, position),
                      errdetail("%s", error.message.c_str()),
                      errhint("See chronicle.projection_parked_events; SELECT "
                              "chronicle.replay_parked_events('%s') delivers it again.",
                              job.name)));
}

int64 event_position(const std::string& stream, int64 version) {
    Oid types[2] = {TEXTOID, INT8OID};
    Datum values[2] = {text_datum(stream.c_str()), Int64GetDatum(version)};
    spi_run(
        "SELECT global_position FROM chronicle.event_log WHERE stream = $1 AND stream_version = $2",
        2, types, values, nullptr, SPI_OK_SELECT);
    if (SPI_processed != 1) return 0;
    bool isnull;
    return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

// Whoever edited chronicle.projections last (a superuser by hand, before 0.4 a role with
// DML on it), the worker calls only a handler it may call safely: a plain function
// (chronicle.event) RETURNS void, not returning a set (anything else is called with the
// wrong arguments: a crash, not an error), that the owner may still execute (EXECUTE is
// checked here because fmgr calls bypass it; the owner may have lost it since). Before
// each batch: a GRANT or a fix takes effect at the next one after resume_projection.
void check_handler(const Job& job) {
    if (job.handler_problem) {
        ereport(ERROR, (errcode(ERRCODE_CHRONICLE_INVALID_PROJECTION),
                        errmsg("the handler of projection \"%s\", %s, cannot be called: %s",
                               job.name, job.handler_identity, job.handler_problem),
                        errhint("Give the function back its name and owner, or drop the "
                                "projection and create it again.")));
    }
    HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(job.handler));
    if (!HeapTupleIsValid(tuple)) {
        ereport(ERROR,
                (errcode(ERRCODE_CHRONICLE_INVALID_PROJECTION),
                 errmsg("the handler of projection \"%s\" (function %u) no longer exists", job.name,
                        job.handler),
                 errhint("Drop the projection and create it again with an existing handler.")));
    }
    Form_pg_proc proc = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple));
    const char* wrong = nullptr;
    if (proc->prokind != PROKIND_FUNCTION) {
        wrong = "it is not a plain function";
    } else if (proc->proretset) {
        wrong = "it returns a set";
    } else if (proc->prorettype != VOIDOID) {
        wrong = "it does not return void";
    } else if (proc->pronargs != 1 || proc->proargtypes.values[0] != event_log_oids().event_type) {
        wrong = "its arguments are not (chronicle.event)";
    }
    ReleaseSysCache(tuple);
    if (wrong) {
        ereport(ERROR, (errcode(ERRCODE_CHRONICLE_INVALID_PROJECTION),
                        errmsg("the handler of projection \"%s\", %s, cannot be a handler: %s",
                               job.name, format_procedure(job.handler), wrong),
                        errhint("A handler is a function (e chronicle.event) RETURNS void.")));
    }
    const char* owner = GetUserNameFromId(job.owner, true);
    if (owner == nullptr) {
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                        errmsg("the owner of projection \"%s\" no longer exists", job.name),
                        errhint("Give the projection to an existing role.")));
    }
    if (compat::function_aclcheck(job.handler, job.owner, ACL_EXECUTE) != ACLCHECK_OK) {
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("permission denied for function %s", format_procedure(job.handler)),
                        errdetail("Projection \"%s\" runs its handler as its owner, %s, who may "
                                  "not execute it.",
                                  job.name, owner),
                        errhint("GRANT EXECUTE on the function to the owner, then SELECT "
                                "chronicle.resume_projection('%s').",
                                job.name)));
    }
}

// The category's events after `from`, below `horizon`, at most `limit`.
void read_batch(const Job& job, int64 from, int64 horizon, int64 limit, Snapshot snapshot,
                std::vector<BatchEvent>& events) {
    EventBatch batch{0, nullptr, nullptr, nullptr, nullptr};
    pg_guarded([&] {
        batch =
            scan_event_batch(job.category_text, job.types, from, horizon, limit, snapshot, false);
    });
    events.reserve(batch.count);
    for (int i = 0; i < batch.count; ++i) {
        events.push_back(BatchEvent{batch.streams[i], batch.versions[i], batch.positions[i]});
    }
}

// Events per batch for this attempt: smaller after failed attempts (a batch that ran past
// the time limit may fit in it when smaller).
int64 batch_limit(const Job& job) {
    return retry_batch_size(worker_batch_size, job.attempts);
}

// One batch of an aggregate projection into `table` (the live one or its rebuild).
BatchPlan apply_aggregate_batch(const Job& job, Oid table, int64 from, int64 horizon,
                                Snapshot events_snapshot, Progress* progress) {
    std::vector<BatchEvent> events;
    const int64 limit = batch_limit(job);
    read_batch(job, from, horizon, limit, events_snapshot, events);
    BatchPlan plan = plan_batch(events, from, horizon, limit);
    if (plan.streams.empty()) return plan;
    progress->failing_position = plan.streams.front().first_position;
    const AggregateRef aggregate = find_aggregate(job.aggregate);
    RowFailure failure;
    try {
        as_owner(job.owner, "projection", job.name, [&] {
            const ProjectionStatements sql = prepare_projection_statements(table, job.columns);
            fold_onto_rows(*aggregate, sql, plan.streams, events_snapshot, InvalidSnapshot,
                           failure);
        });
    } catch (...) {
        // Where it failed, by stream and version: its position is looked up once the
        // subtransaction is rolled back (run_job), not here.
        if (!failure.stream.empty()) {
            progress->failing_position = 0;
            progress->failing_stream = failure.stream;
            progress->failing_version = failure.version;
        }
        throw;
    }
    progress->applied += plan.events;
    return plan;
}

// Positions of a handler projection's parked events, by one of the queries below ($1 the
// projection, $2 a position), in position order.
std::vector<int64> parked_positions(const Job& job, const char* sql, int64 from) {
    std::vector<int64> positions;
    if (!job.has_parked) return positions;
    pg_guarded([&] {
        Oid types[2] = {TEXTOID, INT8OID};
        Datum values[2] = {text_datum(job.name), Int64GetDatum(from)};
        spi_run(sql, 2, types, values, nullptr, SPI_OK_SELECT);
    });
    for (uint64 i = 0; i < SPI_processed; ++i) {
        pg_guarded([&] {
            bool isnull;
            positions.push_back(DatumGetInt64(
                SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull)));
        });
    }
    return positions;
}

// Parked after `from`: skipped by its batches (they were given up on; replay_parked_events
// brings them back).
std::vector<int64> parked_positions_after(const Job& job, int64 from) {
    return parked_positions(job,
                            "SELECT global_position FROM chronicle.projection_parked_events "
                            "WHERE projection OPERATOR(pg_catalog.=) $1 AND global_position > $2 "
                            "AND replay_requested_at IS NULL ORDER BY global_position",
                            from);
}

// The ones replay_parked_events asked for again ($2 unused).
std::vector<int64> parked_positions_to_replay(const Job& job) {
    return parked_positions(job,
                            "SELECT global_position FROM chronicle.projection_parked_events "
                            "WHERE projection OPERATOR(pg_catalog.=) $1 AND $2 IS NOT NULL "
                            "AND replay_requested_at IS NOT NULL ORDER BY global_position "
                            "LIMIT 1000",
                            0);
}

// Calls the handler once per event of `batch` whose position is not in `skip`, in order, as
// the projection's owner. Stops after chronicle.worker_batch_time of work when `sliced` (at
// least one event is always applied). Returns how many events it went through; *last is the
// position of the last one.
uint64 call_handler(const Job& job, const EventBatch& batch, const std::vector<int64>& skip,
                    bool sliced, Progress* progress, int64* last) {
    uint64 done = 0;
    const uint64 count = static_cast<uint64>(batch.count);
    const int64* skip_begin = skip.data();
    const int64* skip_end = skip.data() + skip.size();
    as_owner(job.owner, "projection", job.name, [&] {
        pg_guarded([&] {
            const TimestampTz started = GetCurrentTimestamp();
            FmgrInfo handler;
            fmgr_info(job.handler, &handler);
            MemoryContext per_event = AllocSetContextCreate(
                CurrentMemoryContext, "chronicle handler call", ALLOCSET_DEFAULT_SIZES);
            PushActiveSnapshot(GetTransactionSnapshot());
            const int64* next_skip = skip_begin;
            for (uint64 i = 0; i < count; ++i) {
                const int64 position = batch.positions[i];
                while (next_skip != skip_end && *next_skip < position) ++next_skip;
                if (next_skip != skip_end && *next_skip == position) {
                    // Parked: given up on, not applied.
                    *last = position;
                    ++done;
                    continue;
                }
                progress->failing_position = position;
                const Datum event = batch.events[i];
                MemoryContext caller = MemoryContextSwitchTo(per_event);
                LOCAL_FCINFO(call, 1);
                InitFunctionCallInfoData(*call, &handler, 1, InvalidOid, nullptr, nullptr);
                call->args[0].value = event;
                call->args[0].isnull = false;
                // A set_config(..., false) in the handler ends with its call: the next
                // event's call, and the worker's own queries after the batch, never see it.
                const int nest = begin_user_call();
                (void)FunctionCallInvoke(call);
                end_user_call(nest);
                MemoryContextSwitchTo(caller);
                MemoryContextReset(per_event);
                // A handler that caught the time limit's cancel (EXCEPTION WHEN
                // query_canceled) does not get to go on with the batch.
                if (time_limit_fired) {
                    ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED),
                                    errmsg("canceling the batch: the time limit ran out")));
                }
                // The next call sees what this one wrote.
                CommandCounterIncrement();
                UpdateActiveSnapshotCommandId();
                *last = position;
                ++done;
                progress->applied += 1;
                if (sliced && TimestampDifferenceExceeds(started, GetCurrentTimestamp(),
                                                         worker_batch_time_ms)) {
                    break;
                }
            }
            PopActiveSnapshot();
            MemoryContextDelete(per_event);
        });
    });
    return done;
}

// Replays the parked events replay_parked_events asked for: each applied is no longer parked.
void replay_parked(const Job& job, Snapshot events_snapshot, Progress* progress) {
    const std::vector<int64> positions = parked_positions_to_replay(job);
    if (positions.empty()) return;
    pg_guarded([&] { check_handler(job); });
    for (const int64 position : positions) {
        EventBatch batch{0, nullptr, nullptr, nullptr, nullptr};
        pg_guarded([&] {
            batch = scan_event_batch(job.category_text, job.types, position - 1, position + 1, 1,
                                     events_snapshot, true);
        });
        int64 last = 0;
        if (batch.count > 0) call_handler(job, batch, {}, false, progress, &last);
        pg_guarded([&] {
            Oid types[2] = {TEXTOID, INT8OID};
            Datum values[2] = {text_datum(job.name), Int64GetDatum(position)};
            spi_run(
                "DELETE FROM chronicle.projection_parked_events "
                "WHERE projection OPERATOR(pg_catalog.=) $1 "
                "AND global_position OPERATOR(pg_catalog.=) $2",
                2, types, values, nullptr, SPI_OK_DELETE);
        });
    }
}

// One batch of a handler projection: the handler once per matching event, in order, for at
// most chronicle.worker_batch_time.
int64 apply_handler_batch(const Job& job, int64 from, int64 horizon, Snapshot events_snapshot,
                          Progress* progress) {
    replay_parked(job, events_snapshot, progress);
    const int64 limit = batch_limit(job);
    EventBatch batch{0, nullptr, nullptr, nullptr, nullptr};
    pg_guarded([&] {
        batch = scan_event_batch(job.category_text, job.types, from, horizon, limit,
                                 events_snapshot, true);
    });
    const uint64 count = static_cast<uint64>(batch.count);
    if (count == 0) return next_position(0, from, from, horizon, limit);
    pg_guarded([&] { check_handler(job); });
    const std::vector<int64> skip = parked_positions_after(job, from);
    int64 last = from;
    const uint64 done = call_handler(job, batch, skip, true, progress, &last);
    if (done < count) {
        // Cut short by the time slice: the rest of the batch is next round's.
        progress->more = true;
        return last;
    }
    const int64 read = static_cast<int64>(count);
    progress->more = read >= limit;
    return next_position(read, last, from, horizon, limit);
}

// The end of a rebuild: with writers of the live table held off, the rebuilt rows catch up
// with everything the live rows hold (rebuild_swap.cpp), then replace the live rows
// (replace_rows_with_rebuilt).
int64 finish_rebuild(const Job& job, int64 from, Progress* progress) {
    SwapPoint swap{0, nullptr};
    pg_guarded([&] { swap = lock_live_table_for_swap(job.table, !job.async); });
    const int64 horizon = swap.horizon;
    Snapshot latest = swap.snapshot;
    int64 position = from;
    while (true) {
        const BatchPlan plan =
            apply_aggregate_batch(job, job.rebuild_table, position, horizon, latest, progress);
        position = plan.next_position;
        if (!plan.more) break;
    }
    pg_guarded([&] { UnregisterSnapshot(latest); });
    as_owner(job.owner, "projection", job.name,
             [&] { replace_rows_with_rebuilt(job.table, job.rebuild_table, job.columns); });
    // The rebuild table is chronicle's (its owner only has rights on it): dropped by the
    // worker, which made way for it, not by the projection's owner.
    pg_guarded([&] { drop_rebuild_table(job.name, job.rebuild_table); });
    return position;
}

void apply_job(const Job& job, int64 horizon, Snapshot events_snapshot, Progress* progress) {
    if (job.async) {
        if (job.handler_kind) {
            progress->position =
                apply_handler_batch(job, progress->position, horizon, events_snapshot, progress);
        } else {
            const BatchPlan plan = apply_aggregate_batch(job, job.table, progress->position,
                                                         horizon, events_snapshot, progress);
            progress->position = plan.next_position;
            progress->more = progress->more || plan.more;
        }
    }
    if (progress->rebuilding && !job.handler_kind && OidIsValid(job.rebuild_table)) {
        const BatchPlan plan = apply_aggregate_batch(
            job, job.rebuild_table, progress->rebuild_position, horizon, events_snapshot, progress);
        progress->rebuild_position = plan.next_position;
        if (plan.more) {
            progress->more = true;
        } else {
            const int64 swapped = finish_rebuild(job, progress->rebuild_position, progress);
            // An async projection's live rows hold the events below its position; rebuilt
            // rows that stop short of it would lose the rest.
            Assert(!job.async || swapped >= progress->position);
            progress->position = std::max(progress->position, swapped);
            progress->rebuild_finished = true;
        }
    }
}

// Copies what the failure path needs out of a PostgreSQL error.
BatchError batch_error(const PgError& e) {
    BatchError error;
    pg_guarded([&] {
        const ErrorData* data = e.data();
        error.sqlstate = unpack_sql_state(data->sqlerrcode);
        error.message = data->message ? data->message : "(no message)";
        if (data->detail) error.detail = data->detail;
    });
    return error;
}

// After a failed batch, in the projection's transaction (its subtransaction rolled back):
// what the failure policy says, recorded. Recording runs in a subtransaction of its own:
// if even that fails (a pause holding the row past the lock timeout), the batch is simply
// tried again next round.
void handle_failure(const Job& job, BatchError error, Progress& progress, bool time_limit) {
    if (time_limit) {
        error.detail = error.message;
        error.message = "batch ran past the projection's time limit of " +
                        std::to_string(job.time_limit_ms) + " ms";
        error.sqlstate = "57014";
    }
    BatchFailure failure;
    failure.sqlstate = error.sqlstate;
    failure.cancel_requested = cancel_requested != 0;
    failure.time_limit = time_limit;
    failure.attempts = job.attempts;
    failure.event_known = job.handler_kind && (progress.failing_position > 0);
    const FailureAction action = failure_action(failure, job.policy);
    if (action == FailureAction::Escalate) {
        pg_guarded([&] {
            ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED),
                            errmsg("canceling statement due to user request"),
                            errdetail("The projection worker was cancelled while projection "
                                      "\"%s\" ran: %s",
                                      job.name, error.message.c_str())));
        });
    }
    Subtransaction record;
    try {
        pg_guarded([&] {
            int64 position = progress.failing_position;
            if (!progress.failing_stream.empty()) {
                position = event_position(progress.failing_stream, progress.failing_version);
            }
            switch (action) {
                case FailureAction::Retry:
                    save_retry(job, error, position);
                    break;
                case FailureAction::Park:
                    park_event(job, error, position);
                    break;
                case FailureAction::Stop:
                case FailureAction::Escalate:
                    save_failure(job, error, position);
                    break;
            }
        });
        record.commit();
    } catch (const PgError& e) {
        record.rollback();
        if (cancel_requested) throw;
        const BatchError lost = batch_error(e);
        pg_guarded([&] {
            ereport(LOG, (errmsg("could not record the failure of projection \"%s\"", job.name),
                          errdetail("%s (the batch failed with: %s)", lost.message.c_str(),
                                    error.message.c_str())));
        });
    }
}

// Runs one job in a subtransaction under its time limit; false when it has nothing more
// waiting (or it failed).
bool run_job(const Job& job, int64 horizon, Snapshot events_snapshot) {
    Progress progress{0, 0, false};
    bool failed = false;
    bool time_limit = false;
    BatchError error;
    pg_guarded([&] { arm_time_limit(job.time_limit_ms); });
    {
        Subtransaction batch;
        try {
            bool locked = false;
            pg_guarded([&] { locked = lock_projection(job, &progress); });
            if (locked) {
                apply_job(job, horizon, events_snapshot, &progress);
                pg_guarded([&] { save_progress(job, progress); });
            }
            time_limit = disarm_time_limit();
            batch.commit();
        } catch (const PgError& e) {
            // Nothing runs before the rollback; the error is this handler's own copy.
            time_limit = disarm_time_limit();
            batch.rollback();
            error = batch_error(e);
            failed = true;
        } catch (const Error& e) {
            // A core error (a state that cannot be folded): the projection's own problem,
            // unless it is chronicle's.
            time_limit = disarm_time_limit();
            batch.rollback();
            if (e.kind() == ErrorKind::Internal) throw;
            error.sqlstate = sqlstate_of(e.kind());
            error.message = e.what();
            failed = true;
        } catch (...) {
            disarm_time_limit();
            throw;  // the batch's destructor rolls it back
        }
    }
    if (!failed) return progress.more;
    handle_failure(job, error, progress, time_limit);
    return false;
}

// One projection's batch in a transaction of its own.
bool run_job_transaction(const Job& job) {
    bool more = false;
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, psprintf("chronicle projection \"%s\"", job.name));
    core_call([&] {
        const AggregateRelations& aggregates = aggregate_relations();
        int64 horizon = 0;
        Snapshot events_snapshot = nullptr;
        pg_guarded([&] {
            // The lock appends take to write snapshots: a define_aggregate still committing
            // holds a conflicting one until its invalidations are out, so once this is
            // granted the worker folds with the definitions every committed change made (it
            // may have been woken by that very commit, before the invalidations were sent).
            LockRelationOid(aggregates.snapshots, RowExclusiveLock);
            if (SPI_connect() != SPI_OK_CONNECT)
                ereport(ERROR,
                        (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("SPI_connect failed")));
            // Events below the horizon are committed and visible to snapshots taken after
            // it was read.
            horizon = current_read_horizon(event_log_oids().position_seq);
            events_snapshot = RegisterSnapshot(GetLatestSnapshot());
        });
        more = run_job(job, horizon, events_snapshot);
        pg_guarded([&] {
            UnregisterSnapshot(events_snapshot);
            SPI_finish();
        });
    });
    PopActiveSnapshot();
    CommitTransactionCommand();
    return more;
}

bool has_failure_columns() {
    return at_least(installed_metadata_cache().version, 0, 5);
}

}  // namespace

namespace {

// Whether the chronicle extension exists in the current database (and is recent enough to
// have projections). Inside a transaction.
bool projections_installed() {
    bool installed = false;
    core_call([&] {
        pg_guarded([&] {
            const MetadataCache& metadata = metadata_cache();
            installed = metadata.installed && OidIsValid(metadata.projections);
        });
    });
    return installed;
}

}  // namespace

void note_cancel_request() {
    cancel_requested = 1;
}

void register_projection_time_limit() {
    time_limit_timeout = RegisterTimeout(USER_TIMEOUT, time_limit_handler);
}

RoundResult run_projection_round() {
    RoundResult result;
    MemoryContext round = CurrentMemoryContext;
    int count = 0;
    Job* jobs = nullptr;

    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, "chronicle projection round");
    result.installed = projections_installed();
    if (result.installed) {
        core_call([&] {
            pg_guarded([&] {
                catalog_has_failure_columns = has_failure_columns();
                catalog_records_identities = at_least(installed_metadata_cache().version, 0, 7);
                if (SPI_connect() != SPI_OK_CONNECT)
                    ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                                    errmsg_internal("SPI_connect failed")));
                jobs = load_jobs(&count, round, &result.wake_in_ms);
                SPI_finish();
            });
        });
    }
    PopActiveSnapshot();
    CommitTransactionCommand();
    MemoryContextSwitchTo(round);
    if (!result.installed) return result;

    result.has_work = count > 0 || result.wake_in_ms >= 0;
    for (int i = 0; i < count; ++i) {
        if (run_job_transaction(jobs[i])) result.more = true;
        MemoryContextSwitchTo(round);
        CHECK_FOR_INTERRUPTS();
    }
    return result;
}

}  // namespace chronicle::pg
