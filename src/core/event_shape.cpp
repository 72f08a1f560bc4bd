// The rules an event must follow before it is appended (stream, type, data, metadata, id),
// shared by append() and each element of append_batch().

#include "chronicle/core/event_shape.hpp"

#include <string>

#include "chronicle/core/error.hpp"

namespace chronicle {
namespace {

std::string where(std::optional<std::size_t> batch_index) {
    return batch_index ? "event " + std::to_string(*batch_index + 1) + " of the batch: " : "";
}

const char* kBatchHint =
    "Each element is an object {\"type\": text, \"data\": object, \"metadata\": object?, "
    "\"id\": uuid?}.";

}  // namespace

const char* json_kind_name(JsonKind kind) noexcept {
    switch (kind) {
        case JsonKind::Missing:
            return "missing";
        case JsonKind::Null:
            return "null";
        case JsonKind::Object:
            return "an object";
        case JsonKind::Array:
            return "an array";
        case JsonKind::String:
            return "a string";
        case JsonKind::Number:
            return "a number";
        case JsonKind::Bool:
            return "a boolean";
    }
    return "unknown";
}

void validate_batch_kind(JsonKind batch_kind) {
    if (batch_kind == JsonKind::Array) return;
    throw Error(ErrorKind::InvalidBatch,
                std::string("events must be a JSON array, not ") + json_kind_name(batch_kind), {},
                kBatchHint);
}

std::optional<Uuid> validate_event(const EventShape& event,
                                   std::optional<std::size_t> batch_index) {
    const std::string at = where(batch_index);
    if (event.element_kind != JsonKind::Object) {
        throw Error(ErrorKind::InvalidBatch,
                    at + "must be a JSON object, not " + json_kind_name(event.element_kind), {},
                    kBatchHint);
    }
    if (!event.unknown_key.empty()) {
        std::string message = at + "unknown key \"";
        message.append(event.unknown_key);
        message += "\"";
        throw Error(ErrorKind::InvalidBatch, std::move(message), {}, kBatchHint);
    }
    if (event.type_kind != JsonKind::String) {
        const bool absent =
            event.type_kind == JsonKind::Missing || event.type_kind == JsonKind::Null;
        throw Error(ErrorKind::InvalidEventType,
                    at + (absent ? std::string("event type must not be NULL")
                                 : std::string("event type must be a string, not ") +
                                       json_kind_name(event.type_kind)));
    }
    if (event.type.empty()) {
        throw Error(ErrorKind::InvalidEventType, at + "event type must not be empty");
    }
    if (event.type.size() > kMaxEventTypeBytes) {
        throw Error(ErrorKind::InvalidEventType,
                    at + "event type is too long: " + std::to_string(event.type.size()) + " bytes",
                    "An event type has at most " + std::to_string(kMaxEventTypeBytes) + " bytes.");
    }
    if (event.data_kind != JsonKind::Object) {
        const bool absent =
            event.data_kind == JsonKind::Missing || event.data_kind == JsonKind::Null;
        throw Error(ErrorKind::InvalidEventData,
                    at + (absent ? std::string("event data must not be NULL")
                                 : std::string("event data must be a JSON object, not ") +
                                       json_kind_name(event.data_kind)),
                    {}, "Wrap other values in an object, e.g. {\"value\": 42}.");
    }
    if (event.metadata_kind != JsonKind::Missing && event.metadata_kind != JsonKind::Null &&
        event.metadata_kind != JsonKind::Object) {
        throw Error(ErrorKind::InvalidMetadata,
                    at + "event metadata must be a JSON object or null, not " +
                        json_kind_name(event.metadata_kind));
    }
    switch (event.id_kind) {
        case JsonKind::Missing:
        case JsonKind::Null:
            return std::nullopt;
        case JsonKind::String: {
            auto id = parse_uuid(event.id_text);
            if (!id) {
                std::string message = at + "event id is not a valid uuid: \"";
                message.append(event.id_text);
                message += "\"";
                throw Error(ErrorKind::InvalidEventId, std::move(message));
            }
            return id;
        }
        default:
            throw Error(ErrorKind::InvalidEventId, at + "event id must be a uuid string, not " +
                                                       json_kind_name(event.id_kind));
    }
}

}  // namespace chronicle
