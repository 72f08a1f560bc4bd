// Whose problem an error is, from its SQLSTATE: the one classification that the projection
// worker, the snapshot writer and define_aggregate all use to decide what to do with an
// error raised while they ran someone's code or read someone's data.
#pragma once

#include <string_view>

namespace chronicle {

enum class ErrorOrigin {
    // The user's: their data, definition, handler, reducer, table or rights. Deterministic:
    // the same work fails the same way until the user changes something.
    User,
    // A condition of the moment between concurrent transactions (serialization failure,
    // deadlock, lock not available): the same work, tried again later, usually succeeds.
    Transient,
    // The server's state: resources (53), its limits (54), operator intervention (57:
    // cancels, time-outs, shutdowns), system and I/O errors (58), configuration (F0),
    // internal errors (XX).
    // Not the user's fault, not fixed by the user; may clear up, may not.
    Server,
};

// From a five-character SQLSTATE. Anything malformed is the server's.
ErrorOrigin error_origin(std::string_view sqlstate) noexcept;

}  // namespace chronicle
