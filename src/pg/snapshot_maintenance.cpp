#include "chronicle/pg/snapshot_maintenance.hpp"

#include <algorithm>
#include <vector>

#include "chronicle/core/error.hpp"
#include "chronicle/core/snapshot_policy.hpp"
#include "chronicle/pg/aggregate_catalog.hpp"
#include "chronicle/pg/boundary.hpp"
#include "chronicle/pg/fold_runner.hpp"
#include "chronicle/pg/pg_guard.hpp"
#include "chronicle/pg/snapshot_store.hpp"

extern "C" {
#include "access/xact.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
}

namespace chronicle::pg {

namespace {

class SnapshotWriter final : public FoldObserver {
  public:
    SnapshotWriter(const AggregateRelations& relations, const CachedAggregate& aggregate,
                   text* stream, const std::vector<std::int64_t>& versions)
        : relations_(relations), aggregate_(aggregate), stream_(stream), versions_(versions) {}

    bool wants(int64 version) const override {
        return std::binary_search(versions_.begin(), versions_.end(), version);
    }
    void state_after(StreamScan* row, Jsonb* state) override {
        write_snapshot(relations_, aggregate_.revision, stream_, row->version, row->recorded_at,
                       state);
    }

  private:
    const AggregateRelations& relations_;
    const CachedAggregate& aggregate_;
    text* stream_;
    const std::vector<std::int64_t>& versions_;
};

bool any_due(const std::vector<AggregateRef>& aggregates, int64 old_version, int64 new_version) {
    for (const AggregateRef& aggregate : aggregates) {
        if (!snapshot_versions(old_version, new_version, aggregate->snapshot_every).empty()) {
            return true;
        }
    }
    return false;
}

// Errors of the user's code: the snapshot is skipped. Cancels, shutdowns, resource and
// internal errors are not the reducer's to swallow.
bool skippable(const ErrorData* error) {
    const int category = ERRCODE_TO_CATEGORY(error->sqlerrcode);
    return category != ERRCODE_TO_CATEGORY(ERRCODE_OPERATOR_INTERVENTION) &&
           category != ERRCODE_TO_CATEGORY(ERRCODE_INSUFFICIENT_RESOURCES) &&
           category != ERRCODE_TO_CATEGORY(ERRCODE_PROGRAM_LIMIT_EXCEEDED) &&
           category != ERRCODE_TO_CATEGORY(ERRCODE_INTERNAL_ERROR) &&
           category != ERRCODE_TO_CATEGORY(ERRCODE_SYSTEM_ERROR);
}

void warn_skipped(const CachedAggregate& aggregate, text* stream, const char* why) {
    pg_guarded([&] {
        ereport(WARNING,
                (errmsg("chronicle: no snapshot of aggregate \"%s\" taken for stream \"%s\"",
                        aggregate.name.c_str(), text_to_cstring(stream)),
                 errdetail("%s", why),
                 errhint("chronicle.fold reports the same error for this stream.")));
    });
}

// Folds up to the last of `versions` (from the newest snapshot before them) and writes the
// state at each. Under the stream's lock, SnapshotSelf sees every event of the stream.
void fold_and_write(const AggregateRelations& relations, const CachedAggregate& aggregate,
                    text* stream, const std::vector<std::int64_t>& versions) {
    // SnapshotWriter::wants searches them; the callers skip aggregates with none due.
    Assert(!versions.empty() && std::is_sorted(versions.begin(), versions.end()));
    FoldTarget target;
    target.bounded = true;
    target.max_version = versions.back();
    SnapshotWriter writer(relations, aggregate, stream, versions);
    run_fold(aggregate, stream, target, SnapshotSelf, &writer);
}

void snapshot_declarative(const AggregateRelations& relations, const CachedAggregate& aggregate,
                          text* stream, const std::vector<std::int64_t>& versions) {
    try {
        fold_and_write(relations, aggregate, stream, versions);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::FoldFailed) throw;
        warn_skipped(aggregate, stream, e.what());
    }
}

// A reducer is user code that may fail anywhere: it runs in a subtransaction, as a
// PL/pgSQL exception block would, so that a failure rolls back cleanly and the append goes on.
void snapshot_by_reducer(const AggregateRelations& relations, const CachedAggregate& aggregate,
                         text* stream, const std::vector<std::int64_t>& versions) {
    MemoryContext context = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    auto leave_subtransaction = [&](bool commit) {
        pg_guarded([&] {
            if (commit) {
                ReleaseCurrentSubTransaction();
            } else {
                RollbackAndReleaseCurrentSubTransaction();
            }
            MemoryContextSwitchTo(context);
            CurrentResourceOwner = owner;
        });
    };
    pg_guarded([&] { BeginInternalSubTransaction(nullptr); });
    try {
        fold_and_write(relations, aggregate, stream, versions);
    } catch (const PgError& e) {
        // Whatever happens next, the subtransaction ends here: an error that leaves it open
        // would leave the session in a transaction state its client cannot end.
        leave_subtransaction(false);
        if (!skippable(e.data())) throw;
        warn_skipped(aggregate, stream, e.data()->message);
        return;
    } catch (...) {
        leave_subtransaction(false);
        throw;
    }
    leave_subtransaction(true);
}

}  // namespace

void take_due_snapshots(text* stream, std::string_view category, int64 old_version,
                        int64 new_version) {
    core_call([&] {
        if (!any_due(snapshotting_aggregates_of(category), old_version, new_version)) return;
        const AggregateRelations& relations = aggregate_relations();
        // A definition that changes concurrently is seen once this lock is granted
        // (define_aggregate holds a conflicting one until it commits).
        pg_guarded([&] { LockRelationOid(relations.snapshots, RowExclusiveLock); });
        const std::vector<AggregateRef> aggregates = snapshotting_aggregates_of(category);
        for (const AggregateRef& aggregate : aggregates) {
            const std::vector<std::int64_t> versions =
                snapshot_versions(old_version, new_version, aggregate->snapshot_every);
            if (versions.empty()) continue;
            if (OidIsValid(aggregate->reducer)) {
                snapshot_by_reducer(relations, *aggregate, stream, versions);
            } else {
                snapshot_declarative(relations, *aggregate, stream, versions);
            }
        }
    });
}

}  // namespace chronicle::pg
