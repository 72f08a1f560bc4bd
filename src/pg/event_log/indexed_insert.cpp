// Inserting rows below the executor into a heap and every index on it (a user's indexes
// included), for the event log and the snapshots.

#include "chronicle/pg/boundary/pg_compat.hpp"
#include "chronicle/pg/event_log/indexed_insert.hpp"

extern "C" {
#include "access/tableam.h"
#include "access/xact.h"
#include "executor/executor.h"
#include "utils/rel.h"
}

namespace chronicle::pg {

void indexed_insert_begin(IndexedInsert* insert, Relation heap) {
    insert->heap = heap;
    insert->estate = CreateExecutorState();
    insert->estate->es_output_cid = GetCurrentCommandId(true);
    insert->result_rel = makeNode(ResultRelInfo);
    InitResultRelInfo(insert->result_rel, heap, 1, nullptr, 0);
    ExecOpenIndices(insert->result_rel, false);
    insert->slot = MakeSingleTupleTableSlot(RelationGetDescr(heap), &TTSOpsVirtual);
    ExecClearTuple(insert->slot);
}

void indexed_insert_row(IndexedInsert* insert) {
    ExecStoreVirtualTuple(insert->slot);
    table_tuple_insert(insert->heap, insert->slot, insert->estate->es_output_cid, 0, nullptr);
    if (insert->result_rel->ri_NumIndices > 0) {
        List* recheck = compat::insert_index_tuples(insert->result_rel, insert->slot,
                                                    insert->estate, false, nullptr);
        list_free(recheck);
    }
    ResetPerTupleExprContext(insert->estate);
    ExecClearTuple(insert->slot);
}

void indexed_insert_end(IndexedInsert* insert) {
    ExecCloseIndices(insert->result_rel);
    ExecDropSingleTupleTableSlot(insert->slot);
    FreeExecutorState(insert->estate);
}

}  // namespace chronicle::pg
