#include "cli/version.h"

#include <lzma.h>
#include <openssl/crypto.h>
#include <zlib.h>
#include <zstd.h>

#include <fmt/format.h>

#include "cli/build_info.h"

// Set by src/cli/CMakeLists.txt from what the components actually link.
#if RINGSIDE_FEATURE_LIBDW
#include <elfutils/libdwfl.h>
#endif
#ifndef RINGSIDE_FEATURE_LIBUNWIND
#define RINGSIDE_FEATURE_LIBUNWIND 0
#endif

namespace ringside::cli {

namespace {

std::string feature(bool enabled, const char* name)
{
    return std::string(enabled ? "+" : "-") + name;
}

}  // namespace

std::string version_text()
{
    std::string text = fmt::format("ringside version {} (commit {})\n", RINGSIDE_VERSION, RINGSIDE_GIT_COMMIT);
    // Compression and OpenSSL are required by the build, so they are always on; the line
    // still names them so scripts can grep for a feature the way they do with kmod.
    text += fmt::format("{} {} {} {} {} {}\n", feature(true, "ZSTD"), feature(true, "XZ"), feature(true, "ZLIB"),
        feature(true, "OPENSSL"), feature(RINGSIDE_FEATURE_LIBDW, "LIBDW"),
        feature(RINGSIDE_FEATURE_LIBUNWIND, "LIBUNWIND"));
    text += fmt::format("libraries: zstd {}, xz {}, zlib {}, {}", ZSTD_versionString(), lzma_version_string(),
        zlibVersion(), OpenSSL_version(OPENSSL_VERSION));
#if RINGSIDE_FEATURE_LIBDW
    text += fmt::format(", libdw {}", dwfl_version(nullptr));
#endif
    text += "\n";
    return text;
}

}  // namespace ringside::cli
