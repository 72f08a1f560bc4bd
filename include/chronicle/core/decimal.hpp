// Exact decimal numbers for aggregate state: what jsonb's numeric holds, added and compared
// without the rounding of binary floating point (19.99 + 5.01 is 25.00, not 25.000000000000004).
#pragma once

#include <string>
#include <string_view>

namespace chronicle {

// An exact decimal of any size: a sign, digits and a display scale (digits after the point).
// It keeps the canonical text PostgreSQL's numeric_out prints for the same value ("-12.340",
// "0", "1000", "0.05"), so converting to jsonb is numeric_in of text() and nothing else.
// The display scale follows numeric's rules: parsing keeps trailing zeros after the point,
// an exponent shifts the point (1.5e-3 -> 0.0015, 1e3 -> 1000), and add/subtract return the
// larger scale of their operands (1.50 + 1 -> 2.50).
class Decimal {
  public:
    Decimal();  // 0
    explicit Decimal(long long value);

    // Parses JSON number syntax, optionally with an exponent: -?digits(.digits)?([eE][+-]?digits)?
    // (leading zeros and a leading '+' are accepted as numeric_in accepts them). Throws
    // Error(Internal) on anything else: callers parse text that is already known to be a number.
    // Exponents beyond +-100000 are rejected too, so "1e1000000000" cannot demand a gigabyte of
    // zeros; numeric's own limits (131072 digits before the point, 16383 after) are tighter.
    static Decimal parse(std::string_view text);
    // As parse(), without throwing: false when `text` is not a number.
    static bool try_parse(std::string_view text, Decimal& out);

    const std::string& text() const noexcept { return text_; }
    bool is_zero() const noexcept;
    bool is_negative() const noexcept;
    // The value as a whole number, when it is one and fits (scale may be > 0: "3.00" is 3).
    bool to_integer(long long& out) const noexcept;
    // The value as mantissa * 10^-scale with `scale` its display scale ("-12.340" is
    // -12340 and 3), when the mantissa has at most 18 digits: how the glue builds a numeric
    // without parsing text.
    bool to_scaled_integer(long long& mantissa, int& scale) const noexcept;

    Decimal operator+(const Decimal& other) const;
    Decimal operator-(const Decimal& other) const;
    Decimal operator-() const;

    // Numeric comparison: 1.0 == 1, -0 == 0.
    friend int compare(const Decimal& a, const Decimal& b) noexcept;
    friend bool operator==(const Decimal& a, const Decimal& b) noexcept {
        return compare(a, b) == 0;
    }
    friend bool operator!=(const Decimal& a, const Decimal& b) noexcept {
        return compare(a, b) != 0;
    }
    friend bool operator<(const Decimal& a, const Decimal& b) noexcept { return compare(a, b) < 0; }

  private:
    std::string text_;  // canonical: -?(0|[1-9][0-9]*)(\.[0-9]+)?, never "-0"
};

}  // namespace chronicle
