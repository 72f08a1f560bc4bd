// One SPI statement run with its parameters and its result code checked: the helper the
// worker's bookkeeping and the aggregate admin functions share, so that a failed internal
// statement is reported the same way everywhere.
//
// Plain C-style glue: PostgreSQL calls only; use inside pg_guarded, within an SPI connection.
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "executor/spi.h"
}

namespace chronicle::pg {

// Runs `sql` (read-write, no row limit) with `nargs` parameters; a result other than
// `expected` (an SPI_OK_* code) is an internal error that names the statement.
void spi_run(const char* sql, int nargs, Oid* types, Datum* values, const char* nulls,
             int expected);

}  // namespace chronicle::pg
