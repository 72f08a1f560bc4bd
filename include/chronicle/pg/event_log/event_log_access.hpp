// Reading and writing chronicle.event_log below the executor: index scans and direct inserts.
// Plain C-style code: no C++ object with a destructor lives here (see boundary.hpp).
// Every function works on the event log relation its caller opened, so that one append
// opens it once.
#pragma once

#include "chronicle/pg/event_log/event_log_catalog.hpp"
#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup.h"
#include "access/tupdesc.h"
#include "utils/array.h"
#include "utils/relcache.h"
#include "utils/jsonb.h"
#include "utils/snapshot.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

namespace chronicle::pg {

// The newest event of a stream as `snapshot` sees it; version 0 when there is none.
struct StreamHead {
    int64 version;
    TimestampTz last_recorded_at;
};
StreamHead read_stream_head(Relation event_log, const EventLogOids& oids, text* stream,
                            Snapshot snapshot);

// Where an event id is stored, seen with SnapshotSelf (committed, or written by us), and,
// when it is in `stream`, whether the stored event has this type, data, metadata,
// correlation and causation id (metadata and ids NULL for SQL NULL). jsonb is compared as
// jsonb's `=` does, not byte for byte; the ids byte for byte (COLLATE "C"). Without the
// correlation columns (a 0.7 catalog) the ids count as the same.
struct StoredEventIdRow {
    bool found;
    bool same_stream;
    char* stream;  // palloc'd, when found
    int64 version;
    bool same_type;
    bool same_data;
    bool same_metadata;
    bool same_correlation_id;
    bool same_causation_id;
};
// The content of an event an append is about to write, for find_event_id.
struct EventContent {
    text* event_type;
    Jsonb* data;
    Jsonb* metadata;       // NULL for SQL NULL
    text* correlation_id;  // NULL for none
    text* causation_id;    // NULL for none
};
StoredEventIdRow find_event_id(Relation event_log, const EventLogOids& oids, const pg_uuid_t* id,
                               text* stream, const EventContent& content);

// One event ready to be written.
struct NewEvent {
    int64 global_position;
    int64 stream_version;
    pg_uuid_t event_id;
    text* event_type;
    Jsonb* data;
    Jsonb* metadata;       // NULL for SQL NULL
    text* correlation_id;  // NULL for none
    text* causation_id;    // NULL for none
};

// Inserts the events (heap and every index of the table, user-added ones included).
// A unique violation from a concurrent writer becomes the matching chronicle error.
// Takes RowExclusiveLock on `event_log` first. The correlation and causation ids are written
// when `oids.has_correlation_columns` (0.8 on); a 0.7 table has no place for them.
void insert_events(Relation event_log, const EventLogOids& oids, text* stream, text* category,
                   TimestampTz recorded_at, const NewEvent* events, int count);

// The values of an event_log row in the column order of the chronicle.event type.
inline constexpr int kEventTypeColumnCount = 8;
// For each column of chronicle.event, the event_log column it comes from.
inline constexpr int kEventTypeColumnInLog[kEventTypeColumnCount] = {
    kColGlobalPosition, kColStream, kColStreamVersion, kColEventId,
    kColEventType,      kColData,   kColMetadata,      kColRecordedAt};
void event_row_values(HeapTuple row, TupleDesc event_log_desc, Datum* values, bool* nulls);

// A filter on event types (read_all's and handler projections'): usually few, so a linear
// search is fastest. An empty array matches no event; NULL elements match nothing; no
// array (nullptr) matches every event.
struct TypeFilter {
    bool active;
    int count;
    Datum* types;
};
TypeFilter type_filter(ArrayType* array);
bool type_matches(const TypeFilter& filter, text* event_type);

// An ordered scan of the events of `category` (every category when NULL) with a position in
// (after, before): by (category, position) or by (position), so in position order either way.
// The caller has the event log open; rows come from systable_getnext_ordered(scan, ...).
struct PositionRangeScan {
    Relation index;
    SysScanDesc scan;
};
PositionRangeScan begin_position_range_scan(Relation event_log, const EventLogOids& oids,
                                            text* category, int64 after, int64 before,
                                            Snapshot snapshot);
void end_position_range_scan(PositionRangeScan& range);

// Whether the transaction that wrote `row` is visible to `snapshot` (or is this one). Gap-safe
// readers scan with a dirty snapshot, so `row` was written by a committed transaction or one
// still in progress, and stop at the first row this says no to.
bool written_before(HeapTuple row, Snapshot snapshot);

// The events a projection batch reads: those of `category` (every category when NULL) and
// of the filter's types, with a position in (after, horizon), in position order, at most
// `limit`, as `snapshot` sees them (taken after the horizon was read, it sees every event
// below it). Positions, streams and versions always; the chronicle.event composites too
// when `with_events`. Everything is palloc'd in the current memory context.
struct EventBatch {
    int count;
    int64* positions;
    char** streams;
    int64* versions;
    Datum* events;  // nullptr unless with_events
};
EventBatch scan_event_batch(text* category, const TypeFilter& types, int64 after, int64 horizon,
                            int64 limit, Snapshot snapshot, bool with_events);

}  // namespace chronicle::pg
