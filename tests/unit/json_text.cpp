// The JSON text parser of the unit tests and fuzz targets (json_text.hpp): nlohmann/json's
// SAX parser feeding a chronicle::Value, numbers kept exact, within the core's limits.
#include "json_text.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "chronicle/core/limits.hpp"

namespace chronicle {
namespace {

// --- Parsing -------------------------------------------------------------------------------
//
// nlohmann/json does the lexing and grammar, but it converts every non-integer number to a
// double and gives up on those a double cannot hold ("1e400", integers of 400 digits), which
// jsonb accepts. When that happens the text is parsed a second time with every number
// replaced by "0" padded with spaces to the same length, and the builder takes each number's
// value from the original text instead. Byte offsets stay the same, and the common case pays
// for nothing.

// Calls on_byte(offset) for each byte outside string literals (opening quotes included).
// Exact for any prefix of the text nlohmann accepted, which is all the callers rely on.
template <typename OnByte>
void for_each_byte_outside_strings(std::string_view text, OnByte&& on_byte) {
    bool in_string = false;
    bool escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (!on_byte(i)) return;
        if (c == '"') in_string = true;
    }
}

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

// RFC 8259 number syntax, stricter than Decimal::try_parse (no '+', no leading zeros).
bool is_json_number(std::string_view text) noexcept {
    std::size_t i = 0;
    const std::size_t n = text.size();
    if (i < n && text[i] == '-') ++i;
    if (i < n && text[i] == '0') {
        ++i;
    } else {
        if (i == n || !is_digit(text[i])) return false;
        while (i < n && is_digit(text[i])) ++i;
    }
    if (i < n && text[i] == '.') {
        const std::size_t begin = ++i;
        while (i < n && is_digit(text[i])) ++i;
        if (i == begin) return false;
    }
    if (i < n && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
        const std::size_t begin = i;
        while (i < n && is_digit(text[i])) ++i;
        if (i == begin) return false;
    }
    return i == n;
}

// A maximal run of number characters outside strings. In text nlohmann accepts, each run is
// exactly one number token, so the n-th run is the n-th number the parser reports.
struct NumberRun {
    std::size_t offset;
    std::string_view text;
    bool substituted;  // a valid number, replaced by "0" in the second pass
};

std::vector<NumberRun> find_number_runs(std::string_view text) {
    const auto in_number = [](char c) {
        return is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
    };
    std::vector<NumberRun> runs;
    std::size_t run_begin = std::string_view::npos;
    const auto close_run = [&](std::size_t end) {
        const std::string_view run = text.substr(run_begin, end - run_begin);
        runs.push_back(NumberRun{run_begin, run, is_json_number(run)});
        run_begin = std::string_view::npos;
    };
    // Strings cannot split a run: their opening quote is reported and ends it.
    for_each_byte_outside_strings(text, [&](std::size_t i) {
        const char c = text[i];
        if (run_begin != std::string_view::npos && !in_number(c)) close_run(i);
        if (run_begin == std::string_view::npos && (is_digit(c) || c == '-')) run_begin = i;
        return true;
    });
    if (run_begin != std::string_view::npos) close_run(text.size());
    return runs;
}

// The offset of the bracket that opens level kMaxValueDepth + 1.
std::size_t find_too_deep_offset(std::string_view text) {
    std::size_t depth = 0;
    std::size_t found = text.size();
    for_each_byte_outside_strings(text, [&](std::size_t i) {
        const char c = text[i];
        if (c == '[' || c == '{') {
            if (++depth > kMaxValueDepth) {
                found = i;
                return false;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
        return true;
    });
    return found;
}

std::string shorten(std::string_view text) {
    constexpr std::size_t kShown = 40;
    if (text.size() <= kShown) return std::string(text);
    return std::string(text.substr(0, kShown)) + "...";
}

// nlohmann's message without its "[json.exception...] parse error at line 1, column 7: "
// prefix and without the "last read: '...'" echo of the input, which can be long, contains
// earlier tokens, and is not necessarily valid UTF-8.
std::string describe_syntax_error(std::string_view what) {
    if (!what.empty() && what.front() == '[') {
        const std::size_t colon = what.find(": ");
        if (colon != std::string_view::npos) what.remove_prefix(colon + 2);
    }
    const std::size_t last_read = what.find("; last read: '");
    if (last_read == std::string_view::npos) return std::string(what);
    std::string description(what.substr(0, last_read));
    const std::size_t expected = what.rfind("'; expected ");
    if (expected != std::string_view::npos && expected > last_read) {
        description.append(what.substr(expected + 1));
    }
    return description;
}

// Builds a Value from nlohmann's SAX events.
class ValueBuilder {
  public:
    using json = nlohmann::json;
    using number_integer_t = json::number_integer_t;
    using number_unsigned_t = json::number_unsigned_t;
    using number_float_t = json::number_float_t;
    using string_t = json::string_t;
    using binary_t = json::binary_t;

    enum class Failure { None, Syntax, NeedsExactNumbers, NumberOutOfRange, TooDeep, TooLarge };

    // `runs`: set for the second pass, where numbers are read from the original text.
    explicit ValueBuilder(const std::vector<NumberRun>* runs) : runs_(runs) {}

    bool null() { return put(Value()); }
    bool boolean(bool b) { return put(Value(b)); }
    bool string(string_t& s) { return put(Value(std::move(s))); }
    bool binary(binary_t&) { return fail(Failure::Syntax, 0, "binary values are not JSON"); }

    bool number_integer(number_integer_t n) {
        if (const NumberRun* run = next_run(); run != nullptr && run->substituted) {
            return put_number(run->text, run);
        }
        return put(Value(Decimal(static_cast<long long>(n))));
    }
    bool number_unsigned(number_unsigned_t n) {
        if (const NumberRun* run = next_run(); run != nullptr && run->substituted) {
            return put_number(run->text, run);
        }
        if (n <= static_cast<number_unsigned_t>(INT64_MAX)) {
            return put(Value(Decimal(static_cast<long long>(n))));
        }
        return put(Value(Decimal::parse(std::to_string(n))));
    }
    bool number_float(number_float_t, const string_t& raw) {
        const NumberRun* run = next_run();
        return put_number(run != nullptr && run->substituted ? run->text : raw, run);
    }

    bool start_object(std::size_t) { return open(Value::object()); }
    bool start_array(std::size_t) { return open(Value::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(string_t& k) {
        pending_key_ = std::move(k);
        return true;
    }

    bool parse_error(std::size_t position, const std::string& token,
                     const nlohmann::detail::exception& error) {
        constexpr int kNumberOverflow = 406;
        if (error.id == kNumberOverflow) {
            if (runs_ == nullptr) return fail(Failure::NeedsExactNumbers, 0, {});
            // Only a malformed run is left to nlohmann in the second pass; the position is
            // just past the number token.
            return fail(Failure::NumberOutOfRange, position - std::min(position, token.size()),
                        "number out of range: " + shorten(token));
        }
        // `position` counts the bytes read, the offending one included (an end of input
        // counts as one more byte).
        return fail(Failure::Syntax, position > 0 ? position - 1 : 0,
                    describe_syntax_error(error.what()));
    }

    Failure failure() const noexcept { return failure_; }
    std::size_t failure_offset() const noexcept { return failure_offset_; }
    const std::string& failure_message() const noexcept { return failure_message_; }
    Value take_result() { return std::move(root_); }

  private:
    // The run of the number being reported, in the second pass.
    const NumberRun* next_run() {
        const std::size_t ordinal = numbers_seen_++;
        if (runs_ == nullptr || ordinal >= runs_->size()) return nullptr;
        return &(*runs_)[ordinal];
    }

    bool put_number(std::string_view text, const NumberRun* run) {
        Decimal number;
        if (Decimal::try_parse(text, number)) return put(Value(std::move(number)));
        // A number nlohmann accepted whose exponent Decimal refuses: its offset is known
        // from the runs of the second pass only.
        if (run == nullptr) return fail(Failure::NeedsExactNumbers, 0, {});
        return fail(Failure::NumberOutOfRange, run->offset,
                    "number out of range: " + shorten(text));
    }

    bool put(Value value) {
        if (!count(value)) return false;
        place(std::move(value));
        return true;
    }

    // What the value being built takes (as measure_value counts it), up to kMaxValueBytes:
    // a short number such as 1e99999 takes 100,000 digits once parsed.
    bool count(const Value& value) {
        bytes_ += kValueOverheadBytes;
        if (!open_.empty() && open_.back()->is_object()) {
            bytes_ += kValueOverheadBytes + pending_key_.size();
        }
        if (value.is_string()) bytes_ += value.as_string().size();
        if (value.is_number()) bytes_ += value.as_number().text().size();
        if (bytes_ <= kMaxValueBytes) return true;
        return fail(Failure::TooLarge, 0, {});
    }

    Value* place(Value value) {
        if (open_.empty()) {
            root_ = std::move(value);
            return &root_;
        }
        Value& container = *open_.back();
        if (container.is_array()) {
            Array& elements = container.as_array();
            elements.push_back(std::move(value));
            return &elements.back();
        }
        // A repeated key replaces the earlier member, as in jsonb.
        const auto it =
            container.as_object().insert_or_assign(std::move(pending_key_), std::move(value)).first;
        return &it->second;
    }

    bool open(Value container) {
        if (open_.size() >= kMaxValueDepth) return fail(Failure::TooDeep, 0, {});
        if (!count(container)) return false;
        // Only the innermost open container grows, so pointers to the outer ones stay valid.
        open_.push_back(place(std::move(container)));
        return true;
    }

    bool close() {
        open_.pop_back();
        return true;
    }

    bool fail(Failure failure, std::size_t offset, std::string message) {
        failure_ = failure;
        failure_offset_ = offset;
        failure_message_ = std::move(message);
        return false;
    }

    const std::vector<NumberRun>* runs_;
    std::size_t numbers_seen_ = 0;
    std::size_t bytes_ = 0;
    Value root_;
    std::vector<Value*> open_;
    std::string pending_key_;
    Failure failure_ = Failure::None;
    std::size_t failure_offset_ = 0;
    std::string failure_message_;
};

bool run_sax_parse(std::string_view text, ValueBuilder& builder) {
    return nlohmann::json::sax_parse(text.data(), text.data() + text.size(), &builder);
}

[[noreturn]] void throw_parse_error(ErrorKind kind, std::size_t offset, const std::string& what) {
    throw Error(kind, "invalid JSON at byte " + std::to_string(offset) + ": " + what);
}

}  // namespace

Value parse_json_text(std::string_view text, ErrorKind kind) {
    ValueBuilder builder(nullptr);
    if (run_sax_parse(text, builder)) return builder.take_result();

    if (builder.failure() == ValueBuilder::Failure::NeedsExactNumbers) {
        const std::vector<NumberRun> runs = find_number_runs(text);
        std::string masked(text);
        for (const NumberRun& run : runs) {
            if (!run.substituted) continue;
            masked[run.offset] = '0';
            std::fill_n(masked.begin() + static_cast<std::ptrdiff_t>(run.offset) + 1,
                        run.text.size() - 1, ' ');
        }
        builder = ValueBuilder(&runs);
        if (run_sax_parse(masked, builder)) return builder.take_result();
    }

    switch (builder.failure()) {
        case ValueBuilder::Failure::TooDeep:
            throw_parse_error(kind, find_too_deep_offset(text),
                              "arrays and objects nested deeper than " +
                                  std::to_string(kMaxValueDepth) + " levels");
        case ValueBuilder::Failure::TooLarge:
            throw Error(kind, "invalid JSON: the value would take more than " +
                                  std::to_string(kMaxValueBytes / (1024 * 1024)) +
                                  " MiB once parsed");
        case ValueBuilder::Failure::None:
        case ValueBuilder::Failure::NeedsExactNumbers:
            // Not reachable: the second pass never asks for a third.
            throw Error(ErrorKind::Internal, "JSON parsing failed without saying why");
        case ValueBuilder::Failure::Syntax:
        case ValueBuilder::Failure::NumberOutOfRange:
            break;
    }
    throw_parse_error(kind, builder.failure_offset(), builder.failure_message());
}

}  // namespace chronicle
