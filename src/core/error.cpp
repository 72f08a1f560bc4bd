// The one mapping from the core's error kinds to the SQLSTATEs users program against;
// the glue raises them through core_call and never picks a code of its own for these.

#include "chronicle/core/error.hpp"

#include "chronicle/core/sqlstate.hpp"

namespace chronicle {

const char* sqlstate_of(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::WrongExpectedVersion:
            return sqlstate::kWrongExpectedVersion.code;
        case ErrorKind::DuplicateEventId:
            return sqlstate::kDuplicateEventId.code;
        case ErrorKind::ImmutableEvents:
            return sqlstate::kImmutableEvents.code;
        case ErrorKind::TransactionNotSupported:
            return sqlstate::kTransactionNotSupported.code;
        case ErrorKind::InvalidStreamName:
            return sqlstate::kInvalidStreamName.code;
        case ErrorKind::InvalidEventType:
            return sqlstate::kInvalidEventType.code;
        case ErrorKind::InvalidEventData:
            return sqlstate::kInvalidEventData.code;
        case ErrorKind::InvalidMetadata:
            return sqlstate::kInvalidMetadata.code;
        case ErrorKind::InvalidBatch:
            return sqlstate::kInvalidBatch.code;
        case ErrorKind::InvalidExpectedVersion:
            return sqlstate::kInvalidExpectedVersion.code;
        case ErrorKind::InvalidArgument:
            return sqlstate::kInvalidArgument.code;
        case ErrorKind::InvalidEventId:
            return sqlstate::kInvalidEventId.code;
        case ErrorKind::InvalidAggregateDefinition:
            return sqlstate::kInvalidAggregateDefinition.code;
        case ErrorKind::UnknownAggregate:
            return sqlstate::kUnknownAggregate.code;
        case ErrorKind::FoldFailed:
            return sqlstate::kFoldFailed.code;
        case ErrorKind::ReducerFailed:
            return sqlstate::kReducerFailed.code;
        case ErrorKind::InvalidProjection:
            return sqlstate::kInvalidProjection.code;
        case ErrorKind::UnknownProjection:
            return sqlstate::kUnknownProjection.code;
        case ErrorKind::ProjectionExists:
            return sqlstate::kProjectionExists.code;
        case ErrorKind::Internal:
            break;
    }
    return sqlstate::kInternalError.code;
}

}  // namespace chronicle
