// module new NAME: writes a new out-of-tree kernel module (source, Kbuild, Makefile, README)
// into a new folder NAME/.
#include <cstdio>
#include <cstring>
#include <getopt.h>
#include <string>

#include "cli/commands.h"
#include "kmod/skeleton.h"

namespace ringside::cli {

namespace {

void usage(FILE* out, const char* program)
{
    std::fprintf(out,
        "Usage: %s new NAME [--license L] [--author A] [--description D] [--directory DIR]\n"
        "Writes a kernel module skeleton into DIR/NAME/ (DIR defaults to the current directory):\n"
        "NAME.c with a parameter and load/unload messages, Kbuild, Makefile and README.md.\n"
        "Build it with `make` (against /lib/modules/$(uname -r)/build) or `make KDIR=<headers>`.\n"
        "  -l, --license L      MODULE_LICENSE, default \"GPL\"\n"
        "  -a, --author A       MODULE_AUTHOR\n"
        "  -d, --description D  MODULE_DESCRIPTION\n"
        "  -C, --directory DIR  where to create the folder\n",
        program);
}

}  // namespace

int cmd_module(int argc, char** argv)
{
    const char* program = argv[0];
    if (argc < 2 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout, program);
        return argc < 2 ? 1 : 0;
    }
    if (std::strcmp(argv[1], "new") != 0) {
        std::fprintf(stderr, "%s: unknown action '%s'; the one action is `new`\n", program, argv[1]);
        return 1;
    }
    static const option long_options[] = {
        { "license", required_argument, nullptr, 'l' },
        { "author", required_argument, nullptr, 'a' },
        { "description", required_argument, nullptr, 'd' },
        { "directory", required_argument, nullptr, 'C' },
        { "help", no_argument, nullptr, 'h' },
        { nullptr, 0, nullptr, 0 },
    };
    kmod::SkeletonRequest request;
    optind = 1;
    int sub_argc = argc - 1;
    char** sub_argv = argv + 1;
    for (;;) {
        int c = getopt_long(sub_argc, sub_argv, "l:a:d:C:h", long_options, nullptr);
        if (c == -1)
            break;
        switch (c) {
        case 'l': request.license = optarg; break;
        case 'a': request.author = optarg; break;
        case 'd': request.description = optarg; break;
        case 'C': request.directory = optarg; break;
        case 'h': usage(stdout, program); return 0;
        default: return 1;
        }
    }
    if (optind + 1 != sub_argc) {
        std::fprintf(stderr, "%s: new needs exactly one NAME; see `%s --help`\n", program, program);
        return 1;
    }
    request.name = sub_argv[optind];
    auto folder = kmod::write_skeleton(request);
    if (!folder) {
        std::fprintf(stderr, "%s: ERROR: %s\n", program, folder.error().message.c_str());
        return 1;
    }
    std::printf("%s/: %s.c Kbuild Makefile README.md\n", folder->c_str(), request.name.c_str());
    return 0;
}

}  // namespace ringside::cli
