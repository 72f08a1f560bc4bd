// Stream versions and the optimistic-concurrency rule of expected versions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace chronicle {

// The number of events in a stream: 0 when it does not exist; its first event gets 1.
using StreamVersion = std::int64_t;

// What an appender believes the stream's version is: nothing (any version is fine),
// 0 (the stream must not exist yet) or N (the stream must be at exactly N).
class ExpectedVersion {
  public:
    static ExpectedVersion any() noexcept { return ExpectedVersion(std::nullopt); }
    // Throws Error(InvalidExpectedVersion) for a negative value; NULL means any.
    static ExpectedVersion from_sql(std::optional<std::int64_t> value);

    bool is_any() const noexcept { return !value_; }
    StreamVersion value() const noexcept { return value_.value_or(0); }
    bool admits(StreamVersion actual) const noexcept { return !value_ || *value_ == actual; }

  private:
    explicit ExpectedVersion(std::optional<StreamVersion> value) : value_(value) {}
    std::optional<StreamVersion> value_;
};

// Throws Error(WrongExpectedVersion) naming the stream, the expected and the actual version
// unless `expected` admits `actual`.
void check_expected_version(std::string_view stream, ExpectedVersion expected,
                            StreamVersion actual);

}  // namespace chronicle
