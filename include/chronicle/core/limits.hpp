// The limits that keep hostile or mistaken input from exhausting a backend's stack or memory,
// in one place. docs/aggregates.md documents them; error messages name them.
//
// Why they exist: a JSON value is copied, compared, printed, merged and destroyed recursively
// (std::variant of std::vector / std::map of itself), and the glue converts it to and from
// jsonb recursively. PostgreSQL's own jsonb nests as deep as max_stack_depth lets its parser
// go (about 10,000 levels at the default 2MB), and a declarative operation could build a
// state deeper still, one level per path segment or per event. Every value the core holds
// is therefore kept within kMaxValueDepth levels; that bounds all recursion over values.
// Measured: the deepest recursion over a value of 1,000 levels (a copy or a comparison)
// takes about 128kB of stack in the -O2 build the server loads, 2MB under -O0 with
// ASan/UBSan (tests/fuzz); a backend has 8MB, of which PostgreSQL keeps 512kB beyond
// max_stack_depth.
#pragma once

#include <cstddef>

namespace chronicle {

// How deeply arrays and objects may nest in any value the core holds: JSON text it parses,
// event data and metadata a fold reads, definitions, initial states, states and snapshots.
// A scalar nests 0 levels, [] and {} one, [[1]] two. Generous for real documents (Jackson's
// default is the same 1,000).
inline constexpr std::size_t kMaxValueDepth = 1000;

// How large a value the core builds may be: a state while it is folded, a value a fold
// reads from an event, JSON text parsed. Counted as kValueOverheadBytes for every JSON value
// in it (scalar, array, object, object member) plus the bytes of its strings, keys and
// numbers' digits: about what it takes in memory. Both found by the fuzzer (tests/fuzz,
// docs/development.md): two operations, {"set": "a", "state": ""} and {"append": "l",
// "state": "a"}, double the state with every event (forty events would have asked for
// terabytes); and a number such as 1e99999, 7 bytes of JSON and a few of jsonb, is 100,000
// digits once printed, so a 1 MB array of them would have been 14 GB. Beyond this size a fold
// fails instead of exhausting the backend's memory. 64 MiB is far beyond any state worth
// folding (the jsonb a fold returns is built from it, several times its size).
inline constexpr std::size_t kMaxValueBytes = 64 * 1024 * 1024;
inline constexpr std::size_t kValueOverheadBytes = 64;

// How many segments a path in an aggregate definition may have: a source's path ("from",
// "state", "event": "metadata.<path>") or an operation's target.
inline constexpr std::size_t kMaxPathSegments = 256;

// How large an aggregate definition may be, measured as its compact JSON text (what
// jsonb's text output prints without spaces).
inline constexpr std::size_t kMaxDefinitionBytes = 1024 * 1024;

}  // namespace chronicle
