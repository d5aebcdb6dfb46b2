// Small text helpers shared by the configuration and symbol-file parsers.
#pragma once

#include <string_view>
#include <vector>

namespace ringside {

// Fields separated by runs of spaces and tabs (strtok(" \t") semantics: no empty fields).
// The views point into `line`.
std::vector<std::string_view> split_blanks(std::string_view line);

}  // namespace ringside
