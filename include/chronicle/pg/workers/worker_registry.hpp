// The projection workers' registry in shared memory: one slot per database served (at most
// chronicle.max_workers), the launcher's latch, and the notices backends leave for it.
//
// A slot holds the database it serves, the pid and latch of its worker once the worker has
// connected, a generation that tells a worker whether it is still the one the launcher
// wants there, "found no extension" (set by a worker just before it exits cleanly) and
// "suspended until" (set by a backend that needs the database to itself, DROP DATABASE).
// The launcher assigns and frees slots; a worker fills in and clears its pid and latch.
// Everything is written under one LWLock; the commit-time wake-ups read the latches without
// it (see wake_database_worker).
//
// Exists only when chronicle is in shared_preload_libraries: without it every function here
// does nothing (and the read functions report no slot).
#pragma once

#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

namespace chronicle::pg {

// What the launcher passes a worker in bgw_extra, besides the database OID in bgw_main_arg.
struct WorkerStartInfo {
    int slot;
    uint32 generation;
};

// One slot as read under the lock.
struct WorkerSlotState {
    Oid database;  // InvalidOid: free
    uint32 generation;
    pid_t pid;  // 0 until the worker has connected, and again once it is gone
    bool no_extension;
    TimestampTz suspended_until;  // 0: not suspended
};

// The shared memory hooks' parts (module.cpp's hooks, when preloaded): request the
// registry's memory and lock, then find or create it.
void worker_registry_shmem_request();
void worker_registry_shmem_startup();

// Whether the registry exists (the library was preloaded and max_workers slots allocated).
bool worker_registry_ready();
int worker_slot_count();

// --- the launcher ----------------------------------------------------------------------------

// Publishes this process's latch as the launcher's (cleared at exit).
void register_launcher_latch();
// Copies every slot into `out` (worker_slot_count() entries).
void read_worker_slots(WorkerSlotState* out);
// Takes `seen` (a slot as read before) for a new worker of `database`, if the slot has not
// changed since and has no worker; returns the new generation through `generation`.
bool claim_worker_slot(int slot, const WorkerSlotState& seen, Oid database, uint32* generation);
// Frees the slot if it has not changed since `seen` and has no worker.
void free_worker_slot(int slot, const WorkerSlotState& seen);
// Clears the "found no extension" flag of the slot (after the launcher has noted it).
void clear_no_extension(int slot, uint32 generation);
// Takes the databases where chronicle was created or updated since the last call; returns
// how many (at most `capacity`), and sets *overflow when some were lost.
int take_extension_notices(Oid* out, int capacity, bool* overflow);

// --- a worker --------------------------------------------------------------------------------

// Whether the slot still wants this worker (same database and generation, not suspended).
// With publish, also records this process's pid and latch there (cleared at exit).
bool attach_worker(const WorkerStartInfo& info, Oid database, bool publish);
// Whether this worker has async work that appends should wake it for (after every round).
void set_worker_wants_commits(bool wanted);

// The worker's part of NOTIFY at commit (subscriptions/commit_signals.hpp): whether it sends
// the notifications of its database's appending commits, which appenders then do not send.
void set_worker_notifies(bool notifies);
// From an appender: whether the worker of `database` sends them now.
bool database_worker_notifies(Oid database);
// Marks this worker's slot "found no extension"; the worker exits right after.
// `epoch_seen` is extension_notice_epoch() read before the worker looked for the extension.
void report_no_extension(uint64 epoch_seen);
// The number of CREATE/ALTER EXTENSION notices left so far.
uint64 extension_notice_epoch();

// --- any backend ------------------------------------------------------------------------------

// Sets the latch of the worker serving `database`, if any. Lock-free; safe in commit callbacks.
void wake_database_worker(Oid database);
// The same for a commit that appended events: only if the worker keeps async projections
// (a database with none, or with inline ones only, pays no wake-up per append).
void wake_database_worker_for_commit(Oid database);
// Sets the launcher's latch.
void wake_launcher();
// Leaves a notice that chronicle was created or updated in `database` and wakes the launcher.
void notify_extension_created(Oid database);
// Keeps any worker away from `database` until `until`, holding a slot for it if it has none.
// Returns the pid of its running worker, 0 if none.
pid_t suspend_database_worker(Oid database, TimestampTz until);
// Whether process `pid` is still the worker of `database`.
bool is_database_worker(Oid database, pid_t pid);
// Ends a suspension early (the command that needed it failed) and wakes the launcher.
void resume_database_worker(Oid database);

// The launcher, each wake-up: the databases that would get a worker but find every slot
// taken.
void publish_waiting_databases(const Oid* databases, int count);

// Whether `database` has no worker slot and the launcher found it waiting for one.
bool database_waits_for_worker(Oid database);

}  // namespace chronicle::pg
