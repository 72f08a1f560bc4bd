// libFuzzer target: aggregate definitions as define_aggregate receives them (JSON text here,
// jsonb there), and the folds they compile to.
//
// Input: the definition's JSON text, then, after each NUL byte, the data of one event
// (JSON text). Each event is applied with every event type the definition names and one it
// does not, so that "*" lists run too. Checked: only the documented errors are thrown
// (InvalidAggregateDefinition when compiling, FoldFailed when folding); no crash, no
// sanitizer report; every state stays within kMaxValueDepth and prints as JSON that parses
// back to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chronicle/core/aggregate_definition.hpp"
#include "chronicle/core/aggregate_fold.hpp"
#include "chronicle/core/error.hpp"
#include "chronicle/core/event_view.hpp"
#include "chronicle/core/json_path.hpp"
#include "chronicle/core/json_value.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace chronicle;
using chronicle::fuzz::broken;

class FuzzEvent final : public EventView {
  public:
    FuzzEvent(std::string type, const Value& data, std::int64_t version)
        : type_(std::move(type)), data_(data), version_(version) {}

    std::string_view type() const override { return type_; }
    std::string_view stream() const override { return "fuzz-1"; }
    std::int64_t version() const override { return version_; }
    bool data_at(const Path& path, Value& out) const override {
        const Value* found = find_at_path(data_, path);
        if (!found) return false;
        out = *found;
        return true;
    }
    bool metadata_at(const Path& path, Value& out) const override {
        // The data doubles as metadata: one more way in for the fuzzer's values.
        return data_at(path, out);
    }
    void field(EventField field, Value& out) const override {
        switch (field) {
            case EventField::Position:
                out = Value(static_cast<long long>(version_ * 7));
                return;
            case EventField::Id:
                out = Value("018f2d6e-0000-7000-8000-000000000001");
                return;
            case EventField::RecordedAt:
                out = Value("2026-01-01T00:00:00+00:00");
                return;
            default:
                out = Value();
                return;
        }
    }

  private:
    std::string type_;
    const Value& data_;
    std::int64_t version_;
};

}  // namespace

using chronicle::fuzz::broken;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(bytes), size);
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t nul = input.find('\0', start);
        parts.push_back(input.substr(start, nul == std::string_view::npos ? nul : nul - start));
        if (nul == std::string_view::npos) break;
        start = nul + 1;
    }

    Value definition_value;
    try {
        definition_value = parse_json_text(parts[0], ErrorKind::InvalidAggregateDefinition);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::InvalidAggregateDefinition) broken("parse error kind", e.what());
        return 0;
    }
    AggregateDefinition definition;
    try {
        definition = parse_aggregate_definition(definition_value);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::InvalidAggregateDefinition) {
            broken("definition error kind", e.what());
        }
        return 0;
    }
    fuzz::check_value(definition.initial, ErrorKind::Internal);
    if (definition.reducer) return 0;

    std::vector<std::string> types;
    for (const auto& entry : definition.program.on) types.push_back(entry.first);
    types.push_back("FuzzOther");

    Value state = definition.initial;
    StateSize state_size(state);
    std::int64_t version = 0;
    for (std::size_t i = 1; i < parts.size() && i <= 16; ++i) {
        Value data;
        try {
            data = parse_json_text(parts[i], ErrorKind::InvalidEventData);
        } catch (const Error&) {
            continue;
        }
        for (const std::string& type : types) {
            const FuzzEvent event(type, data, ++version);
            try {
                apply_event(definition.program, "fuzz", state, event, state_size);
            } catch (const Error& e) {
                if (e.kind() != ErrorKind::FoldFailed) broken("fold error kind", e.what());
                // A fold stops at its first failure (the state may be half changed).
                return 0;
            }
            const std::size_t bytes = measure_value(state, kMaxValueDepth, kMaxValueBytes).bytes;
            if (bytes > kMaxValueBytes) broken("state within kMaxValueBytes", "");
            // Printing and parsing a state of many MiB under ASan would take the time
            // limit: the large ones are only measured.
            if (bytes <= 1024 * 1024) fuzz::check_value(state, ErrorKind::Internal);
        }
    }
    return 0;
}
