// Inserting rows below the executor: into a table's heap and every index on it (indexes a
// user added included), as chronicle writes the event log and its snapshots. Plain C-style
// state, for callers that write one row or many with one set-up.
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "executor/tuptable.h"
#include "nodes/execnodes.h"
#include "utils/relcache.h"
}

namespace chronicle::pg {

struct IndexedInsert {
    Relation heap;
    EState* estate;
    ResultRelInfo* result_rel;
    TupleTableSlot* slot;  // fill tts_values/tts_isnull, then indexed_insert_row
};

// `heap` is open with RowExclusiveLock (or stronger).
void indexed_insert_begin(IndexedInsert* insert, Relation heap);
// Stores the slot's values as a new row; unique violations are raised as usual.
void indexed_insert_row(IndexedInsert* insert);
void indexed_insert_end(IndexedInsert* insert);

}  // namespace chronicle::pg
