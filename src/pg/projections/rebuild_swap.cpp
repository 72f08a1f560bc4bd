// Where a rebuild's swap starts reading. The rebuilt rows must hold exactly the events whose
// effect the live rows hold when the swap replaces them, or what the live rows hold beyond
// them is lost, or applied twice later.
//
// An async projection's live rows hold the events below its position, and only the worker
// writes them, at horizons that never decrease; its position moves to the rebuild's after
// the swap. So the rebuilt rows catch up to a read horizon taken now (at or past every one the
// live rows were filled to), and the events of transactions still in flight are applied
// later, from the rebuilt position, like any others.
//
// An inline projection's live rows are written by the appending transactions themselves,
// under RowExclusiveLock on the table, whatever the read horizon: they hold every committed
// event of the category, also those above a position that another transaction (of any
// category) still holds. A horizon would leave those out, and after the swap nothing would
// apply them again (issue 10, defect 1). Once the EXCLUSIVE lock is granted, every
// transaction that wrote the table has ended, and none can write it before the swap commits,
// so a snapshot taken now sees every event whose effect the live rows hold: the rebuilt
// rows catch up with all of them (below the committed horizon), whatever positions other
// transactions still hold. Events still in flight are not in the live rows either; their
// transactions apply them when they get the lock, after the swap committed, onto the swapped
// rows (read with a snapshot taken once they hold the lock: fold_onto_row).
#include "chronicle/pg/projections/rebuild_swap.hpp"

#include "chronicle/pg/event_log/event_log_catalog.hpp"
#include "chronicle/pg/event_log/in_flight_positions.hpp"
#include "chronicle/pg/boundary/spi_call.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "fmgr.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(chronicle_drop_rebuild_table);
}

namespace chronicle::pg {

SwapPoint lock_live_table_for_swap(Oid live, bool inline_mode) {
    char* lock = psprintf("LOCK TABLE %s IN EXCLUSIVE MODE",
                          quote_qualified_identifier(get_namespace_name(get_rel_namespace(live)),
                                                     get_rel_name(live)));
    if (SPI_execute(lock, false, 0) != SPI_OK_UTILITY) {
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("\"%s\" failed", lock)));
    }
    pfree(lock);
    const Oid position_seq = event_log_oids().position_seq;
    SwapPoint point{0, nullptr};
    if (inline_mode) {
        // Snapshot first: every event it sees has a position handed out before the horizon
        // is read.
        point.snapshot = RegisterSnapshot(GetLatestSnapshot());
        point.horizon = committed_horizon(position_seq);
    } else {
        // Horizon first: the events below it are committed, so visible to a later snapshot.
        point.horizon = current_read_horizon(position_seq);
        point.snapshot = RegisterSnapshot(GetLatestSnapshot());
    }
    return point;
}

namespace {

// rebuild_<digits>, as chronicle._rebuild_projection names them.
bool is_rebuild_table_name(const char* name) {
    constexpr char kPrefix[] = "rebuild_";
    if (strncmp(name, kPrefix, sizeof(kPrefix) - 1) != 0) return false;
    const char* digits = name + sizeof(kPrefix) - 1;
    if (*digits == '\0') return false;
    for (; *digits != '\0'; ++digits) {
        if (*digits < '0' || *digits > '9') return false;
    }
    return true;
}

}  // namespace

void drop_rebuild_table(const char* projection, Oid rebuild) {
    if (!OidIsValid(rebuild)) return;
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(rebuild));
    if (!HeapTupleIsValid(tuple)) return;
    const Form_pg_class form = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
    const Oid schema = form->relnamespace;
    char* name = pstrdup(NameStr(form->relname));
    ReleaseSysCache(tuple);
    // chronicle's schema is the event log's: no name is looked up through a search_path.
    const Oid chronicle_schema = get_rel_namespace(event_log_oids().event_log);
    if (schema != chronicle_schema || !is_rebuild_table_name(name)) {
        ereport(ERROR,
                (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                 errmsg("projection \"%s\" records %s as its rebuild table, which chronicle did "
                        "not create",
                        projection, quote_qualified_identifier(get_namespace_name(schema), name)),
                 errhint("Only the rebuild tables chronicle made itself "
                         "(chronicle.rebuild_<n>) are dropped.")));
    }
    spi_run(psprintf("DROP TABLE %s",
                     quote_qualified_identifier(get_namespace_name(chronicle_schema), name)),
            0, nullptr, nullptr, nullptr, SPI_OK_UTILITY);
}

}  // namespace chronicle::pg

// chronicle._drop_rebuild_table(projection_name text, rebuild regclass): the management
// functions' way to the same check and drop as the worker's.
extern "C" Datum chronicle_drop_rebuild_table(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(1)) PG_RETURN_VOID();
    const char* projection = PG_ARGISNULL(0) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(0));
    const Oid rebuild = PG_GETARG_OID(1);
    if (SPI_connect() != SPI_OK_CONNECT)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("SPI_connect failed")));
    chronicle::pg::drop_rebuild_table(projection, rebuild);
    SPI_finish();
    PG_RETURN_VOID();
}
