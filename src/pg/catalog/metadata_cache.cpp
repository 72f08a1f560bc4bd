// The one per-backend metadata cache (see metadata_cache.hpp): built from the catalogs when
// stale, forgotten by one relcache and one syscache callback. It also checks, once per build,
// that chronicle.event_log has the columns the direct insert writes by number.
#include "chronicle/pg/catalog/metadata_cache.hpp"

#include "chronicle/pg/event_log/event_log_catalog.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_index.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
}

namespace chronicle::pg {

namespace detail {
bool metadata_valid = false;
MetadataCache metadata{};
// Start at 1: a definition cache that was never built remembers epoch 0.
std::uint64_t definition_epochs[kDefinitionKinds] = {1, 1};
}  // namespace detail

namespace {

const char* const kExtensionName = "chronicle";
const char* const kSchemaName = "chronicle";
const char* const kInternalSchemaName = "chronicle_internal";

// Advanced by every invalidation of the relation part: a build during which one arrived
// (catalog lookups accept invalidation messages) is not marked valid.
std::uint64_t metadata_generation = 0;
// Whether `detail::metadata` holds a build, stale or not: the callback compares relation
// OIDs against the last build to know which definitions to forget.
bool ever_built = false;
std::uint32_t schema_hash = 0;
std::uint32_t internal_schema_hash = 0;

enum Scope : unsigned {
    kRelations = 1u << 0,
    kAggregateDefinitions = 1u << 1,
    kInlineProjectionDefinitions = 1u << 2,
    kEverything = kRelations | kAggregateDefinitions | kInlineProjectionDefinitions,
};

void forget(unsigned scope) {
    if (scope & kRelations) {
        detail::metadata_valid = false;
        ++metadata_generation;
    }
    if (scope & kAggregateDefinitions) {
        ++detail::definition_epochs[static_cast<int>(Definitions::Aggregates)];
    }
    if (scope & kInlineProjectionDefinitions) {
        ++detail::definition_epochs[static_cast<int>(Definitions::InlineProjections)];
    }
}

bool is_event_log_relation(const EventLogOids& oids, Oid relid) {
    return relid == oids.event_log || relid == oids.position_seq || relid == oids.position_index ||
           relid == oids.stream_version_index || relid == oids.event_id_index ||
           relid == oids.category_index || relid == oids.correlation_index;
}

// The one relcache callback. No catalog access here: only comparisons with the last build.
void on_relcache_change(Datum, Oid relid) {
    const MetadataCache& m = detail::metadata;
    // InvalidOid: the whole relcache was reset (sinval overflow). pg_extension: a CREATE,
    // ALTER or DROP EXTENSION chronicle (note_extension_statement). Incomplete: any change
    // may be the creation of what was missing.
    if (!OidIsValid(relid) || relid == ExtensionRelationId || !ever_built || m.incomplete) {
        forget(kEverything);
        return;
    }
    const AggregateRelations& a = m.aggregates;
    if (relid == a.aggregates || relid == a.snapshots || relid == a.snapshots_pkey ||
        relid == a.snapshots_recorded_at_idx) {
        // chronicle.aggregates' trigger sends this on every change of a definition.
        forget(kRelations | kAggregateDefinitions);
    } else if (relid == m.projections) {
        // chronicle.projections' trigger sends this on every change of a definition.
        forget(kRelations | kInlineProjectionDefinitions);
    } else if (is_event_log_relation(m.event_log, relid) || relid == m.projection_parked_events ||
               relid == m.in_flight_appends) {
        forget(kRelations);
    }
}

// The one syscache callback: the schemas chronicle or chronicle_internal were created,
// dropped or renamed (CREATE/DROP EXTENSION, the 0.6 upgrade). hash 0: a full reset.
void on_namespace_change(Datum, int, uint32 hash) {
    // Before the first build the hashes are unknown; nothing is cached then either.
    if (!ever_built) return;
    if (hash == 0 || hash == schema_hash || hash == internal_schema_hash) {
        forget(kEverything);
    } else {
        // A renamed schema may hold a recorded reducer (on_function_change).
        forget(kAggregateDefinitions);
    }
}

// Reducers are recorded by identity and resolved when the aggregates are compiled
// (recorded_function.hpp): any change to pg_proc (a drop, a rename, a new owner, a function
// taking a recorded name) may change what they resolve to. Such changes are rare next to folds.
void on_function_change(Datum, int, uint32) {
    if (!ever_built) return;
    forget(kAggregateDefinitions);
}

// chronicle's row of pg_extension: its OID and version; InvalidOid when not installed.
Oid read_extension(ExtensionVersion* version) {
    Oid extension = InvalidOid;
    *version = ExtensionVersion{0, 0};
    Relation rel = table_open(ExtensionRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
                CStringGetDatum(kExtensionName));
    SysScanDesc scan = systable_beginscan(rel, ExtensionNameIndexId, true, nullptr, 1, &key);
    HeapTuple tuple = systable_getnext(scan);
    if (HeapTupleIsValid(tuple)) {
        extension = reinterpret_cast<Form_pg_extension>(GETSTRUCT(tuple))->oid;
        bool isnull = true;
        const Datum extversion =
            heap_getattr(tuple, Anum_pg_extension_extversion, RelationGetDescr(rel), &isnull);
        const char* written = isnull ? "" : TextDatumGetCString(extversion);
        int major = 0;
        int minor = 0;
        char rest = '\0';
        if (sscanf(written, "%d.%d%c", &major, &minor, &rest) != 2) {
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg("chronicle's installed version \"%s\" is not of the form "
                                   "major.minor",
                                   written)));
        }
        *version = ExtensionVersion{major, minor};
    }
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
    return extension;
}

struct ExpectedColumn {
    const char* name;
    AttrNumber attnum;
    Oid type;
    Oid collation;  // InvalidOid: not checked
};

// What insert_events and the index scans of event_log_access.cpp rely on: the columns in
// this order, of these types, text compared bytewise (COLLATE "C"), and no other column
// (the insert fills every slot of the tuple descriptor). A 0.7 catalog has the first
// kEventLogColumnCountBefore08 of them; 0.8 added the last two.
const ExpectedColumn kEventLogLayout[kEventLogColumnCount] = {
    {"global_position", kColGlobalPosition, INT8OID, InvalidOid},
    {"stream", kColStream, TEXTOID, C_COLLATION_OID},
    {"category", kColCategory, TEXTOID, C_COLLATION_OID},
    {"stream_version", kColStreamVersion, INT8OID, InvalidOid},
    {"event_id", kColEventId, UUIDOID, InvalidOid},
    {"event_type", kColEventType, TEXTOID, C_COLLATION_OID},
    {"data", kColData, JSONBOID, InvalidOid},
    {"metadata", kColMetadata, JSONBOID, InvalidOid},
    {"recorded_at", kColRecordedAt, TIMESTAMPTZOID, InvalidOid},
    {"correlation_id", kColCorrelationId, TEXTOID, C_COLLATION_OID},
    {"causation_id", kColCausationId, TEXTOID, C_COLLATION_OID},
};

// The number of columns of a relation, dropped ones included.
int column_count(Oid relation) {
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relation));
    if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for relation %u", relation);
    const int count = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relnatts;
    ReleaseSysCache(tuple);
    return count;
}

// Which expectation chronicle.event_log fails: kLayoutFits, kLayoutColumnCount, or the index
// of the column in kEventLogLayout; `*with_correlation` says whether it has 0.8's columns.
// Recorded, not raised: DROP EXTENSION (whose guard reads the cache) must stay possible when
// the table does not fit.
int check_event_log_layout(Oid event_log, bool* with_correlation) {
    const int count = column_count(event_log);
    *with_correlation = count == kEventLogColumnCount;
    if (count != kEventLogColumnCount && count != kEventLogColumnCountBefore08) {
        return kLayoutColumnCount;
    }
    for (int i = 0; i < count; ++i) {
        const ExpectedColumn& column = kEventLogLayout[i];
        HeapTuple tuple = SearchSysCacheAttName(event_log, column.name);
        if (!HeapTupleIsValid(tuple)) return i;
        const Form_pg_attribute attribute = reinterpret_cast<Form_pg_attribute>(GETSTRUCT(tuple));
        const bool same =
            attribute->attnum == column.attnum && attribute->atttypid == column.type &&
            (!OidIsValid(column.collation) || attribute->attcollation == column.collation);
        ReleaseSysCache(tuple);
        if (!same) return i;
    }
    return kLayoutFits;
}

// The index read_correlated scans, when `index` is it: a btree on event_log whose keys are
// (correlation_id, global_position). InvalidOid otherwise (a 0.7 catalog has none; a user
// could have replaced it by another index of the same name).
Oid correlation_index_if_fits(Oid index, Oid event_log) {
    if (!OidIsValid(index)) return InvalidOid;
    HeapTuple tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
    if (!HeapTupleIsValid(tuple)) return InvalidOid;
    const Form_pg_index form = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
    bool fits = form->indrelid == event_log && form->indnkeyatts == 2 &&
                form->indkey.values[0] == kColCorrelationId &&
                form->indkey.values[1] == kColGlobalPosition;
    ReleaseSysCache(tuple);
    if (!fits) return InvalidOid;
    tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(index));
    if (!HeapTupleIsValid(tuple)) return InvalidOid;
    fits = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple))->relam == BTREE_AM_OID;
    ReleaseSysCache(tuple);
    return fits ? index : InvalidOid;
}

void read_metadata(MetadataCache* m) {
    *m = MetadataCache{};
    m->extension = read_extension(&m->version);
    m->installed = OidIsValid(m->extension);
    m->chronicle_namespace = get_namespace_oid(kSchemaName, true);
    if (!m->installed || !OidIsValid(m->chronicle_namespace)) {
        *m = MetadataCache{};
        m->incomplete = true;
        return;
    }
    const Oid schema = m->chronicle_namespace;
    // Only the extension's own chronicle_internal: a schema of that name that a role made in
    // a database still at 0.5 would otherwise receive the management functions' calls.
    const Oid internal = get_namespace_oid(kInternalSchemaName, true);
    m->internal_namespace =
        OidIsValid(internal) && getExtensionOfObject(NamespaceRelationId, internal) == m->extension
            ? internal
            : schema;

    EventLogOids& log = m->event_log;
    log.event_log = get_relname_relid("event_log", schema);
    log.position_seq = get_relname_relid("global_position_seq", schema);
    log.position_index = get_relname_relid("event_log_pkey", schema);
    log.stream_version_index = get_relname_relid("event_log_stream_version_key", schema);
    log.event_id_index = get_relname_relid("event_log_event_id_key", schema);
    log.category_index = get_relname_relid("event_log_category_position_idx", schema);
    log.event_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("event"),
                                     ObjectIdGetDatum(schema));
    m->event_log_complete = OidIsValid(log.event_log) && OidIsValid(log.position_seq) &&
                            OidIsValid(log.position_index) &&
                            OidIsValid(log.stream_version_index) &&
                            OidIsValid(log.event_id_index) && OidIsValid(log.category_index) &&
                            OidIsValid(log.event_type);
    if (OidIsValid(log.event_log)) {
        m->event_log_layout = check_event_log_layout(log.event_log, &log.has_correlation_columns);
        m->event_log_complete &= m->event_log_layout == kLayoutFits;
        if (log.has_correlation_columns) {
            log.correlation_index = correlation_index_if_fits(
                get_relname_relid("event_log_correlation_idx", schema), log.event_log);
        }
    }

    AggregateRelations& a = m->aggregates;
    a.aggregates = get_relname_relid("aggregates", schema);
    if (OidIsValid(a.aggregates)) {
        a.snapshots = get_relname_relid("snapshots", schema);
        a.snapshots_pkey = get_relname_relid("snapshots_pkey", schema);
        a.snapshots_recorded_at_idx = get_relname_relid("snapshots_recorded_at_idx", schema);
    }
    m->projections = get_relname_relid("projections", schema);
    m->projection_parked_events = get_relname_relid("projection_parked_events", schema);
    m->in_flight_appends = get_relname_relid("in_flight_appends", schema);
    // Inside chronicle's own CREATE or ALTER EXTENSION script, PostgreSQL has already written
    // the version the step goes to (TimescaleDB calls this state "transitioning"), and the
    // script changes relations after every statement: read again after each change.
    const bool in_own_script = creating_extension && CurrentExtensionObject == m->extension;
    m->incomplete = in_own_script || !m->event_log_complete || !OidIsValid(a.aggregates) ||
                    !OidIsValid(m->projections);
}

}  // namespace

namespace detail {

const MetadataCache& build_metadata_cache() {
    Assert(IsTransactionState());
    if (schema_hash == 0) {
        // Here, not in _PG_init: the postmaster that preloads the library has no syscache.
        schema_hash = GetSysCacheHashValue1(NAMESPACENAME, CStringGetDatum(kSchemaName));
        internal_schema_hash =
            GetSysCacheHashValue1(NAMESPACENAME, CStringGetDatum(kInternalSchemaName));
    }
    for (;;) {
        const std::uint64_t generation = metadata_generation;
        MetadataCache fresh;
        read_metadata(&fresh);
        metadata = fresh;
        ever_built = true;
        if (generation == metadata_generation) break;
    }
    metadata_valid = true;
    // What the rest of chronicle relies on when the cache says installed.
    Assert(!metadata.installed ||
           (OidIsValid(metadata.chronicle_namespace) && OidIsValid(metadata.internal_namespace)));
    Assert(at_least(metadata.version, 0, 2) || !OidIsValid(metadata.aggregates.aggregates) ||
           !metadata.installed);
    return metadata;
}

}  // namespace detail

const MetadataCache& installed_metadata_cache() {
    const MetadataCache& m = metadata_cache();
    if (!m.installed) {
        ereport(ERROR,
                (errcode(ERRCODE_UNDEFINED_SCHEMA), errmsg("schema \"chronicle\" does not exist"),
                 errhint("Run CREATE EXTENSION chronicle in this database.")));
    }
    return m;
}

const EventLogOids& event_log_oids_missing() {
    const MetadataCache& m = installed_metadata_cache();
    Assert(!m.event_log_complete);
    const EventLogOids& log = m.event_log;
    const struct {
        Oid oid;
        const char* name;
    } relations[] = {{log.event_log, "event_log"},
                     {log.position_seq, "global_position_seq"},
                     {log.position_index, "event_log_pkey"},
                     {log.stream_version_index, "event_log_stream_version_key"},
                     {log.event_id_index, "event_log_event_id_key"},
                     {log.category_index, "event_log_category_position_idx"}};
    for (const auto& relation : relations) {
        if (!OidIsValid(relation.oid)) {
            ereport(ERROR,
                    (errcode(ERRCODE_UNDEFINED_OBJECT),
                     errmsg("chronicle's relation chronicle.%s does not exist", relation.name),
                     errhint("Is the extension installed in this database? "
                             "Try DROP EXTENSION chronicle; CREATE EXTENSION chronicle.")));
        }
    }
    if (m.event_log_layout != kLayoutFits) {
        const char* hint =
            "The table was altered by hand, or the library and the installed extension do "
            "not match.";
        if (m.event_log_layout == kLayoutColumnCount) {
            ereport(ERROR,
                    (errcode(ERRCODE_INTERNAL_ERROR),
                     errmsg("chronicle.event_log does not have the layout this library writes"),
                     errdetail("It has %d columns, dropped ones included, where %d (chronicle "
                               "0.7) or %d (0.8 on) are expected.",
                               column_count(log.event_log), kEventLogColumnCountBefore08,
                               kEventLogColumnCount),
                     errhint("%s", hint)));
        }
        const ExpectedColumn& column = kEventLogLayout[m.event_log_layout];
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg("chronicle.event_log does not have the layout this library writes"),
                        errdetail("Column \"%s\" should be column %d, of type %s%s.", column.name,
                                  column.attnum, format_type_be(column.type),
                                  OidIsValid(column.collation) ? " COLLATE \"C\"" : ""),
                        errhint("%s", hint)));
    }
    ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                    errmsg("chronicle's type chronicle.event does not exist"),
                    errhint("Try DROP EXTENSION chronicle; CREATE EXTENSION chronicle.")));
    pg_unreachable();
}

void register_metadata_cache_invalidation() {
    CacheRegisterRelcacheCallback(on_relcache_change, (Datum)0);
    CacheRegisterSyscacheCallback(NAMESPACENAME, on_namespace_change, (Datum)0);
    CacheRegisterSyscacheCallback(PROCOID, on_function_change, (Datum)0);
}

void note_extension_statement() {
    CacheInvalidateRelcacheByRelid(ExtensionRelationId);
}

}  // namespace chronicle::pg
