// Where the event log lives in this database: the OIDs of its table, sequence and indexes,
// kept by the metadata cache (catalog/metadata_cache.hpp), and the column numbers the direct
// insert and the index scans use (checked against the table when the cache is built).
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/catalog/metadata_cache.hpp"

namespace chronicle::pg {

// Column numbers of chronicle.event_log (1-based, as in pg_attribute). A catalog older than
// 0.8 ends at recorded_at (EventLogOids::has_correlation_columns says which layout it is).
enum EventLogColumn : int {
    kColGlobalPosition = 1,
    kColStream,
    kColCategory,
    kColStreamVersion,
    kColEventId,
    kColEventType,
    kColData,
    kColMetadata,
    kColRecordedAt,
    kColCorrelationId,  // 0.8 on
    kColCausationId,    // 0.8 on
    kEventLogColumnCountBefore08 = kColRecordedAt,
    kEventLogColumnCount = kColCausationId
};

// Raises the error that says which of the event log's objects is missing.
[[noreturn]] const EventLogOids& event_log_oids_missing();

// Raises an error when the extension's objects are missing (extension not installed here).
// Plain C-style code: may raise a PostgreSQL error.
inline const EventLogOids& event_log_oids() {
    const MetadataCache& m = metadata_cache();
    if (likely(m.event_log_complete)) return m.event_log;
    return event_log_oids_missing();
}

}  // namespace chronicle::pg
