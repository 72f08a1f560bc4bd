// The event trigger chronicle_guard_extension_drop (ddl_command_start, DROP EXTENSION and
// DROP SCHEMA).
//
// DROP EXTENSION chronicle [CASCADE] and DROP SCHEMA chronicle CASCADE drop
// chronicle.event_log with the extension: every event, the system of record, gone with one
// command that looks like tidying up. The
// trigger refuses it while the log holds events unless the session said it means it
// (SET chronicle.allow_drop_with_events = on). An event trigger rather than the
// ProcessUtility hook, because the hook exists only with shared_preload_libraries and the
// trigger loads the library itself.
#include "chronicle/pg/boundary/pg_compat.hpp"
#include "chronicle/pg/event_log/extension_drop_guard.hpp"

#include "chronicle/pg/catalog/metadata_cache.hpp"

#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(chronicle_guard_extension_drop);
}

namespace chronicle::pg {

bool allow_drop_with_events = false;

namespace {

bool names_chronicle(const List* names) {
    const ListCell* cell;
    foreach (cell, names) {
        if (strcmp(strVal(lfirst(cell)), "chronicle") == 0) return true;
    }
    return false;
}

// The newest event's global position, 0 when the log is empty. Locks the event log first
// with the lock DROP EXTENSION is about to take anyway: appends in progress finish before
// it is granted, so no event committed just after the check can be dropped unseen, and
// SnapshotSelf (committed rows and this transaction's own, whatever the isolation level;
// a REPEATABLE READ snapshot would miss events committed since it was taken) sees them all.
int64 newest_position(Oid schema) {
    const Oid event_log_oid = get_relname_relid("event_log", schema);
    const Oid position_index_oid = get_relname_relid("event_log_pkey", schema);
    if (!OidIsValid(event_log_oid) || !OidIsValid(position_index_oid)) return 0;
    Relation event_log = table_open(event_log_oid, AccessExclusiveLock);
    Relation index = index_open(position_index_oid, AccessShareLock);
    SysScanDesc scan = systable_beginscan_ordered(event_log, index, SnapshotSelf, 0, nullptr);
    HeapTuple row = systable_getnext_ordered(scan, BackwardScanDirection);
    int64 position = 0;
    if (HeapTupleIsValid(row)) {
        bool isnull;
        position = DatumGetInt64(heap_getattr(row, 1, RelationGetDescr(event_log), &isnull));
    }
    systable_endscan_ordered(scan);
    index_close(index, AccessShareLock);
    table_close(event_log, NoLock);  // held until the transaction ends, as DROP would
    return position;
}

}  // namespace

void register_extension_drop_guard_settings() {
    // PGC_USERSET: it is a confirmation, not a privilege. Only the extension's owner (or a
    // superuser) can drop it, which PostgreSQL checks; PGC_SUSET would only stop an owner
    // who is not a superuser from confirming, and a value SET before the library is loaded
    // (chronicle not preloaded) is kept only when the setter may set it.
    DefineCustomBoolVariable(
        "chronicle.allow_drop_with_events",
        "Lets DROP EXTENSION chronicle drop an event log that holds events.",
        "Off: DROP EXTENSION chronicle refuses while chronicle.event_log holds events.",
        &allow_drop_with_events, false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
}

}  // namespace chronicle::pg

extern "C" Datum chronicle_guard_extension_drop(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo)) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("chronicle.guard_extension_drop() must be called as an event "
                               "trigger")));
    }
    EventTriggerData* trigger = reinterpret_cast<EventTriggerData*>(fcinfo->context);
    if (allow_drop_with_events || trigger->parsetree == nullptr ||
        !IsA(trigger->parsetree, DropStmt)) {
        PG_RETURN_VOID();
    }
    DropStmt* drop = castNode(DropStmt, trigger->parsetree);
    // DROP SCHEMA chronicle CASCADE drops the extension too: the extension depends on its
    // schema, it is not a member of it. Without CASCADE PostgreSQL refuses it on its own.
    const bool drops_schema = drop->removeType == OBJECT_SCHEMA && drop->behavior == DROP_CASCADE;
    if ((drop->removeType != OBJECT_EXTENSION && !drops_schema) ||
        !names_chronicle(drop->objects)) {
        PG_RETURN_VOID();
    }
    const MetadataCache& metadata = metadata_cache();
    const Oid extension = metadata.extension;
    const Oid schema = metadata.chronicle_namespace;
    if (!metadata.installed) PG_RETURN_VOID();
    // Whoever may not drop it gets PostgreSQL's own error; the event log's lock is not theirs
    // to take.
    if (drops_schema ? !compat::owns_namespace(schema, GetUserId())
                     : !compat::owns_extension(extension, GetUserId())) {
        PG_RETURN_VOID();
    }
    const int64 newest = newest_position(schema);
    if (newest == 0) PG_RETURN_VOID();
    ereport(ERROR,
            (errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
             drops_schema ? errmsg("cannot drop schema chronicle because it would drop extension "
                                   "chronicle, whose event log holds events")
                          : errmsg("cannot drop extension chronicle because its event log holds "
                                   "events"),
             errdetail("Dropping the extension drops chronicle.event_log and every event in it "
                       "(the newest at global position " INT64_FORMAT ").",
                       newest),
             errhint("If you mean to delete every event, run SET "
                     "chronicle.allow_drop_with_events = on first, in the same session.")));
    PG_RETURN_VOID();
}
