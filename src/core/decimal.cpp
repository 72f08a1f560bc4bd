// Decimal arithmetic directly on the canonical text: aggregate values are short, so a digit
// loop over the string beats converting to and from a limb representation, and the text is
// what callers need in the end anyway.
#include "chronicle/core/decimal.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "chronicle/core/error.hpp"

namespace chronicle {

namespace {

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

// The canonical text taken apart; views into the Decimal's string.
struct Parts {
    bool negative = false;
    std::string_view integer;   // "0" or digits without leading zeros
    std::string_view fraction;  // empty when the scale is 0
};

Parts split(std::string_view text) noexcept {
    Parts parts;
    if (!text.empty() && text.front() == '-') {
        parts.negative = true;
        text.remove_prefix(1);
    }
    const std::size_t dot = text.find('.');
    if (dot == std::string_view::npos) {
        parts.integer = text;
    } else {
        parts.integer = text.substr(0, dot);
        parts.fraction = text.substr(dot + 1);
    }
    return parts;
}

// The digit worth 10^power (power < 0 is after the point); 0 outside the written digits.
int digit_at(const Parts& parts, std::ptrdiff_t power) noexcept {
    if (power >= 0) {
        const auto index = static_cast<std::size_t>(power);
        if (index >= parts.integer.size()) return 0;
        return parts.integer[parts.integer.size() - 1 - index] - '0';
    }
    const auto index = static_cast<std::size_t>(-power) - 1;
    if (index >= parts.fraction.size()) return 0;
    return parts.fraction[index] - '0';
}

int compare_magnitudes(const Parts& a, const Parts& b) noexcept {
    // Canonical integer parts have no leading zeros, so the longer one is the larger.
    if (a.integer.size() != b.integer.size()) return a.integer.size() < b.integer.size() ? -1 : 1;
    if (const int c = a.integer.compare(b.integer); c != 0) return c < 0 ? -1 : 1;
    const std::size_t common = std::min(a.fraction.size(), b.fraction.size());
    if (const int c = a.fraction.substr(0, common).compare(b.fraction.substr(0, common)); c != 0) {
        return c < 0 ? -1 : 1;
    }
    // Past the common digits only the longer fraction has digits; any non-zero one decides.
    const auto has_nonzero = [](std::string_view digits) {
        return digits.find_first_not_of('0') != std::string_view::npos;
    };
    if (has_nonzero(a.fraction.substr(common))) return 1;
    if (has_nonzero(b.fraction.substr(common))) return -1;
    return 0;
}

// |a| + |b| or |a| - |b| (then |a| >= |b|) with `scale` fraction digits, signed by
// `negative` unless the result is zero. The digits are written right to left into a buffer
// that has room for a carry and a sign, and the unused front is cut off at the end.
std::string combine_magnitudes(const Parts& a, const Parts& b, bool subtract, bool negative,
                               std::size_t scale) {
    const std::size_t integer_digits = std::max(a.integer.size(), b.integer.size()) + 1;
    const std::size_t length = 1 + integer_digits + (scale > 0 ? 1 + scale : 0);
    std::string out(length, '0');

    std::size_t pos = length;
    int carry = 0;
    bool nonzero = false;
    const auto emit = [&](std::ptrdiff_t power) {
        int d = subtract ? digit_at(a, power) - digit_at(b, power) - carry
                         : digit_at(a, power) + digit_at(b, power) + carry;
        if (subtract) {
            carry = d < 0 ? 1 : 0;
            if (d < 0) d += 10;
        } else {
            carry = d >= 10 ? 1 : 0;
            if (d >= 10) d -= 10;
        }
        nonzero |= d != 0;
        out[--pos] = static_cast<char>('0' + d);
    };
    for (std::ptrdiff_t power = -static_cast<std::ptrdiff_t>(scale); power < 0; ++power) {
        emit(power);
    }
    if (scale > 0) out[--pos] = '.';
    for (std::size_t power = 0; power < integer_digits; ++power) {
        emit(static_cast<std::ptrdiff_t>(power));
    }

    // pos == 0 now; out[0] is the spare sign slot, the integer digits start at 1.
    std::size_t start = 1;
    const std::size_t last_integer_digit = integer_digits;  // keep at least one integer digit
    while (start < last_integer_digit && out[start] == '0') ++start;
    if (negative && nonzero) out[--start] = '-';
    out.erase(0, start);
    return out;
}

std::string add_signed(const Parts& a, const Parts& b) {
    const std::size_t scale = std::max(a.fraction.size(), b.fraction.size());
    if (a.negative == b.negative) return combine_magnitudes(a, b, false, a.negative, scale);
    const int order = compare_magnitudes(a, b);
    if (order >= 0) return combine_magnitudes(a, b, true, a.negative, scale);
    return combine_magnitudes(b, a, true, b.negative, scale);
}

// Enough to print any exponent numeric accepts with sensible precision, small enough that
// "1e1000000000" cannot ask for a gigabyte of zeros.
constexpr long kMaxExponent = 100000;

}  // namespace

Decimal::Decimal() : text_("0") {}

Decimal::Decimal(long long value) {
    // Negating in unsigned arithmetic is what makes LLONG_MIN work.
    unsigned long long magnitude = value < 0 ? 0ULL - static_cast<unsigned long long>(value)
                                             : static_cast<unsigned long long>(value);
    char buffer[24];
    char* end = buffer + sizeof buffer;
    char* p = end;
    do {
        *--p = static_cast<char>('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    if (value < 0) *--p = '-';
    text_.assign(p, end);
}

bool Decimal::try_parse(std::string_view text, Decimal& out) {
    std::size_t i = 0;
    const std::size_t n = text.size();
    bool negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
        negative = text[i] == '-';
        ++i;
    }
    const std::size_t integer_begin = i;
    while (i < n && is_digit(text[i])) ++i;
    const std::string_view integer = text.substr(integer_begin, i - integer_begin);
    if (integer.empty()) return false;

    std::string_view fraction;
    if (i < n && text[i] == '.') {
        const std::size_t fraction_begin = ++i;
        while (i < n && is_digit(text[i])) ++i;
        fraction = text.substr(fraction_begin, i - fraction_begin);
        if (fraction.empty()) return false;
    }

    long exponent = 0;
    if (i < n && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool exponent_negative = false;
        if (i < n && (text[i] == '+' || text[i] == '-')) {
            exponent_negative = text[i] == '-';
            ++i;
        }
        const std::size_t exponent_begin = i;
        for (; i < n && is_digit(text[i]); ++i) {
            exponent = exponent * 10 + (text[i] - '0');
            if (exponent > kMaxExponent) return false;
        }
        if (i == exponent_begin) return false;
        if (exponent_negative) exponent = -exponent;
    }
    if (i != n) return false;

    // The written digits as one sequence, indexed from its first digit; the point sits
    // `point` digits in (maybe before the first or past the last digit).
    const auto total = static_cast<std::ptrdiff_t>(integer.size() + fraction.size());
    const auto digit = [&](std::ptrdiff_t index) -> char {
        if (index < 0 || index >= total) return '0';
        const auto u = static_cast<std::size_t>(index);
        return u < integer.size() ? integer[u] : fraction[u - integer.size()];
    };
    std::ptrdiff_t first_nonzero = 0;
    while (first_nonzero < total && digit(first_nonzero) == '0') ++first_nonzero;
    const std::ptrdiff_t point = static_cast<std::ptrdiff_t>(integer.size()) + exponent;
    const std::ptrdiff_t scale =
        std::max<std::ptrdiff_t>(0, static_cast<std::ptrdiff_t>(fraction.size()) - exponent);

    std::string& result = out.text_;
    result.clear();
    const std::ptrdiff_t integer_digits =
        first_nonzero == total ? 0 : std::max<std::ptrdiff_t>(point - first_nonzero, 0);
    result.reserve(static_cast<std::size_t>(1 + std::max<std::ptrdiff_t>(integer_digits, 1) +
                                            (scale > 0 ? 1 + scale : 0)));
    // numeric_in normalizes zero to positive, so "-0.00" prints as "0.00".
    if (negative && first_nonzero < total) result.push_back('-');
    if (integer_digits == 0) {
        result.push_back('0');
    } else {
        for (std::ptrdiff_t index = first_nonzero; index < point; ++index) {
            result.push_back(digit(index));
        }
    }
    if (scale > 0) {
        result.push_back('.');
        for (std::ptrdiff_t index = point; index < point + scale; ++index) {
            result.push_back(digit(index));
        }
    }
    return true;
}

Decimal Decimal::parse(std::string_view text) {
    Decimal result;
    if (!try_parse(text, result)) {
        constexpr std::size_t kShown = 64;
        std::string shown(text.substr(0, kShown));
        if (text.size() > kShown) shown += "...";
        throw Error(ErrorKind::Internal, "invalid number: \"" + shown + "\"");
    }
    return result;
}

bool Decimal::is_zero() const noexcept {
    // Only a zero value has the integer part "0" and nothing but zeros after the point.
    return text_[0] == '0' && text_.find_first_not_of("0.") == std::string::npos;
}

bool Decimal::is_negative() const noexcept {
    return text_[0] == '-';
}

bool Decimal::to_integer(long long& out) const noexcept {
    const Parts parts = split(text_);
    if (parts.fraction.find_first_not_of('0') != std::string_view::npos) return false;
    // 19 digits cannot overflow an unsigned 64-bit accumulator; LLONG_MAX has 19 digits.
    if (parts.integer.size() > 19) return false;
    unsigned long long magnitude = 0;
    for (const char c : parts.integer) magnitude = magnitude * 10 + static_cast<unsigned>(c - '0');
    constexpr unsigned long long kMax = 9223372036854775807ULL;
    if (parts.negative) {
        if (magnitude > kMax + 1) return false;
        // Unsigned negation then conversion is well defined for LLONG_MIN as well.
        out = magnitude == kMax + 1 ? -static_cast<long long>(kMax) - 1
                                    : -static_cast<long long>(magnitude);
    } else {
        if (magnitude > kMax) return false;
        out = static_cast<long long>(magnitude);
    }
    return true;
}

bool Decimal::to_scaled_integer(long long& mantissa, int& scale) const noexcept {
    const Parts parts = split(text_);
    if (parts.integer.size() + parts.fraction.size() > 18) return false;
    long long magnitude = 0;
    for (const char c : parts.integer) magnitude = magnitude * 10 + (c - '0');
    for (const char c : parts.fraction) magnitude = magnitude * 10 + (c - '0');
    mantissa = parts.negative ? -magnitude : magnitude;
    scale = static_cast<int>(parts.fraction.size());
    return true;
}

Decimal Decimal::operator+(const Decimal& other) const {
    Decimal result;
    result.text_ = add_signed(split(text_), split(other.text_));
    return result;
}

Decimal Decimal::operator-(const Decimal& other) const {
    Parts negated = split(other.text_);
    negated.negative = !negated.negative;
    Decimal result;
    result.text_ = add_signed(split(text_), negated);
    return result;
}

Decimal Decimal::operator-() const {
    Decimal result;
    if (is_negative()) {
        result.text_.assign(text_, 1, std::string::npos);
    } else if (is_zero()) {
        result.text_ = text_;
    } else {
        result.text_.reserve(text_.size() + 1);
        result.text_.assign(1, '-');
        result.text_ += text_;
    }
    return result;
}

int compare(const Decimal& a, const Decimal& b) noexcept {
    const Parts pa = split(a.text_);
    const Parts pb = split(b.text_);
    // No canonical text is a negative zero, so a sign difference decides on its own.
    if (pa.negative != pb.negative) return pa.negative ? -1 : 1;
    const int order = compare_magnitudes(pa, pb);
    return pa.negative ? -order : order;
}

}  // namespace chronicle
