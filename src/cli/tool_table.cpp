#include "cli/tool_table.h"

#include "cli/commands.h"

namespace ringside::cli {

namespace {

constexpr Tool tool_table[] = {
    { "lsmod", "list the modules loaded in the kernel (like kmod's lsmod)", cmd_lsmod, true },
    { "insmod", "insert one module file into the kernel", cmd_insmod, true },
    { "rmmod", "remove modules from the kernel", cmd_rmmod, true },
    { "modinfo", "show the information stored in a kernel module", cmd_modinfo, true },
    { "modprobe", "load or unload modules with their dependencies", cmd_modprobe, true },
    { "depmod", "write modules.dep and the module index files", cmd_depmod, true },
    { "module", "write a new out-of-tree kernel module skeleton (module new NAME)", cmd_module, false },
    { "pmap", "per-mapping view of processes' memory (like procps pmap)", cmd_pmap, false },
    { "mem", "system view of memory per process, user or mapping: USS, PSS, RSS (like smem)", cmd_mem, false },
    { "shared", "which memory regions processes really share", cmd_shared, false },
    { "check", "run a program under the heap checker (check [OPTIONS] -- PROGRAM ARGS)", cmd_check, false },
    { "leaks", "ask a running checked program for a leak report", cmd_leaks, false },
    { "ring", "the current privilege ring and what ring 3 may not do", cmd_ring, false },
    { "install", "install ringside and the tool symlinks under a prefix", cmd_install, false },
};

}  // namespace

std::span<const Tool> tools()
{
    return tool_table;
}

const Tool* find_tool(std::string_view name)
{
    for (const Tool& tool : tool_table)
        if (tool.name == name)
            return &tool;
    return nullptr;
}

}  // namespace ringside::cli
