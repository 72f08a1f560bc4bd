// The rules an event must follow before it is appended, whether it comes from append() or as
// one element of append_batch().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "chronicle/core/uuid.hpp"

namespace chronicle {

// The JSON kind of a value the glue found; Missing when a batch element has no such key.
enum class JsonKind { Missing, Null, Object, Array, String, Number, Bool };

const char* json_kind_name(JsonKind kind) noexcept;

inline constexpr std::size_t kMaxEventTypeBytes = 255;

// What the glue saw of one event, without copying payloads: kinds and borrowed text.
struct EventShape {
    JsonKind element_kind = JsonKind::Object;  // batch elements must be objects
    JsonKind type_kind = JsonKind::Missing;
    std::string_view type;  // valid when type_kind == String
    JsonKind data_kind = JsonKind::Missing;
    JsonKind metadata_kind = JsonKind::Missing;
    JsonKind id_kind = JsonKind::Missing;
    std::string_view id_text;      // valid when id_kind == String (batch elements)
    std::string_view unknown_key;  // the first key a batch element should not have, if any
};

// Throws the Error of the first rule the event breaks. `batch_index` (0-based) is given for
// batch elements and is named, 1-based, in the message. Returns the parsed id when the
// event carries one.
std::optional<Uuid> validate_event(const EventShape& event,
                                   std::optional<std::size_t> batch_index = std::nullopt);

// Throws Error(InvalidBatch) unless the batch's top level is an array.
void validate_batch_kind(JsonKind batch_kind);

}  // namespace chronicle
