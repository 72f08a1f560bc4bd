// Unit tests for include/chronicle/core/sqlstate.hpp: the header names every SQLSTATE of class
// CH that the source, the SQL scripts and the docs use, and docs/reference.md's table agrees.
#include "chronicle/core/sqlstate.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "chronicle/core/error.hpp"

namespace {

namespace fs = std::filesystem;
using chronicle::sqlstate::kChronicleCodes;

const fs::path kSourceDir = CHRONICLE_SOURCE_DIR;

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    EXPECT_TRUE(in.good()) << "cannot read " << path;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::map<std::string, std::string> header_codes() {
    std::map<std::string, std::string> codes;
    for (const auto& entry : kChronicleCodes) codes.emplace(entry.code, entry.name);
    return codes;
}

TEST(SqlstateHeaderTest, CodesAreDistinctAndOfClassCH) {
    std::set<std::string> seen;
    for (const auto& entry : kChronicleCodes) {
        const std::string code = entry.code;
        EXPECT_TRUE(std::regex_match(code, std::regex("CH[0-9A-Z]{3}"))) << code;
        EXPECT_TRUE(seen.insert(code).second) << "duplicate " << code;
        EXPECT_STRNE(entry.name, "") << code;
    }
}

TEST(SqlstateHeaderTest, EveryErrorKindMapsToANamedCode) {
    const auto codes = header_codes();
    for (int k = 0; k <= static_cast<int>(chronicle::ErrorKind::Internal); ++k) {
        const auto kind = static_cast<chronicle::ErrorKind>(k);
        const std::string code = chronicle::sqlstate_of(kind);
        if (kind == chronicle::ErrorKind::Internal) {
            EXPECT_EQ(code, chronicle::sqlstate::kInternalError.code);
        } else {
            EXPECT_EQ(codes.count(code), 1u) << "kind #" << k << " maps to unnamed " << code;
        }
    }
}

// docs/reference.md, section "SQLSTATEs": one row per code, its meaning opening with the
// header's name (alone, or followed by a colon and the particulars).
TEST(SqlstateHeaderTest, ReferenceTableListsExactlyTheHeadersCodes) {
    const std::string doc = read_file(kSourceDir / "docs" / "reference.md");
    const auto section = doc.find("\n## SQLSTATEs\n");
    ASSERT_NE(section, std::string::npos) << "docs/reference.md has no SQLSTATEs section";
    const auto end = doc.find("\n## ", section + 1);
    const std::string table = doc.substr(section, end == std::string::npos ? end : end - section);

    std::map<std::string, std::string> documented;
    const std::regex row(R"(\n\| (CH[0-9A-Z]{3}) \| ([^|]*) \|)");
    for (auto it = std::sregex_iterator(table.begin(), table.end(), row);
         it != std::sregex_iterator(); ++it) {
        EXPECT_TRUE(documented.emplace((*it)[1], (*it)[2]).second) << "row twice: " << (*it)[1];
    }
    const auto codes = header_codes();
    for (const auto& [code, name] : codes) {
        const auto found = documented.find(code);
        if (found == documented.end()) {
            ADD_FAILURE() << code << " (" << name << ") is missing from docs/reference.md";
            continue;
        }
        const std::string& meaning = found->second;
        EXPECT_TRUE(meaning == name || meaning.rfind(name + ": ", 0) == 0)
            << code << ": the table says \"" << meaning << "\", the header \"" << name << "\"";
    }
    for (const auto& [code, meaning] : documented) {
        EXPECT_EQ(codes.count(code), 1u) << code << " is documented but not in sqlstate.hpp";
    }
}

// Every CHxxx the SQL (PL/pgSQL raises some), the docs or the tests mention is a named one.
TEST(SqlstateHeaderTest, EveryCodeInUseIsNamed) {
    const auto codes = header_codes();
    const std::regex mention(R"(\bCH[0-9][0-9A-Z]{2}\b)");
    std::size_t files = 0;
    auto check = [&](const fs::path& path) {
        const std::string text = read_file(path);
        ++files;
        for (auto it = std::sregex_iterator(text.begin(), text.end(), mention);
             it != std::sregex_iterator(); ++it) {
            EXPECT_EQ(codes.count(it->str()), 1u)
                << path << " uses " << it->str() << ", which sqlstate.hpp lacks";
        }
    };
    check(kSourceDir / "README.md");
    for (const char* dir : {"sql", "docs", "expected", "tests/isolation", "tests/tap"}) {
        if (!fs::exists(kSourceDir / dir)) continue;
        for (const auto& entry : fs::recursive_directory_iterator(kSourceDir / dir)) {
            if (entry.is_regular_file()) check(entry.path());
        }
    }
    EXPECT_GT(files, 0u);
}

}  // namespace
