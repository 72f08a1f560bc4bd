// Errors the core reports, each with the stable SQLSTATE users program against.
#pragma once

#include <stdexcept>
#include <string>

namespace chronicle {

// One value per distinct error kind. The SQLSTATEs live in class "CH" (chronicle);
// they are part of the public contract (docs/reference.md) and must never change.
enum class ErrorKind {
    WrongExpectedVersion,        // CH001
    DuplicateEventId,            // CH002
    ImmutableEvents,             // CH003
    TransactionNotSupported,     // CH004
    InvalidStreamName,           // CH010
    InvalidEventType,            // CH011
    InvalidEventData,            // CH012
    InvalidMetadata,             // CH013
    InvalidBatch,                // CH014
    InvalidExpectedVersion,      // CH015
    InvalidArgument,             // CH016
    InvalidEventId,              // CH017
    InvalidAggregateDefinition,  // CH020
    UnknownAggregate,            // CH021
    FoldFailed,                  // CH022
    ReducerFailed,               // CH023
    InvalidProjection,           // CH030
    UnknownProjection,           // CH031
    ProjectionExists,            // CH032
    Internal,                    // XX000
};

// The five-character SQLSTATE of an error kind.
const char* sqlstate_of(ErrorKind kind) noexcept;

// A typed, expected failure: the boundary turns it into ereport(ERROR) with its SQLSTATE.
class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, std::string message, std::string detail = {}, std::string hint = {})
        : std::runtime_error(std::move(message)),
          kind_(kind),
          detail_(std::move(detail)),
          hint_(std::move(hint)) {}

    ErrorKind kind() const noexcept { return kind_; }
    const std::string& detail() const noexcept { return detail_; }
    const std::string& hint() const noexcept { return hint_; }

  private:
    ErrorKind kind_;
    std::string detail_;
    std::string hint_;
};

}  // namespace chronicle
