// Everything that differs between the PostgreSQL versions chronicle builds against, in one
// place and guarded by PG_VERSION_NUM (as pgvector and pg_duckdb do): the glue calls these
// names and never tests the server version itself.
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "access/genam.h"
#include "catalog/pg_database.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "executor/executor.h"
#include "nodes/pg_list.h"
#include "parser/parse_type.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/guc_tables.h"
#include "utils/regproc.h"
}

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 190000
#error "chronicle builds against PostgreSQL 15 to 18 (pg_config --version names the server)"
#endif

// 16 moved the varlena macros (VARDATA_ANY, VARSIZE_ANY_EXHDR) out of postgres.h.
#if PG_VERSION_NUM >= 160000
extern "C" {
#include "varatt.h"
}
#endif

namespace chronicle::pg::compat {

// 16 replaced the per-kind ACL and ownership checks by object_aclcheck/object_ownercheck.
inline AclResult function_aclcheck(Oid function, Oid role, AclMode mode) {
#if PG_VERSION_NUM >= 160000
    return object_aclcheck(ProcedureRelationId, function, role, mode);
#else
    return pg_proc_aclcheck(function, role, mode);
#endif
}

inline bool owns_namespace(Oid schema, Oid role) {
#if PG_VERSION_NUM >= 160000
    return object_ownercheck(NamespaceRelationId, schema, role);
#else
    return pg_namespace_ownercheck(schema, role);
#endif
}

inline bool owns_extension(Oid extension, Oid role) {
#if PG_VERSION_NUM >= 160000
    return object_ownercheck(ExtensionRelationId, extension, role);
#else
    return pg_extension_ownercheck(extension, role);
#endif
}

inline bool owns_database(Oid database, Oid role) {
#if PG_VERSION_NUM >= 160000
    return object_ownercheck(DatabaseRelationId, database, role);
#else
    return pg_database_ownercheck(database, role);
#endif
}

// 16 gave parsers a soft-error context in place of missing_ok: none here, so errors raise.
inline List* qualified_name_list(const char* name) {
#if PG_VERSION_NUM >= 160000
    return stringToQualifiedNameList(name, nullptr);
#else
    return stringToQualifiedNameList(name);
#endif
}

inline void parse_type_string(const char* name, Oid* type, int32* typmod) {
#if PG_VERSION_NUM >= 160000
    parseTypeString(name, type, typmod, nullptr);
#else
    parseTypeString(name, type, typmod, false);
#endif
}

// 18 lets index scans report to EXPLAIN's instrumentation; chronicle's scans report nothing.
inline IndexScanDesc begin_index_scan(Relation heap, Relation index, Snapshot snapshot, int nkeys) {
#if PG_VERSION_NUM >= 180000
    return index_beginscan(heap, index, snapshot, nullptr, nkeys, 0);
#else
    return index_beginscan(heap, index, snapshot, nkeys, 0);
#endif
}

// 16 added onlySummarizing (HOT updates that touch only summarizing indexes): an insert
// updates every index.
inline List* insert_index_tuples(ResultRelInfo* result_rel, TupleTableSlot* slot, EState* estate,
                                 bool no_dup_err, bool* spec_conflict) {
#if PG_VERSION_NUM >= 160000
    return ExecInsertIndexTuples(result_rel, slot, estate, false, no_dup_err, spec_conflict, NIL,
                                 false);
#else
    return ExecInsertIndexTuples(result_rel, slot, estate, false, no_dup_err, spec_conflict, NIL);
#endif
}

// This backend's index into the PGPROC array (17 renamed it the proc number).
inline int my_proc_number() {
#if PG_VERSION_NUM >= 170000
    return MyProcNumber;
#else
    return MyProc->pgprocno;
#endif
}

// The array of every setting (16 made it a hash table, still listed by get_guc_variables).
inline struct config_generic** guc_variables(int* count) {
#if PG_VERSION_NUM >= 160000
    return get_guc_variables(count);
#else
    *count = GetNumConfigOptions();
    return get_guc_variables();
#endif
}

}  // namespace chronicle::pg::compat
