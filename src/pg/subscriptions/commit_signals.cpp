// NOTIFY at the commit of appending transactions, and the wake-up of wait_for_events (see
// commit_signals.hpp).

#include "chronicle/pg/boundary/pg_compat.hpp"
#include "chronicle/pg/subscriptions/commit_signals.hpp"

extern "C" {
#include "access/twophase.h"
#include "catalog/namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/array.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
}

#include "chronicle/pg/catalog/metadata_cache.hpp"
#include "chronicle/pg/workers/worker_registry.hpp"

#include <cstring>

namespace chronicle::pg {
namespace {

const char kChannelPrefix[] = "chronicle_";
// Without shared memory, wait_for_events looks again this often.
const long kUnsharedNapMs = 10;

struct CommitSignalsShared {
    ConditionVariable appended;  // broadcast after each commit that appended
    pg_atomic_uint32 waiters;    // backends inside wait_for_events
    int slot_count;
    // Per PGPROC: the database in which that backend listens on a chronicle_ channel.
    Oid listening[FLEXIBLE_ARRAY_MEMBER];
};

CommitSignalsShared* shared = nullptr;

int slot_count() {
    return MaxBackends + NUM_AUXILIARY_PROCS + max_prepared_xacts;
}

Size shared_size() {
    return add_size(offsetof(CommitSignalsShared, listening), mul_size(slot_count(), sizeof(Oid)));
}

// This transaction's categories and the highest position written to each (in
// TopTransactionContext; usually one).
struct TouchedCategory {
    char* name;
    int64 last_position;
};
TouchedCategory* touched = nullptr;
int touched_count = 0;
int touched_capacity = 0;
int64 touched_last = 0;
// UNLISTEN * / DISCARD ALL ran in this transaction: the entry goes at commit, not before
// (a rollback keeps the backend listening). A LISTEN sets the entry at once (a notification
// too many costs little); a rollback puts back what was there before it.
bool unlisten_at_commit = false;
bool listen_in_transaction = false;
Oid listening_before_transaction = InvalidOid;
// This backend is inside wait_for_events: its exit (a FATAL, pg_terminate_backend) must still
// count it out of the waiters.
bool waiting = false;
bool exit_callback_registered = false;

void forget_transaction() {
    touched = nullptr;
    touched_count = 0;
    touched_capacity = 0;
    touched_last = 0;
    unlisten_at_commit = false;
    listen_in_transaction = false;
}

void set_listening(Oid database) {
    if (shared == nullptr || MyProc == nullptr) return;
    const int slot = compat::my_proc_number();
    if (slot < 0 || slot >= shared->slot_count) return;
    shared->listening[slot] = database;
    pg_memory_barrier();
}

Oid my_listening() {
    if (shared == nullptr || MyProc == nullptr) return InvalidOid;
    const int slot = compat::my_proc_number();
    return slot >= 0 && slot < shared->slot_count ? shared->listening[slot] : InvalidOid;
}

void on_backend_exit(int, Datum) {
    set_listening(InvalidOid);
    if (waiting && shared != nullptr) {
        pg_atomic_fetch_sub_u32(&shared->waiters, 1);
        waiting = false;
    }
}

void register_exit_callback() {
    if (!exit_callback_registered) {
        before_shmem_exit(on_backend_exit, (Datum)0);
        exit_callback_registered = true;
    }
}

// Whether the current user may read what the notifications announce: EXECUTE on chronicle.poll
// or chronicle.read_all. Another role's LISTEN does not switch the appends of the database to
// notifying (it would make every appending commit wait for the one before: a role with no
// right on chronicle would slow every writer down).
bool may_read_events() {
    const MetadataCache& metadata = metadata_cache();
    if (!metadata.installed || !OidIsValid(metadata.chronicle_namespace)) return false;
    struct Signature {
        const char* name;
        int nargs;
        Oid types[4];
    };
    const Signature readers[] = {{"poll", 4, {TEXTOID, INT4OID, INT4OID, INT4OID}},
                                 {"read_all", 4, {INT8OID, INT4OID, TEXTOID, TEXTARRAYOID}}};
    for (const Signature& reader : readers) {
        const Oid function =
            GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid, CStringGetDatum(reader.name),
                            PointerGetDatum(buildoidvector(reader.types, reader.nargs)),
                            ObjectIdGetDatum(metadata.chronicle_namespace));
        if (OidIsValid(function) &&
            compat::function_aclcheck(function, GetUserId(), ACL_EXECUTE) == ACLCHECK_OK) {
            return true;
        }
    }
    return false;
}

// Whether anyone may be listening: any backend of this database on a chronicle_ channel.
bool anyone_listening() {
    if (shared == nullptr) return true;  // no list to ask: notify
    return database_has_listeners(MyDatabaseId);
}

void send_notifications() {
    if (touched_count == 0 || !anyone_listening()) return;
    // The worker sends them, coalesced, after this commit wakes it.
    if (database_worker_notifies(MyDatabaseId)) return;
    for (int i = 0; i < touched_count; ++i) {
        char channel[NAMEDATALEN];
        if (!category_channel(touched[i].name, static_cast<int>(strlen(touched[i].name)),
                              channel)) {
            continue;
        }
        notify_position(channel, touched[i].last_position);
    }
    notify_position(kAllEventsChannel, touched_last);
}

}  // namespace

void notify_position(const char* channel, int64 position) {
    char payload[32];
    snprintf(payload, sizeof(payload), INT64_FORMAT, position);
    Async_Notify(channel, payload);
}

bool database_has_listeners(Oid database) {
    if (shared == nullptr) return false;
    pg_memory_barrier();
    for (int i = 0; i < shared->slot_count; ++i) {
        if (shared->listening[i] == database) return true;
    }
    return false;
}

bool category_channel(const char* category, int category_length, char* channel) {
    // A channel is an identifier: a category too long for one gets chronicle_all only.
    if (static_cast<int>(sizeof(kChannelPrefix) - 1) + category_length >= NAMEDATALEN) return false;
    memcpy(channel, kChannelPrefix, sizeof(kChannelPrefix) - 1);
    memcpy(channel + sizeof(kChannelPrefix) - 1, category, static_cast<size_t>(category_length));
    channel[sizeof(kChannelPrefix) - 1 + category_length] = '\0';
    return true;
}

void commit_signals_shmem_request() {
    RequestAddinShmemSpace(shared_size());
}

void commit_signals_shmem_startup() {
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found = false;
    shared = static_cast<CommitSignalsShared*>(
        ShmemInitStruct("chronicle commit signals", shared_size(), &found));
    if (!found) {
        ConditionVariableInit(&shared->appended);
        pg_atomic_init_u32(&shared->waiters, 0);
        shared->slot_count = slot_count();
        for (int i = 0; i < shared->slot_count; ++i) shared->listening[i] = InvalidOid;
    }
    LWLockRelease(AddinShmemInitLock);
}

void note_appended_category(const char* category, int category_length, int64 last_position) {
    if (last_position > touched_last) touched_last = last_position;
    for (int i = 0; i < touched_count; ++i) {
        if (static_cast<int>(strlen(touched[i].name)) == category_length &&
            memcmp(touched[i].name, category, category_length) == 0) {
            if (last_position > touched[i].last_position) touched[i].last_position = last_position;
            return;
        }
    }
    if (touched_count == touched_capacity) {
        const int capacity = touched_capacity == 0 ? 4 : touched_capacity * 2;
        touched = touched == nullptr
                      ? static_cast<TouchedCategory*>(MemoryContextAlloc(
                            TopTransactionContext, sizeof(TouchedCategory) * capacity))
                      : static_cast<TouchedCategory*>(
                            repalloc(touched, sizeof(TouchedCategory) * capacity));
        touched_capacity = capacity;
    }
    char* name = static_cast<char*>(
        MemoryContextAlloc(TopTransactionContext, static_cast<Size>(category_length) + 1));
    memcpy(name, category, static_cast<Size>(category_length));
    name[category_length] = '\0';
    touched[touched_count].name = name;
    touched[touched_count].last_position = last_position;
    ++touched_count;
}

void commit_signals_xact_event(XactEvent event) {
    switch (event) {
        case XACT_EVENT_PRE_COMMIT:
            // Before PostgreSQL's own pre-commit queues the notifications of this transaction.
            send_notifications();
            break;
        case XACT_EVENT_COMMIT: {
            const bool appended = touched_count > 0;
            if (unlisten_at_commit) set_listening(InvalidOid);
            forget_transaction();
            if (appended && shared != nullptr && pg_atomic_read_u32(&shared->waiters) > 0) {
                ConditionVariableBroadcast(&shared->appended);
            }
            break;
        }
        case XACT_EVENT_ABORT:
            if (listen_in_transaction) set_listening(listening_before_transaction);
            forget_transaction();
            break;
        case XACT_EVENT_PARALLEL_COMMIT:
        case XACT_EVENT_PARALLEL_ABORT:
        case XACT_EVENT_PREPARE:
            forget_transaction();
            break;
        default:
            break;
    }
}

void commit_signals_note_utility_statement(Node* statement) {
    if (shared == nullptr) return;
    switch (nodeTag(statement)) {
        case T_ListenStmt: {
            const char* channel = castNode(ListenStmt, statement)->conditionname;
            if (strncmp(channel, kChannelPrefix, sizeof(kChannelPrefix) - 1) != 0) break;
            if (!IsTransactionState() || !may_read_events()) break;
            register_exit_callback();
            if (!listen_in_transaction) {
                listening_before_transaction = my_listening();
                listen_in_transaction = true;
            }
            set_listening(MyDatabaseId);
            unlisten_at_commit = false;
            break;
        }
        case T_UnlistenStmt:
            // UNLISTEN of one channel may leave others: the entry stays (a notification too
            // many costs little; one too few is a lost wake-up).
            if (castNode(UnlistenStmt, statement)->conditionname == nullptr) {
                unlisten_at_commit = true;
            }
            break;
        case T_DiscardStmt: {
            const DiscardMode target = castNode(DiscardStmt, statement)->target;
            if (target == DISCARD_ALL) unlisten_at_commit = true;
            break;
        }
        default:
            break;
    }
}

void prepare_to_wait_for_appends() {
    if (shared == nullptr) return;
    register_exit_callback();
    pg_atomic_fetch_add_u32(&shared->waiters, 1);
    waiting = true;
    ConditionVariablePrepareToSleep(&shared->appended);
}

void wait_for_appends(long timeout_ms) {
    if (shared == nullptr) {
        const long nap = timeout_ms < kUnsharedNapMs ? timeout_ms : kUnsharedNapMs;
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, nap,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
        return;
    }
    (void)ConditionVariableTimedSleep(&shared->appended, timeout_ms, PG_WAIT_EXTENSION);
}

void cancel_wait_for_appends() {
    if (shared == nullptr) return;
    ConditionVariableCancelSleep();
    if (waiting) pg_atomic_fetch_sub_u32(&shared->waiters, 1);
    waiting = false;
}

}  // namespace chronicle::pg
