// Folding a batch's streams onto their rows of an aggregate projection's table and writing
// them back with one statement; shared by the worker, rebuilds and inline appends.

#include "chronicle/pg/boundary/pg_compat.hpp"
#include "chronicle/pg/projections/projection_rows.hpp"

#include <unordered_map>

#include "chronicle/core/error.hpp"
#include "chronicle/core/json_value.hpp"
#include "chronicle/core/projection_sql.hpp"
#include "chronicle/pg/aggregates/fold_runner.hpp"
#include "chronicle/pg/boundary/jsonb_value.hpp"
#include "chronicle/pg/boundary/pg_guard.hpp"
#include "chronicle/pg/boundary/text_view.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "parser/parse_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "storage/lmgr.h"
#include "utils/snapmgr.h"
}

namespace chronicle::pg {

namespace {

struct PriorRow {
    int64 version;
    Jsonb* state;
};

// Remembers the last version a fold applied, so that a failure can name the event.
class VersionTracker final : public FoldObserver {
  public:
    explicit VersionTracker(int64 start) : last_(start) {}
    bool wants(int64 version) const override {
        last_ = version;
        return false;
    }
    void state_after(StreamScan*, Jsonb*) override {}
    int64 last() const { return last_; }

  private:
    mutable int64 last_;
};

int run_statement(SPIPlanPtr plan, Datum* values, Snapshot statement_snapshot, bool read_only) {
    if (statement_snapshot != InvalidSnapshot) {
        return SPI_execute_snapshot(plan, values, nullptr, statement_snapshot, InvalidSnapshot,
                                    read_only, true, 0);
    }
    return SPI_execute_plan(plan, values, nullptr, read_only, 0);
}

Datum text_array(const std::vector<TouchedStream>& streams) {
    Datum* elements = static_cast<Datum*>(palloc(sizeof(Datum) * (streams.size() + 1)));
    for (size_t i = 0; i < streams.size(); ++i) {
        elements[i] = PointerGetDatum(cstring_to_text_with_len(
            streams[i].stream.data(), static_cast<int>(streams[i].stream.size())));
    }
    return PointerGetDatum(construct_array(elements, static_cast<int>(streams.size()), TEXTOID, -1,
                                           false, TYPALIGN_INT));
}

SPIPlanPtr prepare_generic(const char* sql, int nargs, Oid* types) {
    // Generic plans: the statements are the same for every call, and re-planning them each
    // time costs more than running them.
    SPIPlanPtr plan = SPI_prepare_cursor(sql, nargs, types, CURSOR_OPT_GENERIC_PLAN);
    if (plan == nullptr) {
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                        errmsg_internal("preparing \"%s\" failed: %s", sql,
                                        SPI_result_code_string(SPI_result))));
    }
    return plan;
}

// The table by its OID, quoted and schema-qualified whatever search_path is in force.
std::string table_name_sql(Oid table) {
    char* name = nullptr;
    pg_guarded([&] {
        const char* relation = get_rel_name(table);
        if (relation == nullptr) {
            ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                            errmsg("relation with OID %u does not exist", table)));
        }
        name = quote_qualified_identifier(get_namespace_name(get_rel_namespace(table)), relation);
    });
    return name;
}

}  // namespace

std::vector<ProjectionColumnSql> projection_columns_sql(Jsonb* columns) {
    Value spec;
    JsonbRead read = JsonbRead::Found;
    pg_guarded([&] { read = jsonb_to_value(&columns->root, spec); });
    if (read != JsonbRead::Found || !spec.is_object()) {
        throw Error(ErrorKind::Internal, "the column spec of a projection is not a JSON object");
    }
    std::vector<ProjectionColumnSql> result;
    result.reserve(spec.as_object().size());
    for (const auto& [name, column] : spec.as_object()) {
        // As create_projection recorded it: {"type": <format_type's spelling>, "path": [keys]}.
        const Value* type = column.find("type");
        const Value* path = column.find("path");
        if (type == nullptr || !type->is_string() || path == nullptr || !path->is_array() ||
            path->as_array().empty()) {
            throw Error(ErrorKind::Internal,
                        "the column spec of projection column \"" + name + "\" is malformed");
        }
        ProjectionColumnSql sql;
        for (const Value& key : path->as_array()) {
            if (!key.is_string()) {
                throw Error(ErrorKind::Internal,
                            "the path of projection column \"" + name + "\" is malformed");
            }
            sql.path.push_back(key.as_string());
        }
        char* quoted = nullptr;
        char* type_sql = nullptr;
        bool json = false;
        pg_guarded([&] {
            quoted = pstrdup(quote_identifier(name.c_str()));
            // Parsed as a type name and nothing else, with the search_path the statements are
            // planned with (pinned), then spelled with its schema: the cast names the same
            // type the table's column has, and nothing of the text reaches the SQL unchecked.
            Oid type_oid = InvalidOid;
            int32 typmod = -1;
            compat::parse_type_string(type->as_string().c_str(), &type_oid, &typmod);
            type_sql = format_type_extended(type_oid, typmod,
                                            FORMAT_TYPE_TYPEMOD_GIVEN | FORMAT_TYPE_FORCE_QUALIFY);
            json = type_oid == JSONOID || type_oid == JSONBOID;
        });
        sql.name = quoted;
        sql.type = type_sql;
        sql.json = json;
        result.push_back(std::move(sql));
    }
    return result;
}

ProjectionStatements prepare_projection_statements(Oid table, Jsonb* columns) {
    const ProjectionSql text =
        projection_sql(table_name_sql(table), projection_columns_sql(columns));
    ProjectionStatements sql{nullptr, nullptr};
    pg_guarded([&] {
        Oid select_types[1] = {TEXTARRAYOID};
        // Generic plans: the statements are the same for every batch, and re-planning them for
        // each one (custom plans for array parameters) costs more than running them.
        sql.select_rows = prepare_generic(text.select_rows.c_str(), 1, select_types);
        Oid upsert_types[3] = {TEXTARRAYOID, INT8ARRAYOID, JSONBARRAYOID};
        sql.upsert_rows = prepare_generic(text.upsert_rows.c_str(), 3, upsert_types);
    });
    return sql;
}

std::int64_t fold_onto_rows(const CachedAggregate& aggregate, const ProjectionStatements& sql,
                            const std::vector<TouchedStream>& streams, Snapshot events,
                            Snapshot statement_snapshot, RowFailure& failure) {
    if (streams.empty()) return 0;
    std::unordered_map<std::string, PriorRow> prior;
    prior.reserve(streams.size());
    pg_guarded([&] {
        Datum values[1] = {text_array(streams)};
        if (run_statement(sql.select_rows, values, statement_snapshot, false) != SPI_OK_SELECT) {
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg_internal("reading a projection's rows failed")));
        }
    });
    // Copied out of SPI's result before the next statement frees it.
    const uint64 found = SPI_processed;
    SPITupleTable* rows = SPI_tuptable;
    for (uint64 i = 0; i < found; ++i) {
        char* stream = nullptr;
        PriorRow row{0, nullptr};
        pg_guarded([&] {
            bool isnull;
            stream = TextDatumGetCString(SPI_getbinval(rows->vals[i], rows->tupdesc, 1, &isnull));
            row.version = DatumGetInt64(SPI_getbinval(rows->vals[i], rows->tupdesc, 2, &isnull));
            row.state = DatumGetJsonbPCopy(SPI_getbinval(rows->vals[i], rows->tupdesc, 3, &isnull));
        });
        prior.emplace(stream, row);
    }

    const size_t capacity = streams.size();
    Datum* names = nullptr;
    Datum* versions = nullptr;
    Datum* states = nullptr;
    pg_guarded([&] {
        names = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
        versions = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
        states = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
    });
    int written = 0;
    for (const TouchedStream& touched : streams) {
        FoldTarget target;
        target.bounded = true;
        target.max_version = touched.last_version;
        auto it = prior.find(touched.stream);
        if (it != prior.end()) {
            // Already there (a rebuild's swap or an inline append got it first).
            if (it->second.version >= touched.last_version) continue;
            target.has_start = true;
            target.start_version = it->second.version;
            target.start_state = it->second.state;
        }
        text* stream = nullptr;
        pg_guarded([&] {
            stream = cstring_to_text_with_len(touched.stream.data(),
                                              static_cast<int>(touched.stream.size()));
        });
        VersionTracker tracker(target.has_start ? target.start_version : 0);
        FoldResult result;
        try {
            result = run_fold(aggregate, stream, target, events, &tracker);
        } catch (...) {
            failure.stream = touched.stream;
            failure.version = tracker.last() + 1;
            throw;
        }
        if (!result.has_state) continue;
        names[written] = PointerGetDatum(stream);
        versions[written] = Int64GetDatum(result.version);
        states[written] = JsonbPGetDatum(result.state);
        ++written;
    }
    if (written == 0) return 0;
    pg_guarded([&] {
        Datum values[3] = {
            PointerGetDatum(construct_array(names, written, TEXTOID, -1, false, TYPALIGN_INT)),
            PointerGetDatum(
                construct_array(versions, written, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE)),
            PointerGetDatum(construct_array(states, written, JSONBOID, -1, false, TYPALIGN_INT)),
        };
        const int rc = run_statement(sql.upsert_rows, values, statement_snapshot, false);
        if (rc != SPI_OK_INSERT)
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg_internal("writing a projection's rows failed")));
    });
    return written;
}

RowStatements prepare_row_statements(Oid table, Jsonb* columns) {
    const ProjectionSql text =
        projection_sql(table_name_sql(table), projection_columns_sql(columns));
    RowStatements sql{nullptr, nullptr, nullptr};
    pg_guarded([&] {
        Oid key_type[1] = {TEXTOID};
        Oid row_types[3] = {TEXTOID, INT8OID, JSONBOID};
        sql.select_row = prepare_generic(text.select_row.c_str(), 1, key_type);
        sql.update_row = prepare_generic(text.update_row.c_str(), 3, row_types);
        sql.insert_row = prepare_generic(text.insert_row.c_str(), 3, row_types);
    });
    return sql;
}

void replace_rows_with_rebuilt(Oid live, Oid rebuilt, Jsonb* columns) {
    const SwapSql text =
        swap_sql(table_name_sql(live), table_name_sql(rebuilt), projection_columns_sql(columns));
    pg_guarded([&] {
        if (SPI_execute(text.delete_live.c_str(), false, 0) != SPI_OK_DELETE) {
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg_internal("\"%s\" failed", text.delete_live.c_str())));
        }
        if (SPI_execute(text.copy_rebuilt.c_str(), false, 0) != SPI_OK_INSERT) {
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg_internal("\"%s\" failed", text.copy_rebuilt.c_str())));
        }
    });
}

void fold_onto_row(const CachedAggregate& aggregate, Oid table, const RowStatements& sql,
                   text* stream, int64 last_version, Snapshot events) {
    FoldTarget target;
    target.bounded = true;
    target.max_version = last_version;
    Snapshot statement_snapshot = InvalidSnapshot;
    pg_guarded([&] {
        LockRelationOid(table, RowExclusiveLock);
        // Taken after the lock (issue 10, defect 2): a snapshot from before a wait for a
        // swap would find the row the swap deleted, and the UPDATE would then fail (READ
        // COMMITTED: no row updated; REPEATABLE READ: 40001). With the stream's lock and this
        // one held, the row seen is the last one written (by this stream's previous append or
        // by a swap, both committed) and no one else can write it before this transaction
        // ends: the UPDATE finds it as read. Registered: the fold may take snapshots too.
        statement_snapshot = RegisterSnapshot(GetLatestSnapshot());
        Datum key[1] = {PointerGetDatum(stream)};
        if (run_statement(sql.select_row, key, statement_snapshot, true) != SPI_OK_SELECT) {
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg_internal("reading a projection's row failed")));
        }
        if (SPI_processed == 1) {
            bool isnull;
            HeapTuple row = SPI_tuptable->vals[0];
            target.has_start = true;
            target.start_version =
                DatumGetInt64(SPI_getbinval(row, SPI_tuptable->tupdesc, 1, &isnull));
            target.start_state =
                DatumGetJsonbPCopy(SPI_getbinval(row, SPI_tuptable->tupdesc, 2, &isnull));
        }
    });
    if (target.has_start && target.start_version >= last_version) {
        pg_guarded([&] { UnregisterSnapshot(statement_snapshot); });
        return;
    }
    const FoldResult result = run_fold(aggregate, stream, target, events, nullptr);
    pg_guarded([&] {
        if (result.has_state) {
            Datum values[3] = {PointerGetDatum(stream), Int64GetDatum(result.version),
                               JsonbPGetDatum(result.state)};
            if (target.has_start) {
                if (run_statement(sql.update_row, values, statement_snapshot, false) !=
                        SPI_OK_UPDATE ||
                    SPI_processed != 1) {
                    ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                                    errmsg_internal("updating a projection's row failed")));
                }
            } else if (run_statement(sql.insert_row, values, statement_snapshot, false) !=
                       SPI_OK_INSERT) {
                ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                                errmsg_internal("inserting a projection's row failed")));
            }
        }
        UnregisterSnapshot(statement_snapshot);
    });
}

}  // namespace chronicle::pg
