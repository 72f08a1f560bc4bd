#include "chronicle/pg/jsonb_value.hpp"

#include <string>

extern "C" {
#include "utils/builtins.h"
#include "utils/numeric.h"
}

namespace chronicle::pg {

namespace {

// A scalar JsonbValue into `out` (no container).
void scalar_to_value(const JsonbValue& v, Value& out) {
    switch (v.type) {
        case jbvNull:
            out = Value();
            return;
        case jbvBool:
            out = Value(static_cast<bool>(v.val.boolean));
            return;
        case jbvString:
            out = Value(std::string_view(v.val.string.val, static_cast<size_t>(v.val.string.len)));
            return;
        case jbvNumeric: {
            const char* text =
                DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v.val.numeric)));
            out = Value(Decimal::parse(text));
            return;
        }
        default:
            elog(ERROR, "chronicle: unexpected jsonb value type %d", static_cast<int>(v.type));
    }
}

// Fills `out` from the iterator, which has just returned WJB_BEGIN_ARRAY or _OBJECT.
// Recursion frames hold only references: a longjmp from a PostgreSQL call here skips
// nothing with a destructor (see jsonb_value.hpp).
void fill_container(JsonbIterator** it, JsonbIteratorToken begin, Value& out) {
    JsonbValue v;
    if (begin == WJB_BEGIN_ARRAY) {
        out = Value::array();
        while (true) {
            JsonbIteratorToken token = JsonbIteratorNext(it, &v, false);
            if (token == WJB_END_ARRAY) return;
            Array& array = out.as_array();
            array.emplace_back();
            if (token == WJB_ELEM) {
                scalar_to_value(v, array.back());
            } else {
                fill_container(it, token, array.back());
            }
        }
    }
    out = Value::object();
    while (true) {
        JsonbIteratorToken token = JsonbIteratorNext(it, &v, false);
        if (token == WJB_END_OBJECT) return;
        // WJB_KEY: the member's slot first, then its value.
        Value& slot =
            out.as_object()[std::string(v.val.string.val, static_cast<size_t>(v.val.string.len))];
        token = JsonbIteratorNext(it, &v, false);
        if (token == WJB_VALUE) {
            scalar_to_value(v, slot);
        } else {
            fill_container(it, token, slot);
        }
    }
}

void jsonb_value_to_value(JsonbValue* v, Value& out) {
    if (v->type == jbvBinary) {
        jsonb_to_value(v->val.binary.data, out);
    } else {
        scalar_to_value(*v, out);
    }
}

// A scalar Value as a JsonbValue; strings point into `value`, which outlives the build.
void scalar_to_jsonb_value(const Value& value, JsonbValue& v) {
    switch (value.kind()) {
        case ValueKind::Null:
            v.type = jbvNull;
            break;
        case ValueKind::Bool:
            v.type = jbvBool;
            v.val.boolean = value.as_bool();
            break;
        case ValueKind::Number: {
            // Most numbers fit 18 digits: built from their digits, not by parsing text
            // (numeric_in was a third of converting a large state).
            const Decimal& number = value.as_number();
            long long mantissa;
            int scale;
            v.type = jbvNumeric;
            v.val.numeric = number.to_scaled_integer(mantissa, scale)
                                ? int64_div_fast_to_numeric(mantissa, scale)
                                : DatumGetNumeric(DirectFunctionCall3(
                                      numeric_in, CStringGetDatum(number.text().c_str()),
                                      ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
            break;
        }
        case ValueKind::String:
            v.type = jbvString;
            v.val.string.val = const_cast<char*>(value.as_string().data());
            v.val.string.len = static_cast<int>(value.as_string().size());
            break;
        default:
            elog(ERROR, "chronicle: not a scalar");
    }
}

// Pushes a container; returns what its closing push returns (the result, at the top).
JsonbValue* push_container(JsonbParseState** state, const Value& value) {
    JsonbValue v;
    if (value.is_array()) {
        pushJsonbValue(state, WJB_BEGIN_ARRAY, nullptr);
        for (const Value& element : value.as_array()) {
            if (element.is_array() || element.is_object()) {
                push_container(state, element);
            } else {
                scalar_to_jsonb_value(element, v);
                pushJsonbValue(state, WJB_ELEM, &v);
            }
        }
        return pushJsonbValue(state, WJB_END_ARRAY, nullptr);
    }
    pushJsonbValue(state, WJB_BEGIN_OBJECT, nullptr);
    for (const auto& [key, member] : value.as_object()) {
        v.type = jbvString;
        v.val.string.val = const_cast<char*>(key.data());
        v.val.string.len = static_cast<int>(key.size());
        pushJsonbValue(state, WJB_KEY, &v);
        if (member.is_array() || member.is_object()) {
            push_container(state, member);
        } else {
            scalar_to_jsonb_value(member, v);
            pushJsonbValue(state, WJB_VALUE, &v);
        }
    }
    return pushJsonbValue(state, WJB_END_OBJECT, nullptr);
}

}  // namespace

void jsonb_to_value(JsonbContainer* container, Value& out) {
    JsonbValue v;
    if (JsonContainerIsScalar(container)) {
        // A raw scalar is stored as a one-element array.
        JsonbValue* scalar = getIthJsonbValueFromContainer(container, 0);
        scalar_to_value(*scalar, out);
        return;
    }
    JsonbIterator* it = JsonbIteratorInit(container);
    JsonbIteratorToken token = JsonbIteratorNext(&it, &v, false);
    fill_container(&it, token, out);
}

bool jsonb_value_at(JsonbContainer* container, const Path& path, Value& out) {
    if (path.empty()) {
        jsonb_to_value(container, out);
        return true;
    }
    JsonbContainer* current = container;
    JsonbValue* found = nullptr;
    for (const PathSegment& segment : path) {
        if (current == nullptr || JsonContainerIsScalar(current)) return false;
        if (JsonContainerIsObject(current)) {
            found = getKeyJsonValueFromContainer(current, segment.key.data(),
                                                 static_cast<int>(segment.key.size()), nullptr);
        } else if (segment.index) {
            long long index = *segment.index;
            const long long size = JsonContainerSize(current);
            if (index < 0) index += size;
            if (index < 0 || index >= size) return false;
            found = getIthJsonbValueFromContainer(current, static_cast<uint32>(index));
        } else {
            return false;
        }
        if (found == nullptr) return false;
        current = found->type == jbvBinary ? found->val.binary.data : nullptr;
    }
    jsonb_value_to_value(found, out);
    return true;
}

Jsonb* value_to_jsonb(const Value& value) {
    if (value.is_array() || value.is_object()) {
        JsonbParseState* state = nullptr;
        return JsonbValueToJsonb(push_container(&state, value));
    }
    JsonbValue scalar;
    scalar_to_jsonb_value(value, scalar);
    return JsonbValueToJsonb(&scalar);
}

}  // namespace chronicle::pg
