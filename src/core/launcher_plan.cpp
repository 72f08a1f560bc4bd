// The launcher's decisions (see launcher_plan.hpp).
#include "chronicle/core/launcher_plan.hpp"

#include <algorithm>
#include <unordered_set>

namespace chronicle {
namespace {

DatabaseMark* find_mark(std::vector<DatabaseMark>& marks, std::uint32_t database) {
    for (DatabaseMark& mark : marks) {
        if (mark.database == database) return &mark;
    }
    return nullptr;
}

void earliest(std::optional<std::int64_t>& wake_at, std::int64_t at) {
    if (!wake_at || at < *wake_at) wake_at = at;
}

// Whether a database without a worker may get one now; if it must wait, when it may.
bool may_start(const DatabaseMark* mark, std::int64_t now, std::optional<std::int64_t>& wake_at) {
    if (mark == nullptr) return true;
    if (mark->no_extension) return false;  // until a notice clears the mark
    if (mark->not_before > now) {
        earliest(wake_at, mark->not_before);
        return false;
    }
    return true;
}

void forget_mark(std::vector<DatabaseMark>& marks, std::uint32_t database) {
    marks.erase(std::remove_if(marks.begin(), marks.end(),
                               [&](const DatabaseMark& m) { return m.database == database; }),
                marks.end());
}

}  // namespace

LauncherPlan plan_launcher(const std::vector<std::uint32_t>& databases,
                           const std::vector<DatabaseMark>& marks,
                           const std::vector<WorkerSlotView>& slots, std::int64_t now,
                           int max_workers) {
    LauncherPlan plan;
    const std::unordered_set<std::uint32_t> present(databases.begin(), databases.end());

    // A dropped database's memory goes with it: a database created later under the same
    // name is a new database (a new OID) and starts without marks.
    for (const DatabaseMark& mark : marks) {
        if (present.count(mark.database) != 0) plan.marks.push_back(mark);
    }

    const std::size_t usable =
        std::min(slots.size(), static_cast<std::size_t>(std::max(max_workers, 0)));
    std::vector<std::size_t> free;  // usable slots a new database may take, lowest first
    std::unordered_set<std::uint32_t> served;

    for (std::size_t i = 0; i < slots.size(); ++i) {
        const WorkerSlotView& slot = slots[i];
        if (slot.database == 0) {
            if (i < usable) free.push_back(i);
            continue;
        }
        if (slot.worker_alive) {
            // Running (or on its way out): it keeps its slot whatever else changed.
            served.insert(slot.database);
            continue;
        }
        const bool slot_usable = i < usable;
        if (present.count(slot.database) == 0) {
            // Dropped: nothing to wait for any more, suspended or not.
            plan.free_slots.push_back(i);
            if (slot_usable) free.push_back(i);
            continue;
        }
        if (slot.suspended_until > now) {
            // The slot holds its place so that no worker is started while the database is
            // being dropped; if the drop fails, the worker comes back when this ends.
            served.insert(slot.database);
            earliest(plan.wake_at, slot.suspended_until);
            continue;
        }
        if (slot_usable && served.count(slot.database) == 0 &&
            may_start(find_mark(plan.marks, slot.database), now, plan.wake_at)) {
            // Restart in the same slot.
            plan.starts.push_back({i, slot.database});
            forget_mark(plan.marks, slot.database);
            served.insert(slot.database);
            continue;
        }
        // No worker wanted now: the mark remembers why, the slot goes back to the pool.
        plan.free_slots.push_back(i);
        if (slot_usable) free.push_back(i);
    }

    std::sort(free.begin(), free.end());
    std::size_t next_free = 0;
    for (std::uint32_t database : databases) {
        if (database == 0 || served.count(database) != 0) continue;
        if (!may_start(find_mark(plan.marks, database), now, plan.wake_at)) continue;
        if (next_free == free.size()) {  // every usable slot is taken
            plan.waiting_for_slot.push_back(database);
            continue;
        }
        plan.starts.push_back({free[next_free++], database});
        forget_mark(plan.marks, database);
        served.insert(database);
    }
    return plan;
}

void note_worker_exit(std::vector<DatabaseMark>& marks, std::uint32_t database,
                      bool found_no_extension, std::int64_t now) {
    DatabaseMark* mark = find_mark(marks, database);
    if (mark == nullptr) {
        marks.push_back(DatabaseMark{database, false, 0});
        mark = &marks.back();
    }
    if (found_no_extension) {
        mark->no_extension = true;
        mark->not_before = 0;
    } else {
        mark->no_extension = false;
        mark->not_before = now + kWorkerRestartDelayUs;
    }
}

void note_extension_created(std::vector<DatabaseMark>& marks, std::uint32_t database) {
    // A pending restart delay stays: a failing worker must not spin because its database
    // ran ALTER EXTENSION.
    DatabaseMark* mark = find_mark(marks, database);
    if (mark != nullptr) mark->no_extension = false;
}

void note_extension_created_anywhere(std::vector<DatabaseMark>& marks) {
    for (DatabaseMark& mark : marks) mark.no_extension = false;
}

}  // namespace chronicle
