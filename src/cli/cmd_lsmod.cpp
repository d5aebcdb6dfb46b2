// lsmod: the modules loaded in the kernel, exactly as kmod's lsmod prints them; --json beyond.
#include <cstdio>
#include <cstring>

#include "cli/commands.h"
#include "kmod/lsmod.h"

namespace ringside::cli {

int cmd_lsmod(int argc, char** argv)
{
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (std::strcmp(argv[i], "-h") == 0 || std::strcmp(argv[i], "--help") == 0) {
            std::printf("Usage: %s [--json]\n"
                        "Lists the modules loaded in the kernel: name, size, use count and the modules using "
                        "each one.\n",
                argv[0]);
            return 0;
        } else {
            // kmod 30's lsmod takes no arguments and answers anything with its usage line.
            std::fprintf(stderr, "Usage: %s [--json]\n", argv[0]);
            return 1;
        }
    }
    auto modules = kmod::list_loaded_modules(kmod::KernelPaths {});
    if (!modules) {
        std::fprintf(stderr, "%s: ERROR: could not get list of modules: %s\n", argv[0],
            modules.error().message.c_str());
        return 1;
    }
    std::string text = json ? json_text(kmod::lsmod_json(*modules)) : kmod::format_lsmod(*modules);
    std::fputs(text.c_str(), stdout);
    return 0;
}

}  // namespace ringside::cli
