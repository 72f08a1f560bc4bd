// The declarative aggregate language at run time: each operation of a compiled definition
// applied to the state in place, with the size limits checked as the state grows.

#include "chronicle/core/aggregate_fold.hpp"

#include <string>

#include "chronicle/core/aggregate_definition.hpp"
#include "chronicle/core/error.hpp"
#include "chronicle/core/limits.hpp"

namespace chronicle {

namespace {

std::string a(ValueKind kind) {
    return value_kind_phrase(kind);
}

// Everything an operation needs while it runs, and how to say where it failed.
struct Step {
    std::string_view aggregate;
    const EventView& event;
    const Operation& op;
    Value& state;
    StateSize& size;

    [[noreturn]] void fail(const std::string& what) const {
        const std::string of = event.in_stream()
                                   ? " of stream \"" + std::string(event.stream()) + "\""
                                   : std::string(" of the events given");
        throw Error(ErrorKind::FoldFailed,
                    "aggregate \"" + std::string(aggregate) + "\" cannot apply event " +
                        std::to_string(event.version()) + of + " (" + std::string(event.type()) +
                        "): operation " + std::to_string(op.number) + ", " +
                        operation_name(op.kind) + " at " + op.target_text + ": " + what);
    }

    // The value of a source, into `out`; false when it has none.
    bool read(const Source& source, Value& out) const {
        switch (source.kind) {
            case Source::Kind::Literal:
                out = source.literal;
                return true;
            case Source::Kind::Data:
            case Source::Kind::Metadata:
                try {
                    return source.kind == Source::Kind::Data ? event.data_at(source.path, out)
                                                             : event.metadata_at(source.path, out);
                } catch (const Error& e) {
                    // The view refuses a value nested too deeply: say where it was read.
                    if (e.kind() != ErrorKind::FoldFailed) throw;
                    fail(source.text + ": " + e.what());
                }
            case Source::Kind::State: {
                const Value* found = find_at_path(state, source.path);
                if (!found) return false;
                out = *found;
                return true;
            }
            case Source::Kind::Event:
                switch (source.field) {
                    case EventField::Type:
                        out = Value(event.type());
                        return true;
                    case EventField::Stream:
                        out = event.in_stream() ? Value(event.stream()) : Value();
                        return true;
                    case EventField::Version:
                        out = event.version_known() ? Value(static_cast<long long>(event.version()))
                                                    : Value();
                        return true;
                    default:
                        event.field(source.field, out);
                        return true;
                }
        }
        return false;
    }

    // A key taken from the event: a string, or a number written as its text.
    bool read_key(const Source& source, std::string& key, const char* what) const {
        Value value;
        if (!read(source, value)) return false;
        if (value.is_string()) {
            key = std::move(value.as_string());
        } else if (value.is_number()) {
            key = value.as_number().text();
        } else {
            fail(std::string(what) + " (" + source.text + ") is " + a(value.kind()) +
                 ", not a string or a number");
        }
        return true;
    }

    // The slot the target path names. With `create`, missing object members (and null
    // values on the way) become objects, so that the slot exists; without, nullptr when the
    // path leads nowhere. `absent_key` is set when a key read from the event is missing.
    // The target path with the keys read from the event filled in; false when one of them
    // is absent (the operation is then skipped, leaving the state as it was).
    bool resolve_target(std::vector<PathSegment>& resolved) const {
        std::string key;
        resolved.reserve(op.target.size());
        for (const TargetSegment& segment : op.target) {
            if (!segment.key) {
                resolved.push_back(segment.fixed);
                continue;
            }
            if (!read_key(*segment.key, key, "a path segment")) return false;
            resolved.push_back(make_path_segment(key));
        }
        return true;
    }

    // The slot the target path names. With `create`, missing object members (and null
    // values on the way) become objects, so that the slot exists; without, nullptr when the
    // path leads nowhere. nullptr also when a key read from the event is absent.
    Value* slot(bool create) const {
        Value* current = &state;
        if (!op.has_dynamic_target) {
            for (const TargetSegment& segment : op.target) {
                current = step_into(*current, segment.fixed, create);
                if (!current) return nullptr;
            }
            return current;
        }
        std::vector<PathSegment> resolved;
        if (!resolve_target(resolved)) return nullptr;
        for (const PathSegment& segment : resolved) {
            current = step_into(*current, segment, create);
            if (!current) return nullptr;
        }
        return current;
    }

    Value* step_into(Value& container, const PathSegment& segment, bool create) const {
        if (container.is_null() && create) container = Value::object();
        if (container.is_object()) {
            Object& object = container.as_object();
            auto it = object.find(segment.key);
            if (it != object.end()) return &it->second;
            if (!create) return nullptr;
            return &object.emplace(segment.key, Value()).first->second;
        }
        if (container.is_array() && segment.index) {
            Value* element = array_element(container.as_array(), *segment.index);
            if (!element && create) {
                fail("index " + segment.key + " is outside the array (" +
                     std::to_string(container.as_array().size()) + " elements)");
            }
            return element;
        }
        if (!create) return nullptr;
        fail("cannot go into " + a(container.kind()) + " with the path segment \"" + segment.key +
             "\"");
    }

    bool passes(const Condition& condition) const {
        Value value;
        const bool present = read(condition.source, value);
        if (condition.test == Condition::Test::Exists)
            return present == condition.operand.as_bool();
        if (!present) return false;
        switch (condition.test) {
            case Condition::Test::Eq:
                return value == condition.operand;
            case Condition::Test::Ne:
                return value != condition.operand;
            default:
                break;
        }
        int order;
        if (value.is_number() && condition.operand.is_number()) {
            order = compare(value.as_number(), condition.operand.as_number());
        } else if (value.is_string() && condition.operand.is_string()) {
            order = value.as_string().compare(condition.operand.as_string());
        } else {
            return false;
        }
        switch (condition.test) {
            case Condition::Test::Lt:
                return order < 0;
            case Condition::Test::Le:
                return order <= 0;
            case Condition::Test::Gt:
                return order > 0;
            case Condition::Test::Ge:
                return order >= 0;
            default:
                return false;
        }
    }

    // Every state stays within kMaxValueDepth and kMaxValueBytes (limits.hpp), whatever the
    // events bring: the value written, under the containers above it, must fit.
    void check_room(const Value& value) const {
        const std::size_t above = operation_depth_above_value(op);
        const std::size_t room = above < kMaxValueDepth ? kMaxValueDepth - above : 0;
        const ValueMeasure written = measure_value(value, room, kMaxValueBytes);
        if (written.depth > room) {
            fail("the state would nest deeper than " + std::to_string(kMaxValueDepth) + " levels");
        }
        // The containers a path may create on the way count too.
        if (!size.make_room(state, written.bytes + above * 2 * kValueOverheadBytes)) {
            fail("the state would grow beyond " + std::to_string(kMaxValueBytes / (1024 * 1024)) +
                 " MiB");
        }
    }

    void run() const {
        for (const Condition& condition : op.conditions) {
            if (!passes(condition)) return;
        }
        Value value;
        if (op.value && !read(*op.value, value)) {
            if (!op.fallback) return;  // nothing to apply: the event lacks the value
            value = *op.fallback;
        }
        if (op.value) check_room(value);
        std::string key;
        if (op.key && !read_key(*op.key, key, "the key")) return;
        if (op.kind == OperationKind::Put &&
            !size.make_room(state, key.size() + kValueOverheadBytes)) {
            fail("the state would grow beyond " + std::to_string(kMaxValueBytes / (1024 * 1024)) +
                 " MiB");
        }

        switch (op.kind) {
            case OperationKind::Set: {
                Value* target = slot(true);
                if (target) *target = std::move(value);
                return;
            }
            case OperationKind::Unset:
                unset();
                return;
            case OperationKind::Merge: {
                Value* target = slot(true);
                if (target) merge_patch(*target, value);
                return;
            }
            case OperationKind::Append: {
                Value* target = slot(true);
                if (!target) return;
                if (target->is_null()) *target = Value::array();
                if (!target->is_array()) fail(holds(*target) + ", not an array");
                target->as_array().push_back(std::move(value));
                return;
            }
            case OperationKind::Add:
            case OperationKind::Subtract:
            case OperationKind::Count: {
                Value* target = slot(true);
                if (!target) return;
                if (target->is_null()) *target = Value(0);
                if (!target->is_number()) fail(holds(*target) + ", not a number");
                if (op.kind == OperationKind::Count) {
                    target->as_number() = target->as_number() + Decimal(1);
                    return;
                }
                if (!value.is_number()) {
                    fail("the value (" + op.value->text + ") is " + a(value.kind()) +
                         ", not a number");
                }
                Decimal& number = target->as_number();
                number = op.kind == OperationKind::Add ? number + value.as_number()
                                                       : number - value.as_number();
                return;
            }
            case OperationKind::Min:
            case OperationKind::Max: {
                Value* target = slot(true);
                if (!target) return;
                keep_extreme(*target, std::move(value));
                return;
            }
            case OperationKind::Put: {
                Value* target = slot(true);
                if (!target) return;
                if (target->is_null()) *target = Value::object();
                if (!target->is_object()) fail(holds(*target) + ", not an object");
                target->as_object().insert_or_assign(std::move(key), std::move(value));
                return;
            }
            case OperationKind::Remove: {
                Value* target = slot(false);
                if (!target || target->is_null()) return;
                if (!target->is_object()) fail(holds(*target) + ", not an object");
                target->as_object().erase(key);
                return;
            }
        }
    }

    static std::string holds(const Value& target) {
        return "the state holds " + a(target.kind()) + " there";
    }

    void keep_extreme(Value& target, Value value) const {
        if (!value.is_number() && !value.is_string()) {
            fail("the value (" + op.value->text + ") is " + a(value.kind()) +
                 ", not a number or a string");
        }
        if (target.is_null()) {
            target = std::move(value);
            return;
        }
        if (target.kind() != value.kind()) {
            fail("cannot compare " + a(value.kind()) + " with " + a(target.kind()) +
                 " the state holds there");
        }
        const int order = value.is_number() ? compare(value.as_number(), target.as_number())
                                            : value.as_string().compare(target.as_string());
        if ((op.kind == OperationKind::Min && order < 0) ||
            (op.kind == OperationKind::Max && order > 0)) {
            target = std::move(value);
        }
    }

    void unset() const {
        std::vector<PathSegment> resolved;
        if (!resolve_target(resolved) || resolved.empty()) return;
        // The parent of the last segment; then the member or element goes.
        Value* parent = &state;
        for (std::size_t i = 0; i + 1 < resolved.size(); ++i) {
            parent = step_into(*parent, resolved[i], false);
            if (!parent) return;
        }
        const PathSegment& last = resolved.back();
        if (parent->is_object()) {
            parent->as_object().erase(last.key);
        } else if (parent->is_array() && last.index) {
            Array& array = parent->as_array();
            long long index = *last.index;
            if (index < 0) index += static_cast<long long>(array.size());
            if (index >= 0 && index < static_cast<long long>(array.size())) {
                array.erase(array.begin() + index);
            }
        }
    }
};

}  // namespace

StateSize::StateSize(const Value& state)
    : bound_(measure_value(state, kMaxValueDepth, kMaxValueBytes).bytes) {}

bool StateSize::make_room(const Value& state, std::size_t bytes) {
    if (bytes <= kMaxValueBytes && bound_ <= kMaxValueBytes - bytes) {
        bound_ += bytes;
        return true;
    }
    // Writes replace as often as they add: what the state really takes may be far less.
    bound_ = measure_value(state, kMaxValueDepth, kMaxValueBytes).bytes;
    if (bytes > kMaxValueBytes || bound_ > kMaxValueBytes - bytes) return false;
    bound_ += bytes;
    return true;
}

void apply_event(const AggregateProgram& program, std::string_view aggregate, Value& state,
                 const EventView& event, StateSize& size) {
    const OperationList* list = program.operations_for(event.type());
    if (!list) return;
    for (const Operation& op : list->operations) {
        Step{aggregate, event, op, state, size}.run();
    }
}

void apply_event(const AggregateProgram& program, std::string_view aggregate, Value& state,
                 const EventView& event) {
    StateSize size(state);
    apply_event(program, aggregate, state, event, size);
}

}  // namespace chronicle
