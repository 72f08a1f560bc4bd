// One batch of a projection: which events it takes, which rows they touch, and how far the
// projection's position moves when the batch commits.
//
// A batch reads the matching events after the projection's position and below the read
// horizon (the first position still held by a transaction in flight), in position order, at
// most batch_size of them. A full batch moves the position to its last event; a short one
// has seen every matching event below the horizon, so the position moves to just below the
// horizon even when nothing matched: a projection whose category is quiet still keeps up
// with the log (wait_for_projection compares positions).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace chronicle {

struct BatchEvent {
    std::string stream;
    std::int64_t version;
    std::int64_t position;
};

// A stream the batch touches: its row is written once, at the last version in the batch.
struct TouchedStream {
    std::string stream;
    std::int64_t last_version;
    std::int64_t first_version;
    std::int64_t first_position;
    std::int64_t events;
};

struct BatchPlan {
    std::vector<TouchedStream> streams;  // in the order of their first event
    std::int64_t next_position;
    std::int64_t events;
    bool more;  // the batch was full: more events may be waiting below the horizon
};

// `events` are what the batch read (position order, at most batch_size, all in
// (from_position, horizon)). Throws Error(Internal) when they break those rules: a batch
// built on a wrong read must not move a position.
BatchPlan plan_batch(const std::vector<BatchEvent>& events, std::int64_t from_position,
                     std::int64_t horizon, std::int64_t batch_size);

// The position a batch of `read` events ends at, for projections that keep no rows per
// stream (handlers): the same rule as plan_batch.
std::int64_t next_position(std::int64_t read, std::int64_t last_read_position,
                           std::int64_t from_position, std::int64_t horizon,
                           std::int64_t batch_size);

}  // namespace chronicle
