// One fold of one stream by one aggregate, from the newest usable snapshot or the initial
// state; shared by fold(), history() and the snapshots taken at append time.

#include "chronicle/pg/aggregates/fold_runner.hpp"

#include <string>

#include "chronicle/core/aggregate_fold.hpp"
#include "chronicle/core/limits.hpp"
#include "chronicle/core/snapshot_policy.hpp"
#include "chronicle/pg/boundary/errcodes.hpp"
#include "chronicle/core/uuid.hpp"
#include "chronicle/pg/boundary/jsonb_value.hpp"
#include "chronicle/pg/roles/owner_context.hpp"
#include "chronicle/pg/boundary/pg_guard.hpp"
#include "chronicle/pg/aggregates/reducer_call.hpp"
#include "chronicle/pg/aggregates/snapshot_store.hpp"
#include "chronicle/pg/boundary/text_view.hpp"

extern "C" {
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/uuid.h"
}

namespace chronicle::pg {

namespace {

// The event under the scan, as the aggregate language reads it: jsonb is read in place and
// only what an operation names is converted.
class ScanEventView final : public EventView {
  public:
    ScanEventView(StreamScan* scan, std::string_view stream) : scan_(scan), stream_(stream) {}

    void next_row() {
        data_ = nullptr;
        metadata_read_ = false;
    }

    std::string_view type() const override { return view_of(scan_->event_type); }
    std::string_view stream() const override { return stream_; }
    std::int64_t version() const override { return scan_->version; }

    bool data_at(const Path& path, Value& out) const override {
        JsonbRead read = JsonbRead::Absent;
        pg_guarded([&] {
            MemoryContext caller = MemoryContextSwitchTo(scan_->row_context);
            if (!data_) data_ = stream_scan_data(scan_);
            read = jsonb_value_at(&data_->root, path, out);
            MemoryContextSwitchTo(caller);
        });
        return event_value_found(read, "data");
    }

    bool metadata_at(const Path& path, Value& out) const override {
        JsonbRead read = JsonbRead::Absent;
        pg_guarded([&] {
            MemoryContext caller = MemoryContextSwitchTo(scan_->row_context);
            if (!metadata_read_) {
                metadata_ = stream_scan_metadata(scan_);
                metadata_read_ = true;
            }
            if (metadata_) read = jsonb_value_at(&metadata_->root, path, out);
            MemoryContextSwitchTo(caller);
        });
        return event_value_found(read, "metadata");
    }

    void field(EventField field, Value& out) const override {
        bool isnull;
        switch (field) {
            case EventField::Position: {
                int64 position = 0;
                pg_guarded([&] {
                    position =
                        DatumGetInt64(stream_scan_column(scan_, kColGlobalPosition, &isnull));
                });
                out = Value(static_cast<long long>(position));
                return;
            }
            case EventField::Id: {
                Uuid id;
                pg_guarded([&] {
                    const pg_uuid_t* stored =
                        DatumGetUUIDP(stream_scan_column(scan_, kColEventId, &isnull));
                    memcpy(id.data(), stored->data, 16);
                });
                out = Value(format_uuid(id));
                return;
            }
            case EventField::RecordedAt: {
                // Always in UTC, so that a state never depends on the session's TimeZone.
                char buffer[MAXDATELEN + 1];
                pg_guarded([&] {
                    const int utc = 0;
                    JsonEncodeDateTime(buffer, TimestampTzGetDatum(scan_->recorded_at),
                                       TIMESTAMPTZOID, &utc);
                });
                out = Value(std::string_view(buffer));
                return;
            }
            default:
                out = Value();
                return;
        }
    }

  private:
    StreamScan* scan_;
    std::string_view stream_;
    mutable Jsonb* data_ = nullptr;
    mutable Jsonb* metadata_ = nullptr;
    mutable bool metadata_read_ = false;
};

constexpr Size kStateScratchBytes = 8 * 1024 * 1024;

struct Start {
    bool from_snapshot;
    int64 version;
    Jsonb* state;  // the snapshot's, or the initial state
};

Start starting_point(const CachedAggregate& aggregate, text* stream, const FoldTarget& target,
                     Snapshot snapshot, MemoryContext result_context) {
    if (target.has_start) return Start{true, target.start_version, target.start_state};
    Start start{false, 0, nullptr};
    const bool snapshots =
        target.use_snapshots &&
        stream_has_snapshots(view_of(stream),
                             aggregate.category
                                 ? std::optional<std::string_view>(*aggregate.category)
                                 : std::nullopt,
                             aggregate.snapshot_every);
    const AggregateRelations& relations = aggregate_relations();
    pg_guarded([&] {
        MemoryContext caller = MemoryContextSwitchTo(result_context);
        if (snapshots && OidIsValid(relations.snapshots)) {
            StoredSnapshot found =
                newest_snapshot(relations, aggregate.revision, stream, target.max_version,
                                target.has_as_of, target.as_of, snapshot);
            if (found.found) start = Start{true, found.version, found.state};
        }
        MemoryContextSwitchTo(caller);
    });
    return start;
}

// Converting a large state builds a jsonb tree several times its size. It is built in a
// context kept for the backend's life and reset after each use, whose first block stays
// allocated: the pages are already mapped the next time, instead of being returned to the
// operating system at the end of every fold and faulted in again (a third of the time of
// folding a 10,000-element state). Only the finished jsonb is copied to the caller.
Jsonb* state_to_jsonb(const Value& state, MemoryContext result_context) {
    static MemoryContext scratch = nullptr;
    if (scratch == nullptr) {
        scratch = AllocSetContextCreate(TopMemoryContext, "chronicle state conversion", 0,
                                        kStateScratchBytes, ALLOCSET_DEFAULT_MAXSIZE);
    }
    MemoryContext caller = MemoryContextSwitchTo(scratch);
    Jsonb* built = value_to_jsonb(state);
    MemoryContextSwitchTo(result_context);
    Jsonb* result = static_cast<Jsonb*>(palloc(VARSIZE(built)));
    memcpy(result, built, VARSIZE(built));
    MemoryContextSwitchTo(caller);
    MemoryContextReset(scratch);
    return result;
}

bool beyond_target(const StreamScan& scan, const FoldTarget& target) {
    return scan.version > target.max_version ||
           (target.has_as_of && scan.recorded_at > target.as_of);
}

FoldResult fold_declarative(const CachedAggregate& aggregate, text* stream,
                            const FoldTarget& target, Snapshot snapshot, FoldObserver* observer,
                            MemoryContext result_context) {
    const Start start = starting_point(aggregate, stream, target, snapshot, result_context);
    FoldResult result{start.from_snapshot, true, start.version, nullptr};
    Value state;
    if (start.from_snapshot) {
        JsonbRead read = JsonbRead::Found;
        pg_guarded([&] { read = jsonb_to_value(&start.state->root, state); });
        if (read != JsonbRead::Found) {
            // Snapshots hold states this code built, within the limits; not one written by hand.
            throw Error(ErrorKind::FoldFailed, "aggregate \"" + aggregate.name +
                                                   "\": its snapshot's state " +
                                                   jsonb_read_problem(read));
        }
    } else {
        state = aggregate.definition.initial;
    }
    StateSize size(state);
    StreamScan scan;
    pg_guarded([&] { stream_scan_begin(&scan, stream, start.version, snapshot); });
    ScanEventView view(&scan, view_of(stream));
    while (true) {
        bool more = false;
        pg_guarded([&] { more = stream_scan_next(&scan); });
        if (!more) {
            result.reached = !target.bounded || result.version >= target.max_version;
            break;
        }
        if (beyond_target(scan, target)) break;
        view.next_row();
        try {
            apply_event(aggregate.definition.program, aggregate.name, state, view, size);
        } catch (const Error&) {
            // A state that cannot be folded is an expected outcome (append skips its
            // snapshot and goes on): leave nothing open behind it.
            pg_guarded([&] { stream_scan_end(&scan); });
            throw;
        }
        Assert(scan.version > result.version);  // the index returns versions in order
        result.has_state = true;
        result.version = scan.version;
        if (observer && observer->wants(scan.version)) {
            pg_guarded([&] {
                MemoryContext caller = MemoryContextSwitchTo(scan.row_context);
                Jsonb* after = value_to_jsonb(state);
                MemoryContextSwitchTo(caller);
                observer->state_after(&scan, after);
            });
        }
    }
    pg_guarded([&] {
        stream_scan_end(&scan);
        if (result.has_state) result.state = state_to_jsonb(state, result_context);
    });
    return result;
}

FoldResult fold_by_reducer(const CachedAggregate& aggregate, text* stream, const FoldTarget& target,
                           Snapshot snapshot, FoldObserver* observer,
                           MemoryContext result_context) {
    const Start start = starting_point(aggregate, stream, target, snapshot, result_context);
    FoldResult result{start.from_snapshot, true, start.version, nullptr};
    Jsonb* initial = start.state;
    if (!start.from_snapshot) {
        pg_guarded([&] { initial = value_to_jsonb(aggregate.definition.initial); });
    }
    const std::string stream_name(view_of(stream));
    ReducerCall call;
    StreamScan scan;
    pg_guarded([&] {
        stream_scan_begin(&scan, stream, start.version, snapshot);
        // The reducer is the aggregate owner's code, whoever folds (a user's fold, another
        // role's append taking a snapshot, a projection): planned (where EXECUTE is
        // checked) and run as that owner. The scan and the snapshot writes are chronicle's
        // own, below the executor, and check no rights.
        OwnerContext owner;
        enter_owner_context(&owner, aggregate.owner, "aggregate", aggregate.name.c_str());
        PG_TRY();
        {
            raise_if_reducer_unresolved(aggregate);
            reducer_call_begin(&call, aggregate.reducer, initial, aggregate.name.c_str());
            // One guard for the whole loop: nothing here owns C++ memory.
            while (true) {
                if (!stream_scan_next(&scan)) {
                    result.reached = !target.bounded || result.version >= target.max_version;
                    break;
                }
                if (beyond_target(scan, target)) break;
                reducer_call_apply(&call, &scan, aggregate.name.c_str(), stream_name.c_str());
                Assert(scan.version > result.version);
                result.has_state = true;
                result.version = scan.version;
                if (observer && observer->wants(scan.version)) {
                    observer->state_after(&scan, reducer_call_state(&call));
                }
            }
            stream_scan_end(&scan);
            if (result.has_state) {
                MemoryContext caller = MemoryContextSwitchTo(result_context);
                result.state = DatumGetJsonbPCopy(JsonbPGetDatum(reducer_call_state(&call)));
                MemoryContextSwitchTo(caller);
            }
            reducer_call_end(&call);
        }
        PG_FINALLY();
        { leave_owner_context(&owner); }
        PG_END_TRY();
    });
    return result;
}

}  // namespace

void raise_if_reducer_unresolved(const CachedAggregate& aggregate) {
    if (aggregate.reducer_problem.empty()) return;
    ereport(ERROR, (errcode(ERRCODE_CHRONICLE_REDUCER_FAILED),
                    errmsg("the reducer of aggregate \"%s\", %s, cannot be called: %s",
                           aggregate.name.c_str(), aggregate.reducer_identity.c_str(),
                           aggregate.reducer_problem.c_str()),
                    errhint("Give the function back its name and owner, or define the "
                            "aggregate again with chronicle.define_aggregate.")));
}

bool event_value_found(JsonbRead read, const char* what) {
    if (read == JsonbRead::TooDeep || read == JsonbRead::TooLarge) {
        throw Error(ErrorKind::FoldFailed,
                    std::string("the event's ") + what + " there " + jsonb_read_problem(read));
    }
    return read == JsonbRead::Found;
}

FoldResult run_fold(const CachedAggregate& aggregate, text* stream, const FoldTarget& target,
                    Snapshot snapshot, FoldObserver* observer) {
    MemoryContext result_context = CurrentMemoryContext;
    if (target.bounded && target.max_version <= 0) return FoldResult{false, true, 0, nullptr};
    return aggregate.by_reducer()
               ? fold_by_reducer(aggregate, stream, target, snapshot, observer, result_context)
               : fold_declarative(aggregate, stream, target, snapshot, observer, result_context);
}

}  // namespace chronicle::pg
