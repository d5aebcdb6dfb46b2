// Multi-call entry point: `ringside TOOL ARGS...` or a symlink named like the tool.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "cli/tool_table.h"
#include "cli/version.h"

namespace {

std::string_view base_name(const char* path)
{
    std::string_view name(path);
    auto slash = name.rfind('/');
    return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

void print_help(FILE* out)
{
    std::fprintf(out,
        "Usage: ringside TOOL [ARGS...]\n"
        "       ringside --help | --version\n"
        "\n"
        "ringside looks into both privilege rings: what is loaded into the kernel (ring 0)\n"
        "and where a process's memory goes (ring 3).\n"
        "\n"
        "Tools:\n");
    for (const auto& tool : ringside::cli::tools())
        std::fprintf(out, "  %-10.*s %.*s\n", static_cast<int>(tool.name.size()), tool.name.data(),
            static_cast<int>(tool.summary.size()), tool.summary.data());
    std::fprintf(out,
        "\n"
        "The kernel-module tools also run as symlinks named lsmod, insmod, rmmod, modinfo,\n"
        "modprobe and depmod, and accept kmod's options. Run `ringside TOOL --help` for a\n"
        "tool's options.\n");
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 1)
        return 1;
    std::string_view invoked = base_name(argv[0]);
    if (const auto* tool = ringside::cli::find_tool(invoked); tool && invoked != "install")
        return tool->run(argc, argv);

    if (argc < 2) {
        print_help(stderr);
        return 1;
    }
    std::string_view first = argv[1];
    if (first == "--help" || first == "-h" || first == "help") {
        print_help(stdout);
        return 0;
    }
    if (first == "--version" || first == "-V") {
        std::fputs(ringside::cli::version_text().c_str(), stdout);
        return 0;
    }
    const auto* tool = ringside::cli::find_tool(first);
    if (!tool) {
        std::fprintf(stderr, "ringside: unknown tool '%s'; `ringside --help` lists them\n", argv[1]);
        return 1;
    }
    return tool->run(argc - 1, argv + 1);
}
