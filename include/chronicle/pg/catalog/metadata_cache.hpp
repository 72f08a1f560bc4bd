// The one per-backend cache of what chronicle looks up in the catalogs: whether the extension
// is installed here and at which version, its schemas, the OIDs of its relations, and the
// epochs of the definition caches built on top (compiled aggregates, inline projections).
//
// One relcache callback and one syscache callback (pg_namespace) invalidate all of it (and
// one on pg_proc the compiled aggregates, whose reducers are resolved by name), as
// pg_duckdb's pgduckdb_metadata_cache.cpp and TimescaleDB's extension.c do. PostgreSQL 15
// has no syscache on pg_extension, so CREATE/ALTER/DROP EXTENSION chronicle also send a
// relcache invalidation of pg_extension itself (note_extension_statement, from the utility
// hook): that is what makes ALTER EXTENSION ... UPDATE, which may touch no relation, reach
// every backend's cache.
//
// Plain C-style code: functions here may raise PostgreSQL errors (see boundary.hpp); from
// C++ code (inside core_call) reach the cache through pg_guarded, or through the wrappers
// event_log_oids() and aggregate_relations() that know which side they are on.
#pragma once

#include <cstdint>

#include "chronicle/pg/boundary/postgres.hpp"

namespace chronicle::pg {

// pg_extension.extversion of chronicle, as numbers ("0.5" -> {0, 5}).
struct ExtensionVersion {
    int major;
    int minor;
};

inline bool at_least(ExtensionVersion v, int major, int minor) {
    return v.major > major || (v.major == major && v.minor >= minor);
}

struct EventLogOids {
    Oid event_log;
    Oid position_seq;
    Oid position_index;        // (global_position)
    Oid stream_version_index;  // (stream, stream_version)
    Oid event_id_index;        // (event_id)
    Oid category_index;        // (category, global_position)
    Oid event_type;            // the composite type chronicle.event
    // 0.8 on: columns correlation_id and causation_id (10 and 11) exist, and appends write
    // them; false on a 0.7 catalog (9 columns) until ALTER EXTENSION chronicle UPDATE.
    bool has_correlation_columns;
    // (correlation_id, global_position) WHERE correlation_id IS NOT NULL: 0.8 on; InvalidOid
    // before, or when the index of that name is not this one (read_correlated raises then).
    Oid correlation_index;
};

// The OIDs of the aggregate relations; all InvalidOid while the extension is older than 0.2
// (no aggregates there).
struct AggregateRelations {
    Oid aggregates;
    Oid snapshots;
    Oid snapshots_pkey;             // (revision, stream, stream_version)
    Oid snapshots_recorded_at_idx;  // (revision, stream, recorded_at, stream_version)
};

// MetadataCache::event_log_layout: the table fits (0.7's 9 columns or 0.8's 11), or has
// another number of columns; any other value is the index of the first column that does not
// fit.
inline constexpr int kLayoutFits = -1;
inline constexpr int kLayoutColumnCount = -2;

struct MetadataCache {
    // Whether CREATE EXTENSION chronicle ran in this database (pg_extension has its row). All
    // other fields are InvalidOid / zero when it did not.
    bool installed;
    Oid extension;
    ExtensionVersion version;
    Oid chronicle_namespace;
    // chronicle_internal (0.6 on): where the internal functions live; chronicle's own schema
    // while it does not exist (an older version, or during ALTER EXTENSION UPDATE).
    Oid internal_namespace;
    // Relations: InvalidOid when missing (an older version, or while CREATE EXTENSION's
    // script has not made them yet); event_log_oids() raises then, the others are optional.
    bool event_log_complete;             // every field of event_log found and its layout fits
    int event_log_layout = kLayoutFits;  // what does not fit; event_log_oids() says it
    EventLogOids event_log;
    AggregateRelations aggregates;
    Oid projections;               // 0.3 on
    Oid projection_parked_events;  // 0.5 on
    Oid in_flight_appends;         // the view
    // Something chronicle expects in its schema is missing: any relcache invalidation may be
    // its creation (CREATE EXTENSION, ALTER EXTENSION UPDATE), so each one forgets the cache.
    bool incomplete;
};

// The definition caches built from chronicle's tables. Each owns its storage in its
// subsystem; the metadata cache keeps one epoch per kind that the one callback advances.
// A definition cache built at epoch e is current while definitions_epoch() still returns e.
enum class Definitions { Aggregates = 0, InlineProjections = 1 };
inline constexpr int kDefinitionKinds = 2;

namespace detail {
extern bool metadata_valid;
extern MetadataCache metadata;
extern std::uint64_t definition_epochs[kDefinitionKinds];
const MetadataCache& build_metadata_cache();
}  // namespace detail

// The cache, built when an invalidation (or the first call) made it stale: on the hot path
// one flag test. Inside a transaction. Raises only on a catalog it cannot read (an
// extversion not of the form major.minor).
inline const MetadataCache& metadata_cache() {
    if (detail::metadata_valid) return detail::metadata;
    return detail::build_metadata_cache();
}

inline bool metadata_cache_is_valid() {
    return detail::metadata_valid;
}

inline std::uint64_t definitions_epoch(Definitions kind) {
    return detail::definition_epochs[static_cast<int>(kind)];
}

// Raises "schema chronicle does not exist" (with a hint to CREATE EXTENSION) when the
// extension is not installed in this database; the cache otherwise.
const MetadataCache& installed_metadata_cache();

// Registers the one relcache callback and the one syscache callback; from _PG_init.
void register_metadata_cache_invalidation();

// From the utility hook, after a CREATE/ALTER/DROP EXTENSION chronicle ran: every backend
// (this one at its next command, the others at commit) forgets its cache.
void note_extension_statement();

}  // namespace chronicle::pg
