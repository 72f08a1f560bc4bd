// The statements that read and write an aggregate projection's table, as SQL text, made from
// its column spec. Pure string building, so that every guard in them is unit-tested: the glue
// (src/pg/projections/projection_rows.cpp) quotes the names and spells the types with
// PostgreSQL's own quote_identifier and format_type, and prepares the result.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chronicle {

// One typed column of a projection table, as SQL: `name` an identifier already quoted,
// `type` a type name already spelled for SQL (schema-qualified outside pg_catalog), `json`
// whether the type is json or jsonb (the value is then taken as JSON with #>, otherwise as
// text with #>> and cast), `path` the keys in the state it is taken from (raw, not quoted).
struct ProjectionColumnSql {
    std::string name;
    std::string type;
    bool json = false;
    std::vector<std::string> path;
};

// Every operator, function and type in them is named with its schema (pg_catalog), so that
// they mean the same whatever search_path they are planned with; the only names left to
// resolve are the table's (given quoted and qualified) and the column types'.
struct ProjectionSql {
    // $1 text[] -> (stream, version, state) of the rows that exist, locked FOR UPDATE so that
    // a batch never interleaves with an inline append or a rebuild's swap on one row.
    std::string select_rows;
    // $1 text[], $2 bigint[], $3 jsonb[]: every row inserted or, on conflict, overwritten.
    std::string upsert_rows;
    // One row, for inline appends, which hold the stream's lock and the table's: a plain
    // read ($1 text -> version, state), then UPDATE or INSERT ($1 text, $2 bigint, $3 jsonb).
    std::string select_row;
    std::string update_row;
    std::string insert_row;
};

// `table` is the table's name, quoted and schema-qualified.
ProjectionSql projection_sql(std::string_view table,
                             const std::vector<ProjectionColumnSql>& columns);

// The end of a rebuild: the live table's rows replaced by the rebuild table's (both quoted
// and schema-qualified), every column copied as it is. Two statements, run in this order.
struct SwapSql {
    std::string delete_live;
    std::string copy_rebuilt;
};
SwapSql swap_sql(std::string_view live, std::string_view rebuilt,
                 const std::vector<ProjectionColumnSql>& columns);

// A string constant that reads back as `value` whatever standard_conforming_strings says
// (as PostgreSQL's quote_literal: an E'' string, backslashes doubled, when it has one).
std::string sql_string_literal(std::string_view value);

// A text[] literal's text ({"a","b"}): every element double-quoted, " and \ escaped, so that
// no element is read as NULL, split, or trimmed.
std::string text_array_literal(const std::vector<std::string>& elements);

}  // namespace chronicle
