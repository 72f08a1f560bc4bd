// The database worker's NOTIFY pass (worker_notifier.hpp).

#include "chronicle/pg/subscriptions/worker_notifier.hpp"

#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/catalog/metadata_cache.hpp"
#include "chronicle/pg/event_log/event_log_access.hpp"
#include "chronicle/pg/event_log/in_flight_positions.hpp"
#include "chronicle/pg/subscriptions/commit_signals.hpp"
#include "chronicle/pg/workers/worker_registry.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "commands/async.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

#include <cstring>

namespace chronicle::pg {
namespace {

// Every event at or below it has been notified (or was committed before anyone listened);
// -1 while this worker does not notify.
int64 notified_up_to = -1;

// More categories than this in one pass: the rest get chronicle_all only.
constexpr int kMaxCategories = 256;
// At most one pass this often: under a stream of appends each pass then covers many commits,
// and the worker (its transaction, its NOTIFY, the signal to every listener) stays off the
// appenders' cores. The price: up to this much more delay for a listener.
constexpr long kMinPassIntervalMs = 5;
TimestampTz last_pass = 0;

struct CategorySeen {
    char channel[NAMEDATALEN];
    int64 last_position;
};

// The events in (after, before), in position order, by category; in the current transaction.
void notify_range(const EventLogOids& oids, int64 after, int64 before) {
    CategorySeen* seen = static_cast<CategorySeen*>(palloc(sizeof(CategorySeen) * kMaxCategories));
    int count = 0;
    int64 last = 0;
    Relation heap = table_open(oids.event_log, AccessShareLock);
    PositionRangeScan range =
        begin_position_range_scan(heap, oids, nullptr, after, before, GetActiveSnapshot());
    TupleDesc desc = RelationGetDescr(heap);
    HeapTuple row;
    while (HeapTupleIsValid(row = systable_getnext_ordered(range.scan, ForwardScanDirection))) {
        CHECK_FOR_INTERRUPTS();
        bool isnull;
        last = DatumGetInt64(heap_getattr(row, kColGlobalPosition, desc, &isnull));
        text* category = DatumGetTextPP(heap_getattr(row, kColCategory, desc, &isnull));
        char channel[NAMEDATALEN];
        if (!category_channel(VARDATA_ANY(category), static_cast<int>(VARSIZE_ANY_EXHDR(category)),
                              channel)) {
            continue;
        }
        int i = 0;
        while (i < count && strcmp(seen[i].channel, channel) != 0) ++i;
        if (i == count) {
            if (count == kMaxCategories) continue;
            memcpy(seen[count].channel, channel, NAMEDATALEN);
            ++count;
        }
        seen[i].last_position = last;
    }
    end_position_range_scan(range);
    table_close(heap, AccessShareLock);
    for (int i = 0; i < count; ++i) notify_position(seen[i].channel, seen[i].last_position);
    if (last > 0) notify_position(kAllEventsChannel, last);
}

}  // namespace

namespace {

// Rate of the warning a failing pass logs (a full NOTIFY queue fails every pass).
constexpr long kWarningIntervalMs = 60000;
TimestampTz last_warning = 0;

// One pass in its own transaction. Plain C-style: may raise.
void notify_pass() {
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    const MetadataCache& metadata = metadata_cache();
    if (!metadata.installed || !metadata.event_log_complete) {
        CommitTransactionCommand();
        return;
    }
    const EventLogOids& oids = metadata.event_log;
    // Below the horizon every position is committed or never will be; the snapshot taken
    // after reading it sees every committed one.
    const int64 horizon = current_read_horizon(oids.position_seq);
    if (notified_up_to < 0) {
        // Appenders notify themselves until they see the announcement, which comes after
        // this horizon: whatever they leave to the worker lies above it.
        notified_up_to = horizon - 1;
        set_worker_notifies(true);
    } else if (horizon - 1 > notified_up_to) {
        const int64 from = notified_up_to;
        // Moved on first: a pass that fails (at its commit, when PostgreSQL's NOTIFY queue is
        // full because a listener does not read it) is not tried again and again.
        notified_up_to = horizon - 1;
        PushActiveSnapshot(GetTransactionSnapshot());
        notify_range(oids, from, horizon);
        PopActiveSnapshot();
    }
    CommitTransactionCommand();
}

}  // namespace

bool notify_committed_appends() {
    if (!database_has_listeners(MyDatabaseId)) {
        if (notified_up_to >= 0) {
            set_worker_notifies(false);
            notified_up_to = -1;
        }
        return false;
    }
    const long since_ms = static_cast<long>((GetCurrentTimestamp() - last_pass) / 1000);
    if (since_ms >= 0 && since_ms < kMinPassIntervalMs) {
        pg_usleep((kMinPassIntervalMs - since_ms) * 1000L);
    }
    last_pass = GetCurrentTimestamp();
    // A failing pass must not take the worker down with it: its projections go on, and the
    // listeners, who poll now and then anyway, miss these notifications.
    MemoryContext caller = CurrentMemoryContext;
    PG_TRY();
    { notify_pass(); }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller);
        ErrorData* error = CopyErrorData();
        FlushErrorState();
        AbortCurrentTransaction();
        MemoryContextSwitchTo(caller);
        const TimestampTz now = GetCurrentTimestamp();
        if (last_warning == 0 ||
            TimestampDifferenceExceeds(last_warning, now, kWarningIntervalMs)) {
            last_warning = now;
            ereport(WARNING,
                    (errmsg("chronicle's worker could not notify the listeners of appends: %s",
                            error->message),
                     errdetail("Listeners miss these notifications; their periodic polls still "
                               "find the events."),
                     errhint("A session that LISTENs must read its notifications (see "
                             "pg_notification_queue_usage())."),
                     errcode(error->sqlerrcode)));
        }
        FreeErrorData(error);
    }
    PG_END_TRY();
    return true;
}

}  // namespace chronicle::pg
