// A declarative aggregate, compiled: per event type, the operations that change the state.
// Built once by parse_aggregate_definition (aggregate_definition.hpp), run by apply_event
// (aggregate_fold.hpp) for every event of a fold.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "chronicle/core/event_view.hpp"
#include "chronicle/core/json_path.hpp"
#include "chronicle/core/json_value.hpp"

namespace chronicle {

// Where an operation's value comes from.
struct Source {
    enum class Kind { Literal, Data, Metadata, Event, State };
    Kind kind = Kind::Literal;
    Value literal;                        // Literal
    Path path;                            // Data, Metadata, State
    EventField field = EventField::Type;  // Event
    std::string text;                     // as written, for messages: from "item.price"
};

// A test an operation runs only if it passes: {"from": "amount", "gt": 100}.
struct Condition {
    enum class Test { Eq, Ne, Lt, Le, Gt, Ge, Exists };
    Source source;
    Test test = Test::Exists;
    Value operand;  // Eq..Ge: the literal compared with; Exists: true or false
};

// One segment of the path an operation changes: fixed, or a key taken from the event.
struct TargetSegment {
    PathSegment fixed;
    std::optional<Source> key;  // set: the segment is this source's value (string or number)
};

enum class OperationKind { Set, Unset, Merge, Append, Add, Subtract, Count, Min, Max, Put, Remove };

// "set", "unset", ...: the key that names the operation in a definition.
const char* operation_name(OperationKind kind) noexcept;

struct Operation {
    OperationKind kind = OperationKind::Set;
    std::vector<TargetSegment> target;
    std::string target_text;            // as written (JSON), for messages
    bool has_dynamic_target = false;    // a target segment is read from the event
    std::optional<Source> value;        // every operation but unset, count and remove
    std::optional<Value> fallback;      // "default": used when `value`'s source has nothing
    std::optional<Source> key;          // put and remove: the member to write or delete
    std::vector<Condition> conditions;  // all must pass
    std::size_t number = 0;             // 1-based position in its list, for messages
};

struct OperationList {
    std::string event_type;  // the key in "on" ("*" for the fallback list)
    std::vector<Operation> operations;
};

struct AggregateProgram {
    std::map<std::string, OperationList, std::less<>> on;
    std::optional<OperationList> fallback;  // "*": for every type without a list of its own
    bool reads_metadata = false;            // whether any source reads the event's metadata

    // The operations an event of `type` runs, or nullptr when it changes nothing.
    const OperationList* operations_for(std::string_view type) const;
};

}  // namespace chronicle
