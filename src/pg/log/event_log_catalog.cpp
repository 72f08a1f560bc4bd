// Where the event log lives in this database: the OIDs of its table, sequence and indexes,
// looked up once per backend.

#include "chronicle/pg/log/event_log_catalog.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "utils/inval.h"
#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace chronicle::pg {
namespace {

EventLogOids cached;
bool cached_valid = false;

Oid relation_in_schema(const char* name, Oid schema) {
    Oid oid = get_relname_relid(name, schema);
    if (!OidIsValid(oid)) {
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                        errmsg("chronicle's relation chronicle.%s does not exist", name),
                        errhint("Is the extension installed in this database? "
                                "Try DROP EXTENSION chronicle; CREATE EXTENSION chronicle.")));
    }
    return oid;
}

void forget_on_relcache_change(Datum, Oid relid) {
    if (!cached_valid) return;
    if (!OidIsValid(relid) || relid == cached.event_log || relid == cached.position_seq ||
        relid == cached.position_index || relid == cached.stream_version_index ||
        relid == cached.event_id_index || relid == cached.category_index) {
        cached_valid = false;
    }
}

}  // namespace

const EventLogOids& event_log_oids() {
    if (cached_valid) return cached;
    Oid schema = get_namespace_oid("chronicle", true);
    if (!OidIsValid(schema)) {
        ereport(ERROR,
                (errcode(ERRCODE_UNDEFINED_SCHEMA), errmsg("schema \"chronicle\" does not exist"),
                 errhint("Run CREATE EXTENSION chronicle in this database.")));
    }
    cached.event_log = relation_in_schema("event_log", schema);
    cached.position_seq = relation_in_schema("global_position_seq", schema);
    cached.position_index = relation_in_schema("event_log_pkey", schema);
    cached.stream_version_index = relation_in_schema("event_log_stream_version_key", schema);
    cached.event_id_index = relation_in_schema("event_log_event_id_key", schema);
    cached.category_index = relation_in_schema("event_log_category_position_idx", schema);
    cached.event_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum("event"),
                                        ObjectIdGetDatum(schema));
    if (!OidIsValid(cached.event_type)) {
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                        errmsg("chronicle's type chronicle.event does not exist"),
                        errhint("Try DROP EXTENSION chronicle; CREATE EXTENSION chronicle.")));
    }
    cached_valid = true;
    return cached;
}

void register_event_log_invalidation() {
    CacheRegisterRelcacheCallback(forget_on_relcache_change, (Datum)0);
}

}  // namespace chronicle::pg
