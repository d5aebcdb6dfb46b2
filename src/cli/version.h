#pragma once

#include <string>

namespace ringside::cli {

// Like `kmod --version`: "ringside version X (commit Y)", then the feature line
// ("+ZSTD +XZ +ZLIB +OPENSSL +LIBDW -LIBUNWIND"), then the versions of the linked libraries.
std::string version_text();

}  // namespace ringside::cli
