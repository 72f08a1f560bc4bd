// SQL entry points of the write side: chronicle.append and chronicle.append_batch.
#include <optional>
#include <string_view>
#include <vector>

#include "chronicle/core/correlation_ids.hpp"
#include "chronicle/core/event_shape.hpp"
#include "chronicle/core/idempotency.hpp"
#include "chronicle/core/stream_name.hpp"
#include "chronicle/core/stream_version.hpp"
#include "chronicle/core/uuid.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/event_log/correlation_settings.hpp"
#include "chronicle/pg/event_log/event_log_access.hpp"
#include "chronicle/pg/event_log/in_flight_positions.hpp"
#include "chronicle/pg/subscriptions/commit_signals.hpp"
#include "chronicle/pg/boundary/jsonb_shape.hpp"
#include "chronicle/pg/event_log/stream_lock.hpp"
#include "chronicle/pg/projections/inline_projections.hpp"
#include "chronicle/pg/boundary/text_view.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/event_log/random_pool.hpp"
#include "chronicle/pg/aggregates/snapshot_maintenance.hpp"

extern "C" {
#include "access/table.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/snapmgr.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(chronicle_append);
PG_FUNCTION_INFO_V1(chronicle_append_batch);
}

namespace chronicle::pg {
namespace {

// An event of an append after validation: payloads still in PostgreSQL memory.
struct PendingEvent {
    text* event_type;
    Jsonb* data;
    Jsonb* metadata;  // NULL for no metadata
    bool has_id;
    pg_uuid_t id;
    text* correlation_id;  // NULL for none (or a catalog without the columns)
    text* causation_id;
};

// Whether appends record correlation and causation ids here: the event log has 0.8's
// columns. On a 0.7 catalog (until ALTER EXTENSION chronicle UPDATE) they are neither
// resolved nor checked, as before 0.8; append_events raises when the log is unusable.
bool records_event_ids() {
    const MetadataCache& m = metadata_cache();
    return m.event_log_complete && m.event_log.has_correlation_columns;
}

// The ids as text datums. An id taken from a setting is made into text once per append
// (`*from_setting` remembers it), however many events of a batch take it.
text* id_text(std::optional<std::string_view> id, std::string_view setting, text** from_setting) {
    if (!id) return nullptr;
    const bool is_setting = id->data() == setting.data() && !setting.empty();
    if (is_setting && *from_setting) return *from_setting;
    text* out = cstring_to_text_with_len(id->data(), static_cast<int>(id->size()));
    if (is_setting) *from_setting = out;
    return out;
}

struct SettingTexts {
    text* correlation = nullptr;
    text* causation = nullptr;
};

void set_event_ids(PendingEvent* event, const chronicle::EventIds& ids,
                   const chronicle::IdSettings& settings, SettingTexts* cache) {
    event->correlation_id = id_text(ids.correlation, settings.correlation, &cache->correlation);
    event->causation_id = id_text(ids.causation, settings.causation, &cache->causation);
}

void to_pg_uuid(const chronicle::Uuid& id, pg_uuid_t* out) {
    memcpy(out->data, id.data(), 16);
}

chronicle::Uuid from_pg_uuid(const pg_uuid_t& id) {
    chronicle::Uuid out;
    memcpy(out.data(), id.data, 16);
    return out;
}

// Time-ordered ids for the events that came without one.
void generate_ids(PendingEvent* events, int count) {
    const TimestampTz now = GetCurrentTimestamp();
    const uint64 unix_ms = static_cast<uint64>(
        now / 1000 + (int64)(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000);
    for (int i = 0; i < count; ++i) {
        CHECK_FOR_INTERRUPTS();
        if (events[i].has_id) continue;
        std::array<uint8_t, 10> random;
        strong_random_bytes(random.data(), random.size());
        to_pg_uuid(chronicle::make_uuid_v7(unix_ms, random), &events[i].id);
        events[i].has_id = true;
    }
}

// Where the caller's ids already are, and whether this append is a retry of a stored one.
chronicle::RetryDecision decide_retry_for(Relation event_log, const EventLogOids& oids,
                                          text* stream, chronicle::ExpectedVersion expected,
                                          const PendingEvent* events, int count) {
    bool any_id = false;
    for (int i = 0; i < count; ++i) any_id = any_id || events[i].has_id;
    if (!any_id) return {};
    StoredEventIdRow* stored =
        static_cast<StoredEventIdRow*>(palloc0(sizeof(StoredEventIdRow) * count));
    for (int i = 0; i < count; ++i) {
        CHECK_FOR_INTERRUPTS();  // an index probe per event: a big batch takes a while
        if (events[i].has_id) {
            const PendingEvent& e = events[i];
            stored[i] = find_event_id(
                event_log, oids, &e.id, stream,
                EventContent{e.event_type, e.data, e.metadata, e.correlation_id, e.causation_id});
        }
    }
    const std::string_view stream_name = view_of(stream);
    return core_call([&] {
        std::vector<std::optional<chronicle::Uuid>> ids;
        std::vector<chronicle::StoredEventId> where;
        ids.reserve(count);
        where.reserve(count);
        for (int i = 0; i < count; ++i) {
            ids.push_back(events[i].has_id
                              ? std::optional<chronicle::Uuid>(from_pg_uuid(events[i].id))
                              : std::nullopt);
            chronicle::StoredEventId& w = where.emplace_back();
            w.found = stored[i].found;
            w.same_stream = stored[i].same_stream;
            if (stored[i].stream) w.other_stream = stored[i].stream;
            w.version = stored[i].version;
            w.same_type = stored[i].same_type;
            w.same_data = stored[i].same_data;
            w.same_metadata = stored[i].same_metadata;
            w.same_correlation_id = stored[i].same_correlation_id;
            w.same_causation_id = stored[i].same_causation_id;
        }
        chronicle::check_ids_distinct(ids);
        return chronicle::decide_retry(stream_name, expected, ids, where);
    });
}

// Appends under the stream's lock, to the event log opened by append_events.
int64 append_locked(Relation event_log, const EventLogOids& oids, text* stream,
                    chronicle::ExpectedVersion expected, PendingEvent* events, int count) {
    const std::string_view stream_name = view_of(stream);
    // Under the stream's lock no other transaction can be appending to it, so SnapshotSelf
    // (everything committed, plus our own writes) sees its true head, whatever our isolation.
    const StreamHead head = read_stream_head(event_log, oids, stream, SnapshotSelf);

    const chronicle::RetryDecision retry =
        decide_retry_for(event_log, oids, stream, expected, events, count);
    if (retry.already_appended) return retry.version;
    core_call([&] { chronicle::check_expected_version(stream_name, expected, head.version); });
    if (count == 0) return head.version;

    generate_ids(events, count);
    int64* positions = static_cast<int64*>(palloc(sizeof(int64) * count));
    allocate_positions(oids.position_seq, count, positions);

    NewEvent* rows = static_cast<NewEvent*>(palloc(sizeof(NewEvent) * count));
    for (int i = 0; i < count; ++i) {
        const PendingEvent& e = events[i];
        rows[i] = NewEvent{positions[i], head.version + 1 + i, e.id,          e.event_type, e.data,
                           e.metadata,   e.correlation_id,     e.causation_id};
    }
    // recorded_at never decreases within a stream, even when an older transaction appends
    // after a younger one.
    const TimestampTz now = GetCurrentTransactionStartTimestamp();
    const TimestampTz recorded_at =
        head.version > 0 && head.last_recorded_at > now ? head.last_recorded_at : now;
    const std::string_view category = chronicle::category_of(stream_name);
    text* category_text =
        cstring_to_text_with_len(category.data(), static_cast<int>(category.size()));
    insert_events(event_log, oids, stream, category_text, recorded_at, rows, count);
    note_appended_category(category.data(), static_cast<int>(category.size()),
                           rows[count - 1].global_position);
    take_due_snapshots(stream, category, head.version, head.version + count);
    apply_inline_projections(stream, category, head.version + count);
    return head.version + count;
}

// The write path shared by append and append_batch; returns the stream's new version.
int64 append_events(text* stream, chronicle::ExpectedVersion expected, PendingEvent* events,
                    int count) {
    PreventCommandIfReadOnly("chronicle.append()");
    PreventCommandIfParallelMode("chronicle.append()");
    PreventCommandDuringRecovery("chronicle.append()");

    const EventLogOids& oids = event_log_oids();
    // The stream's lock comes last. An append that held it while it waited for a table lock
    // would be part of any lock cycle through its stream: a transaction that holds a lock
    // conflicting with an append's (create_projection's fill holds SHARE on the event log,
    // define_aggregate SHARE ROW EXCLUSIVE on the snapshots) and then appends to this stream
    // waits for it, while it waits for that transaction, and the deadlock detector may pick
    // it (a bystander that touched one stream) as the victim. So every table lock this append
    // may need is taken first, while it holds nothing that anyone waits for; under the
    // stream's lock it waits only for other appends to the same stream (the lock itself) and
    // for a transaction that inserted one of its event ids and has not ended yet. (A table
    // lock found needed only later, when a definition committed in between, is taken then.)
    LockRelationOid(oids.event_log, RowExclusiveLock);
    LockRelationOid(oids.position_seq, RowExclusiveLock);
    const std::string_view category = chronicle::category_of(view_of(stream));
    lock_for_snapshots(category);
    lock_inline_projection_tables(category);
    lock_stream_for_append(view_of(stream));
    Relation event_log = table_open(oids.event_log, RowExclusiveLock);
    const int64 version = append_locked(event_log, oids, stream, expected, events, count);
    table_close(event_log, NoLock);
    return version;
}

}  // namespace
}  // namespace chronicle::pg

using chronicle::pg::core_call;

extern "C" Datum chronicle_append(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    text* stream = PG_ARGISNULL(0) ? nullptr : PG_GETARG_TEXT_PP(0);
    text* event_type = PG_ARGISNULL(1) ? nullptr : PG_GETARG_TEXT_PP(1);
    Jsonb* data = PG_ARGISNULL(2) ? nullptr : PG_GETARG_JSONB_P(2);
    Jsonb* metadata = PG_ARGISNULL(3) ? nullptr : PG_GETARG_JSONB_P(3);
    const std::optional<int64> expected_arg =
        PG_ARGISNULL(4) ? std::nullopt : std::optional<int64>(PG_GETARG_INT64(4));

    chronicle::EventShape shape;
    shape.type_kind = event_type ? chronicle::JsonKind::String : chronicle::JsonKind::Null;
    if (event_type) shape.type = view_of(event_type);
    shape.data_kind = data ? jsonb_kind(data) : chronicle::JsonKind::Null;
    shape.metadata_kind = metadata ? jsonb_kind(metadata) : chronicle::JsonKind::Null;
    if (shape.metadata_kind == chronicle::JsonKind::Null) metadata = nullptr;

    const bool with_ids = records_event_ids();
    chronicle::MetadataId correlation;
    chronicle::MetadataId causation;
    if (with_ids && shape.metadata_kind == chronicle::JsonKind::Object) {
        read_metadata_ids(&metadata->root, &correlation, &causation);
    }
    const chronicle::IdSettings settings = current_id_settings();
    chronicle::EventIds ids;
    const chronicle::ExpectedVersion expected = core_call([&] {
        chronicle::validate_stream_name(optional_view(stream));
        chronicle::validate_event(shape);
        if (with_ids) ids = chronicle::resolve_event_ids(correlation, causation, settings);
        return chronicle::ExpectedVersion::from_sql(expected_arg);
    });

    PendingEvent event{event_type, data, metadata, !PG_ARGISNULL(5), {}, nullptr, nullptr};
    if (event.has_id) event.id = *PG_GETARG_UUID_P(5);
    SettingTexts setting_texts;
    set_event_ids(&event, ids, settings, &setting_texts);
    PG_RETURN_INT64(append_events(stream, expected, &event, 1));
}

extern "C" Datum chronicle_append_batch(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    text* stream = PG_ARGISNULL(0) ? nullptr : PG_GETARG_TEXT_PP(0);
    Jsonb* batch = PG_ARGISNULL(1) ? nullptr : PG_GETARG_JSONB_P(1);
    const std::optional<int64> expected_arg =
        PG_ARGISNULL(2) ? std::nullopt : std::optional<int64>(PG_GETARG_INT64(2));

    const chronicle::JsonKind batch_kind = batch ? jsonb_kind(batch) : chronicle::JsonKind::Null;
    const chronicle::ExpectedVersion expected = core_call([&] {
        chronicle::validate_stream_name(optional_view(stream));
        chronicle::validate_batch_kind(batch_kind);
        return chronicle::ExpectedVersion::from_sql(expected_arg);
    });

    const bool with_ids = records_event_ids();
    const chronicle::IdSettings settings = current_id_settings();
    SettingTexts setting_texts;
    const int count = static_cast<int>(JsonContainerSize(&batch->root));
    PendingEvent* events = static_cast<PendingEvent*>(palloc0(sizeof(PendingEvent) * (count + 1)));
    for (int i = 0; i < count; ++i) {
        // A batch of many thousand events takes seconds: a cancel or statement_timeout must
        // not wait for all of it (nothing in this frame has a destructor to skip).
        CHECK_FOR_INTERRUPTS();
        BatchElement element;
        read_batch_element(batch, i, &element);
        chronicle::MetadataId correlation;
        chronicle::MetadataId causation;
        if (with_ids && element.metadata != nullptr &&
            element.shape.metadata_kind == chronicle::JsonKind::Object) {
            read_metadata_ids(element.metadata->val.binary.data, &correlation, &causation);
        }
        chronicle::EventIds ids;
        const std::optional<chronicle::Uuid> id = core_call([&] {
            const size_t index = static_cast<size_t>(i);
            std::optional<chronicle::Uuid> valid = chronicle::validate_event(element.shape, index);
            if (with_ids)
                ids = chronicle::resolve_event_ids(correlation, causation, settings, index);
            return valid;
        });
        PendingEvent& e = events[i];
        e.event_type =
            cstring_to_text_with_len(element.type->val.string.val, element.type->val.string.len);
        e.data = jsonb_of_container(element.data);
        e.metadata = element.metadata ? jsonb_of_container(element.metadata) : nullptr;
        e.has_id = id.has_value();
        if (id) to_pg_uuid(*id, &e.id);
        set_event_ids(&e, ids, settings, &setting_texts);
    }
    PG_RETURN_INT64(append_events(stream, expected, events, count));
}
