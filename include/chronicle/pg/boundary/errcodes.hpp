// chronicle's SQLSTATEs (chronicle/core/sqlstate.hpp) as errcode() values for the glue, in the
// style of PostgreSQL's ERRCODE_ names: the one place they become MAKE_SQLSTATE, so that no
// code is spelled out twice.
#pragma once

#include "chronicle/core/sqlstate.hpp"
#include "chronicle/pg/boundary/postgres.hpp"

namespace chronicle::pg {

// MAKE_SQLSTATE of a five-character code.
constexpr int make_errcode(const char* s) {
    return MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
}

}  // namespace chronicle::pg

#define CHRONICLE_ERRCODE(name) (::chronicle::pg::make_errcode(::chronicle::sqlstate::name.code))

#define ERRCODE_CHRONICLE_WRONG_EXPECTED_VERSION CHRONICLE_ERRCODE(kWrongExpectedVersion)
#define ERRCODE_CHRONICLE_DUPLICATE_EVENT_ID CHRONICLE_ERRCODE(kDuplicateEventId)
#define ERRCODE_CHRONICLE_IMMUTABLE_EVENTS CHRONICLE_ERRCODE(kImmutableEvents)
#define ERRCODE_CHRONICLE_TRANSACTION_NOT_SUPPORTED CHRONICLE_ERRCODE(kTransactionNotSupported)
#define ERRCODE_CHRONICLE_INVALID_STREAM_NAME CHRONICLE_ERRCODE(kInvalidStreamName)
#define ERRCODE_CHRONICLE_INVALID_EVENT_TYPE CHRONICLE_ERRCODE(kInvalidEventType)
#define ERRCODE_CHRONICLE_INVALID_EVENT_DATA CHRONICLE_ERRCODE(kInvalidEventData)
#define ERRCODE_CHRONICLE_INVALID_METADATA CHRONICLE_ERRCODE(kInvalidMetadata)
#define ERRCODE_CHRONICLE_INVALID_BATCH CHRONICLE_ERRCODE(kInvalidBatch)
#define ERRCODE_CHRONICLE_INVALID_EXPECTED_VERSION CHRONICLE_ERRCODE(kInvalidExpectedVersion)
#define ERRCODE_CHRONICLE_INVALID_ARGUMENT CHRONICLE_ERRCODE(kInvalidArgument)
#define ERRCODE_CHRONICLE_INVALID_EVENT_ID CHRONICLE_ERRCODE(kInvalidEventId)
#define ERRCODE_CHRONICLE_INVALID_AGGREGATE_DEFINITION \
    CHRONICLE_ERRCODE(kInvalidAggregateDefinition)
#define ERRCODE_CHRONICLE_UNKNOWN_AGGREGATE CHRONICLE_ERRCODE(kUnknownAggregate)
#define ERRCODE_CHRONICLE_FOLD_FAILED CHRONICLE_ERRCODE(kFoldFailed)
#define ERRCODE_CHRONICLE_REDUCER_FAILED CHRONICLE_ERRCODE(kReducerFailed)
#define ERRCODE_CHRONICLE_INVALID_PROJECTION CHRONICLE_ERRCODE(kInvalidProjection)
#define ERRCODE_CHRONICLE_UNKNOWN_PROJECTION CHRONICLE_ERRCODE(kUnknownProjection)
#define ERRCODE_CHRONICLE_PROJECTION_EXISTS CHRONICLE_ERRCODE(kProjectionExists)
#define ERRCODE_CHRONICLE_INVALID_SUBSCRIPTION CHRONICLE_ERRCODE(kInvalidSubscription)
#define ERRCODE_CHRONICLE_UNKNOWN_SUBSCRIPTION CHRONICLE_ERRCODE(kUnknownSubscription)
#define ERRCODE_CHRONICLE_SUBSCRIPTION_EXISTS CHRONICLE_ERRCODE(kSubscriptionExists)
#define ERRCODE_CHRONICLE_SUBSCRIPTION_GROUP_CHANGED CHRONICLE_ERRCODE(kSubscriptionGroupChanged)
#define ERRCODE_CHRONICLE_POSITION_NOT_DELIVERED CHRONICLE_ERRCODE(kPositionNotDelivered)
