#include "kmod/lsmod.h"

#include <fmt/format.h>

namespace ringside::kmod {

Result<std::vector<LoadedModule>> list_loaded_modules(const KernelPaths& paths)
{
    auto proc = TRY(read_proc_modules(paths));
    std::vector<LoadedModule> modules;
    modules.reserve(proc.size());
    for (ProcModule& entry : proc) {
        LoadedModule module;
        module.name = std::move(entry.name);
        module.size = module_coresize(paths, module.name).value_or(entry.size);
        module.use_count = module_refcount(paths, module.name);
        module.holders = module_holders(paths, module.name);
        modules.push_back(std::move(module));
    }
    return modules;
}

std::string format_lsmod(const std::vector<LoadedModule>& modules)
{
    std::string out = "Module                  Size  Used by\n";
    for (const LoadedModule& module : modules) {
        out += fmt::format("{:<19} {:>8}  {}", module.name, module.size, module.use_count);
        for (std::size_t i = 0; i < module.holders.size(); ++i)
            out += (i ? "," : " ") + module.holders[i];
        out += '\n';
    }
    return out;
}

Json lsmod_json(const std::vector<LoadedModule>& modules)
{
    Json document = json_document("lsmod");
    Json list = Json::array();
    for (const LoadedModule& module : modules) {
        Json entry = Json::object();
        entry["name"] = module.name;
        entry["size"] = module.size;
        entry["use_count"] = module.use_count;
        entry["used_by"] = module.holders;
        list.push_back(std::move(entry));
    }
    document["modules"] = std::move(list);
    return document;
}

}  // namespace ringside::kmod
