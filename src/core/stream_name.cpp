// Valid stream names and the category of a stream (the part before the first '-').

#include "chronicle/core/stream_name.hpp"

#include <string>

#include "chronicle/core/error.hpp"

namespace chronicle {

void validate_stream_name(std::optional<std::string_view> stream) {
    if (!stream) {
        throw Error(ErrorKind::InvalidStreamName, "stream name must not be NULL");
    }
    if (stream->empty()) {
        throw Error(ErrorKind::InvalidStreamName, "stream name must not be empty");
    }
    if (stream->size() > kMaxStreamNameBytes) {
        throw Error(ErrorKind::InvalidStreamName,
                    "stream name is too long: " + std::to_string(stream->size()) + " bytes",
                    "A stream name has at most " + std::to_string(kMaxStreamNameBytes) + " bytes.");
    }
}

std::string_view category_of(std::string_view stream) noexcept {
    const auto dash = stream.find('-');
    return dash == std::string_view::npos ? stream : stream.substr(0, dash);
}

}  // namespace chronicle
