// Unit tests for include/chronicle/core/projection_sql.hpp: the statements of a projection
// table name every operator, function and type with its schema, and quote what they embed.
#include "chronicle/core/projection_sql.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using chronicle::projection_sql;
using chronicle::ProjectionColumnSql;
using chronicle::ProjectionSql;
using chronicle::sql_string_literal;
using chronicle::swap_sql;
using chronicle::text_array_literal;

std::vector<ProjectionColumnSql> two_columns() {
    return {{"status", "pg_catalog.text", false, {"status"}},
            {"\"Customer \"\"X\"\"\"", "pg_catalog.jsonb", true, {"customer", "id"}}};
}

TEST(ProjectionSqlTest, StringLiteralDoublesQuotes) {
    EXPECT_EQ(sql_string_literal("it's"), "'it''s'");
    EXPECT_EQ(sql_string_literal(""), "''");
}

TEST(ProjectionSqlTest, StringLiteralWithBackslashIsAnEscapeString) {
    // Read the same with standard_conforming_strings on or off.
    EXPECT_EQ(sql_string_literal("a\\b'c"), "E'a\\\\b''c'");
}

TEST(ProjectionSqlTest, ArrayLiteralQuotesEveryElement) {
    EXPECT_EQ(text_array_literal({"a"}), "{\"a\"}");
    // NULL, commas, braces, spaces, quotes and backslashes all stay part of one element.
    EXPECT_EQ(text_array_literal({"NULL", "a,b", "{x}", " y ", "q\"", "b\\"}),
              "{\"NULL\",\"a,b\",\"{x}\",\" y \",\"q\\\"\",\"b\\\\\"}");
}

TEST(ProjectionSqlTest, NoColumns) {
    const ProjectionSql sql = projection_sql("app.orders", {});
    EXPECT_EQ(sql.select_rows,
              "SELECT stream, version, state FROM app.orders WHERE stream "
              "OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[]) FOR UPDATE");
    EXPECT_EQ(
        sql.upsert_rows,
        "INSERT INTO app.orders AS t (stream, version, state, updated_at) SELECT u.stream, "
        "u.version, u.state, pg_catalog.now() FROM ROWS FROM "
        "(pg_catalog.unnest($1::pg_catalog.text[]), pg_catalog.unnest($2::pg_catalog.int8[]), "
        "pg_catalog.unnest($3::pg_catalog.jsonb[])) AS u(stream, version, state) ON CONFLICT "
        "(stream) DO UPDATE SET version = excluded.version, state = excluded.state, "
        "updated_at = excluded.updated_at");
    EXPECT_EQ(sql.select_row,
              "SELECT version, state FROM app.orders WHERE stream OPERATOR(pg_catalog.=) $1");
    EXPECT_EQ(sql.update_row,
              "UPDATE app.orders SET version = $2, state = $3, updated_at = pg_catalog.now() "
              "WHERE stream OPERATOR(pg_catalog.=) $1");
    EXPECT_EQ(sql.insert_row,
              "INSERT INTO app.orders (stream, version, state, updated_at) VALUES ($1, $2, $3, "
              "pg_catalog.now())");
}

TEST(ProjectionSqlTest, TypedColumnsAreTakenFromTheStateAndCast) {
    const ProjectionSql sql = projection_sql("public.o", two_columns());
    const std::string status =
        "((u.state OPERATOR(pg_catalog.#>>) '{\"status\"}'::pg_catalog.text[])::pg_catalog.text)";
    const std::string customer =
        "((u.state OPERATOR(pg_catalog.#>) '{\"customer\",\"id\"}'::pg_catalog.text[])::"
        "pg_catalog.jsonb)";
    EXPECT_NE(sql.upsert_rows.find("updated_at, status, \"Customer \"\"X\"\"\") SELECT"),
              std::string::npos);
    EXPECT_NE(sql.upsert_rows.find("pg_catalog.now(), " + status + ", " + customer + " FROM"),
              std::string::npos);
    EXPECT_NE(sql.upsert_rows.find("updated_at = excluded.updated_at, status = excluded.status, "
                                   "\"Customer \"\"X\"\"\" = excluded.\"Customer \"\"X\"\"\""),
              std::string::npos);
    const std::string row_status =
        "(($3::pg_catalog.jsonb OPERATOR(pg_catalog.#>>) '{\"status\"}'::pg_catalog.text[])::"
        "pg_catalog.text)";
    EXPECT_NE(sql.update_row.find("updated_at = pg_catalog.now(), status = " + row_status + ", "),
              std::string::npos);
    EXPECT_NE(sql.insert_row.find("VALUES ($1, $2, $3, pg_catalog.now(), " + row_status + ", "),
              std::string::npos);
}

TEST(ProjectionSqlTest, PathKeysCannotLeaveTheLiteral) {
    const std::vector<ProjectionColumnSql> hostile = {
        {"x", "pg_catalog.text", false, {"a'); DROP TABLE t; --", "b\\"}}};
    const ProjectionSql sql = projection_sql("public.o", hostile);
    EXPECT_NE(sql.select_row.find("public.o"), std::string::npos);
    EXPECT_NE(
        sql.insert_row.find("E'{\"a''); DROP TABLE t; --\",\"b\\\\\\\\\"}'::pg_catalog.text[]"),
        std::string::npos);
}

TEST(ProjectionSqlTest, SwapCopiesEveryColumn) {
    const auto sql = swap_sql("public.o", "chronicle.rebuild_7", two_columns());
    EXPECT_EQ(sql.delete_live, "DELETE FROM public.o");
    EXPECT_EQ(sql.copy_rebuilt,
              "INSERT INTO public.o (stream, version, state, updated_at, status, \"Customer "
              "\"\"X\"\"\") SELECT stream, version, state, updated_at, status, \"Customer "
              "\"\"X\"\"\" FROM chronicle.rebuild_7");
}

}  // namespace
