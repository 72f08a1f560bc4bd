// Writing a batch into an aggregate projection's table: every touched stream's row is read
// (locked), folded forward from the state it holds with the fold engine, and all rows are
// written back with one statement. Shared by the worker, the rebuilds and inline appends,
// so that "the row of a stream" means the same thing everywhere.
//
// C++ side of the boundary: call inside core_call, within an SPI connection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chronicle/core/projection_batch.hpp"
#include "chronicle/core/projection_sql.hpp"
#include "chronicle/pg/aggregates/aggregate_catalog.hpp"
#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "executor/spi.h"
#include "utils/jsonb.h"
#include "utils/snapshot.h"
}

namespace chronicle::pg {

// The typed columns of a projection table as SQL (core/projection_sql.hpp) from the column
// spec create_projection recorded: names quoted with quote_identifier, types parsed as type
// names with the current (pinned) search_path and spelled by format_type with their schema.
std::vector<ProjectionColumnSql> projection_columns_sql(Jsonb* columns);

// The statements of one projection table (core/projection_sql.hpp's, prepared).
struct ProjectionStatements {
    SPIPlanPtr select_rows;  // $1 text[] -> (stream, version, state), rows locked
    SPIPlanPtr upsert_rows;  // $1 text[], $2 bigint[], $3 jsonb[]
};

// Prepares them for `table` (an aggregate projection's table or its rebuild). The plans are
// in the SPI connection's memory unless the caller keeps them (SPI_keepplan).
ProjectionStatements prepare_projection_statements(Oid table, Jsonb* columns);

// Where a fold stopped, when it did: the stream and the version that could not be applied.
struct RowFailure {
    std::string stream;
    std::int64_t version = 0;
};

// Folds each stream of `streams` up to its last_version onto its row and writes the rows.
// `events` is the snapshot the fold reads the event log with. `statement_snapshot`, when
// valid, is the one the statements run with (inline appends run them with the latest one,
// whatever their isolation level, as they hold the stream's lock); InvalidSnapshot lets SPI
// take its own. Returns the number of rows written. On an error, `failure` says where.
std::int64_t fold_onto_rows(const CachedAggregate& aggregate, const ProjectionStatements& sql,
                            const std::vector<TouchedStream>& streams, Snapshot events,
                            Snapshot statement_snapshot, RowFailure& failure);

// One row, for inline appends: plain read, then UPDATE or INSERT (core/projection_sql.hpp's
// select_row, update_row, insert_row), cheaper per append than the batch form.
struct RowStatements {
    SPIPlanPtr select_row;  // $1 text -> (version, state)
    SPIPlanPtr update_row;  // $1 text, $2 bigint, $3 jsonb
    SPIPlanPtr insert_row;  // $1 text, $2 bigint, $3 jsonb
};
RowStatements prepare_row_statements(Oid table, Jsonb* columns);

// The end of a rebuild: the live table's rows replaced by the rebuilt ones, every column
// copied, in the caller's transaction. Run as the projection's owner: it does only what the
// owner's own rights on both tables allow (the live table keeps its OID, indexes, grants and
// dependent views; readers see the old rows until the transaction commits).
void replace_rows_with_rebuilt(Oid live, Oid rebuilt, Jsonb* columns);

// Folds `stream` up to `last_version` onto its row in `table` and writes it, for an inline
// append. The caller holds the stream's lock; this takes RowExclusiveLock on the table, so
// that a rebuild's swap (which locks it EXCLUSIVE) never runs between the read and the
// write, and only then takes the latest snapshot the statements run with, whatever the
// transaction's isolation: an append that waited for a swap folds onto the swapped row.
void fold_onto_row(const CachedAggregate& aggregate, Oid table, const RowStatements& sql,
                   text* stream, int64 last_version, Snapshot events);

}  // namespace chronicle::pg
