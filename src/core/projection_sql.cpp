// The statements of an aggregate projection's table (include/chronicle/core/projection_sql.hpp),
// built as text without PostgreSQL.
#include "chronicle/core/projection_sql.hpp"

namespace chronicle {

namespace {

// The value of one typed column, taken from the JSON `state` (an expression of type jsonb).
std::string column_value(std::string_view state, const ProjectionColumnSql& column) {
    std::string value = "((";
    value += state;
    value += column.json ? " OPERATOR(pg_catalog.#>) " : " OPERATOR(pg_catalog.#>>) ";
    value += sql_string_literal(text_array_literal(column.path));
    value += "::pg_catalog.text[])::";
    value += column.type;
    value += ")";
    return value;
}

}  // namespace

std::string sql_string_literal(std::string_view value) {
    std::string literal;
    literal.reserve(value.size() + 3);
    const bool escapes = value.find('\\') != std::string_view::npos;
    if (escapes) literal += 'E';
    literal += '\'';
    for (const char c : value) {
        if (c == '\'') literal += '\'';
        if (c == '\\' && escapes) literal += '\\';
        literal += c;
    }
    literal += '\'';
    return literal;
}

std::string text_array_literal(const std::vector<std::string>& elements) {
    std::string literal = "{";
    for (size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) literal += ',';
        literal += '"';
        for (const char c : elements[i]) {
            if (c == '"' || c == '\\') literal += '\\';
            literal += c;
        }
        literal += '"';
    }
    literal += '}';
    return literal;
}

ProjectionSql projection_sql(std::string_view table,
                             const std::vector<ProjectionColumnSql>& columns) {
    const std::string t(table);
    std::string names;
    std::string batch_values;
    std::string row_values;
    std::string batch_updates;
    std::string row_updates;
    for (const ProjectionColumnSql& column : columns) {
        names += ", " + column.name;
        batch_values += ", " + column_value("u.state", column);
        row_values += ", " + column_value("$3::pg_catalog.jsonb", column);
        batch_updates += ", " + column.name + " = excluded." + column.name;
        row_updates += ", " + column.name + " = " + column_value("$3::pg_catalog.jsonb", column);
    }
    ProjectionSql sql;
    sql.select_rows = "SELECT stream, version, state FROM " + t +
                      " WHERE stream OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[]) FOR UPDATE";
    // ROWS FROM of three unnest calls is what the parser makes of unnest($1, $2, $3) anyway;
    // spelled out, each call is named with its schema.
    sql.upsert_rows = "INSERT INTO " + t + " AS t (stream, version, state, updated_at" + names +
                      ") SELECT u.stream, u.version, u.state, pg_catalog.now()" + batch_values +
                      " FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
                      "pg_catalog.unnest($2::pg_catalog.int8[]), "
                      "pg_catalog.unnest($3::pg_catalog.jsonb[])) AS u(stream, version, state) "
                      "ON CONFLICT (stream) DO UPDATE SET version = excluded.version, "
                      "state = excluded.state, updated_at = excluded.updated_at" +
                      batch_updates;
    sql.select_row = "SELECT version, state FROM " + t + " WHERE stream OPERATOR(pg_catalog.=) $1";
    sql.update_row = "UPDATE " + t +
                     " SET version = $2, state = $3, updated_at = pg_catalog.now()" + row_updates +
                     " WHERE stream OPERATOR(pg_catalog.=) $1";
    sql.insert_row = "INSERT INTO " + t + " (stream, version, state, updated_at" + names +
                     ") VALUES ($1, $2, $3, pg_catalog.now()" + row_values + ")";
    return sql;
}

SwapSql swap_sql(std::string_view live, std::string_view rebuilt,
                 const std::vector<ProjectionColumnSql>& columns) {
    std::string names = "stream, version, state, updated_at";
    for (const ProjectionColumnSql& column : columns) names += ", " + column.name;
    SwapSql sql;
    sql.delete_live = "DELETE FROM " + std::string(live);
    sql.copy_rebuilt = "INSERT INTO " + std::string(live) + " (" + names + ") SELECT " + names +
                       " FROM " + std::string(rebuilt);
    return sql;
}

}  // namespace chronicle
