// Unit tests for include/chronicle/core/decimal.hpp.
#include "test_support.hpp"
#include "chronicle/core/decimal.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "chronicle/core/error.hpp"

namespace {

using chronicle::Decimal;
using chronicle::Error;
using chronicle::ErrorKind;
using chronicle::test::capture_error;
using chronicle::test::Contains;

std::string canonical(std::string_view text) {
    return Decimal::parse(text).text();
}

std::string sum(std::string_view a, std::string_view b) {
    return (Decimal::parse(a) + Decimal::parse(b)).text();
}

std::string difference(std::string_view a, std::string_view b) {
    return (Decimal::parse(a) - Decimal::parse(b)).text();
}

int compare_texts(std::string_view a, std::string_view b) {
    return compare(Decimal::parse(a), Decimal::parse(b));
}

// --- Construction ---------------------------------------------------------------------------

TEST(DecimalTest, DefaultIsZero) {
    const Decimal zero;
    EXPECT_EQ(zero.text(), "0");
    EXPECT_TRUE(zero.is_zero());
    EXPECT_FALSE(zero.is_negative());
}

TEST(DecimalTest, FromLongLong) {
    EXPECT_EQ(Decimal(0).text(), "0");
    EXPECT_EQ(Decimal(7).text(), "7");
    EXPECT_EQ(Decimal(-7).text(), "-7");
    EXPECT_EQ(Decimal(1000).text(), "1000");
    EXPECT_EQ(Decimal(-120).text(), "-120");
    EXPECT_EQ(Decimal(LLONG_MAX).text(), "9223372036854775807");
    EXPECT_EQ(Decimal(LLONG_MIN).text(), "-9223372036854775808");
    EXPECT_EQ(Decimal(LLONG_MIN + 1).text(), "-9223372036854775807");
}

// --- Parsing: canonical text as numeric_out prints it ----------------------------------------

TEST(DecimalTest, ParseKeepsPlainNumbers) {
    for (const char* text : {"0", "1", "-1", "12.34", "-12.340", "0.05", "1000", "1.50", "0.000",
                             "123456789012345678901234567890.123456789"}) {
        EXPECT_EQ(canonical(text), text) << text;
    }
}

TEST(DecimalTest, ParseKeepsTrailingZerosAfterThePoint) {
    EXPECT_EQ(canonical("1.50"), "1.50");
    EXPECT_EQ(canonical("2.000"), "2.000");
    EXPECT_EQ(canonical("-0.10"), "-0.10");
}

TEST(DecimalTest, ParseDropsLeadingZerosAndPlus) {
    EXPECT_EQ(canonical("00012.3"), "12.3");
    EXPECT_EQ(canonical("000"), "0");
    EXPECT_EQ(canonical("-007"), "-7");
    EXPECT_EQ(canonical("+5"), "5");
    EXPECT_EQ(canonical("+0.50"), "0.50");
    EXPECT_EQ(canonical("00.001"), "0.001");
}

TEST(DecimalTest, ParseNeverYieldsNegativeZero) {
    EXPECT_EQ(canonical("-0"), "0");
    EXPECT_EQ(canonical("-0.0"), "0.0");
    EXPECT_EQ(canonical("-0.00"), "0.00");
    EXPECT_EQ(canonical("-000.000"), "0.000");
    EXPECT_EQ(canonical("-0e5"), "0");
    EXPECT_EQ(canonical("-0e-2"), "0.00");
    EXPECT_FALSE(Decimal::parse("-0.00").is_negative());
    EXPECT_TRUE(Decimal::parse("-0.00").is_zero());
}

TEST(DecimalTest, ParseAppliesTheExponentToPointAndScale) {
    EXPECT_EQ(canonical("1e3"), "1000");
    EXPECT_EQ(canonical("1E3"), "1000");
    EXPECT_EQ(canonical("1e+3"), "1000");
    EXPECT_EQ(canonical("1.5e-3"), "0.0015");
    EXPECT_EQ(canonical("1.5e3"), "1500");
    EXPECT_EQ(canonical("1.5e1"), "15");
    EXPECT_EQ(canonical("1.50e1"), "15.0");
    EXPECT_EQ(canonical("1.234e2"), "123.4");
    EXPECT_EQ(canonical("12.5e-1"), "1.25");
    EXPECT_EQ(canonical("125e-2"), "1.25");
    EXPECT_EQ(canonical("125e-5"), "0.00125");
    EXPECT_EQ(canonical("-2.5e-1"), "-0.25");
    EXPECT_EQ(canonical("0e5"), "0");
    EXPECT_EQ(canonical("0.0e5"), "0");
    EXPECT_EQ(canonical("0e-3"), "0.000");
    EXPECT_EQ(canonical("0.00e1"), "0.0");
    EXPECT_EQ(canonical("1e0"), "1");
    EXPECT_EQ(canonical("1e-0"), "1");
    EXPECT_EQ(canonical("1e-1"), "0.1");
    EXPECT_EQ(canonical("1e0003"), "1000");
    EXPECT_EQ(canonical("0001.000e2"), "100.0");
    EXPECT_EQ(canonical("-12.340E-2"), "-0.12340");
}

TEST(DecimalTest, ParseHandlesExponentsUpToTheLimit) {
    const std::string big = canonical("1e100000");
    ASSERT_EQ(big.size(), 100001u);
    EXPECT_EQ(big.front(), '1');
    EXPECT_EQ(big.find_first_not_of('0', 1), std::string::npos);

    const std::string tiny = canonical("-1e-100000");
    ASSERT_EQ(tiny.size(), 100003u);
    EXPECT_EQ(tiny.substr(0, 3), "-0.");
    EXPECT_EQ(tiny.back(), '1');
    EXPECT_EQ(tiny.find_first_not_of('0', 3), tiny.size() - 1);
}

TEST(DecimalTest, TryParseRejectsExponentsBeyondTheLimit) {
    Decimal out;
    EXPECT_FALSE(Decimal::try_parse("1e100001", out));
    EXPECT_FALSE(Decimal::try_parse("1e-100001", out));
    EXPECT_FALSE(Decimal::try_parse("1e1000000000", out));
    EXPECT_FALSE(Decimal::try_parse("0e99999999999999999999999", out));
    EXPECT_FALSE(Decimal::try_parse("1e-99999999999999999999999", out));
    EXPECT_TRUE(
        Decimal::try_parse("1e000000000000000100000", out));  // leading zeros count for nothing
}

TEST(DecimalTest, TryParseRejectsMalformedText) {
    for (const char* text :
         {"",    " ",   "1.",  ".5",  "-.5",   "1e",    "1e+",   "1e-",      "e5",        "--1",
          "+-1", "-+1", "++1", "-",   "+",     "NaN",   "nan",   "Infinity", "-Infinity", "inf",
          " 1",  "1 ",  "1 2", "1,5", "1.2.3", "1e2e3", "1e2.5", "0x10",     "1_000",     "١",
          "1\n", "\t1", "abc", "1a",  "1.5f",  "1..5",  "1.e5",  ".e5",      "1.-5"}) {
        Decimal out(42);
        EXPECT_FALSE(Decimal::try_parse(text, out)) << '"' << text << '"';
    }
}

TEST(DecimalTest, TryParseRejectsEmbeddedNul) {
    Decimal out;
    EXPECT_FALSE(Decimal::try_parse(std::string_view("1\0", 2), out));
    EXPECT_FALSE(Decimal::try_parse(std::string_view("\0", 1), out));
}

TEST(DecimalTest, ParseThrowsInternalOnMalformedText) {
    const Error error = capture_error([] { Decimal::parse("1.x"); });
    EXPECT_EQ(error.kind(), ErrorKind::Internal);
    EXPECT_TRUE(Contains(error.what(), "1.x"));

    EXPECT_EQ(capture_error([] { Decimal::parse(""); }).kind(), ErrorKind::Internal);
    EXPECT_EQ(capture_error([] { Decimal::parse("1e1000000000"); }).kind(), ErrorKind::Internal);
}

TEST(DecimalTest, ParseErrorMessageStaysShortForLongInput) {
    const std::string text = std::string(5000, '7') + "x";
    const Error error = capture_error([&] { Decimal::parse(text); });
    EXPECT_LT(std::string(error.what()).size(), 200u);
}

TEST(DecimalTest, ParsesNumbersOfThousandsOfDigits) {
    const std::string digits = "1" + std::string(4999, '0') + "." + std::string(2999, '0') + "1";
    EXPECT_EQ(canonical(digits), digits);
    EXPECT_EQ(canonical("-000" + digits), "-" + digits);
}

// --- Predicates ------------------------------------------------------------------------------

TEST(DecimalTest, IsZero) {
    for (const char* text : {"0", "0.0", "0.000", "-0", "-0.00", "0e10", "0e-10"}) {
        EXPECT_TRUE(Decimal::parse(text).is_zero()) << text;
    }
    for (const char* text : {"1", "-1", "0.001", "-0.001", "10", "100.00", "1e-100"}) {
        EXPECT_FALSE(Decimal::parse(text).is_zero()) << text;
    }
}

TEST(DecimalTest, IsNegative) {
    EXPECT_TRUE(Decimal::parse("-1").is_negative());
    EXPECT_TRUE(Decimal::parse("-0.001").is_negative());
    EXPECT_FALSE(Decimal::parse("0").is_negative());
    EXPECT_FALSE(Decimal::parse("-0").is_negative());
    EXPECT_FALSE(Decimal::parse("0.5").is_negative());
}

// --- to_integer ------------------------------------------------------------------------------

TEST(DecimalTest, ToIntegerAcceptsWholeValues) {
    const std::vector<std::pair<std::string, long long>> cases = {
        {"0", 0},
        {"3", 3},
        {"3.00", 3},
        {"-3.000", -3},
        {"1e3", 1000},
        {"1.5e1", 15},
        {"-0.0", 0},
        {"9223372036854775807", LLONG_MAX},
        {"-9223372036854775808", LLONG_MIN},
        {"9223372036854775807.000", LLONG_MAX},
        {"-9223372036854775808.0", LLONG_MIN},
        {"00000000000000000000000000042", 42},
    };
    for (const auto& [text, expected] : cases) {
        long long value = 7;
        EXPECT_TRUE(Decimal::parse(text).to_integer(value)) << text;
        EXPECT_EQ(value, expected) << text;
    }
}

TEST(DecimalTest, ToIntegerRejectsFractionsAndOverflow) {
    for (const char* text : {"0.5", "-0.5", "3.01", "1e-1", "9223372036854775808",
                             "-9223372036854775809", "10000000000000000000", "99999999999999999999",
                             "-99999999999999999999", "1e19", "1e100"}) {
        long long value = 7;
        EXPECT_FALSE(Decimal::parse(text).to_integer(value)) << text;
        EXPECT_EQ(value, 7) << text;  // untouched
    }
}

TEST(DecimalTest, ToIntegerRoundTripsLongLong) {
    for (const long long n : {0LL, 1LL, -1LL, 10LL, -10LL, 123456789LL, LLONG_MAX, LLONG_MIN,
                              LLONG_MAX - 1, LLONG_MIN + 1}) {
        long long value = 0;
        ASSERT_TRUE(Decimal(n).to_integer(value)) << n;
        EXPECT_EQ(value, n);
        ASSERT_TRUE(Decimal::parse(std::to_string(n)).to_integer(value)) << n;
        EXPECT_EQ(value, n);
    }
}

// --- Addition and subtraction ------------------------------------------------------------------

TEST(DecimalTest, AddKeepsTheLargerScale) {
    EXPECT_EQ(sum("1.50", "1"), "2.50");
    EXPECT_EQ(sum("1", "1.50"), "2.50");
    EXPECT_EQ(sum("0.1", "0.2"), "0.3");
    EXPECT_EQ(sum("19.99", "5.01"), "25.00");
    EXPECT_EQ(sum("1.000", "2"), "3.000");
    EXPECT_EQ(sum("0.5", "0.5"), "1.0");
    EXPECT_EQ(sum("0.05", "0.950"), "1.000");
    EXPECT_EQ(sum("1e3", "1"), "1001");
    EXPECT_EQ(sum("1.5e-3", "1"), "1.0015");
    EXPECT_EQ(sum("0", "0.00"), "0.00");
    EXPECT_EQ(sum("0", "0"), "0");
}

TEST(DecimalTest, AddWithSigns) {
    EXPECT_EQ(sum("-1", "-2"), "-3");
    EXPECT_EQ(sum("-1.5", "-2.25"), "-3.75");
    EXPECT_EQ(sum("-5", "3"), "-2");
    EXPECT_EQ(sum("5", "-3"), "2");
    EXPECT_EQ(sum("3", "-5"), "-2");
    EXPECT_EQ(sum("-3", "5"), "2");
    EXPECT_EQ(sum("-1.50", "1.5"), "0.00");
    EXPECT_EQ(sum("1.5", "-1.50"), "0.00");
    EXPECT_EQ(sum("-0.001", "0.001"), "0.000");
    EXPECT_EQ(sum("-10", "0.01"), "-9.99");
    EXPECT_EQ(sum("10", "-0.01"), "9.99");
    EXPECT_EQ(sum("0.01", "-10"), "-9.99");
    EXPECT_EQ(sum("-0.01", "10"), "9.99");
    EXPECT_EQ(sum("-100", "99.999"), "-0.001");
    EXPECT_EQ(sum("0", "-2.5"), "-2.5");
    EXPECT_EQ(sum("-2.5", "0"), "-2.5");
    EXPECT_EQ(sum("-0.0", "-0.00"), "0.00");
}

TEST(DecimalTest, SubtractKeepsTheLargerScale) {
    EXPECT_EQ(difference("1", "1.000"), "0.000");
    EXPECT_EQ(difference("2.50", "1"), "1.50");
    EXPECT_EQ(difference("25.00", "5.01"), "19.99");
    EXPECT_EQ(difference("0.3", "0.1"), "0.2");
    EXPECT_EQ(difference("1", "0.001"), "0.999");
    EXPECT_EQ(difference("1000", "0.5"), "999.5");
    EXPECT_EQ(difference("0", "0"), "0");
    EXPECT_EQ(difference("1.0", "1"), "0.0");
}

TEST(DecimalTest, SubtractWithSigns) {
    EXPECT_EQ(difference("1", "2"), "-1");
    EXPECT_EQ(difference("2", "1"), "1");
    EXPECT_EQ(difference("-1", "2"), "-3");
    EXPECT_EQ(difference("1", "-2"), "3");
    EXPECT_EQ(difference("-1", "-2"), "1");
    EXPECT_EQ(difference("-2", "-1"), "-1");
    EXPECT_EQ(difference("-1.5", "-1.5"), "0.0");
    EXPECT_EQ(difference("0", "5"), "-5");
    EXPECT_EQ(difference("0", "-5"), "5");
    EXPECT_EQ(difference("0.00", "0.001"), "-0.001");
    EXPECT_EQ(difference("-0.5", "0.25"), "-0.75");
    EXPECT_EQ(difference("5", "0"), "5");
    EXPECT_EQ(difference("-5", "0.0"), "-5.0");
}

TEST(DecimalTest, CarriesAndBorrowsAcrossManyDigits) {
    EXPECT_EQ(sum("999999999999999999999", "1"), "1000000000000000000000");
    EXPECT_EQ(sum("1", "999999999999999999999"), "1000000000000000000000");
    EXPECT_EQ(sum("-999999999999999999999", "-1"), "-1000000000000000000000");
    EXPECT_EQ(sum("99.999", "0.001"), "100.000");
    EXPECT_EQ(sum("0.999999999999999999999", "0.000000000000000000001"), "1.000000000000000000000");
    EXPECT_EQ(difference("1000000000000000000000", "1"), "999999999999999999999");
    EXPECT_EQ(difference("1", "1000000000000000000000"), "-999999999999999999999");
    EXPECT_EQ(difference("100.000", "0.001"), "99.999");
    EXPECT_EQ(difference("1", "0.000000000000000000001"), "0.999999999999999999999");
    EXPECT_EQ(sum("9223372036854775807", "1"), "9223372036854775808");
    EXPECT_EQ(difference("-9223372036854775808", "1"), "-9223372036854775809");
}

TEST(DecimalTest, ArithmeticOnHundredsOfDigits) {
    const std::string nines(300, '9');
    const std::string one_and_zeros = "1" + std::string(300, '0');
    EXPECT_EQ(sum(nines, "1"), one_and_zeros);
    EXPECT_EQ(difference(one_and_zeros, "1"), nines);
    EXPECT_EQ(difference(nines, one_and_zeros), "-1");
    EXPECT_EQ(sum(nines + "." + nines, "0." + std::string(299, '0') + "1"),
              one_and_zeros + "." + std::string(300, '0'));

    // 123...  repeated: a + a - a == a, digit for digit.
    std::string long_digits;
    for (int i = 0; i < 500; ++i) long_digits.push_back(static_cast<char>('1' + i % 9));
    const Decimal a = Decimal::parse(long_digits + ".25");
    EXPECT_EQ((a + a - a).text(), a.text());
    EXPECT_EQ((a - a).text(), "0.00");
    EXPECT_EQ((-a + a).text(), "0.00");
}

TEST(DecimalTest, ArithmeticAtTheLongLongLimits) {
    EXPECT_EQ((Decimal(LLONG_MIN) + Decimal(LLONG_MIN)).text(), "-18446744073709551616");
    EXPECT_EQ((Decimal(LLONG_MAX) + Decimal(LLONG_MAX)).text(), "18446744073709551614");
    EXPECT_EQ((Decimal(LLONG_MAX) - Decimal(LLONG_MIN)).text(), "18446744073709551615");
    EXPECT_EQ((Decimal(LLONG_MIN) + Decimal(LLONG_MAX)).text(), "-1");
    EXPECT_EQ((-Decimal(LLONG_MIN)).text(), "9223372036854775808");
}

TEST(DecimalTest, Negation) {
    EXPECT_EQ((-Decimal::parse("1.50")).text(), "-1.50");
    EXPECT_EQ((-Decimal::parse("-1.50")).text(), "1.50");
    EXPECT_EQ((-Decimal::parse("0")).text(), "0");
    EXPECT_EQ((-Decimal::parse("0.00")).text(), "0.00");
    EXPECT_EQ((-Decimal::parse("-0.00")).text(), "0.00");
    EXPECT_EQ((-(-Decimal::parse("7"))).text(), "7");
}

TEST(DecimalTest, OperandsAreUnchanged) {
    const Decimal a = Decimal::parse("1.5");
    const Decimal b = Decimal::parse("-2.25");
    (void)(a + b);
    (void)(a - b);
    (void)(-a);
    EXPECT_EQ(a.text(), "1.5");
    EXPECT_EQ(b.text(), "-2.25");
    Decimal c = a;
    c = c + c;  // the result may be assigned back to an operand
    EXPECT_EQ(c.text(), "3.0");
}

// --- Comparison -------------------------------------------------------------------------------

TEST(DecimalTest, CompareIsNumeric) {
    const std::vector<std::tuple<const char*, const char*, int>> cases = {
        {"1", "1.0", 0},
        {"1.0", "1", 0},
        {"0", "0.00", 0},
        {"-0", "0", 0},
        {"-0.0", "0.000", 0},
        {"1e3", "1000.0", 0},
        {"1.5e-3", "0.00150", 0},
        {"1", "2", -1},
        {"2", "1", 1},
        {"-1", "1", -1},
        {"1", "-1", 1},
        {"-2", "-1", -1},
        {"-1", "-2", 1},
        {"0", "0.001", -1},
        {"0", "-0.001", 1},
        {"-0.001", "0", -1},
        {"9", "10", -1},
        {"-9", "-10", 1},
        {"1.1", "1.09", 1},
        {"1.10", "1.1", 0},
        {"1.100000001", "1.1", 1},
        {"1.1", "1.100000001", -1},
        {"-1.100000001", "-1.1", -1},
        {"99.99", "100", -1},
        {"123.45", "123.450", 0},
        {"999999999999999999999", "1000000000000000000000", -1},
        {"-999999999999999999999", "-1000000000000000000000", 1},
    };
    for (const auto& [a, b, expected] : cases) {
        EXPECT_EQ(compare_texts(a, b), expected) << a << " vs " << b;
    }
}

TEST(DecimalTest, EqualityOperators) {
    EXPECT_TRUE(Decimal::parse("1.0") == Decimal(1));
    EXPECT_TRUE(Decimal::parse("0.00") == Decimal());
    EXPECT_FALSE(Decimal::parse("1.01") == Decimal(1));
    EXPECT_TRUE(Decimal::parse("1.01") != Decimal(1));
    EXPECT_FALSE(Decimal::parse("1.00") != Decimal(1));
    EXPECT_TRUE(Decimal(-1) < Decimal());
    EXPECT_TRUE(Decimal::parse("0.1") < Decimal::parse("0.11"));
    EXPECT_FALSE(Decimal::parse("0.10") < Decimal::parse("0.1"));
}

TEST(DecimalTest, CompareHugeNumbers) {
    const std::string a = "1" + std::string(1000, '0');
    const std::string b = std::string(1000, '9');
    EXPECT_EQ(compare_texts(a, b), 1);
    EXPECT_EQ(compare_texts("-" + a, "-" + b), -1);
    EXPECT_EQ(compare_texts(a, "1e1000"), 0);
    EXPECT_EQ(compare_texts(a + ".000", "1e1000"), 0);
    EXPECT_EQ(compare_texts("1e-1000", "0"), 1);
}

// Against exact integer arithmetic on scaled values: value = mantissa / 10^scale.
struct Scaled {
    long long mantissa;
    int scale;
};

std::string scaled_text(long long mantissa, int scale) {
    const bool negative = mantissa < 0;
    std::string digits = std::to_string(negative ? -mantissa : mantissa);
    if (static_cast<int>(digits.size()) <= scale) {
        digits.insert(0, static_cast<std::size_t>(scale + 1) - digits.size(), '0');
    }
    if (scale > 0) digits.insert(digits.size() - static_cast<std::size_t>(scale), ".");
    return (negative && mantissa != 0 ? "-" : "") + digits;
}

long long power_of_ten(int n) {
    long long p = 1;
    while (n-- > 0) p *= 10;
    return p;
}

TEST(DecimalTest, RandomArithmeticMatchesScaledIntegers) {
    std::mt19937_64 random(20240601);
    std::uniform_int_distribution<long long> mantissa(-1000000000000LL, 1000000000000LL);
    std::uniform_int_distribution<int> scale(0, 6);
    std::uniform_int_distribution<int> small(-30, 30);
    for (int i = 0; i < 20000; ++i) {
        const bool use_small = i % 3 == 0;  // near zero, where signs and borrows are interesting
        const Scaled a{use_small ? small(random) : mantissa(random), scale(random)};
        const Scaled b{use_small ? small(random) : mantissa(random), scale(random)};
        const std::string a_text = scaled_text(a.mantissa, a.scale);
        const std::string b_text = scaled_text(b.mantissa, b.scale);
        const int common = std::max(a.scale, b.scale);
        const long long a_common = a.mantissa * power_of_ten(common - a.scale);
        const long long b_common = b.mantissa * power_of_ten(common - b.scale);

        const Decimal da = Decimal::parse(a_text);
        const Decimal db = Decimal::parse(b_text);
        ASSERT_EQ(da.text(), a_text);
        ASSERT_EQ((da + db).text(), scaled_text(a_common + b_common, common))
            << a_text << " + " << b_text;
        ASSERT_EQ((da - db).text(), scaled_text(a_common - b_common, common))
            << a_text << " - " << b_text;
        const int expected = a_common < b_common ? -1 : (a_common > b_common ? 1 : 0);
        ASSERT_EQ(compare(da, db), expected) << a_text << " vs " << b_text;
    }
}

}  // namespace

TEST(DecimalTest, ScaledIntegerKeepsTheDisplayScale) {
    long long mantissa = 0;
    int scale = -1;
    ASSERT_TRUE(chronicle::Decimal::parse("-12.340").to_scaled_integer(mantissa, scale));
    EXPECT_EQ(mantissa, -12340);
    EXPECT_EQ(scale, 3);
    ASSERT_TRUE(chronicle::Decimal::parse("0.05").to_scaled_integer(mantissa, scale));
    EXPECT_EQ(mantissa, 5);
    EXPECT_EQ(scale, 2);
    ASSERT_TRUE(chronicle::Decimal::parse("1e3").to_scaled_integer(mantissa, scale));
    EXPECT_EQ(mantissa, 1000);
    EXPECT_EQ(scale, 0);
    ASSERT_TRUE(chronicle::Decimal::parse("999999999999999999").to_scaled_integer(mantissa, scale));
    EXPECT_EQ(mantissa, 999999999999999999LL);
    // 19 digits may not fit: the glue parses the text instead.
    EXPECT_FALSE(
        chronicle::Decimal::parse("1000000000000000000").to_scaled_integer(mantissa, scale));
    EXPECT_FALSE(
        chronicle::Decimal::parse("0.0000000000000000001").to_scaled_integer(mantissa, scale));
}
