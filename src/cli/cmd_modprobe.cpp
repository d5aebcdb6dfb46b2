// Placeholder until the tool lands; replaced by the component's own command file.
#include <cstdio>

#include "cli/commands.h"

namespace ringside::cli {

int cmd_modprobe(int, char** argv)
{
    std::fprintf(stderr, "%s: not available in this build yet\n", argv[0]);
    return 1;
}

}  // namespace ringside::cli
