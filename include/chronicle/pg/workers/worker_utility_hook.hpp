// What utility commands mean for the projection workers (see
// src/pg/workers/worker_utility_hook.cpp): CREATE/ALTER/DROP EXTENSION chronicle and CREATE
// DATABASE wake the launcher or the worker when they commit; DROP DATABASE (and the other commands
// that need a database without sessions) first sends that database's worker away.
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "access/xact.h"
#include "nodes/nodes.h"
}

namespace chronicle::pg {

// The ProcessUtility hook's part (module.cpp's one hook, when preloaded), before the
// statement runs: notes what the transaction's end must do, and sends away the worker of a
// database the statement needs to itself.
void worker_note_utility_statement(Node* statement);

// The transaction callback's part (module.cpp's one callback, when preloaded): acts on what
// the transaction's statements noted, and resumes every worker it sent away.
void worker_utility_xact_event(XactEvent event);

}  // namespace chronicle::pg
