// The settings chronicle.correlation_id and chronicle.causation_id (see
// correlation_settings.hpp): user-settable strings, empty for none, at most 255 bytes.
#include "chronicle/pg/event_log/correlation_settings.hpp"

#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace chronicle::pg {

char* correlation_id_setting = nullptr;
char* causation_id_setting = nullptr;

namespace {

// Refuses an oversize value when it is set (SET, ALTER ROLE ... SET, postgresql.conf), so
// that an append never meets one: a SET fails with 22023 invalid_parameter_value.
bool check_id_setting(char** newval, void**, GucSource) {
    if (*newval == nullptr) return true;
    const char* problem = chronicle::id_setting_problem(*newval);
    if (problem == nullptr) return true;
    GUC_check_errdetail("The value has %zu bytes.", strlen(*newval));
    GUC_check_errhint("%s", problem);
    return false;
}

}  // namespace

void register_correlation_settings() {
    DefineCustomStringVariable(
        "chronicle.correlation_id",
        "The correlation id appends record for events whose metadata has no \"correlation_id\".",
        "Empty: none. SET LOCAL tags every event of a transaction; chronicle.read_correlated "
        "reads them back.",
        &correlation_id_setting, "", PGC_USERSET, 0, check_id_setting, nullptr, nullptr);
    DefineCustomStringVariable(
        "chronicle.causation_id",
        "The causation id appends record for events whose metadata has no \"causation_id\".",
        "Empty: none.", &causation_id_setting, "", PGC_USERSET, 0, check_id_setting, nullptr,
        nullptr);
}

}  // namespace chronicle::pg
