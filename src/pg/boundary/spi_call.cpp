// The one SPI helper for chronicle's own statements (see spi_call.hpp).
#include "chronicle/pg/boundary/spi_call.hpp"

namespace chronicle::pg {

void spi_run(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls,
             int expected) {
    const int rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
    if (rc != expected)
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("\"%s\" failed: %s", sql, SPI_result_code_string(rc))));
}

}  // namespace chronicle::pg
