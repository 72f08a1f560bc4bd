// One batch of a projection, planned without PostgreSQL: which events it takes, which rows
// they touch, and where the projection's position moves when it commits.

#include "chronicle/core/projection_batch.hpp"

#include <algorithm>
#include <unordered_map>

#include "chronicle/core/error.hpp"

namespace chronicle {

std::int64_t next_position(std::int64_t read, std::int64_t last_read_position,
                           std::int64_t from_position, std::int64_t horizon,
                           std::int64_t batch_size) {
    if (batch_size <= 0) throw Error(ErrorKind::Internal, "projection batch size must be positive");
    if (read >= batch_size) return last_read_position;
    return std::max(from_position, horizon - 1);
}

BatchPlan plan_batch(const std::vector<BatchEvent>& events, std::int64_t from_position,
                     std::int64_t horizon, std::int64_t batch_size) {
    if (static_cast<std::int64_t>(events.size()) > batch_size) {
        throw Error(ErrorKind::Internal, "projection batch read more events than its size");
    }
    BatchPlan plan{{}, from_position, static_cast<std::int64_t>(events.size()), false};
    std::unordered_map<std::string, std::size_t> index;
    std::int64_t previous = from_position;
    for (const BatchEvent& event : events) {
        if (event.position <= previous || event.position >= horizon) {
            throw Error(ErrorKind::Internal, "projection batch read position " +
                                                 std::to_string(event.position) +
                                                 " out of order or beyond the read horizon");
        }
        previous = event.position;
        auto [it, inserted] = index.emplace(event.stream, plan.streams.size());
        if (inserted) {
            plan.streams.push_back(
                TouchedStream{event.stream, event.version, event.version, event.position, 1});
            continue;
        }
        TouchedStream& touched = plan.streams[it->second];
        if (event.version != touched.last_version + 1) {
            throw Error(ErrorKind::Internal, "projection batch read stream \"" + event.stream +
                                                 "\" with a gap at version " +
                                                 std::to_string(event.version));
        }
        touched.last_version = event.version;
        ++touched.events;
    }
    plan.next_position = next_position(plan.events, previous, from_position, horizon, batch_size);
    plan.more = plan.events >= batch_size;
    return plan;
}

}  // namespace chronicle
