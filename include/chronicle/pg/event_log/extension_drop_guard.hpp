// DROP EXTENSION chronicle refuses while the event log holds events, unless the session
// turned chronicle.allow_drop_with_events on (see src/pg/extension_drop_guard.cpp).
#pragma once

namespace chronicle::pg {

extern bool allow_drop_with_events;  // chronicle.allow_drop_with_events

// Defines chronicle.allow_drop_with_events; called from _PG_init before the "chronicle"
// prefix is reserved, so that a value SET before the library was loaded is kept.
void register_extension_drop_guard_settings();

}  // namespace chronicle::pg
