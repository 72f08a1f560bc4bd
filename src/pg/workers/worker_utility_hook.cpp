// The ProcessUtility hook of the projection workers (see worker_utility_hook.hpp).
//
// Without it the launcher would learn of a CREATE EXTENSION only by restarting a worker in
// every database now and then, and a worker would make DROP DATABASE fail ("database is
// being accessed by other users") whenever it happened to be connected.
#include "chronicle/pg/boundary/pg_compat.hpp"
#include "chronicle/pg/workers/worker_utility_hook.hpp"

#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/workers/worker_registry.hpp"

extern "C" {
#include <signal.h>

#include "access/xact.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "utils/memutils.h"
#include "utils/acl.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"
}

namespace chronicle::pg {
namespace {

// A database stays without a worker this long while a command that needs it to itself runs
// (or until the launcher sees it dropped, or the command ends): longer than DROP DATABASE
// takes, short enough that a lost resume costs little.
constexpr long kSuspensionMs = 30 * 1000;
// How long a command waits for the worker to leave before going on regardless (the command
// then reports the session the way PostgreSQL does).
constexpr long kWorkerExitWaitMs = 10 * 1000;
constexpr long kWorkerExitPollMs = 10;

const char* const kExtensionName = "chronicle";

// What the current transaction's commands asked for, acted upon when it ends (per
// transaction: reset by worker_utility_xact_event, see module.cpp).
bool extension_created = false;  // CREATE/ALTER EXTENSION chronicle
bool extension_dropped = false;  // DROP EXTENSION chronicle
bool database_created = false;   // CREATE/DROP DATABASE
// The databases whose worker this transaction sent away, and whether each was for DROP
// DATABASE; as many as the transaction's commands named (each is resumed at its end). In
// TopMemoryContext, freed when the transaction ends.
List* suspended = NIL;
List* suspended_for_drop = NIL;

bool names_chronicle(const List* names) {
    const ListCell* cell;
    foreach (cell, names) {
        if (strcmp(strVal(lfirst(cell)), kExtensionName) == 0) return true;
    }
    return false;
}

const char* option_string(const List* options, const char* name) {
    const ListCell* cell;
    foreach (cell, options) {
        DefElem* option = static_cast<DefElem*>(lfirst(cell));
        if (strcmp(option->defname, name) == 0 && option->arg != nullptr)
            return defGetString(option);
    }
    return nullptr;
}

// Sends the worker of database `name` away and waits until it is gone, so that the command
// about to run finds no session there. Only for the database's owner (or a superuser): the
// command fails for anyone else, who must not be able to restart workers at will.
void make_way_for(const char* name, bool drop) {
    if (name == nullptr) return;
    Oid database = get_database_oid(name, true);
    if (!OidIsValid(database) || !compat::owns_database(database, GetUserId())) return;

    MemoryContext caller = MemoryContextSwitchTo(TopMemoryContext);
    suspended = lappend_oid(suspended, database);
    suspended_for_drop = lappend_int(suspended_for_drop, drop ? 1 : 0);
    MemoryContextSwitchTo(caller);
    TimestampTz now = GetCurrentTimestamp();
    pid_t pid = suspend_database_worker(database, TimestampTzPlusMilliseconds(now, kSuspensionMs));
    if (pid == 0) return;
    (void)kill(pid, SIGTERM);

    TimestampTz give_up = TimestampTzPlusMilliseconds(now, kWorkerExitWaitMs);
    // The worker clears its slot on its way out, a little before it leaves the proc array,
    // which is what the command checks.
    while ((is_database_worker(database, pid) || BackendPidGetProc(pid) != nullptr) &&
           GetCurrentTimestamp() < give_up) {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, kWorkerExitPollMs,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    }
}

}  // namespace

void worker_note_utility_statement(Node* statement) {
    switch (nodeTag(statement)) {
        case T_CreateExtensionStmt:
            extension_created |=
                strcmp(castNode(CreateExtensionStmt, statement)->extname, kExtensionName) == 0;
            break;
        case T_AlterExtensionStmt:
            extension_created |=
                strcmp(castNode(AlterExtensionStmt, statement)->extname, kExtensionName) == 0;
            break;
        case T_DropStmt: {
            DropStmt* drop = castNode(DropStmt, statement);
            if (drop->removeType == OBJECT_EXTENSION && names_chronicle(drop->objects)) {
                extension_dropped = true;
                // A round holds the extension's tables and sequence in another order than
                // DROP EXTENSION takes them: the two can deadlock. The worker goes first; it
                // comes back after the transaction, finds the extension gone (or still
                // there, if the drop failed) and acts on it.
                make_way_for(get_database_name(MyDatabaseId), false);
            }
            break;
        }
        case T_CreatedbStmt: {
            CreatedbStmt* create = castNode(CreatedbStmt, statement);
            database_created = true;
            // CREATE DATABASE copies its template only when nobody is connected to it.
            make_way_for(option_string(create->options, "template"), false);
            break;
        }
        case T_DropdbStmt:
            database_created = true;  // the launcher frees the slot once the database is gone
            make_way_for(castNode(DropdbStmt, statement)->dbname, true);
            break;
        case T_RenameStmt: {
            RenameStmt* rename = castNode(RenameStmt, statement);
            if (rename->renameType == OBJECT_DATABASE) make_way_for(rename->subname, false);
            break;
        }
        case T_AlterDatabaseStmt: {
            // SET TABLESPACE moves the files, which needs the database without sessions.
            AlterDatabaseStmt* alter = castNode(AlterDatabaseStmt, statement);
            if (option_string(alter->options, "tablespace") != nullptr) {
                make_way_for(alter->dbname, false);
            }
            break;
        }
        default:
            break;
    }
}

namespace {

void forget_transaction() {
    extension_created = extension_dropped = database_created = false;
    list_free(suspended);
    list_free(suspended_for_drop);
    suspended = suspended_for_drop = NIL;
}

void resume_suspended(bool keep_dropped) {
    Assert(list_length(suspended) == list_length(suspended_for_drop));
    const ListCell* database;
    const ListCell* for_drop;
    forboth(database, suspended, for_drop, suspended_for_drop) {
        // A dropped database's slot is freed when the launcher sees it gone.
        if (keep_dropped && lfirst_int(for_drop) != 0) continue;
        resume_database_worker(lfirst_oid(database));
    }
}

}  // namespace

void worker_utility_xact_event(XactEvent event) {
    switch (event) {
        case XACT_EVENT_COMMIT:
            // After the commit is visible: the worker or launcher woken now sees it.
            if (extension_created) notify_extension_created(MyDatabaseId);
            // The worker finds the extension gone on its next round and exits.
            if (extension_dropped) wake_database_worker(MyDatabaseId);
            resume_suspended(true);
            if (database_created) wake_launcher();
            forget_transaction();
            break;
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
            // The command failed: the database keeps its worker, now rather than in 30 s.
            resume_suspended(false);
            forget_transaction();
            break;
        case XACT_EVENT_PREPARE:
            // None of these commands can be prepared except CREATE/ALTER/DROP EXTENSION, which
            // then takes effect at COMMIT PREPARED, unseen here: the worker notices a DROP on
            // its next round; a CREATE is noticed when the launcher restarts.
            resume_suspended(false);
            forget_transaction();
            break;
        default:
            break;
    }
}

}  // namespace chronicle::pg
