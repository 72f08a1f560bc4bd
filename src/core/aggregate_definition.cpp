// Parsing and checking an aggregate definition once, at define time, into the compiled
// form the fold runs; every mistake is reported here with where it is (see the header).

#include "chronicle/core/aggregate_definition.hpp"

#include <initializer_list>
#include <utility>

#include "chronicle/core/error.hpp"
#include "chronicle/core/event_shape.hpp"
#include "chronicle/core/limits.hpp"

namespace chronicle {

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what,
                       const std::string& hint = {}) {
    throw Error(ErrorKind::InvalidAggregateDefinition,
                "invalid aggregate definition: " + (where.empty() ? what : where + ": " + what), {},
                hint);
}

std::string quoted(std::string_view text) {
    return to_json_text(Value(text));
}

struct OperationSpec {
    OperationKind kind;
    const char* name;
    bool takes_value;  // needs exactly one source: value, from, event or state
    bool takes_key;    // needs "key"
};

constexpr OperationSpec kOperations[] = {
    {OperationKind::Set, "set", true, false},
    {OperationKind::Unset, "unset", false, false},
    {OperationKind::Merge, "merge", true, false},
    {OperationKind::Append, "append", true, false},
    {OperationKind::Add, "add", true, false},
    {OperationKind::Subtract, "subtract", true, false},
    {OperationKind::Count, "count", false, false},
    {OperationKind::Min, "min", true, false},
    {OperationKind::Max, "max", true, false},
    {OperationKind::Put, "put", true, true},
    {OperationKind::Remove, "remove", false, true},
};

const OperationSpec* operation_spec(std::string_view name) {
    for (const OperationSpec& spec : kOperations) {
        if (name == spec.name) return &spec;
    }
    return nullptr;
}

std::string operation_names() {
    std::string names;
    for (const OperationSpec& spec : kOperations) {
        if (!names.empty()) names += ", ";
        names += spec.name;
    }
    return names;
}

constexpr std::pair<const char*, EventField> kEventFields[] = {
    {"type", EventField::Type},       {"stream", EventField::Stream},
    {"version", EventField::Version}, {"position", EventField::Position},
    {"id", EventField::Id},           {"recorded_at", EventField::RecordedAt},
};

constexpr const char* kSourceKeys[] = {"value", "from", "event", "state"};

bool is_source_key(std::string_view key) {
    for (const char* k : kSourceKeys) {
        if (key == k) return true;
    }
    return false;
}

void check_path_length(std::size_t segments, const std::string& where) {
    if (segments <= kMaxPathSegments) return;
    fail(where,
         "a path has " + std::to_string(segments) + " segments, more than the " +
             std::to_string(kMaxPathSegments) + " allowed",
         "See docs/aggregates.md for the limits on definitions.");
}

Path parse_path_value(const Value& value, const std::string& where, bool allow_empty) {
    Path path;
    if (value.is_string()) {
        if (!parse_dotted_path(value.as_string(), path)) {
            fail(where, "path " + quoted(value.as_string()) + " has an empty segment",
                 "Write keys that contain dots as an array: [\"odd.key\", \"price\"].");
        }
    } else if (value.is_array()) {
        for (const Value& segment : value.as_array()) {
            long long index;
            if (segment.is_string()) {
                path.push_back(make_path_segment(segment.as_string()));
            } else if (segment.is_number() && segment.as_number().to_integer(index)) {
                path.push_back(make_path_segment(std::to_string(index)));
            } else {
                fail(where,
                     "a path segment must be a string or an integer, not " + to_json_text(segment));
            }
        }
    } else {
        fail(where, "a path must be a string or an array, not " + value_kind_phrase(value.kind()));
    }
    if (path.empty() && !allow_empty) fail(where, "the path must not be empty");
    check_path_length(path.size(), where);
    return path;
}

// {"value": ...} | {"from": path} | {"event": field} | {"state": path}, read from `holder`'s
// member `key`.
Source parse_source(std::string_view key, const Value& spec, const std::string& where) {
    Source source;
    if (key == "value") {
        source.kind = Source::Kind::Literal;
        source.literal = spec;
        source.text = "value " + to_json_text(spec);
        return source;
    }
    if (key == "from" || key == "state") {
        source.kind = key == "from" ? Source::Kind::Data : Source::Kind::State;
        source.path = parse_path_value(spec, where, true);
        source.text = std::string(key) + " " + to_json_text(spec);
        return source;
    }
    // key == "event"
    if (!spec.is_string()) fail(where, "\"event\" must name a field of the event, as a string");
    const std::string& name = spec.as_string();
    source.kind = Source::Kind::Event;
    source.text = "event " + quoted(name);
    for (const auto& [field_name, field] : kEventFields) {
        if (name == field_name) {
            source.field = field;
            return source;
        }
    }
    if (name == "metadata") {
        source.kind = Source::Kind::Metadata;
        return source;
    }
    if (name == "metadata.") fail(where, "event \"metadata.\" needs a path after the dot");
    if (name.rfind("metadata.", 0) == 0) {
        source.kind = Source::Kind::Metadata;
        source.path = parse_path_value(Value(name.substr(9)), where, false);
        return source;
    }
    fail(where, "unknown event field " + quoted(name),
         "The event's fields are type, stream, version, position, id, recorded_at and "
         "metadata (or metadata.<path>); its data is read with \"from\".");
}

// The one source key present in an object, or nullptr; more than one is an error.
const std::pair<const std::string, Value>* single_source(const Object& object,
                                                         const std::string& where) {
    const std::pair<const std::string, Value>* found = nullptr;
    for (const auto& member : object) {
        if (!is_source_key(member.first)) continue;
        if (found) {
            fail(where, "\"" + found->first + "\" and \"" + member.first +
                            "\" cannot be used together: give one source of the value");
        }
        found = &member;
    }
    return found;
}

Source parse_source_object(const Value& spec, const std::string& where) {
    if (!spec.is_object()) {
        fail(where, "expected an object such as {\"from\": \"sku\"}, not " + to_json_text(spec));
    }
    const auto* source = single_source(spec.as_object(), where);
    if (!source) fail(where, "expected one of \"value\", \"from\", \"event\" or \"state\"");
    for (const auto& member : spec.as_object()) {
        if (&member != source) fail(where, "unexpected key " + quoted(member.first));
    }
    return parse_source(source->first, source->second, where);
}

bool source_can_be_number(const Source& source) {
    switch (source.kind) {
        case Source::Kind::Literal:
            return source.literal.is_number();
        case Source::Kind::Event:
            return source.field == EventField::Version || source.field == EventField::Position;
        default:
            return true;  // only known when folding
    }
}

bool source_can_be_string(const Source& source) {
    switch (source.kind) {
        case Source::Kind::Literal:
            return source.literal.is_string();
        case Source::Kind::Event:
            return source.field != EventField::Version && source.field != EventField::Position;
        default:
            return true;
    }
}

std::vector<TargetSegment> parse_target(const Value& spec, const std::string& where,
                                        bool allow_root) {
    std::vector<TargetSegment> target;
    if (spec.is_array()) {
        for (const Value& segment : spec.as_array()) {
            if (segment.is_object()) {
                TargetSegment dynamic;
                dynamic.key = parse_source_object(segment, where + ", path segment");
                const Source& key = *dynamic.key;
                if (key.kind == Source::Kind::Literal) {
                    fail(where,
                         "a literal path segment is written as itself, not as {\"value\": ...}");
                }
                target.push_back(std::move(dynamic));
                continue;
            }
            Path one = parse_path_value(Value(Array{segment}), where, false);
            target.push_back(TargetSegment{std::move(one.front()), std::nullopt});
        }
    } else {
        for (PathSegment& segment : parse_path_value(spec, where, true)) {
            target.push_back(TargetSegment{std::move(segment), std::nullopt});
        }
    }
    if (target.empty() && !allow_root) {
        fail(where, "this operation needs a path inside the state, not the whole state");
    }
    check_path_length(target.size(), where);
    return target;
}

// How messages show a target: "total", or the array form as written.
std::string target_text(const Value& spec) {
    return to_json_text(spec);
}

// What the initial state already holds at the target must suit the operation.
void check_against_initial(const Operation& op, const Value& initial, const std::string& where) {
    const Value* current = &initial;
    std::string walked;
    for (const TargetSegment& segment : op.target) {
        if (segment.key) return;  // depends on the event
        if (current->is_null()) return;
        if (current->is_object()) {
            current = current->find(segment.fixed.key);
        } else if (current->is_array() && segment.fixed.index) {
            current = array_element(current->as_array(), *segment.fixed.index);
        } else {
            fail(where, "the initial state holds " + value_kind_phrase(current->kind()) +
                            (walked.empty() ? std::string() : " at " + quoted(walked)) +
                            ", which has no member " + quoted(segment.fixed.key));
        }
        if (!walked.empty()) walked += '.';
        walked += segment.fixed.key;
        if (!current) return;
    }
    if (current->is_null()) return;
    auto mismatch = [&](const char* wanted) {
        fail(where, std::string(operation_name(op.kind)) + " needs " + wanted + " at " +
                        op.target_text + ", but the initial state holds " +
                        value_kind_phrase(current->kind()) + " there");
    };
    switch (op.kind) {
        case OperationKind::Add:
        case OperationKind::Subtract:
        case OperationKind::Count:
            if (!current->is_number()) mismatch("a number");
            break;
        case OperationKind::Append:
            if (!current->is_array()) mismatch("an array");
            break;
        case OperationKind::Put:
        case OperationKind::Remove:
            if (!current->is_object()) mismatch("an object");
            break;
        case OperationKind::Min:
        case OperationKind::Max:
            if (!current->is_number() && !current->is_string()) mismatch("a number or a string");
            break;
        default:
            break;
    }
}

// How many levels above the value an operation writes its containers take: the target's
// segments, plus the array or object that append and put write into.
std::size_t levels_above_value(const Operation& op) {
    const bool into_container = op.kind == OperationKind::Append || op.kind == OperationKind::Put;
    return op.target.size() + (into_container ? 1 : 0);
}

// A literal (or default) the operation writes must leave the state within kMaxValueDepth;
// what the events bring is checked when folding.
void check_literal_depth(const Operation& op, const std::string& where) {
    const std::size_t above = levels_above_value(op);
    auto check = [&](const Value& written, const char* what) {
        const std::size_t depth = value_depth(written, kMaxValueDepth);
        if (above + depth <= kMaxValueDepth) return;
        fail(where, std::string(what) + " at this path would make the state nest deeper than " +
                        std::to_string(kMaxValueDepth) + " levels");
    };
    if (op.value && op.value->kind == Source::Kind::Literal) check(op.value->literal, "the value");
    if (op.fallback) check(*op.fallback, "the default");
}

constexpr std::pair<const char*, Condition::Test> kTests[] = {
    {"eq", Condition::Test::Eq},         {"ne", Condition::Test::Ne}, {"lt", Condition::Test::Lt},
    {"le", Condition::Test::Le},         {"gt", Condition::Test::Gt}, {"ge", Condition::Test::Ge},
    {"exists", Condition::Test::Exists},
};

Condition parse_condition(const Value& spec, const std::string& where) {
    if (!spec.is_object()) {
        fail(where, "a condition is an object such as {\"from\": \"amount\", \"gt\": 100}");
    }
    const Object& object = spec.as_object();
    const auto* source = single_source(object, where);
    if (!source) fail(where, "a condition needs one of \"from\", \"event\" or \"state\"");
    if (source->first == "value") fail(where, "a condition tests \"from\", \"event\" or \"state\"");
    Condition condition;
    condition.source = parse_source(source->first, source->second, where);
    bool has_test = false;
    for (const auto& [key, operand] : object) {
        if (&*object.find(key) == source) continue;
        bool known = false;
        for (const auto& [name, test] : kTests) {
            if (key != name) continue;
            known = true;
            if (has_test) fail(where, "a condition has exactly one test");
            has_test = true;
            condition.test = test;
            condition.operand = operand;
        }
        if (!known) {
            fail(where, "unknown condition key " + quoted(key),
                 "A condition tests with one of eq, ne, lt, le, gt, ge or exists.");
        }
    }
    if (!has_test) fail(where, "a condition needs a test: eq, ne, lt, le, gt, ge or exists");
    switch (condition.test) {
        case Condition::Test::Exists:
            if (!condition.operand.is_bool()) fail(where, "\"exists\" takes true or false");
            break;
        case Condition::Test::Lt:
        case Condition::Test::Le:
        case Condition::Test::Gt:
        case Condition::Test::Ge:
            if (!condition.operand.is_number() && !condition.operand.is_string()) {
                fail(where, "lt, le, gt and ge compare with a number or a string, not " +
                                to_json_text(condition.operand));
            }
            break;
        default:
            break;
    }
    return condition;
}

Operation parse_operation(const Value& spec, const Value& initial, const std::string& where) {
    if (!spec.is_object()) {
        fail(where, "an operation is an object such as {\"set\": \"status\", \"value\": \"PAID\"}");
    }
    const Object& object = spec.as_object();
    const OperationSpec* kind = nullptr;
    const Value* target = nullptr;
    for (const auto& [key, value] : object) {
        const OperationSpec* candidate = operation_spec(key);
        if (!candidate) continue;
        if (kind) {
            fail(where, "an operation names one operation, not both \"" + std::string(kind->name) +
                            "\" and " + quoted(key));
        }
        kind = candidate;
        target = &value;
    }
    if (!kind) {
        // Name the key that is no part of an operation, not a valid one that sorts first.
        std::string unknown;
        for (const auto& member : object) {
            const std::string& key = member.first;
            if (!is_source_key(key) && key != "default" && key != "key" && key != "if") {
                unknown = key;
                break;
            }
        }
        fail(where,
             object.empty()    ? "empty operation"
             : unknown.empty() ? "the operation is missing: only value, from, default, key or if"
                               : "unknown operation " + quoted(unknown),
             "The operations are " + operation_names() + ".");
    }
    Operation op;
    op.kind = kind->kind;
    const std::string here = where + " (" + kind->name + ")";
    op.target = parse_target(*target, here, kind->kind != OperationKind::Unset);
    op.target_text = target_text(*target);
    for (const TargetSegment& segment : op.target) {
        op.has_dynamic_target = op.has_dynamic_target || segment.key.has_value();
    }

    const auto* source = single_source(object, here);
    if (kind->takes_value && !source) {
        fail(here, std::string(kind->name) +
                       " needs a value: one of \"value\", \"from\", \"event\" or \"state\"");
    }
    if (!kind->takes_value && source) {
        fail(here, std::string(kind->name) + " takes no value, but has " + quoted(source->first));
    }
    if (source) op.value = parse_source(source->first, source->second, here);

    for (const auto& [key, value] : object) {
        if (key == kind->name || (source && key == source->first)) continue;
        if (key == "default") {
            if (!op.value || op.value->kind == Source::Kind::Literal) {
                fail(here, "\"default\" is for values read from the event or the state");
            }
            op.fallback = value;
        } else if (key == "key") {
            if (!kind->takes_key) fail(here, "only put and remove take a \"key\"");
            op.key = parse_source_object(value, here + ", key");
        } else if (key == "if") {
            if (value.is_array()) {
                for (const Value& c : value.as_array())
                    op.conditions.push_back(parse_condition(c, here + ", if"));
            } else {
                op.conditions.push_back(parse_condition(value, here + ", if"));
            }
        } else if (operation_spec(key) == nullptr) {
            fail(here, "unknown key " + quoted(key),
                 "An operation has its name, a value (value, from, event or state), and "
                 "optionally default, key (put and remove) and if.");
        }
    }
    if (kind->takes_key && !op.key) {
        fail(here, std::string(kind->name) + " needs a \"key\", such as {\"from\": \"sku\"}");
    }

    // Types known now: literals, defaults and the event's own fields.
    auto check_value = [&](bool ok, const char* wanted) {
        if (!ok)
            fail(here, std::string(kind->name) + " needs " + wanted + ", not " + op.value->text);
    };
    auto check_default = [&](bool ok, const char* wanted) {
        if (op.fallback && !ok) {
            fail(here, "\"default\" must be " + std::string(wanted) + ", not " +
                           to_json_text(*op.fallback));
        }
    };
    switch (op.kind) {
        case OperationKind::Add:
        case OperationKind::Subtract:
            check_value(source_can_be_number(*op.value), "a number");
            check_default(op.fallback && op.fallback->is_number(), "a number");
            break;
        case OperationKind::Min:
        case OperationKind::Max:
            check_value(source_can_be_number(*op.value) || source_can_be_string(*op.value),
                        "a number or a string");
            check_default(op.fallback && (op.fallback->is_number() || op.fallback->is_string()),
                          "a number or a string");
            break;
        default:
            break;
    }
    if (op.key && op.key->kind == Source::Kind::Literal && !op.key->literal.is_string() &&
        !op.key->literal.is_number()) {
        fail(here, "a key must be a string or a number, not " + to_json_text(op.key->literal));
    }
    check_literal_depth(op, here);
    check_against_initial(op, initial, here);
    return op;
}

OperationList parse_operation_list(const std::string& type, const Value& spec,
                                   const Value& initial) {
    const std::string where = "on." + (type == "*" ? std::string("*") : type);
    if (!spec.is_array()) fail("\"on\" " + quoted(type), "expected an array of operations");
    OperationList list;
    list.event_type = type;
    std::size_t number = 0;
    for (const Value& op_spec : spec.as_array()) {
        ++number;
        Operation op = parse_operation(
            op_spec, initial, "operation " + std::to_string(number) + " for " + quoted(type));
        op.number = number;
        list.operations.push_back(std::move(op));
    }
    return list;
}

bool source_reads_metadata(const Source& s) {
    return s.kind == Source::Kind::Metadata;
}

bool reads_metadata(const OperationList& list) {
    for (const Operation& op : list.operations) {
        if (op.value && source_reads_metadata(*op.value)) return true;
        if (op.key && source_reads_metadata(*op.key)) return true;
        for (const TargetSegment& segment : op.target) {
            if (segment.key && source_reads_metadata(*segment.key)) return true;
        }
        for (const Condition& c : op.conditions) {
            if (source_reads_metadata(c.source)) return true;
        }
    }
    return false;
}

}  // namespace

const char* operation_name(OperationKind kind) noexcept {
    for (const OperationSpec& spec : kOperations) {
        if (spec.kind == kind) return spec.name;
    }
    return "?";
}

const OperationList* AggregateProgram::operations_for(std::string_view type) const {
    const auto it = on.find(type);
    if (it != on.end()) return &it->second;
    return fallback ? &*fallback : nullptr;
}

std::size_t operation_depth_above_value(const Operation& op) {
    return levels_above_value(op);
}

AggregateDefinition parse_aggregate_definition(const Value& definition) {
    // Limits first, without recursion: everything after may recurse over the definition.
    if (value_depth(definition, kMaxValueDepth) > kMaxValueDepth) {
        fail("", "the definition nests deeper than " + std::to_string(kMaxValueDepth) + " levels",
             "See docs/aggregates.md for the limits on definitions.");
    }
    if (const std::size_t bytes = to_json_text(definition).size(); bytes > kMaxDefinitionBytes) {
        fail("",
             "the definition is " + std::to_string(bytes) + " bytes of JSON, more than the " +
                 std::to_string(kMaxDefinitionBytes) + " allowed",
             "See docs/aggregates.md for the limits on definitions.");
    }
    if (!definition.is_object()) {
        fail("",
             "the definition must be a JSON object, not " + value_kind_phrase(definition.kind()),
             "Write {\"initial\": {...}, \"on\": {\"EventType\": [...]}} or "
             "{\"initial\": {...}, \"reducer\": \"schema.function\"}.");
    }
    const Object& object = definition.as_object();
    for (const auto& member : object) {
        if (member.first != "initial" && member.first != "on" && member.first != "reducer") {
            fail("", "unknown key " + quoted(member.first),
                 "A definition has \"initial\" and either \"on\" or \"reducer\".");
        }
    }
    AggregateDefinition result;
    result.initial = Value::object();
    if (const Value* initial = definition.find("initial")) result.initial = *initial;
    const Value* on = definition.find("on");
    const Value* reducer = definition.find("reducer");
    if (on && reducer) fail("", "a definition has \"on\" or \"reducer\", not both");
    if (!on && !reducer) {
        fail("",
             "a definition needs \"on\" (operations per event type) or \"reducer\" (a function)");
    }
    if (reducer) {
        if (!reducer->is_string() || reducer->as_string().empty()) {
            fail("\"reducer\"",
                 "expected the name of a function, such as \"myschema.apply_order\"");
        }
        result.reducer = reducer->as_string();
        return result;
    }
    if (!on->is_object())
        fail("\"on\"", "expected an object of event types, each with a list of operations");
    for (const auto& [type, ops] : on->as_object()) {
        if (type != "*") {
            EventShape shape;
            shape.type_kind = JsonKind::String;
            shape.type = type;
            shape.data_kind = JsonKind::Object;
            shape.metadata_kind = JsonKind::Null;
            try {
                validate_event(shape);
            } catch (const Error& e) {
                fail("\"on\" " + quoted(type), std::string("not an event type: ") + e.what());
            }
        }
        OperationList list = parse_operation_list(type, ops, result.initial);
        result.program.reads_metadata = result.program.reads_metadata || reads_metadata(list);
        if (type == "*") {
            result.program.fallback = std::move(list);
        } else {
            result.program.on.emplace(type, std::move(list));
        }
    }
    return result;
}

void validate_aggregate_name(const std::optional<std::string_view>& name) {
    if (!name) throw Error(ErrorKind::InvalidArgument, "aggregate name must not be NULL");
    if (name->empty()) throw Error(ErrorKind::InvalidArgument, "aggregate name must not be empty");
    if (name->size() > kMaxAggregateNameBytes) {
        throw Error(
            ErrorKind::InvalidArgument,
            "aggregate name is too long: " + std::to_string(name->size()) + " bytes",
            "An aggregate name has at most " + std::to_string(kMaxAggregateNameBytes) + " bytes.");
    }
    for (unsigned char c : *name) {
        if (c < 0x20 || c == 0x7f) {
            throw Error(ErrorKind::InvalidArgument,
                        "aggregate name must not contain control characters");
        }
    }
}

void validate_aggregate_category(const std::optional<std::string_view>& category) {
    if (!category) return;
    if (category->empty()) {
        throw Error(ErrorKind::InvalidArgument, "category must not be empty", {},
                    "Pass NULL for an aggregate without a category.");
    }
    if (category->size() > 255) {
        throw Error(ErrorKind::InvalidArgument,
                    "category is too long: " + std::to_string(category->size()) + " bytes");
    }
    if (category->find('-') != std::string_view::npos) {
        throw Error(ErrorKind::InvalidArgument,
                    "category \"" + std::string(*category) + "\" contains '-'",
                    "A stream's category is the part of its name before the first '-': "
                    "the streams order-1, order-2 have the category \"order\".");
    }
}

void validate_snapshot_every(const std::optional<std::int64_t>& every) {
    if (!every)
        throw Error(ErrorKind::InvalidArgument, "snapshot_every must not be NULL", {},
                    "Pass 0 to turn snapshots off.");
    if (*every < 0) {
        throw Error(
            ErrorKind::InvalidArgument,
            "snapshot_every must be 0 (no snapshots) or positive, not " + std::to_string(*every));
    }
}

}  // namespace chronicle
