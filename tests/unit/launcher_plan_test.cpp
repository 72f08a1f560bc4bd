// Unit tests for include/chronicle/core/launcher_plan.hpp.
#include "chronicle/core/launcher_plan.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using chronicle::DatabaseMark;
using chronicle::kWorkerRestartDelayUs;
using chronicle::LauncherPlan;
using chronicle::note_extension_created;
using chronicle::note_extension_created_anywhere;
using chronicle::note_worker_exit;
using chronicle::plan_launcher;
using chronicle::WorkerSlotView;

using Dbs = std::vector<std::uint32_t>;
using Marks = std::vector<DatabaseMark>;
using Slots = std::vector<WorkerSlotView>;
using Indexes = std::vector<std::size_t>;

constexpr std::int64_t kNow = 1'000'000'000;

Slots free_slots(std::size_t n) {
    return Slots(n);
}

WorkerSlotView running(std::uint32_t database) {
    return {database, true, 0};
}
WorkerSlotView idle(std::uint32_t database) {
    return {database, false, 0};
}
WorkerSlotView suspended(std::uint32_t database, std::int64_t until) {
    return {database, false, until};
}

// "database@slot,..." for compact comparisons.
std::string starts_of(const LauncherPlan& plan) {
    std::string out;
    for (const auto& start : plan.starts) {
        if (!out.empty()) out += ",";
        out += std::to_string(start.database) + "@" + std::to_string(start.slot);
    }
    return out;
}

// --- starting workers -----------------------------------------------------------------------

TEST(LauncherPlanTest, StartsAWorkerForEveryDatabaseWithoutOne) {
    LauncherPlan plan = plan_launcher({10, 11, 12}, {}, free_slots(4), kNow, 4);
    EXPECT_EQ(starts_of(plan), "10@0,11@1,12@2");
    EXPECT_TRUE(plan.free_slots.empty());
    EXPECT_FALSE(plan.wake_at.has_value());
}

TEST(LauncherPlanTest, LeavesRunningWorkersAlone) {
    Slots slots = {running(10), {}, running(12), {}};
    LauncherPlan plan = plan_launcher({10, 11, 12}, {}, slots, kNow, 4);
    EXPECT_EQ(starts_of(plan), "11@1");
    EXPECT_TRUE(plan.free_slots.empty());
}

TEST(LauncherPlanTest, NeverMoreThanMaxWorkers) {
    // Three slots exist but max_workers is 2: the third is never used.
    LauncherPlan plan = plan_launcher({10, 11, 12}, {}, free_slots(3), kNow, 2);
    EXPECT_EQ(starts_of(plan), "10@0,11@1");

    Slots full = {running(10), running(11)};
    EXPECT_EQ(starts_of(plan_launcher({10, 11, 12}, {}, full, kNow, 2)), "");

    // A waiting (suspended) slot counts against the limit too.
    Slots holding = {running(10), suspended(11, kNow + 5)};
    EXPECT_EQ(starts_of(plan_launcher({10, 11, 12}, {}, holding, kNow, 2)), "");
}

TEST(LauncherPlanTest, MaxWorkersZeroStartsNothing) {
    LauncherPlan plan = plan_launcher({10, 11}, {}, free_slots(0), kNow, 0);
    EXPECT_TRUE(plan.starts.empty());
    plan = plan_launcher({10, 11}, {}, free_slots(2), kNow, 0);
    EXPECT_TRUE(plan.starts.empty());
}

TEST(LauncherPlanTest, ADatabaseNeverGetsTwoWorkers) {
    Slots slots = {running(10), {}, {}};
    LauncherPlan plan = plan_launcher({10, 10, 11}, {}, slots, kNow, 3);
    EXPECT_EQ(starts_of(plan), "11@1");
}

TEST(LauncherPlanTest, DatabaseOidZeroIsIgnored) {
    EXPECT_EQ(starts_of(plan_launcher({0, 11}, {}, free_slots(2), kNow, 2)), "11@0");
}

// --- workers that exited ------------------------------------------------------------------

TEST(LauncherPlanTest, RestartsAnExitedWorkerInItsOwnSlot) {
    Slots slots = {{}, idle(11)};
    LauncherPlan plan = plan_launcher({11}, {}, slots, kNow, 2);
    EXPECT_EQ(starts_of(plan), "11@1");
    EXPECT_TRUE(plan.free_slots.empty());
}

TEST(LauncherPlanTest, NoExtensionMeansNoRestartUntilNotified) {
    Marks marks;
    note_worker_exit(marks, 11, /*found_no_extension=*/true, kNow);
    Slots slots = {idle(11)};

    // The slot is given back, and no worker is started, however much time passes.
    LauncherPlan plan = plan_launcher({11}, marks, slots, kNow, 1);
    EXPECT_EQ(starts_of(plan), "");
    EXPECT_EQ(plan.free_slots, Indexes{0});
    EXPECT_FALSE(plan.wake_at.has_value());
    plan = plan_launcher({11}, plan.marks, free_slots(1), kNow + 3600'000'000LL, 1);
    EXPECT_EQ(starts_of(plan), "");
    ASSERT_EQ(plan.marks.size(), 1u);
    EXPECT_TRUE(plan.marks[0].no_extension);

    // CREATE EXTENSION there: the next wake-up starts one.
    Marks notified = plan.marks;
    note_extension_created(notified, 11);
    plan = plan_launcher({11}, notified, free_slots(1), kNow + 1, 1);
    EXPECT_EQ(starts_of(plan), "11@0");
    EXPECT_TRUE(plan.marks.empty());
}

TEST(LauncherPlanTest, ANoticeForAnotherDatabaseChangesNothing) {
    Marks marks;
    note_worker_exit(marks, 11, true, kNow);
    note_extension_created(marks, 12);
    EXPECT_EQ(starts_of(plan_launcher({11, 12}, marks, free_slots(2), kNow, 2)), "12@0");
}

TEST(LauncherPlanTest, AnOverflowedNoticeClearsEveryNoExtensionMark) {
    Marks marks;
    note_worker_exit(marks, 11, true, kNow);
    note_worker_exit(marks, 12, true, kNow);
    note_extension_created_anywhere(marks);
    EXPECT_EQ(starts_of(plan_launcher({11, 12}, marks, free_slots(2), kNow, 2)), "11@0,12@1");
}

TEST(LauncherPlanTest, NoExtensionDatabasesDoNotHoldSlots) {
    // 11 has no extension; its slot serves 12 instead.
    Marks marks;
    note_worker_exit(marks, 11, true, kNow);
    Slots slots = {running(10), idle(11)};
    LauncherPlan plan = plan_launcher({10, 11, 12}, marks, slots, kNow, 2);
    EXPECT_EQ(plan.free_slots, Indexes{1});
    EXPECT_EQ(starts_of(plan), "12@1");
}

TEST(LauncherPlanTest, AFailedWorkerIsRestartedAfterTheDelay) {
    Marks marks;
    note_worker_exit(marks, 11, /*found_no_extension=*/false, kNow);
    Slots slots = {idle(11)};

    LauncherPlan plan = plan_launcher({11}, marks, slots, kNow + 1, 1);
    EXPECT_EQ(starts_of(plan), "");
    EXPECT_EQ(plan.free_slots, Indexes{0});
    ASSERT_TRUE(plan.wake_at.has_value());
    EXPECT_EQ(*plan.wake_at, kNow + kWorkerRestartDelayUs);

    plan = plan_launcher({11}, plan.marks, free_slots(1), kNow + kWorkerRestartDelayUs - 1, 1);
    EXPECT_EQ(starts_of(plan), "");
    plan = plan_launcher({11}, plan.marks, free_slots(1), kNow + kWorkerRestartDelayUs, 1);
    EXPECT_EQ(starts_of(plan), "11@0");
    EXPECT_TRUE(plan.marks.empty()) << "a started database's delay is spent";
}

TEST(LauncherPlanTest, ARestartDelayOutlivesAnExtensionNotice) {
    Marks marks;
    note_worker_exit(marks, 11, false, kNow);
    note_extension_created(marks, 11);
    EXPECT_EQ(starts_of(plan_launcher({11}, marks, free_slots(1), kNow, 1)), "");
}

TEST(LauncherPlanTest, AWorkerThatFailsAfterItFoundNoExtensionIsRetried) {
    Marks marks;
    note_worker_exit(marks, 11, true, kNow);
    note_extension_created(marks, 11);
    note_worker_exit(marks, 11, false, kNow);
    ASSERT_EQ(marks.size(), 1u);
    EXPECT_FALSE(marks[0].no_extension);
    EXPECT_EQ(marks[0].not_before, kNow + kWorkerRestartDelayUs);
}

TEST(LauncherPlanTest, DelayedDatabasesLetOthersThrough) {
    Marks marks;
    note_worker_exit(marks, 10, false, kNow);
    EXPECT_EQ(starts_of(plan_launcher({10, 11}, marks, free_slots(1), kNow, 1)), "11@0");
}

// --- suspension (DROP DATABASE in progress) -----------------------------------------------

TEST(LauncherPlanTest, ASuspendedDatabaseWaitsAndKeepsItsSlot) {
    Slots slots = {suspended(11, kNow + 30'000'000), {}};
    LauncherPlan plan = plan_launcher({11, 12}, {}, slots, kNow, 2);
    EXPECT_EQ(starts_of(plan), "12@1");
    EXPECT_TRUE(plan.free_slots.empty());
    ASSERT_TRUE(plan.wake_at.has_value());
    EXPECT_EQ(*plan.wake_at, kNow + 30'000'000);
}

TEST(LauncherPlanTest, AfterTheSuspensionTheWorkerComesBack) {
    // The DROP failed: the database is still there when the suspension ends.
    Slots slots = {suspended(11, kNow)};
    EXPECT_EQ(starts_of(plan_launcher({11}, {}, slots, kNow, 1)), "11@0");
}

TEST(LauncherPlanTest, ASuspendedSlotOfADroppedDatabaseIsFreedAtOnce) {
    Slots slots = {suspended(11, kNow + 30'000'000)};
    LauncherPlan plan = plan_launcher({12}, {}, slots, kNow, 1);
    EXPECT_EQ(plan.free_slots, Indexes{0});
    EXPECT_EQ(starts_of(plan), "12@0");
    EXPECT_FALSE(plan.wake_at.has_value());
}

TEST(LauncherPlanTest, ARunningWorkerOfASuspendedDatabaseKeepsItsSlot) {
    // It was just sent SIGTERM; its slot is released only once it is gone.
    Slots slots = {{11, true, kNow + 30'000'000}};
    LauncherPlan plan = plan_launcher({11}, {}, slots, kNow, 1);
    EXPECT_EQ(starts_of(plan), "");
    EXPECT_TRUE(plan.free_slots.empty());
}

// --- databases that disappear -------------------------------------------------------------

TEST(LauncherPlanTest, VanishedDatabasesFreeTheirSlotsAndMarks) {
    Marks marks;
    note_worker_exit(marks, 11, true, kNow);
    note_worker_exit(marks, 12, false, kNow);
    Slots slots = {idle(10), idle(12), running(13)};
    LauncherPlan plan = plan_launcher({14}, marks, slots, kNow, 3);
    EXPECT_EQ(plan.free_slots, (Indexes{0, 1}));
    EXPECT_TRUE(plan.marks.empty());
    EXPECT_EQ(starts_of(plan), "14@0");
}

TEST(LauncherPlanTest, ARunningWorkerOfAVanishedDatabaseKeepsItsSlotUntilItExits) {
    Slots slots = {running(10)};
    LauncherPlan plan = plan_launcher({}, {}, slots, kNow, 1);
    EXPECT_TRUE(plan.free_slots.empty());
    EXPECT_TRUE(plan.starts.empty());
}

TEST(LauncherPlanTest, ARecreatedDatabaseStartsWithoutMarks) {
    // Same name, new OID: the old OID's "no extension" does not follow it.
    Marks marks;
    note_worker_exit(marks, 11, true, kNow);
    LauncherPlan plan = plan_launcher({20}, marks, free_slots(1), kNow, 1);
    EXPECT_TRUE(plan.marks.empty());
    EXPECT_EQ(starts_of(plan), "20@0");
}

TEST(LauncherPlanTest, SlotsBeyondMaxWorkersAreOnlyEverFreed) {
    Slots slots = {{}, idle(11)};
    LauncherPlan plan = plan_launcher({11}, {}, slots, kNow, 1);
    EXPECT_EQ(plan.free_slots, Indexes{1});
    EXPECT_EQ(starts_of(plan), "11@0");
}

TEST(LauncherPlanTest, WakeAtIsTheEarliestWait) {
    Marks marks;
    note_worker_exit(marks, 10, false, kNow - kWorkerRestartDelayUs + 5);
    Slots slots = {suspended(11, kNow + 100), {}};
    LauncherPlan plan = plan_launcher({10, 11}, marks, slots, kNow, 2);
    ASSERT_TRUE(plan.wake_at.has_value());
    EXPECT_EQ(*plan.wake_at, kNow + 5);
}

TEST(LauncherPlan, DatabasesBeyondTheSlotsAreReportedWaiting) {
    // Two slots, one taken: 11 gets the free one, 12 and 13 wait; 14 (no extension) and 15
    // (restart delay) are not waiting for a slot.
    Marks marks{DatabaseMark{14, true, 0}, DatabaseMark{15, false, kNow + 5}};
    LauncherPlan plan = plan_launcher({10, 11, 12, 13, 14, 15}, marks,
                                      Slots{running(10), WorkerSlotView{}}, kNow, 2);
    ASSERT_EQ(plan.starts.size(), 1u);
    EXPECT_EQ(plan.starts[0].database, 11u);
    EXPECT_EQ(plan.waiting_for_slot, Dbs({12, 13}));
}

TEST(LauncherPlan, NoDatabaseWaitsWhileSlotsAreFree) {
    LauncherPlan plan = plan_launcher({10, 11}, {}, free_slots(4), kNow, 4);
    EXPECT_TRUE(plan.waiting_for_slot.empty());
}

}  // namespace
