// The table of subcommands: name, one-line summary, entry point, and whether a symlink of
// that name should dispatch to it (the kmod tools).
#pragma once

#include <span>
#include <string_view>

namespace ringside::cli {

struct Tool {
    std::string_view name;
    std::string_view summary;
    int (*run)(int argc, char** argv);
    bool kmod_link;  // installed as a symlink named like the tool when asked
};

std::span<const Tool> tools();
const Tool* find_tool(std::string_view name);

}  // namespace ringside::cli
