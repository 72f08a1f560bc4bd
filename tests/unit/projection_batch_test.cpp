// Unit tests for include/chronicle/core/projection_batch.hpp and projection_failure.hpp.
#include "chronicle/core/projection_batch.hpp"
#include "chronicle/core/projection_failure.hpp"

#include <gtest/gtest.h>

#include <string_view>
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

chronicle::BatchFailure failed(std::string_view sqlstate, int attempts = 0) {
    chronicle::BatchFailure failure;
    failure.sqlstate = sqlstate;
    failure.attempts = attempts;
    failure.event_known = true;
    return failure;
}

TEST(ProjectionFailureTest, TransientConditionsAreRetriedForever) {
    const chronicle::FailurePolicy policy;
    EXPECT_EQ(failure_action(failed("40001"), policy), FailureAction::Retry);
    EXPECT_EQ(failure_action(failed("40P01", 50), policy), FailureAction::Retry);
    EXPECT_EQ(failure_action(failed("55P03", 1000), policy), FailureAction::Retry);
}

TEST(ProjectionFailureTest, OnlyARealCancelEscalates) {
    const chronicle::FailurePolicy policy;
    chronicle::BatchFailure failure = failed("57014");  // pg_cancel_backend
    failure.cancel_requested = true;
    EXPECT_EQ(failure_action(failure, policy), FailureAction::Escalate);
    failure.sqlstate = "P0001";  // whatever it interrupted
    EXPECT_EQ(failure_action(failure, policy), FailureAction::Escalate);
    failure.sqlstate = "40001";
    EXPECT_EQ(failure_action(failure, policy), FailureAction::Escalate);
}

TEST(ProjectionFailureTest, UserRaisedServerConditionsAreRetriedThenStop) {
    // RAISE ... USING ERRCODE = '57014' in a handler is not a cancel of the worker: the
    // projection is retried, then failed; the worker goes on.
    const chronicle::FailurePolicy policy;  // three retries
    for (const char* state : {"57014", "57P01", "53200", "58030", "XX000"}) {
        EXPECT_EQ(failure_action(failed(state, 0), policy), FailureAction::Retry) << state;
        EXPECT_EQ(failure_action(failed(state, 2), policy), FailureAction::Retry) << state;
        EXPECT_EQ(failure_action(failed(state, 3), policy), FailureAction::Stop) << state;
    }
}

TEST(ProjectionFailureTest, TheUsersOwnErrorsStopAtOnce) {
    const chronicle::FailurePolicy policy;
    for (const char* state : {"CH022", "22P02", "P0001", "42P01", "42501", "23505"}) {
        EXPECT_EQ(failure_action(failed(state), policy), FailureAction::Stop) << state;
    }
    EXPECT_EQ(failure_action(failed(""), policy), FailureAction::Retry);  // malformed: the server's
}

TEST(ProjectionFailureTest, TheTimeLimitIsRetriedWhateverTheSqlstate) {
    const chronicle::FailurePolicy policy{2, false};
    chronicle::BatchFailure failure = failed("P0001");  // a handler's EXCEPTION block rethrew it
    failure.time_limit = true;
    EXPECT_EQ(failure_action(failure, policy), FailureAction::Retry);
    failure.attempts = 2;
    EXPECT_EQ(failure_action(failure, policy), FailureAction::Stop);
}

TEST(ProjectionFailureTest, ParkingReplacesStoppingWhenTheEventIsKnown) {
    const chronicle::FailurePolicy policy{3, true};
    EXPECT_EQ(failure_action(failed("P0001"), policy), FailureAction::Park);
    EXPECT_EQ(failure_action(failed("57014", 3), policy), FailureAction::Park);
    EXPECT_EQ(failure_action(failed("40P01", 3), policy), FailureAction::Retry);
    chronicle::BatchFailure unknown = failed("P0001");
    unknown.event_known = false;
    EXPECT_EQ(failure_action(unknown, policy), FailureAction::Stop);
    chronicle::BatchFailure cancelled = failed("P0001");
    cancelled.cancel_requested = true;
    EXPECT_EQ(failure_action(cancelled, policy), FailureAction::Escalate);
}

TEST(ProjectionFailureTest, RetriesBackOffAndShrinkTheBatch) {
    EXPECT_EQ(chronicle::retry_delay_ms(1), 1000);
    EXPECT_EQ(chronicle::retry_delay_ms(2), 2000);
    EXPECT_EQ(chronicle::retry_delay_ms(3), 4000);
    EXPECT_EQ(chronicle::retry_delay_ms(7), 60000);
    EXPECT_EQ(chronicle::retry_delay_ms(1000), 60000);
    EXPECT_EQ(chronicle::retry_delay_ms(0), 1000);
    EXPECT_EQ(chronicle::retry_batch_size(1000, 0), 1000);
    EXPECT_EQ(chronicle::retry_batch_size(1000, 1), 250);
    EXPECT_EQ(chronicle::retry_batch_size(1000, 2), 62);
    EXPECT_EQ(chronicle::retry_batch_size(1000, 5), 1);
    EXPECT_EQ(chronicle::retry_batch_size(1000, 100), 1);
}

}  // namespace
