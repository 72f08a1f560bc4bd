// Every SQLSTATE chronicle raises by name: its own class CH, part of the public contract
// (docs/reference.md, "SQLSTATEs"; never renumber), and the standard codes the core maps to.
// Plain strings, since the core cannot include PostgreSQL; boundary/errcodes.hpp makes errcodes.
#pragma once

namespace chronicle::sqlstate {

// A five-character SQLSTATE and its short name, the name docs/reference.md's table opens with.
struct Code {
    const char* code;
    const char* name;
};

// The stream is not at the version the caller expected.
inline constexpr Code kWrongExpectedVersion{"CH001", "wrong expected version"};
// An event id stored elsewhere, twice in one batch, or at its position with other content.
inline constexpr Code kDuplicateEventId{"CH002", "duplicate event id"};
// UPDATE, DELETE or TRUNCATE of the event log.
inline constexpr Code kImmutableEvents{"CH003", "events are immutable"};
// PREPARE TRANSACTION after an append; an inline projection filled outside READ COMMITTED.
inline constexpr Code kTransactionNotSupported{"CH004", "transaction not supported"};
// A stream name that is NULL, empty or too long.
inline constexpr Code kInvalidStreamName{"CH010", "invalid stream name"};
// An event type that is NULL, empty, not a string or too long.
inline constexpr Code kInvalidEventType{"CH011", "invalid event type"};
// Event data that is NULL or not a JSON object.
inline constexpr Code kInvalidEventData{"CH012", "invalid event data"};
// Metadata that is neither a JSON object nor null.
inline constexpr Code kInvalidMetadata{"CH013", "invalid metadata"};
// A batch that is not an array of event objects with known keys.
inline constexpr Code kInvalidBatch{"CH014", "invalid batch"};
// A negative expected version.
inline constexpr Code kInvalidExpectedVersion{"CH015", "invalid expected version"};
// Any other invalid argument of a chronicle function.
inline constexpr Code kInvalidArgument{"CH016", "invalid argument"};
// An event id in a batch that is not a uuid string.
inline constexpr Code kInvalidEventId{"CH017", "invalid event id"};
// An aggregate definition (given or stored) that does not compile.
inline constexpr Code kInvalidAggregateDefinition{"CH020", "invalid aggregate definition"};
// No aggregate of that name.
inline constexpr Code kUnknownAggregate{"CH021", "unknown aggregate"};
// A declarative aggregate's operation cannot apply an event, or a limit would be passed.
inline constexpr Code kFoldFailed{"CH022", "fold failed"};
// A reducer returned NULL.
inline constexpr Code kReducerFailed{"CH023", "reducer failed"};
// An invalid projection definition or argument (raised by PL/pgSQL too).
inline constexpr Code kInvalidProjection{"CH030", "invalid projection"};
// No projection of that name.
inline constexpr Code kUnknownProjection{"CH031", "unknown projection"};
// A projection of that name exists already.
inline constexpr Code kProjectionExists{"CH032", "projection already exists"};
// An invalid subscription definition (name, category, types, start) (raised by PL/pgSQL).
inline constexpr Code kInvalidSubscription{"CH040", "invalid subscription"};
// No subscription of that name.
inline constexpr Code kUnknownSubscription{"CH041", "unknown subscription"};
// A subscription of that name exists already.
inline constexpr Code kSubscriptionExists{"CH042", "subscription already exists"};
// An ack from a member of a consumer group whose size has changed since.
inline constexpr Code kSubscriptionGroupChanged{"CH043", "subscription group changed"};
// An ack or park of a position the subscription never delivered.
inline constexpr Code kPositionNotDelivered{"CH044", "position not delivered"};

// Every code of class CH above, in order; docs/reference.md's table lists exactly these.
inline constexpr Code kChronicleCodes[] = {
    kWrongExpectedVersion,
    kDuplicateEventId,
    kImmutableEvents,
    kTransactionNotSupported,
    kInvalidStreamName,
    kInvalidEventType,
    kInvalidEventData,
    kInvalidMetadata,
    kInvalidBatch,
    kInvalidExpectedVersion,
    kInvalidArgument,
    kInvalidEventId,
    kInvalidAggregateDefinition,
    kUnknownAggregate,
    kFoldFailed,
    kReducerFailed,
    kInvalidProjection,
    kUnknownProjection,
    kProjectionExists,
    kInvalidSubscription,
    kUnknownSubscription,
    kSubscriptionExists,
    kSubscriptionGroupChanged,
    kPositionNotDelivered,
};

// Standard codes the core produces itself (the glue uses PostgreSQL's ERRCODE_ names for
// the other standard codes it raises, such as 42501 or 22004).
// A broken invariant or an unexpected C++ exception: a bug, never bad input.
inline constexpr Code kInternalError{"XX000", "internal error"};
// std::bad_alloc caught at the boundary.
inline constexpr Code kOutOfMemory{"53200", "out of memory"};

}  // namespace chronicle::sqlstate
