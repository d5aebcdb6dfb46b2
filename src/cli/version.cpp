#include "cli/version.h"

#include "cli/build_info.h"

namespace ringside::cli {

std::string version_text()
{
    return std::string("ringside version ") + RINGSIDE_VERSION + " (commit " + RINGSIDE_GIT_COMMIT + ")\n"
        + "+ZSTD +XZ +ZLIB +OPENSSL +LIBDW +LIBUNWIND\n";
}

}  // namespace ringside::cli
