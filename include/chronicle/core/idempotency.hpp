// Deciding whether an append is a retry of one that already happened.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chronicle/core/stream_version.hpp"
#include "chronicle/core/uuid.hpp"

namespace chronicle {

// Where an event id supplied by the caller is already stored, if anywhere.
struct StoredEventId {
    bool found = false;
    bool same_stream = false;  // stored in the stream being appended to
    std::string other_stream;  // when found in another stream
    StreamVersion version = 0;
    // Whether the stored event has the appended one's content (jsonb equality for data and
    // metadata; NULL metadata matches only NULL). Compared only when found in this stream.
    // False by default, so that a caller that forgets to compare gets a conflict, never a
    // retry: an id alone proves nothing, whoever learns it could have stored anything.
    bool same_type = false;
    bool same_data = false;
    bool same_metadata = false;
    // The correlation and causation ids the stored event recorded against those this append
    // resolves (from the metadata or the settings; NULL matches only NULL). A library on a
    // catalog without the columns has nothing to compare and says true.
    bool same_correlation_id = false;
    bool same_causation_id = false;
};

// What to do with an append whose events carry these ids (nullopt: generated id).
struct RetryDecision {
    bool already_appended = false;  // a retry: write nothing, return `version`
    StreamVersion version = 0;
};

// Throws Error(DuplicateEventId) when the same id appears twice in one append.
void check_ids_distinct(const std::vector<std::optional<Uuid>>& ids);

// The rule: an append is an idempotent retry when every event carries an id, and the stream
// already holds exactly these ids at consecutive versions starting where this append would
// have put its first event (right after `expected`, or anywhere when `expected` is any),
// each with the same type, data, metadata, correlation id and causation id as the event now
// sent under its id (a retry under other settings than the first attempt's is no retry).
// If none of the ids is stored, it is a fresh append. Anything in between is a
// DuplicateEventId error: an id that is stored elsewhere must never be written twice.
RetryDecision decide_retry(std::string_view stream, ExpectedVersion expected,
                           const std::vector<std::optional<Uuid>>& ids,
                           const std::vector<StoredEventId>& stored);

}  // namespace chronicle
