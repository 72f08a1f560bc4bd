// Errors the core reports, each with the stable SQLSTATE users program against.
#pragma once

#include <stdexcept>
#include <string>

namespace chronicle {

// One value per distinct error kind, each with its SQLSTATE of the same name in
// chronicle/core/sqlstate.hpp (Internal: XX000); sqlstate_of() maps them.
enum class ErrorKind {
    WrongExpectedVersion,
    DuplicateEventId,
    ImmutableEvents,
    TransactionNotSupported,
    InvalidStreamName,
    InvalidEventType,
    InvalidEventData,
    InvalidMetadata,
    InvalidBatch,
    InvalidExpectedVersion,
    InvalidArgument,
    InvalidEventId,
    InvalidAggregateDefinition,
    UnknownAggregate,
    FoldFailed,
    ReducerFailed,
    InvalidProjection,
    UnknownProjection,
    ProjectionExists,
    Internal,
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
