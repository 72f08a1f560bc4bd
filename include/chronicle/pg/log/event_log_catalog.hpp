// Where the event log lives in this database: the OIDs of its table, sequence and indexes,
// looked up once per backend and forgotten when the relcache says they changed.
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"

namespace chronicle::pg {

// Column numbers of chronicle.event_log (1-based, as in pg_attribute).
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
    kEventLogColumnCount = kColRecordedAt
};

struct EventLogOids {
    Oid event_log;
    Oid position_seq;
    Oid position_index;        // (global_position)
    Oid stream_version_index;  // (stream, stream_version)
    Oid event_id_index;        // (event_id)
    Oid category_index;        // (category, global_position)
    Oid event_type;            // the composite type chronicle.event
};

// Raises an error when the extension's objects are missing (extension not installed here).
const EventLogOids& event_log_oids();

// Registers the relcache callback that forgets the OIDs; called from _PG_init.
void register_event_log_invalidation();

}  // namespace chronicle::pg
