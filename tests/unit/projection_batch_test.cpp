// Unit tests for include/chronicle/core/projection_batch.hpp and projection_failure.hpp.
#include "chronicle/core/projection_batch.hpp"
#include "chronicle/core/projection_failure.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "chronicle/core/error.hpp"

namespace {

using chronicle::BatchEvent;
using chronicle::BatchPlan;
using chronicle::failure_action;
using chronicle::FailureAction;
using chronicle::plan_batch;

TEST(ProjectionBatchTest, ShortBatchMovesToJustBelowTheHorizon) {
    const BatchPlan plan = plan_batch({{"order-1", 1, 11}, {"order-2", 1, 12}}, 10, 20, 100);
    EXPECT_EQ(plan.next_position, 19);
    EXPECT_FALSE(plan.more);
    EXPECT_EQ(plan.events, 2);
    ASSERT_EQ(plan.streams.size(), 2u);
    EXPECT_EQ(plan.streams[0].stream, "order-1");
    EXPECT_EQ(plan.streams[1].first_position, 12);
}

TEST(ProjectionBatchTest, EmptyBatchStillAdvancesWithTheLog) {
    const BatchPlan plan = plan_batch({}, 10, 50, 100);
    EXPECT_EQ(plan.next_position, 49);
    EXPECT_TRUE(plan.streams.empty());
    EXPECT_FALSE(plan.more);
}

TEST(ProjectionBatchTest, NeverMovesBackwards) {
    // A horizon at or below the position (nothing committed since) keeps the position.
    EXPECT_EQ(plan_batch({}, 10, 11, 100).next_position, 10);
    EXPECT_EQ(plan_batch({}, 10, 5, 100).next_position, 10);
}

TEST(ProjectionBatchTest, FullBatchStopsAtItsLastEvent) {
    const BatchPlan plan =
        plan_batch({{"order-1", 1, 11}, {"order-1", 2, 13}, {"order-2", 1, 15}}, 10, 100, 3);
    EXPECT_EQ(plan.next_position, 15);
    EXPECT_TRUE(plan.more);
}

TEST(ProjectionBatchTest, OneRowPerStreamAtItsLastVersion) {
    const BatchPlan plan =
        plan_batch({{"a-1", 4, 11}, {"a-2", 1, 12}, {"a-1", 5, 13}, {"a-1", 6, 14}, {"a-2", 2, 15}},
                   10, 99, 100);
    ASSERT_EQ(plan.streams.size(), 2u);
    EXPECT_EQ(plan.streams[0].stream, "a-1");
    EXPECT_EQ(plan.streams[0].first_version, 4);
    EXPECT_EQ(plan.streams[0].last_version, 6);
    EXPECT_EQ(plan.streams[0].events, 3);
    EXPECT_EQ(plan.streams[1].last_version, 2);
    EXPECT_EQ(plan.streams[1].first_position, 12);
}

TEST(ProjectionBatchTest, RefusesAReadThatBreaksTheRules) {
    using chronicle::Error;
    // Out of order, at or before the position, at or beyond the horizon.
    EXPECT_THROW(plan_batch({{"a-1", 1, 12}, {"a-2", 1, 11}}, 10, 99, 100), Error);
    EXPECT_THROW(plan_batch({{"a-1", 1, 10}}, 10, 99, 100), Error);
    EXPECT_THROW(plan_batch({{"a-1", 1, 99}}, 10, 99, 100), Error);
    // A stream whose versions skip one inside the batch.
    EXPECT_THROW(plan_batch({{"a-1", 1, 11}, {"a-1", 3, 12}}, 10, 99, 100), Error);
    // More events than the batch size.
    EXPECT_THROW(plan_batch({{"a-1", 1, 11}, {"a-2", 1, 12}}, 10, 99, 1), Error);
    EXPECT_THROW(plan_batch({}, 10, 99, 0), Error);
}

TEST(ProjectionFailureTest, TransientConditionsAreRetried) {
    EXPECT_EQ(failure_action("40001", false), FailureAction::RetryLater);
    EXPECT_EQ(failure_action("40P01", false), FailureAction::RetryLater);
    EXPECT_EQ(failure_action("55P03", false), FailureAction::RetryLater);
}

TEST(ProjectionFailureTest, OnlyARealCancelEscalates) {
    EXPECT_EQ(failure_action("57014", true), FailureAction::Escalate);  // pg_cancel_backend
    EXPECT_EQ(failure_action("P0001", true), FailureAction::Escalate);  // whatever it interrupted
    EXPECT_EQ(failure_action("40001", true), FailureAction::Escalate);
}

TEST(ProjectionFailureTest, UserRaisedServerConditionsFailTheProjection) {
    // RAISE ... USING ERRCODE = '57014' in a handler is not a cancel of the worker.
    EXPECT_EQ(failure_action("57014", false), FailureAction::MarkFailed);  // query_canceled
    EXPECT_EQ(failure_action("57P01", false), FailureAction::MarkFailed);  // admin_shutdown
    EXPECT_EQ(failure_action("53200", false), FailureAction::MarkFailed);  // out_of_memory
    EXPECT_EQ(failure_action("58030", false), FailureAction::MarkFailed);  // io_error
}

TEST(ProjectionFailureTest, EverythingElseFailsTheProjection) {
    EXPECT_EQ(failure_action("CH022", false), FailureAction::MarkFailed);
    EXPECT_EQ(failure_action("22P02", false), FailureAction::MarkFailed);  // a column's cast
    EXPECT_EQ(failure_action("P0001", false), FailureAction::MarkFailed);  // RAISE in a handler
    EXPECT_EQ(failure_action("42P01", false), FailureAction::MarkFailed);  // its table was dropped
    EXPECT_EQ(failure_action("42501", false), FailureAction::MarkFailed);  // its owner lost a right
    EXPECT_EQ(failure_action("XX000", false), FailureAction::MarkFailed);
    EXPECT_EQ(failure_action("", false), FailureAction::MarkFailed);
}

}  // namespace
