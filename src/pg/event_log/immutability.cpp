// The trigger that keeps stored events immutable.
#include "chronicle/core/error.hpp"
#include "chronicle/pg/boundary/boundary.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/boundary/errcodes.hpp"

extern "C" {
#include "commands/trigger.h"

PG_FUNCTION_INFO_V1(chronicle_refuse_event_change);
}

extern "C" Datum chronicle_refuse_event_change(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_TRIGGER(fcinfo)) {
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("chronicle.refuse_event_change() must be called as a trigger")));
    }
    const TriggerData* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    const char* what = TRIGGER_FIRED_BY_UPDATE(trigger->tg_event)   ? "UPDATE"
                       : TRIGGER_FIRED_BY_DELETE(trigger->tg_event) ? "DELETE"
                                                                    : "TRUNCATE";
    ereport(ERROR,
            (errcode(ERRCODE_CHRONICLE_IMMUTABLE_EVENTS),
             errmsg("events are immutable: %s on chronicle.event_log is not allowed", what),
             errdetail("An event store only ever appends; correct a mistake with a new event.")));
    PG_RETURN_NULL();
}
