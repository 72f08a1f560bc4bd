// What utility commands mean for the projection workers (see src/pg/worker_utility_hook.cpp):
// CREATE/ALTER/DROP EXTENSION chronicle and CREATE DATABASE wake the launcher or the worker
// when they commit; DROP DATABASE (and the other commands that need a database without
// sessions) first sends that database's worker away.
#pragma once

namespace chronicle::pg {

// Installs the ProcessUtility hook and its transaction callback. _PG_init, when preloaded.
void install_worker_utility_hook();

}  // namespace chronicle::pg
