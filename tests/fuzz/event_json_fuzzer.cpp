// libFuzzer target: what append and append_batch do with a user's JSON in the core. The
// server parses the batch into jsonb; the core's JSON parser (parse_json_text) reads the
// same text here, then the batch is checked the way src/pg/event_log/append.cpp checks it
// (validate_batch_kind, one EventShape per element read as src/pg/boundary/jsonb_shape.cpp reads
// it, validate_event, the correlation and causation ids of its metadata (resolve_event_ids),
// check_ids_distinct), and the values are put through what folds do
// with event data: printing, comparing, merge patches and decimal arithmetic.
//
// Checked: only the documented errors are thrown, with their documented kinds; no crash,
// no sanitizer report; values stay within kMaxValueDepth and print as JSON that parses back.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chronicle/core/correlation_ids.hpp"
#include "chronicle/core/decimal.hpp"
#include "chronicle/core/error.hpp"
#include "chronicle/core/event_shape.hpp"
#include "chronicle/core/idempotency.hpp"
#include "chronicle/core/json_value.hpp"
#include "chronicle/core/uuid.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace chronicle;
using chronicle::fuzz::broken;

JsonKind kind_of(const Value* value) {
    if (value == nullptr) return JsonKind::Missing;
    switch (value->kind()) {
        case ValueKind::Null:
            return JsonKind::Null;
        case ValueKind::Bool:
            return JsonKind::Bool;
        case ValueKind::Number:
            return JsonKind::Number;
        case ValueKind::String:
            return JsonKind::String;
        case ValueKind::Array:
            return JsonKind::Array;
        case ValueKind::Object:
            return JsonKind::Object;
    }
    return JsonKind::Missing;
}

// The shape of one batch element, as read_batch_element in src/pg/boundary/jsonb_shape.cpp sees it.
EventShape shape_of(const Value& element) {
    EventShape shape;
    shape.element_kind = kind_of(&element);
    if (!element.is_object()) return shape;
    const Value* type = element.find("type");
    shape.type_kind = kind_of(type);
    if (shape.type_kind == JsonKind::String) shape.type = type->as_string();
    shape.data_kind = kind_of(element.find("data"));
    shape.metadata_kind = kind_of(element.find("metadata"));
    const Value* id = element.find("id");
    shape.id_kind = kind_of(id);
    if (shape.id_kind == JsonKind::String) shape.id_text = id->as_string();
    for (const auto& member : element.as_object()) {
        const std::string& key = member.first;
        if (key != "type" && key != "data" && key != "metadata" && key != "id") {
            shape.unknown_key = key;
            break;
        }
    }
    return shape;
}

bool is_event_error(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::InvalidBatch:
        case ErrorKind::InvalidEventType:
        case ErrorKind::InvalidEventData:
        case ErrorKind::InvalidMetadata:
        case ErrorKind::InvalidEventId:
        case ErrorKind::DuplicateEventId:
            return true;
        default:
            return false;
    }
}

// The key of an object metadata, as read_metadata_ids in src/pg/boundary/jsonb_shape.cpp
// finds it.
MetadataId metadata_id(const Value* metadata, const char* key) {
    MetadataId out;
    if (metadata == nullptr || !metadata->is_object()) return out;
    const Value* value = metadata->find(key);
    out.kind = kind_of(value);
    if (out.kind == JsonKind::String) out.text = value->as_string();
    return out;
}

// One resolved id against its sources: the metadata's string when the key is there, the
// setting otherwise; never empty, never over the limit.
void check_resolved(const std::optional<std::string_view>& id, const MetadataId& in_metadata,
                    std::string_view setting) {
    const std::optional<std::string_view> expected =
        in_metadata.kind == JsonKind::String ? std::optional<std::string_view>(in_metadata.text)
        : setting.empty()                    ? std::nullopt
                                             : std::optional<std::string_view>(setting);
    if (id != expected) broken("resolved id is not its source", std::string(id.value_or("")));
    if (id && (id->empty() || id->size() > kMaxCorrelationIdBytes)) {
        broken("resolved id out of bounds", std::string(*id));
    }
}

void check_event_ids(const Value& element, std::size_t index) {
    const Value* metadata = element.find("metadata");
    const MetadataId correlation = metadata_id(metadata, "correlation_id");
    const MetadataId causation = metadata_id(metadata, "causation_id");
    const IdSettings settings{"conv-setting", ""};
    const EventIds ids = resolve_event_ids(correlation, causation, settings, index);
    check_resolved(ids.correlation, correlation, settings.correlation);
    check_resolved(ids.causation, causation, settings.causation);
}

void check_batch(const Value& batch) {
    validate_batch_kind(kind_of(&batch));
    std::vector<std::optional<Uuid>> ids;
    std::size_t index = 0;
    for (const Value& element : batch.as_array()) {
        std::optional<Uuid> id = validate_event(shape_of(element), index);
        check_event_ids(element, index++);
        if (id && parse_uuid(format_uuid(*id)) != id) {
            broken("uuid text round trip", format_uuid(*id));
        }
        ids.push_back(id);
    }
    check_ids_distinct(ids);
}

// Decimal arithmetic on every pair of neighbouring numbers found in the value.
void check_numbers(const Value& value, std::vector<const Decimal*>& numbers) {
    if (numbers.size() >= 64) return;
    if (value.is_number()) {
        numbers.push_back(&value.as_number());
    } else if (value.is_array()) {
        for (const Value& element : value.as_array()) check_numbers(element, numbers);
    } else if (value.is_object()) {
        for (const auto& member : value.as_object()) check_numbers(member.second, numbers);
    }
}

void check_decimals(const std::vector<const Decimal*>& numbers) {
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        const Decimal& a = *numbers[i];
        // Numbers reach 100,000 digits (1e99999): checking a few is enough.
        if (a.text().size() > 4000) continue;
        if (Decimal::parse(a.text()) != a || Decimal::parse(a.text()).text() != a.text()) {
            broken("decimal text round trip", a.text());
        }
        if (-(-a) != a) broken("double negation", a.text());
        long long mantissa;
        int scale;
        if (a.to_scaled_integer(mantissa, scale) && scale < 0) broken("negative scale", a.text());
        if (i + 1 == numbers.size()) break;
        const Decimal& b = *numbers[i + 1];
        // Keep the sums small enough to be cheap: exponents reach +-100000.
        if (a.text().size() + b.text().size() > 4000) continue;
        if (compare(a, b) != -compare(b, a))
            broken("compare is antisymmetric", a.text() + " " + b.text());
        const Decimal sum = a + b;
        if (sum - b != a) broken("(a + b) - b == a", a.text() + " " + b.text());
        if (a + b != b + a) broken("a + b == b + a", a.text() + " " + b.text());
        if ((compare(sum, a) > 0) != (compare(b, Decimal()) > 0)) {
            broken("a + b > a exactly when b > 0", a.text() + " " + b.text());
        }
    }
}

}  // namespace

using chronicle::fuzz::broken;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(bytes), size);
    Value batch;
    try {
        batch = parse_json_text(text, ErrorKind::InvalidBatch);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::InvalidBatch) broken("parse error kind", e.what());
        return 0;
    }
    fuzz::check_value(batch, ErrorKind::Internal);

    try {
        check_batch(batch);
    } catch (const Error& e) {
        if (!is_event_error(e.kind())) broken("batch error kind", e.what());
    }

    // What a fold's merge does with event data: a patch onto itself and onto each element.
    Value merged = batch;
    merge_patch(merged, batch);
    fuzz::check_value(merged, ErrorKind::Internal);
    if (batch.is_array()) {
        Value target = Value::object();
        for (const Value& element : batch.as_array()) {
            merge_patch(target, element);
            fuzz::check_value(target, ErrorKind::Internal);
        }
    }

    std::vector<const Decimal*> numbers;
    check_numbers(batch, numbers);
    check_decimals(numbers);
    return 0;
}
