// Helpers shared by the core's unit tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "chronicle/core/error.hpp"

namespace chronicle::test {

// Runs `f`, which must throw chronicle::Error, and returns the error.
template <typename F>
Error capture_error(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "no chronicle::Error was thrown";
    return Error(ErrorKind::Internal, "<no error thrown>");
}

inline ::testing::AssertionResult Contains(const std::string& haystack, const std::string& needle) {
    if (haystack.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "\"" << haystack << "\" does not contain \"" << needle << "\"";
}

inline ::testing::AssertionResult StartsWith(const std::string& text, const std::string& prefix) {
    if (text.compare(0, prefix.size(), prefix) == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "\"" << text << "\" does not start with \"" << prefix << "\"";
}

}  // namespace chronicle::test
