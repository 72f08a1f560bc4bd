// The one mapping from the core's error kinds to the SQLSTATEs users program against;
// the glue raises them through core_call and never picks a code of its own for these.

#include "chronicle/core/error.hpp"

namespace chronicle {

const char* sqlstate_of(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::WrongExpectedVersion:
            return "CH001";
        case ErrorKind::DuplicateEventId:
            return "CH002";
        case ErrorKind::ImmutableEvents:
            return "CH003";
        case ErrorKind::TransactionNotSupported:
            return "CH004";
        case ErrorKind::InvalidStreamName:
            return "CH010";
        case ErrorKind::InvalidEventType:
            return "CH011";
        case ErrorKind::InvalidEventData:
            return "CH012";
        case ErrorKind::InvalidMetadata:
            return "CH013";
        case ErrorKind::InvalidBatch:
            return "CH014";
        case ErrorKind::InvalidExpectedVersion:
            return "CH015";
        case ErrorKind::InvalidArgument:
            return "CH016";
        case ErrorKind::InvalidEventId:
            return "CH017";
        case ErrorKind::InvalidAggregateDefinition:
            return "CH020";
        case ErrorKind::UnknownAggregate:
            return "CH021";
        case ErrorKind::FoldFailed:
            return "CH022";
        case ErrorKind::ReducerFailed:
            return "CH023";
        case ErrorKind::InvalidProjection:
            return "CH030";
        case ErrorKind::UnknownProjection:
            return "CH031";
        case ErrorKind::ProjectionExists:
            return "CH032";
        case ErrorKind::Internal:
            break;
    }
    return "XX000";
}

}  // namespace chronicle
