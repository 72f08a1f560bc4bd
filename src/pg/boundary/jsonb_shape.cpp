// Reading the shape of jsonb values in place (object keys, kinds, batch elements) without
// a round trip through text.

#include "chronicle/pg/boundary/jsonb_shape.hpp"

namespace chronicle::pg {
namespace {

chronicle::JsonKind container_kind(const JsonbContainer* container) {
    if (JsonContainerIsScalar(container)) {
        JsonbValue scalar;
        JsonbExtractScalar(const_cast<JsonbContainer*>(container), &scalar);
        return jsonb_value_kind(&scalar);
    }
    return JsonContainerIsObject(container) ? chronicle::JsonKind::Object
                                            : chronicle::JsonKind::Array;
}

JsonbValue* find_key(JsonbContainer* object, const char* key, int key_len) {
    JsonbValue k;
    k.type = jbvString;
    k.val.string.val = const_cast<char*>(key);
    k.val.string.len = key_len;
    return findJsonbValueFromContainer(object, JB_FOBJECT, &k);
}

std::string_view view_of(const JsonbValue* string_value) {
    return {string_value->val.string.val, static_cast<size_t>(string_value->val.string.len)};
}

}  // namespace

chronicle::JsonKind jsonb_value_kind(const JsonbValue* value) {
    switch (value->type) {
        case jbvNull:
            return chronicle::JsonKind::Null;
        case jbvString:
            return chronicle::JsonKind::String;
        case jbvNumeric:
            return chronicle::JsonKind::Number;
        case jbvBool:
            return chronicle::JsonKind::Bool;
        case jbvArray:
            return chronicle::JsonKind::Array;
        case jbvObject:
            return chronicle::JsonKind::Object;
        case jbvBinary:
            return container_kind(value->val.binary.data);
        default:
            return chronicle::JsonKind::String;  // datetime values only come from jsonpath
    }
}

chronicle::JsonKind jsonb_kind(const Jsonb* value) {
    return container_kind(&value->root);
}

void read_batch_element(Jsonb* batch, int index, BatchElement* out) {
    *out = BatchElement{};
    JsonbValue* element = getIthJsonbValueFromContainer(&batch->root, static_cast<uint32>(index));
    const chronicle::JsonKind kind = jsonb_value_kind(element);
    if (kind != chronicle::JsonKind::Object) {
        out->shape.element_kind = kind;
        return;
    }
    JsonbContainer* object = element->val.binary.data;
    int known = 0;
    if ((out->type = find_key(object, "type", 4)) != nullptr) {
        ++known;
        out->shape.type_kind = jsonb_value_kind(out->type);
        if (out->shape.type_kind == chronicle::JsonKind::String)
            out->shape.type = view_of(out->type);
    }
    if ((out->data = find_key(object, "data", 4)) != nullptr) {
        ++known;
        out->shape.data_kind = jsonb_value_kind(out->data);
    }
    if ((out->metadata = find_key(object, "metadata", 8)) != nullptr) {
        ++known;
        out->shape.metadata_kind = jsonb_value_kind(out->metadata);
        if (out->shape.metadata_kind == chronicle::JsonKind::Null) out->metadata = nullptr;
    }
    if (JsonbValue* id = find_key(object, "id", 2); id != nullptr) {
        ++known;
        out->shape.id_kind = jsonb_value_kind(id);
        if (out->shape.id_kind == chronicle::JsonKind::String) out->shape.id_text = view_of(id);
    }
    if (static_cast<int>(JsonContainerSize(object)) > known) {
        // Name the first key that is not one of ours.
        JsonbIterator* it = JsonbIteratorInit(object);
        JsonbValue v;
        JsonbIteratorToken token;
        while ((token = JsonbIteratorNext(&it, &v, true)) != WJB_DONE) {
            if (token != WJB_KEY) continue;
            std::string_view key = view_of(&v);
            if (key != "type" && key != "data" && key != "metadata" && key != "id") {
                out->shape.unknown_key = key;
                break;
            }
        }
    }
}

void read_metadata_ids(const JsonbContainer* metadata, chronicle::MetadataId* correlation,
                       chronicle::MetadataId* causation) {
    *correlation = chronicle::MetadataId{};
    *causation = chronicle::MetadataId{};
    if (metadata == nullptr || !JsonContainerIsObject(metadata)) return;
    JsonbContainer* object = const_cast<JsonbContainer*>(metadata);
    const struct {
        const char* key;
        int len;
        chronicle::MetadataId* out;
    } keys[] = {{"correlation_id", 14, correlation}, {"causation_id", 12, causation}};
    for (const auto& k : keys) {
        JsonbValue* value = find_key(object, k.key, k.len);
        if (value == nullptr) continue;
        k.out->kind = jsonb_value_kind(value);
        if (k.out->kind == chronicle::JsonKind::String) k.out->text = view_of(value);
    }
}

Jsonb* jsonb_of_container(const JsonbValue* container) {
    return JsonbValueToJsonb(const_cast<JsonbValue*>(container));
}

}  // namespace chronicle::pg
