// Stream versions and the expected-version rule of optimistic concurrency.

#include "chronicle/core/stream_version.hpp"

#include <string>

#include "chronicle/core/error.hpp"

namespace chronicle {

ExpectedVersion ExpectedVersion::from_sql(std::optional<std::int64_t> value) {
    if (value && *value < 0) {
        throw Error(ErrorKind::InvalidExpectedVersion,
                    "expected_version must not be negative: " + std::to_string(*value), {},
                    "Use NULL for any version, 0 for a stream that must not exist yet, or the "
                    "stream's current version.");
    }
    return ExpectedVersion(value);
}

void check_expected_version(std::string_view stream, ExpectedVersion expected,
                            StreamVersion actual) {
    if (expected.admits(actual)) {
        return;
    }
    std::string message = "wrong expected version for stream \"";
    message.append(stream);
    message +=
        "\": expected " + std::to_string(expected.value()) + ", actual " + std::to_string(actual);
    const std::string events = std::to_string(actual) + (actual == 1 ? " event." : " events.");
    std::string detail =
        expected.value() == 0
            ? "The stream was expected not to exist yet, but it already has " + events
            : (actual == 0 ? std::string("The stream does not exist.")
                           : "The stream has " + events);
    throw Error(ErrorKind::WrongExpectedVersion, std::move(message), std::move(detail),
                "Read the stream again, decide again, and append with its current version.");
}

}  // namespace chronicle
