#pragma once

#include <string>

namespace ringside::cli {

// "ringside version X (commit Y)\n" then the enabled features, like `kmod --version`.
std::string version_text();

}  // namespace ringside::cli
