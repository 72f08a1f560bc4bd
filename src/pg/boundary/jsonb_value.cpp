// jsonb <-> chronicle::Value, walking jsonb with its iterator and building it with
// pushJsonbValue; call inside pg_guarded, the results go into objects the caller owns.

#include "chronicle/pg/boundary/jsonb_value.hpp"

#include <string>

#include "chronicle/core/limits.hpp"

extern "C" {
#include "miscadmin.h"
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
            ereport(ERROR,
                    (errcode(ERRCODE_INTERNAL_ERROR),
                     errmsg_internal("unexpected jsonb value type %d", static_cast<int>(v.type))));
    }
}

// What a conversion has built so far, as measure_value counts it (core/json_value.hpp).
struct Built {
    std::size_t bytes = 0;
    JsonbRead problem = JsonbRead::Found;

    // Counts `value` (and its key, for an object member); false past kMaxValueBytes.
    bool count(const Value& value, std::size_t key_bytes, bool member) {
        bytes += kValueOverheadBytes + (member ? kValueOverheadBytes + key_bytes : 0);
        if (value.is_string()) bytes += value.as_string().size();
        if (value.is_number()) bytes += value.as_number().text().size();
        if (bytes <= kMaxValueBytes) return true;
        problem = JsonbRead::TooLarge;
        return false;
    }
};

// Fills `out` from the iterator, which has just returned WJB_BEGIN_ARRAY or _OBJECT, at
// nesting level `level` (the outermost container is 1). False, leaving `out` partly filled
// and `built.problem` set, when the value nests deeper than kMaxValueDepth or takes more than
// kMaxValueBytes: jsonb nests as deep as max_stack_depth lets PostgreSQL's parser go, deeper
// than the core may hold, and a numeric such as 1e99999 is a few bytes of jsonb but 100,000
// digits as text (core/limits.hpp).
// Recursion frames hold only references: a longjmp from a PostgreSQL call here (such as
// check_stack_depth's error) skips nothing with a destructor (see jsonb_value.hpp).
bool fill_container(JsonbIterator** it, JsonbIteratorToken begin, Value& out, std::size_t level,
                    Built& built) {
    check_stack_depth();
    if (level > kMaxValueDepth) {
        built.problem = JsonbRead::TooDeep;
        return false;
    }
    JsonbValue v;
    if (begin == WJB_BEGIN_ARRAY) {
        out = Value::array();
        while (true) {
            JsonbIteratorToken token = JsonbIteratorNext(it, &v, false);
            if (token == WJB_END_ARRAY) return true;
            Array& array = out.as_array();
            array.emplace_back();
            if (token == WJB_ELEM) {
                scalar_to_value(v, array.back());
                if (!built.count(array.back(), 0, false)) return false;
            } else if (!built.count(array.back(), 0, false) ||
                       !fill_container(it, token, array.back(), level + 1, built)) {
                return false;
            }
        }
    }
    out = Value::object();
    while (true) {
        JsonbIteratorToken token = JsonbIteratorNext(it, &v, false);
        if (token == WJB_END_OBJECT) return true;
        // WJB_KEY: the member's slot first, then its value.
        const auto key_bytes = static_cast<size_t>(v.val.string.len);
        Value& slot = out.as_object()[std::string(v.val.string.val, key_bytes)];
        token = JsonbIteratorNext(it, &v, false);
        if (token == WJB_VALUE) {
            scalar_to_value(v, slot);
            if (!built.count(slot, key_bytes, true)) return false;
        } else if (!built.count(slot, key_bytes, true) ||
                   !fill_container(it, token, slot, level + 1, built)) {
            return false;
        }
    }
}

JsonbRead container_to_value(JsonbContainer* container, Value& out) {
    JsonbValue v;
    Built built;
    if (JsonContainerIsScalar(container)) {
        // A raw scalar is stored as a one-element array.
        JsonbValue* scalar = getIthJsonbValueFromContainer(container, 0);
        scalar_to_value(*scalar, out);
        return built.count(out, 0, false) ? JsonbRead::Found : built.problem;
    }
    if (!built.count(Value(), 0, false)) return built.problem;
    JsonbIterator* it = JsonbIteratorInit(container);
    JsonbIteratorToken token = JsonbIteratorNext(&it, &v, false);
    return fill_container(&it, token, out, 1, built) ? JsonbRead::Found : built.problem;
}

JsonbRead jsonb_value_to_value(JsonbValue* v, Value& out) {
    if (v->type == jbvBinary) return container_to_value(v->val.binary.data, out);
    scalar_to_value(*v, out);
    Built built;
    return built.count(out, 0, false) ? JsonbRead::Found : built.problem;
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
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg_internal("not a scalar")));
    }
}

// Pushes a container; returns what its closing push returns (the result, at the top).
// The core keeps every value within kMaxValueDepth, so the recursion is bounded; the check
// is for a caller that is already deep in PostgreSQL's stack.
JsonbValue* push_container(JsonbParseState** state, const Value& value) {
    check_stack_depth();
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

JsonbRead jsonb_to_value(JsonbContainer* container, Value& out) {
    return container_to_value(container, out);
}

std::string jsonb_read_problem(JsonbRead read) {
    if (read == JsonbRead::TooDeep) {
        return "nests deeper than " + std::to_string(kMaxValueDepth) + " levels";
    }
    return "is larger than " + std::to_string(kMaxValueBytes / (1024 * 1024)) + " MiB";
}

std::string definition_read_problem(JsonbRead read) {
    // 64 MiB as a value is more than 1 MiB of JSON: a value takes a byte of text or more
    // for each 64 bytes counted, its strings and digits a byte for a byte.
    if (read == JsonbRead::TooLarge) {
        return "invalid aggregate definition: the definition is more than " +
               std::to_string(kMaxDefinitionBytes) + " bytes of JSON";
    }
    return "invalid aggregate definition: the definition " + jsonb_read_problem(read);
}

JsonbRead jsonb_value_at(JsonbContainer* container, const Path& path, Value& out) {
    if (path.empty()) return jsonb_to_value(container, out);
    JsonbContainer* current = container;
    JsonbValue* found = nullptr;
    for (const PathSegment& segment : path) {
        if (current == nullptr || JsonContainerIsScalar(current)) return JsonbRead::Absent;
        if (JsonContainerIsObject(current)) {
            found = getKeyJsonValueFromContainer(current, segment.key.data(),
                                                 static_cast<int>(segment.key.size()), nullptr);
        } else if (segment.index) {
            long long index = *segment.index;
            const long long size = JsonContainerSize(current);
            if (index < 0) index += size;
            if (index < 0 || index >= size) return JsonbRead::Absent;
            found = getIthJsonbValueFromContainer(current, static_cast<uint32>(index));
        } else {
            return JsonbRead::Absent;
        }
        if (found == nullptr) return JsonbRead::Absent;
        current = found->type == jbvBinary ? found->val.binary.data : nullptr;
    }
    return jsonb_value_to_value(found, out);
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
