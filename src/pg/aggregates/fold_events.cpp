// SQL entry point chronicle.fold_events: "given these events, then this state". Folds a JSON
// array of append_batch-shaped events with an aggregate's definition, onto its initial state
// or a given one, without reading or writing the event store.

#include <optional>
#include <string>
#include <vector>

#include "chronicle/core/aggregate_definition.hpp"
#include "chronicle/core/aggregate_fold.hpp"
#include "chronicle/core/error.hpp"
#include "chronicle/core/event_shape.hpp"
#include "chronicle/core/idempotency.hpp"
#include "chronicle/core/uuid.hpp"
#include "chronicle/pg/aggregates/aggregate_catalog.hpp"
#include "chronicle/pg/aggregates/fold_runner.hpp"
#include "chronicle/pg/aggregates/reducer_call.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/boundary/jsonb_shape.hpp"
#include "chronicle/pg/boundary/jsonb_value.hpp"
#include "chronicle/pg/boundary/pg_guard.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/boundary/text_view.hpp"
#include "chronicle/pg/event_log/event_log_access.hpp"
#include "chronicle/pg/roles/owner_context.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/uuid.h"

PG_FUNCTION_INFO_V1(chronicle_fold_events);
}

namespace chronicle::pg {
namespace {

// One element of the array, checked as append_batch checks it; payloads stay in the array.
struct GivenEvent {
    JsonbValue* type;      // a string
    JsonbValue* data;      // an object container
    JsonbValue* metadata;  // an object container, or NULL
    bool has_id;
    chronicle::Uuid id;
};

// What the events of fold_events are, for the aggregate language and for a reducer. They
// are in no stream and have no global position. Their version is their place in the array
// (1, 2, 3 ...) when they are folded onto the initial state, as if they were a new stream's
// first events; onto a given state it is unknown (NULL), since the state does not say which
// version it is at. recorded_at is the transaction's start time, which an append_batch to a
// new stream in this transaction would record.
class GivenEventView final : public EventView {
  public:
    GivenEventView(TimestampTz recorded_at, bool version_known)
        : recorded_at_(recorded_at), version_known_(version_known) {}

    void set(const GivenEvent* event, int64 number) {
        event_ = event;
        number_ = number;
    }

    std::string_view type() const override {
        return {event_->type->val.string.val, static_cast<size_t>(event_->type->val.string.len)};
    }
    std::string_view stream() const override { return {}; }
    std::int64_t version() const override { return number_; }
    bool in_stream() const override { return false; }
    bool version_known() const override { return version_known_; }

    bool data_at(const Path& path, Value& out) const override {
        JsonbRead read = JsonbRead::Absent;
        pg_guarded([&] { read = jsonb_value_at(event_->data->val.binary.data, path, out); });
        return event_value_found(read, "data");
    }

    bool metadata_at(const Path& path, Value& out) const override {
        if (event_->metadata == nullptr) return false;
        JsonbRead read = JsonbRead::Absent;
        pg_guarded([&] { read = jsonb_value_at(event_->metadata->val.binary.data, path, out); });
        return event_value_found(read, "metadata");
    }

    void field(EventField field, Value& out) const override {
        switch (field) {
            case EventField::Id:
                out = event_->has_id ? Value(format_uuid(event_->id)) : Value();
                return;
            case EventField::RecordedAt: {
                // In UTC, as a fold of the store gives it.
                char buffer[MAXDATELEN + 1];
                pg_guarded([&] {
                    const int utc = 0;
                    JsonEncodeDateTime(buffer, TimestampTzGetDatum(recorded_at_), TIMESTAMPTZOID,
                                       &utc);
                });
                out = Value(std::string_view(buffer));
                return;
            }
            default:  // the position
                out = Value();
                return;
        }
    }

  private:
    const GivenEvent* event_ = nullptr;
    int64 number_ = 0;
    TimestampTz recorded_at_;
    bool version_known_;
};

chronicle::JsonKind kind_of(const Value& value) {
    switch (value.kind()) {
        case ValueKind::Null:
            return chronicle::JsonKind::Null;
        case ValueKind::Bool:
            return chronicle::JsonKind::Bool;
        case ValueKind::Number:
            return chronicle::JsonKind::Number;
        case ValueKind::String:
            return chronicle::JsonKind::String;
        case ValueKind::Array:
            return chronicle::JsonKind::Array;
        case ValueKind::Object:
            return chronicle::JsonKind::Object;
    }
    return chronicle::JsonKind::Null;
}

// A given state must be of the kind of the aggregate's initial state (an object, unless the
// definition starts from another kind of value): a state passed as a JSON string holding
// JSON text, or a scalar by mistake, is an error rather than a fold of the wrong thing. An
// aggregate whose initial state is null says nothing about its states' kind.
void check_state_kind(const CachedAggregate& aggregate, chronicle::JsonKind state_kind) {
    const chronicle::JsonKind expected = kind_of(aggregate.definition.initial);
    if (expected == chronicle::JsonKind::Null || state_kind == expected) return;
    throw Error(ErrorKind::InvalidArgument,
                std::string("state must be ") + json_kind_name(expected) +
                    " like the initial state of aggregate \"" + aggregate.name + "\", not " +
                    json_kind_name(state_kind),
                {},
                "Pass a state that chronicle.fold or chronicle.fold_events returned, or NULL to "
                "start from the initial state.");
}

Jsonb* fold_declarative(const CachedAggregate& aggregate, const GivenEvent* events, int count,
                        Jsonb* start, TimestampTz recorded_at) {
    Value state;
    if (start) {
        JsonbRead read = JsonbRead::Found;
        pg_guarded([&] { read = jsonb_to_value(&start->root, state); });
        if (read != JsonbRead::Found) {
            throw Error(ErrorKind::FoldFailed, "aggregate \"" + aggregate.name +
                                                   "\": the state given " +
                                                   jsonb_read_problem(read));
        }
    } else {
        state = aggregate.definition.initial;
    }
    StateSize size(state);
    GivenEventView view(recorded_at, start == nullptr);
    for (int i = 0; i < count; ++i) {
        pg_guarded([] { CHECK_FOR_INTERRUPTS(); });
        view.set(&events[i], i + 1);
        apply_event(aggregate.definition.program, aggregate.name, state, view, size);
    }
    Jsonb* result = nullptr;
    pg_guarded([&] { result = value_to_jsonb(state); });
    return result;
}

// chronicle.event's columns for one given event, in the call's per-event memory.
void given_event_columns(ReducerCall* call, const GivenEvent& event, int64 number,
                         bool version_known, TimestampTz recorded_at, Datum* values, bool* nulls) {
    MemoryContext caller = MemoryContextSwitchTo(call->econtext->ecxt_per_tuple_memory);
    for (int i = 0; i < kEventTypeColumnCount; ++i) {
        values[i] = (Datum)0;
        nulls[i] = false;
        switch (kEventTypeColumnInLog[i]) {
            case kColStreamVersion:
                values[i] = Int64GetDatum(number);
                nulls[i] = !version_known;
                break;
            case kColEventId:
                if (event.has_id) {
                    pg_uuid_t* id = static_cast<pg_uuid_t*>(palloc(sizeof(pg_uuid_t)));
                    memcpy(id->data, event.id.data(), UUID_LEN);
                    values[i] = UUIDPGetDatum(id);
                } else {
                    nulls[i] = true;
                }
                break;
            case kColEventType:
                values[i] = PointerGetDatum(cstring_to_text_with_len(event.type->val.string.val,
                                                                     event.type->val.string.len));
                break;
            case kColData:
                values[i] = JsonbPGetDatum(jsonb_of_container(event.data));
                break;
            case kColMetadata:
                if (event.metadata) {
                    values[i] = JsonbPGetDatum(jsonb_of_container(event.metadata));
                } else {
                    nulls[i] = true;
                }
                break;
            case kColRecordedAt:
                values[i] = TimestampTzGetDatum(recorded_at);
                break;
            default:  // global_position, stream, and any column a given event cannot have
                nulls[i] = true;
                break;
        }
    }
    MemoryContextSwitchTo(caller);
}

Jsonb* fold_by_reducer(const CachedAggregate& aggregate, const GivenEvent* events, int count,
                       Jsonb* start, TimestampTz recorded_at) {
    Jsonb* result = nullptr;
    const char* name = aggregate.name.c_str();
    pg_guarded([&] {
        Jsonb* initial = start ? start : value_to_jsonb(aggregate.definition.initial);
        // As fold calls it: planned and run as the aggregate's owner, security-restricted,
        // whoever calls fold_events.
        OwnerContext owner;
        enter_owner_context(&owner, aggregate.owner, "aggregate", name);
        PG_TRY();
        {
            raise_if_reducer_unresolved(aggregate);
            ReducerCall call;
            reducer_call_begin(&call, aggregate.reducer, initial, name);
            Datum values[kEventTypeColumnCount];
            bool nulls[kEventTypeColumnCount];
            for (int i = 0; i < count; ++i) {
                CHECK_FOR_INTERRUPTS();
                given_event_columns(&call, events[i], i + 1, start == nullptr, recorded_at, values,
                                    nulls);
                reducer_call_apply_values(&call, values, nulls, i + 1, name, nullptr);
            }
            result = DatumGetJsonbPCopy(JsonbPGetDatum(reducer_call_state(&call)));
            reducer_call_end(&call);
        }
        PG_FINALLY();
        { leave_owner_context(&owner); }
        PG_END_TRY();
    });
    return result;
}

}  // namespace
}  // namespace chronicle::pg

using chronicle::pg::core_call;

extern "C" Datum chronicle_fold_events(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    text* aggregate = PG_ARGISNULL(0) ? nullptr : PG_GETARG_TEXT_PP(0);
    Jsonb* batch = PG_ARGISNULL(1) ? nullptr : PG_GETARG_JSONB_P(1);
    Jsonb* state = PG_ARGISNULL(2) ? nullptr : PG_GETARG_JSONB_P(2);

    // The events are checked exactly as append_batch checks them, every one before any is
    // folded: the same errors, in the same order.
    const chronicle::JsonKind batch_kind = batch ? jsonb_kind(batch) : chronicle::JsonKind::Null;
    core_call([&] {
        chronicle::validate_aggregate_name(optional_view(aggregate));
        chronicle::validate_batch_kind(batch_kind);
    });
    const int count = static_cast<int>(JsonContainerSize(&batch->root));
    GivenEvent* events = static_cast<GivenEvent*>(palloc0(sizeof(GivenEvent) * (count + 1)));
    bool any_id = false;
    for (int i = 0; i < count; ++i) {
        CHECK_FOR_INTERRUPTS();
        BatchElement element;
        read_batch_element(batch, i, &element);
        const std::optional<chronicle::Uuid> id = core_call(
            [&] { return chronicle::validate_event(element.shape, static_cast<size_t>(i)); });
        GivenEvent& e = events[i];
        e.type = element.type;
        e.data = element.data;
        e.metadata = element.metadata;
        e.has_id = id.has_value();
        if (id) e.id = *id;
        any_id = any_id || e.has_id;
    }
    if (any_id) {
        core_call([&] {
            std::vector<std::optional<chronicle::Uuid>> ids;
            ids.reserve(count);
            for (int i = 0; i < count; ++i) {
                ids.push_back(events[i].has_id ? std::optional<chronicle::Uuid>(events[i].id)
                                               : std::nullopt);
            }
            chronicle::check_ids_distinct(ids);
        });
    }

    const chronicle::JsonKind state_kind = state ? jsonb_kind(state) : chronicle::JsonKind::Missing;
    const TimestampTz recorded_at = GetCurrentTransactionStartTimestamp();
    Jsonb* result = core_call([&]() -> Jsonb* {
        AggregateRef found = find_aggregate(view_of(aggregate));
        if (state) check_state_kind(*found, state_kind);
        return found->by_reducer() ? fold_by_reducer(*found, events, count, state, recorded_at)
                                   : fold_declarative(*found, events, count, state, recorded_at);
    });
    PG_RETURN_JSONB_P(result);
}
