// One round of a database's projection worker. For each running projection kept by the
// worker (and each rebuild in progress), in a subtransaction of the round's transaction:
// lock the projection's row, read the next batch of committed events below the read
// horizon, apply it as the projection's owner, move the position. The rows and the position
// commit together when the worker commits the round, so a crash anywhere replays the batch
// from the old position: every event is applied exactly once.
#include "chronicle/pg/projection_round.hpp"

#include <string>
#include <vector>

#include "chronicle/core/projection_batch.hpp"
#include "chronicle/core/projection_failure.hpp"
#include "chronicle/pg/aggregate_catalog.hpp"
#include "chronicle/pg/boundary.hpp"
#include "chronicle/pg/event_log_access.hpp"
#include "chronicle/pg/event_log_catalog.hpp"
#include "chronicle/pg/in_flight_positions.hpp"
#include "chronicle/pg/owner_context.hpp"
#include "chronicle/pg/pg_guard.hpp"
#include "chronicle/pg/projection_rows.hpp"
#include "chronicle/pg/rebuild_swap.hpp"
#include "chronicle/pg/worker_settings.hpp"

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
}

namespace chronicle::pg {

namespace {

// Set by the worker's SIGINT handler (pg_cancel_backend of the worker); the worker exits
// after a cancel, so it is never reset.
volatile sig_atomic_t cancel_requested = 0;

// A projection as the round found it, copied out of SPI into the round's memory.
struct Job {
    char* name;
    bool handler_kind;
    bool async;  // false: inline, here only for its rebuild
    char* aggregate;
    char* category;  // NULL: every category (handlers)
    Oid table;
    Jsonb* columns;
    Oid handler;
    text* category_text;  // the same as text, NULL for every category
    TypeFilter types;     // event_types (inactive when NULL: every type)
    Oid owner;
    Oid rebuild_table;
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
    int64 locked_position = 0;   // as found when the row was locked
    int64 locked_rebuild_position = 0;
};

// SPI helpers: PostgreSQL calls only; use inside pg_guarded.
Datum text_datum(const char* s) {
    return s ? CStringGetTextDatum(s) : (Datum)0;
}

void spi_run(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls,
             int expected) {
    const int rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
    if (rc != expected)
        elog(ERROR, "chronicle: \"%s\" failed: %s", sql, SPI_result_code_string(rc));
}

Job* load_jobs(int* count) {
    spi_run(
        "SELECT name, kind = 'handler', mode = 'async', aggregate, category, "
        "coalesce(table_name::oid, 0::oid), columns, coalesce(handler::oid, 0::oid), "
        "event_types, owner::oid, coalesce(rebuild_table::oid, 0::oid) "
        "FROM chronicle.projections WHERE state = 'running' "
        "AND (mode = 'async' OR rebuild_table IS NOT NULL) ORDER BY name",
        0, nullptr, nullptr, nullptr, SPI_OK_SELECT);
    *count = static_cast<int>(SPI_processed);
    Job* jobs = static_cast<Job*>(SPI_palloc(sizeof(Job) * (SPI_processed + 1)));
    MemoryContext spi = MemoryContextSwitchTo(GetMemoryChunkContext(jobs));
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
        job.handler = DatumGetObjectId(SPI_getbinval(row, desc, 8, &isnull));
        job.category_text = job.category ? cstring_to_text(job.category) : nullptr;
        value = SPI_getbinval(row, desc, 9, &isnull);
        job.types = type_filter(isnull ? nullptr : DatumGetArrayTypePCopy(value));
        job.owner = DatumGetObjectId(SPI_getbinval(row, desc, 10, &isnull));
        job.rebuild_table = DatumGetObjectId(SPI_getbinval(row, desc, 11, &isnull));
    }
    MemoryContextSwitchTo(spi);
    return jobs;
}

// Locks the projection's row for the rest of the round's transaction (one worker, one
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

void save_failure(const Job& job, const ErrorData* error, int64 position) {
    Oid types[4] = {TEXTOID, TEXTOID, TEXTOID, INT8OID};
    Datum values[4] = {text_datum(job.name), text_datum(error->message),
                       text_datum(unpack_sql_state(error->sqlerrcode)), Int64GetDatum(position)};
    const char nulls[5] = {' ', error->message ? ' ' : 'n', ' ', position > 0 ? ' ' : 'n', '\0'};
    spi_run(
        "UPDATE chronicle.projections SET state = 'failed', last_error = $2, "
        "last_error_sqlstate = $3, last_error_at = now(), last_error_position = $4 "
        "WHERE name = $1",
        4, types, values, nulls, SPI_OK_UPDATE);
    ereport(WARNING,
            (errmsg("chronicle: projection \"%s\" failed at position " INT64_FORMAT, job.name,
                    position),
             errdetail("%s", error->message ? error->message : "(no message)"),
             errhint("Fix the cause, then SELECT chronicle.resume_projection('%s').", job.name)));
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
    HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(job.handler));
    if (!HeapTupleIsValid(tuple)) {
        ereport(ERROR,
                (errcode(sqlerrcode_of(ErrorKind::InvalidProjection)),
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
        ereport(ERROR, (errcode(sqlerrcode_of(ErrorKind::InvalidProjection)),
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
    if (pg_proc_aclcheck(job.handler, job.owner, ACL_EXECUTE) != ACLCHECK_OK) {
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

// One batch of an aggregate projection into `table` (the live one or its rebuild).
BatchPlan apply_aggregate_batch(const Job& job, Oid table, int64 from, int64 horizon,
                                Snapshot events_snapshot, Progress* progress) {
    std::vector<BatchEvent> events;
    read_batch(job, from, horizon, worker_batch_size, events_snapshot, events);
    BatchPlan plan = plan_batch(events, from, horizon, worker_batch_size);
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
        if (!failure.stream.empty()) {
            // Best effort: the subtransaction is already failing; a position of 0 says unknown.
            int64 position = 0;
            try {
                pg_guarded([&] { position = event_position(failure.stream, failure.version); });
            } catch (...) {
            }
            progress->failing_position = position;
        }
        throw;
    }
    progress->applied += plan.events;
    return plan;
}

// One batch of a handler projection: the handler once per matching event, in order.
int64 apply_handler_batch(const Job& job, int64 from, int64 horizon, Snapshot events_snapshot,
                          Progress* progress) {
    EventBatch batch{0, nullptr, nullptr, nullptr, nullptr};
    pg_guarded([&] {
        batch = scan_event_batch(job.category_text, job.types, from, horizon, worker_batch_size,
                                 events_snapshot, true);
    });
    const uint64 count = static_cast<uint64>(batch.count);
    int64 last = from;
    if (count > 0) pg_guarded([&] { check_handler(job); });
    as_owner(job.owner, "projection", job.name, [&] {
        pg_guarded([&] {
            FmgrInfo handler;
            fmgr_info(job.handler, &handler);
            MemoryContext per_event = AllocSetContextCreate(
                CurrentMemoryContext, "chronicle handler call", ALLOCSET_DEFAULT_SIZES);
            PushActiveSnapshot(GetTransactionSnapshot());
            for (uint64 i = 0; i < count; ++i) {
                const int64 position = batch.positions[i];
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
                // The next call sees what this one wrote.
                CommandCounterIncrement();
                UpdateActiveSnapshotCommandId();
                last = position;
            }
            PopActiveSnapshot();
            MemoryContextDelete(per_event);
        });
    });
    const int64 read = static_cast<int64>(count);
    progress->applied += read;
    progress->more = read >= worker_batch_size;
    return next_position(read, last, from, horizon, worker_batch_size);
}

// The end of a rebuild: with writers of the live table held off, the rebuilt rows catch up
// with everything the live rows hold (rebuild_swap.cpp), then replace the live rows
// (chronicle._projection_swap).
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
    as_owner(job.owner, "projection", job.name, [&] {
        pg_guarded([&] {
            Oid types[3] = {REGCLASSOID, REGCLASSOID, JSONBOID};
            Datum values[3] = {ObjectIdGetDatum(job.table), ObjectIdGetDatum(job.rebuild_table),
                               JsonbPGetDatum(job.columns)};
            spi_run("SELECT chronicle._projection_swap($1, $2, $3)", 3, types, values, nullptr,
                    SPI_OK_SELECT);
        });
    });
    // The rebuild table is chronicle's (its owner only has rights on it): dropped by the
    // worker, which made way for it, not by the projection's owner.
    pg_guarded([&] {
        Oid types[2] = {TEXTOID, REGCLASSOID};
        Datum values[2] = {text_datum(job.name), ObjectIdGetDatum(job.rebuild_table)};
        spi_run("SELECT chronicle._drop_rebuild_table($1, $2)", 2, types, values, nullptr,
                SPI_OK_SELECT);
    });
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

// Runs one job in a subtransaction; false when it has nothing more waiting.
bool run_job(const Job& job, int64 horizon, Snapshot events_snapshot) {
    MemoryContext context = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    Oid saved_user = InvalidOid;
    int saved_security = 0;
    Progress progress{0, 0, false};
    bool locked = false;
    pg_guarded([&] {
        BeginInternalSubTransaction(nullptr);
        MemoryContextSwitchTo(context);
        GetUserIdAndSecContext(&saved_user, &saved_security);
    });
    try {
        pg_guarded([&] { locked = lock_projection(job, &progress); });
        if (locked) {
            apply_job(job, horizon, events_snapshot, &progress);
            pg_guarded([&] { save_progress(job, progress); });
        }
        pg_guarded([&] {
            ReleaseCurrentSubTransaction();
            MemoryContextSwitchTo(context);
            CurrentResourceOwner = owner;
        });
        return progress.more;
    } catch (const PgError& e) {
        pg_guarded([&] {
            RollbackAndReleaseCurrentSubTransaction();
            MemoryContextSwitchTo(context);
            CurrentResourceOwner = owner;
            SetUserIdAndSecContext(saved_user, saved_security);
        });
        const char* sqlstate = nullptr;
        pg_guarded([&] { sqlstate = unpack_sql_state(e.data()->sqlerrcode); });
        switch (failure_action(sqlstate, cancel_requested != 0)) {
            case FailureAction::Escalate:
                throw;
            case FailureAction::RetryLater:
                pg_guarded([&] {
                    ereport(LOG,
                            (errmsg("chronicle: projection \"%s\" will retry its batch", job.name),
                             errdetail("%s", e.data()->message)));
                });
                return false;
            case FailureAction::MarkFailed:
                pg_guarded([&] { save_failure(job, e.data(), progress.failing_position); });
                return false;
        }
        return false;
    } catch (const Error& e) {
        // A core error (a state that cannot be folded): the projection's own problem.
        pg_guarded([&] {
            RollbackAndReleaseCurrentSubTransaction();
            MemoryContextSwitchTo(context);
            CurrentResourceOwner = owner;
            SetUserIdAndSecContext(saved_user, saved_security);
        });
        if (e.kind() == ErrorKind::Internal) throw;
        std::string message = e.what();
        const char* state = sqlstate_of(e.kind());
        pg_guarded([&] {
            ErrorData data{};
            data.message = pstrdup(message.c_str());
            data.sqlerrcode = MAKE_SQLSTATE(state[0], state[1], state[2], state[3], state[4]);
            save_failure(job, &data, progress.failing_position);
        });
        return false;
    } catch (...) {
        pg_guarded([&] {
            RollbackAndReleaseCurrentSubTransaction();
            MemoryContextSwitchTo(context);
            CurrentResourceOwner = owner;
            SetUserIdAndSecContext(saved_user, saved_security);
        });
        throw;
    }
}

}  // namespace

bool projections_installed() {
    bool installed = false;
    core_call([&] {
        pg_guarded([&] {
            const Oid schema = get_namespace_oid("chronicle", true);
            installed = OidIsValid(get_extension_oid("chronicle", true)) && OidIsValid(schema) &&
                        OidIsValid(get_relname_relid("projections", schema));
        });
    });
    return installed;
}

void note_cancel_request() {
    cancel_requested = 1;
}

bool run_projection_round(bool* has_work) {
    bool more = false;
    core_call([&] {
        int count = 0;
        Job* jobs = nullptr;
        int64 horizon = 0;
        Snapshot events_snapshot = nullptr;
        const AggregateRelations& aggregates = aggregate_relations();
        pg_guarded([&] {
            // The lock appends take to write snapshots: a define_aggregate still committing
            // holds a conflicting one until its invalidations are out, so once this is
            // granted the worker folds with the definitions every committed change made (it
            // may have been woken by that very commit, before the invalidations were sent).
            LockRelationOid(aggregates.snapshots, RowExclusiveLock);
            if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "chronicle: SPI_connect failed");
            PushActiveSnapshot(GetTransactionSnapshot());
            jobs = load_jobs(&count);
            // Events below the horizon are committed and visible to snapshots taken after
            // it was read.
            horizon = current_read_horizon(event_log_oids().position_seq);
            events_snapshot = RegisterSnapshot(GetLatestSnapshot());
        });
        *has_work = count > 0;
        for (int i = 0; i < count; ++i) {
            if (run_job(jobs[i], horizon, events_snapshot)) more = true;
        }
        pg_guarded([&] {
            UnregisterSnapshot(events_snapshot);
            PopActiveSnapshot();
            SPI_finish();
        });
    });
    return more;
}

}  // namespace chronicle::pg
