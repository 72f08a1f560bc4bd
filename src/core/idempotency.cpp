// Deciding whether an append is a retry of one already written: the same id with the same
// stream, position, type, data, metadata, correlation and causation id; anything else under
// the id is a conflict.

#include "chronicle/core/idempotency.hpp"

#include <algorithm>

#include "chronicle/core/error.hpp"

namespace chronicle {
namespace {

[[noreturn]] void duplicate(std::string_view stream, const Uuid& id, const StoredEventId& at,
                            std::string why) {
    std::string message = "event id " + format_uuid(id) + " is already stored";
    if (at.same_stream) {
        message += " in stream \"";
        message.append(stream);
        message += "\" at version " + std::to_string(at.version);
    } else {
        message += " in stream \"" + at.other_stream + "\"";
    }
    throw Error(ErrorKind::DuplicateEventId, std::move(message), std::move(why),
                "A retried append must send the same events, with the same ids, to the same "
                "stream and expected version.");
}

// "type", "data and metadata", "type, data and metadata": what differs, for a detail.
std::string differing_parts(const StoredEventId& s) {
    std::vector<const char*> parts;
    if (!s.same_type) parts.push_back("type");
    if (!s.same_data) parts.push_back("data");
    if (!s.same_metadata) parts.push_back("metadata");
    if (!s.same_correlation_id) parts.push_back("correlation id");
    if (!s.same_causation_id) parts.push_back("causation id");
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) out += i + 1 == parts.size() ? " and " : ", ";
        out += parts[i];
    }
    return out;
}

}  // namespace

void check_ids_distinct(const std::vector<std::optional<Uuid>>& ids) {
    std::vector<Uuid> seen;
    seen.reserve(ids.size());
    for (const auto& id : ids) {
        if (id) seen.push_back(*id);
    }
    std::sort(seen.begin(), seen.end());
    const auto dup = std::adjacent_find(seen.begin(), seen.end());
    if (dup != seen.end()) {
        throw Error(ErrorKind::DuplicateEventId,
                    "event id " + format_uuid(*dup) + " appears more than once in the batch");
    }
}

RetryDecision decide_retry(std::string_view stream, ExpectedVersion expected,
                           const std::vector<std::optional<Uuid>>& ids,
                           const std::vector<StoredEventId>& stored) {
    const auto first_found =
        std::find_if(stored.begin(), stored.end(), [](const StoredEventId& s) { return s.found; });
    if (first_found == stored.end() || ids.empty()) {
        return {};
    }
    const std::size_t first = static_cast<std::size_t>(first_found - stored.begin());
    const Uuid& first_id = *ids[first];
    if (!first_found->same_stream) {
        duplicate(stream, first_id, *first_found, "Event ids are unique across all streams.");
    }
    // Every event must be there, in this stream, in order, where this append would put it.
    const StreamVersion start = stored[0].version;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const StoredEventId& s = stored[i];
        if (!ids[i] || !s.found || !s.same_stream ||
            s.version != start + static_cast<StreamVersion>(i)) {
            duplicate(stream, first_id, *first_found,
                      "Some events of this append are already stored and others are not, or "
                      "not in this order.");
        }
    }
    if (!expected.is_any() && start != expected.value() + 1) {
        duplicate(stream, first_id, *first_found,
                  "The stored events are not where this append, with expected version " +
                      std::to_string(expected.value()) + ", would have put them.");
    }
    // Checked last, so that an append sent to the wrong place is reported as such. An id
    // alone is no proof of a retry: whoever learned it could have stored other content under
    // it first, and the owner's retry must then fail rather than report success.
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const StoredEventId& s = stored[i];
        if (!s.same_type || !s.same_data || !s.same_metadata || !s.same_correlation_id ||
            !s.same_causation_id) {
            std::string why =
                "The event stored under this id differs from the one sent now in its " +
                differing_parts(s) + "; a retry must send the same event.";
            if (!s.same_correlation_id || !s.same_causation_id) {
                why +=
                    " An id the metadata does not carry comes from the setting "
                    "chronicle.correlation_id or chronicle.causation_id, which must then be "
                    "the same as in the first attempt.";
            }
            duplicate(stream, *ids[i], s, std::move(why));
        }
    }
    return {true, start + static_cast<StreamVersion>(ids.size()) - 1};
}

}  // namespace chronicle
