// Snapshots taken by the append that reaches them, folded from the previous snapshot and
// written in the appending transaction; a failing reducer never fails the append.

#include "chronicle/pg/aggregates/snapshot_maintenance.hpp"

#include <algorithm>
#include <vector>

#include "chronicle/core/error.hpp"
#include "chronicle/core/error_origin.hpp"
#include "chronicle/core/snapshot_policy.hpp"
#include "chronicle/pg/aggregates/aggregate_catalog.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/aggregates/fold_runner.hpp"
#include "chronicle/pg/boundary/pg_guard.hpp"
#include "chronicle/pg/aggregates/snapshot_store.hpp"
#include "chronicle/pg/boundary/subtransaction.hpp"

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
// A snapshot is an optimisation: an error of the aggregate's own (its reducer, its data) or
// of the moment is warned about and the snapshot skipped, the append goes on; the server's
// conditions (out of memory, a cancel, a shutdown) are not hidden.
bool skippable(const ErrorData* error) {
    return error_origin(unpack_sql_state(error->sqlerrcode)) != ErrorOrigin::Server;
}

void warn_skipped(const CachedAggregate& aggregate, text* stream, const char* why) {
    pg_guarded([&] {
        ereport(WARNING,
                (errmsg("no snapshot of aggregate \"%s\" taken for stream \"%s\"",
                        aggregate.name.c_str(), text_to_cstring(stream)),
                 errdetail("%s", why),
                 errhint("A call of chronicle.fold for this stream reports the same error.")));
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
    Subtransaction subtransaction;
    try {
        fold_and_write(relations, aggregate, stream, versions);
        subtransaction.commit();
    } catch (const PgError& e) {
        // Whatever happens next, the subtransaction ends here: an error that leaves it open
        // would leave the session in a transaction state its client cannot end.
        subtransaction.rollback();
        bool skip = false;
        const char* message = nullptr;
        pg_guarded([&] {
            skip = skippable(e.data());
            message = e.data()->message;
        });
        if (!skip) throw;
        warn_skipped(aggregate, stream, message);
    }
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
            if (aggregate->by_reducer()) {
                snapshot_by_reducer(relations, *aggregate, stream, versions);
            } else {
                snapshot_declarative(relations, *aggregate, stream, versions);
            }
        }
    });
}

void lock_for_snapshots(std::string_view category) {
    core_call([&] {
        if (snapshotting_aggregates_of(category).empty()) return;
        const AggregateRelations& relations = aggregate_relations();
        pg_guarded([&] { LockRelationOid(relations.snapshots, RowExclusiveLock); });
    });
}

}  // namespace chronicle::pg
