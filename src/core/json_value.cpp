// The core's mutable JSON value: construction, comparison, and the text form used in
// messages; the state of a fold lives in one of these.

#include "chronicle/core/json_value.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chronicle {

const char* value_kind_name(ValueKind kind) noexcept {
    switch (kind) {
        case ValueKind::Null:
            return "null";
        case ValueKind::Bool:
            return "boolean";
        case ValueKind::Number:
            return "number";
        case ValueKind::String:
            return "string";
        case ValueKind::Array:
            return "array";
        case ValueKind::Object:
            return "object";
    }
    return "unknown";
}

const Value* Value::find(std::string_view key) const {
    if (!is_object()) return nullptr;
    const Object& members = as_object();
    const auto it = members.find(key);
    return it == members.end() ? nullptr : &it->second;
}

Value* Value::find(std::string_view key) {
    return const_cast<Value*>(static_cast<const Value&>(*this).find(key));
}

bool operator==(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
        case ValueKind::Null:
            return true;
        case ValueKind::Bool:
            return a.as_bool() == b.as_bool();
        case ValueKind::Number:
            return a.as_number() == b.as_number();
        case ValueKind::String:
            return a.as_string() == b.as_string();
        case ValueKind::Array:
            return a.as_array() == b.as_array();
        case ValueKind::Object:
            // Keys are unique and sorted, so equal objects list the same members in order.
            return a.as_object() == b.as_object();
    }
    return false;
}

namespace {

void append_json_string(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t unescaped_from = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(text, unescaped_from, i - unescaped_from);
        unescaped_from = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                // Lower-case hex, as PostgreSQL's escape_json writes it.
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xF]);
                break;
        }
    }
    out.append(text, unescaped_from, std::string_view::npos);
    out.push_back('"');
}

void append_json(std::string& out, const Value& value) {
    switch (value.kind()) {
        case ValueKind::Null:
            out += "null";
            return;
        case ValueKind::Bool:
            out += value.as_bool() ? "true" : "false";
            return;
        case ValueKind::Number:
            out += value.as_number().text();
            return;
        case ValueKind::String:
            append_json_string(out, value.as_string());
            return;
        case ValueKind::Array: {
            out.push_back('[');
            bool first = true;
            for (const Value& element : value.as_array()) {
                if (!first) out.push_back(',');
                first = false;
                append_json(out, element);
            }
            out.push_back(']');
            return;
        }
        case ValueKind::Object: {
            out.push_back('{');
            bool first = true;
            for (const auto& [key, member] : value.as_object()) {
                if (!first) out.push_back(',');
                first = false;
                append_json_string(out, key);
                out.push_back(':');
                append_json(out, member);
            }
            out.push_back('}');
            return;
        }
    }
}

}  // namespace

ValueMeasure measure_value(const Value& value, std::size_t max_depth, std::size_t max_bytes) {
    // Containers still to look into, with the level they are at (the outermost is 1).
    std::vector<std::pair<const Value*, std::size_t>> pending;
    ValueMeasure measure;
    const auto visit = [&](const Value& v, std::size_t level, std::size_t key_bytes) {
        measure.bytes += kValueOverheadBytes + key_bytes;
        if (v.is_string()) measure.bytes += v.as_string().size();
        if (v.is_number()) measure.bytes += v.as_number().text().size();
        if (!v.is_array() && !v.is_object()) return;
        if (level > measure.depth) measure.depth = level;
        pending.emplace_back(&v, level);
    };
    visit(value, 1, 0);
    while (!pending.empty() && measure.depth <= max_depth && measure.bytes <= max_bytes) {
        const auto [container, level] = pending.back();
        pending.pop_back();
        if (container->is_array()) {
            for (const Value& element : container->as_array()) visit(element, level + 1, 0);
        } else {
            for (const auto& [key, member] : container->as_object()) {
                visit(member, level + 1, kValueOverheadBytes + key.size());
            }
        }
    }
    return measure;
}

std::size_t value_depth(const Value& value, std::size_t stop_above) {
    return measure_value(value, stop_above, static_cast<std::size_t>(-1)).depth;
}

std::string to_json_text(const Value& value) {
    std::string out;
    append_json(out, value);
    return out;
}

void merge_patch(Value& target, const Value& patch) {
    if (!patch.is_object()) {
        // Copy before assigning: the patch may be the target itself.
        Value replacement = patch;
        target = std::move(replacement);
        return;
    }
    if (&target == &patch) {
        const Value copy = patch;
        merge_patch(target, copy);
        return;
    }
    if (!target.is_object()) target = Value::object();
    Object& members = target.as_object();
    for (const auto& [key, patch_member] : patch.as_object()) {
        if (patch_member.is_null()) {
            members.erase(key);
        } else {
            merge_patch(members[key], patch_member);
        }
    }
}

}  // namespace chronicle
