// SQL entry point chronicle.read_correlated (0.8): every event of one conversation, in
// position order, from the partial index (correlation_id, global_position) of the event log.
#include <optional>
#include <string_view>

#include "chronicle/core/correlation_ids.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/boundary/text_view.hpp"
#include "chronicle/pg/event_log/event_log_access.hpp"

extern "C" {
#include "access/genam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_collation.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(chronicle_read_correlated);
}

// As read_stream: the events the caller's snapshot sees (not a gap-safe tail: a consumer that
// follows the log uses read_all or a subscription).
extern "C" Datum chronicle_read_correlated(PG_FUNCTION_ARGS) {
    using namespace chronicle::pg;
    text* correlation_id = PG_ARGISNULL(0) ? nullptr : PG_GETARG_TEXT_PP(0);
    core_call([&] { chronicle::validate_correlation_argument(optional_view(correlation_id)); });

    const EventLogOids& oids = event_log_oids();
    if (!OidIsValid(oids.correlation_index)) {
        const MetadataCache& m = metadata_cache();
        if (!oids.has_correlation_columns) {
            ereport(ERROR,
                    (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                     errmsg("chronicle.read_correlated needs chronicle 0.8 in this database"),
                     errdetail("The installed version is %d.%d, whose event log has no "
                               "correlation ids.",
                               m.version.major, m.version.minor),
                     errhint("Run ALTER EXTENSION chronicle UPDATE.")));
        }
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
                        errmsg("chronicle.read_correlated cannot find its index "
                               "chronicle.event_log_correlation_idx"),
                        errdetail("It reads a btree index of that name on chronicle.event_log "
                                  "(correlation_id, global_position), and there is none."),
                        errhint("Create it again: CREATE INDEX event_log_correlation_idx ON "
                                "chronicle.event_log (correlation_id, global_position) WHERE "
                                "correlation_id IS NOT NULL.")));
    }

    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);

    Relation heap = table_open(oids.event_log, AccessShareLock);
    Relation index = index_open(oids.correlation_index, AccessShareLock);
    ScanKeyData key;
    // A heap column number: systable_beginscan_ordered maps it to the index's column.
    ScanKeyEntryInitialize(&key, 0, kColCorrelationId, BTEqualStrategyNumber, InvalidOid,
                           C_COLLATION_OID, F_TEXTEQ, PointerGetDatum(correlation_id));
    // Equal first keys: the index returns them in global_position order.
    SysScanDesc scan = systable_beginscan_ordered(heap, index, GetActiveSnapshot(), 1, &key);
    TupleDesc desc = RelationGetDescr(heap);
    HeapTuple row;
    while (HeapTupleIsValid(row = systable_getnext_ordered(scan, ForwardScanDirection))) {
        CHECK_FOR_INTERRUPTS();
        Datum values[kEventTypeColumnCount];
        bool nulls[kEventTypeColumnCount];
        event_row_values(row, desc, values, nulls);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    systable_endscan_ordered(scan);
    index_close(index, AccessShareLock);
    table_close(heap, AccessShareLock);
    return (Datum)0;
}
