// The correlation and causation ids an event records (0.8): where each comes from (the
// event's metadata or the session's setting) and what a valid id is.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "chronicle/core/event_shape.hpp"

namespace chronicle {

// An id is a non-empty text of at most this many bytes (not characters), as a stream name.
inline constexpr std::size_t kMaxCorrelationIdBytes = 255;

// What the glue found under one key ("correlation_id" or "causation_id") of an event's
// metadata: Missing when the event has no metadata or the metadata no such key.
struct MetadataId {
    JsonKind kind = JsonKind::Missing;
    std::string_view text;  // valid when kind == String
};

// The settings chronicle.correlation_id and chronicle.causation_id as the append sees them;
// empty means none.
struct IdSettings {
    std::string_view correlation;
    std::string_view causation;
};

// What an event records; nullopt for none (SQL NULL). The views borrow from the metadata or
// the settings they were resolved from.
struct EventIds {
    std::optional<std::string_view> correlation;
    std::optional<std::string_view> causation;
};

// The rule, for each of the two ids: the metadata's key when it is present, which must then
// be a non-empty JSON string of at most kMaxCorrelationIdBytes (anything else, JSON null,
// numbers and "" included, throws Error(InvalidMetadata)); otherwise the setting when it is
// not empty; otherwise none. `batch_index` (0-based) is named, 1-based, in the message.
EventIds resolve_event_ids(const MetadataId& correlation, const MetadataId& causation,
                           const IdSettings& settings,
                           std::optional<std::size_t> batch_index = std::nullopt);

// What is wrong with a setting's value, or nullptr when it may be set: empty (none) or at
// most kMaxCorrelationIdBytes. A static string, for a GUC check hook.
const char* id_setting_problem(std::string_view value) noexcept;

// read_correlated's argument: throws Error(InvalidArgument) when it is NULL, empty or longer
// than any stored id can be.
void validate_correlation_argument(std::optional<std::string_view> correlation_id);

}  // namespace chronicle
