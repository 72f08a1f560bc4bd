// Which correlation and causation ids an event records, and what a valid id is.

#include "chronicle/core/correlation_ids.hpp"

#include <string>

#include "chronicle/core/error.hpp"

namespace chronicle {
namespace {

std::optional<std::string_view> resolve_one(const char* key, const MetadataId& in_metadata,
                                            std::string_view setting,
                                            std::optional<std::size_t> batch_index) {
    if (in_metadata.kind == JsonKind::Missing) {
        if (setting.empty()) return std::nullopt;
        // The check hook refuses such a value; a library older than the value cannot set one.
        if (setting.size() > kMaxCorrelationIdBytes) {
            throw Error(ErrorKind::Internal, std::string("setting chronicle.") + key +
                                                 " is longer than " +
                                                 std::to_string(kMaxCorrelationIdBytes) + " bytes");
        }
        return setting;
    }
    const std::string at =
        batch_index ? "event " + std::to_string(*batch_index + 1) + " of the batch: " : "";
    const std::string hint = std::string("Leave the key out to take the setting chronicle.") + key +
                             ", or none when it is empty.";
    if (in_metadata.kind != JsonKind::String) {
        throw Error(ErrorKind::InvalidMetadata,
                    at + "metadata key \"" + key + "\" must be a string, not " +
                        json_kind_name(in_metadata.kind),
                    {}, hint);
    }
    if (in_metadata.text.empty()) {
        throw Error(ErrorKind::InvalidMetadata,
                    at + "metadata key \"" + key + "\" must not be an empty string", {}, hint);
    }
    if (in_metadata.text.size() > kMaxCorrelationIdBytes) {
        throw Error(ErrorKind::InvalidMetadata,
                    at + "metadata key \"" + key +
                        "\" is too long: " + std::to_string(in_metadata.text.size()) + " bytes",
                    "A " +
                        std::string(key == std::string_view("correlation_id") ? "correlation"
                                                                              : "causation") +
                        " id has at most " + std::to_string(kMaxCorrelationIdBytes) + " bytes.");
    }
    return in_metadata.text;
}

}  // namespace

EventIds resolve_event_ids(const MetadataId& correlation, const MetadataId& causation,
                           const IdSettings& settings, std::optional<std::size_t> batch_index) {
    EventIds ids;
    ids.correlation = resolve_one("correlation_id", correlation, settings.correlation, batch_index);
    ids.causation = resolve_one("causation_id", causation, settings.causation, batch_index);
    return ids;
}

const char* id_setting_problem(std::string_view value) noexcept {
    static_assert(kMaxCorrelationIdBytes == 255, "the message below names the limit");
    if (value.size() > kMaxCorrelationIdBytes) {
        return "An id has at most 255 bytes; an empty string means none.";
    }
    return nullptr;
}

void validate_correlation_argument(std::optional<std::string_view> correlation_id) {
    if (!correlation_id) {
        throw Error(ErrorKind::InvalidArgument, "correlation id must not be NULL");
    }
    if (correlation_id->empty()) {
        throw Error(ErrorKind::InvalidArgument, "correlation id must not be empty", {},
                    "An event whose metadata and setting give no correlation id has none, "
                    "and no read finds it by one.");
    }
    if (correlation_id->size() > kMaxCorrelationIdBytes) {
        throw Error(
            ErrorKind::InvalidArgument,
            "correlation id is too long: " + std::to_string(correlation_id->size()) + " bytes",
            "A correlation id has at most " + std::to_string(kMaxCorrelationIdBytes) + " bytes.");
    }
}

}  // namespace chronicle
