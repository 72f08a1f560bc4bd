// A JSON value the core can mutate in place: the state of an aggregate while it is folded,
// the literals of a definition, and what the glue extracted from an event's jsonb.
// Numbers are exact decimals (see decimal.hpp); object keys are unique and kept sorted.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "chronicle/core/decimal.hpp"
#include "chronicle/core/error.hpp"
#include "chronicle/core/limits.hpp"

namespace chronicle {

class Value;
using Array = std::vector<Value>;
using Object = std::map<std::string, Value, std::less<>>;

enum class ValueKind { Null, Bool, Number, String, Array, Object };

// "null", "boolean", "number", "string", "array", "object": how messages name a kind.
const char* value_kind_name(ValueKind kind) noexcept;

// "a string", "an array", "null": how messages name the kind of a value they found.
inline std::string value_kind_phrase(ValueKind kind) {
    const std::string name = value_kind_name(kind);
    if (kind == ValueKind::Null) return name;
    return (kind == ValueKind::Array || kind == ValueKind::Object ? "an " : "a ") + name;
}

class Value {
  public:
    Value() = default;  // null
    Value(std::nullptr_t) {}
    Value(bool b) : v_(b) {}
    Value(Decimal d) : v_(std::move(d)) {}
    Value(long long n) : v_(Decimal(n)) {}
    Value(long n) : v_(Decimal(static_cast<long long>(n))) {}
    Value(int n) : v_(Decimal(static_cast<long long>(n))) {}
    Value(std::string s) : v_(std::move(s)) {}
    Value(std::string_view s) : v_(std::string(s)) {}
    Value(const char* s) : v_(std::string(s)) {}
    Value(Array a) : v_(std::move(a)) {}
    Value(Object o) : v_(std::move(o)) {}

    static Value array() { return Value(Array{}); }
    static Value object() { return Value(Object{}); }

    ValueKind kind() const noexcept { return static_cast<ValueKind>(v_.index()); }
    bool is_null() const noexcept { return kind() == ValueKind::Null; }
    bool is_bool() const noexcept { return kind() == ValueKind::Bool; }
    bool is_number() const noexcept { return kind() == ValueKind::Number; }
    bool is_string() const noexcept { return kind() == ValueKind::String; }
    bool is_array() const noexcept { return kind() == ValueKind::Array; }
    bool is_object() const noexcept { return kind() == ValueKind::Object; }

    // Accessors for a known kind (std::bad_variant_access otherwise: a programming error).
    bool as_bool() const { return std::get<bool>(v_); }
    const Decimal& as_number() const { return std::get<Decimal>(v_); }
    Decimal& as_number() { return std::get<Decimal>(v_); }
    const std::string& as_string() const { return std::get<std::string>(v_); }
    std::string& as_string() { return std::get<std::string>(v_); }
    const Array& as_array() const { return std::get<Array>(v_); }
    Array& as_array() { return std::get<Array>(v_); }
    const Object& as_object() const { return std::get<Object>(v_); }
    Object& as_object() { return std::get<Object>(v_); }

    // The member `key` of an object, or nullptr (also when this is not an object).
    const Value* find(std::string_view key) const;
    Value* find(std::string_view key);

    // JSON equality as jsonb defines it: numbers compare numerically, objects by key set.
    friend bool operator==(const Value& a, const Value& b);
    friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }

  private:
    std::variant<std::monostate, bool, Decimal, std::string, Array, Object> v_;
};

// Compact JSON text, keys in the object's order; strings escaped as JSON requires.
std::string to_json_text(const Value& value);

// How many levels arrays and objects nest in `value` (a scalar 0, [] 1, [[1]] 2), counted
// without recursion; once the count passes `stop_above` it returns at once with a number
// above it, so that checking a limit costs no more than the part of the value within it.
std::size_t value_depth(const Value& value, std::size_t stop_above = kMaxValueDepth);

// How many levels `value` nests (as value_depth) and about how many bytes it takes:
// kValueOverheadBytes (limits.hpp) for each JSON value and object member in it plus the bytes
// of its strings, keys and numbers' digits. Counted without recursion; stops as soon as the depth
// passes `max_depth` or the bytes pass `max_bytes`, so that the answer is only known to be above
// the limit it passed.
struct ValueMeasure {
    std::size_t depth = 0;
    std::size_t bytes = 0;
};
ValueMeasure measure_value(const Value& value, std::size_t max_depth, std::size_t max_bytes);

// RFC 7396 JSON merge patch: `target` becomes target merged with `patch`. `patch` may be
// `target` itself, but not a value nested inside it. The result nests no deeper than the
// deeper of the two; the recursion follows `patch`.
void merge_patch(Value& target, const Value& patch);

}  // namespace chronicle
