// Paths into JSON values as definitions write them, parsed once and followed per event
// (the same reading as jsonb's #> operator).

#include "chronicle/core/json_path.hpp"

namespace chronicle {

namespace {

// An integer segment: optional '-' and 1..18 digits (jsonb path indexes are ints anyway).
std::optional<long long> integer_of(std::string_view text) {
    std::size_t i = 0;
    if (i < text.size() && text[i] == '-') ++i;
    if (i == text.size() || text.size() - i > 18) return std::nullopt;
    long long value = 0;
    for (std::size_t j = i; j < text.size(); ++j) {
        if (text[j] < '0' || text[j] > '9') return std::nullopt;
        value = value * 10 + (text[j] - '0');
    }
    return i == 1 ? -value : value;
}

}  // namespace

PathSegment make_path_segment(std::string key) {
    PathSegment segment{std::move(key), std::nullopt};
    segment.index = integer_of(segment.key);
    return segment;
}

bool parse_dotted_path(std::string_view text, Path& out) {
    out.clear();
    if (text.empty()) return true;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = text.find('.', start);
        const std::string_view part = text.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (part.empty()) return false;
        out.push_back(make_path_segment(std::string(part)));
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

std::string path_text(const Path& path) {
    std::string text;
    for (const PathSegment& segment : path) {
        if (!text.empty()) text += '.';
        text += segment.key;
    }
    return text;
}

const Value* array_element(const Array& array, long long index) {
    const long long size = static_cast<long long>(array.size());
    if (index < 0) index += size;
    if (index < 0 || index >= size) return nullptr;
    return &array[static_cast<std::size_t>(index)];
}

Value* array_element(Array& array, long long index) {
    return const_cast<Value*>(array_element(static_cast<const Array&>(array), index));
}

const Value* find_at_path(const Value& root, const Path& path) {
    const Value* current = &root;
    for (const PathSegment& segment : path) {
        if (current->is_object()) {
            current = current->find(segment.key);
        } else if (current->is_array() && segment.index) {
            current = array_element(current->as_array(), *segment.index);
        } else {
            return nullptr;
        }
        if (current == nullptr) return nullptr;
    }
    return current;
}

}  // namespace chronicle
