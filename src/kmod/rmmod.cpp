#include "kmod/rmmod.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>

#include "base/mapped_file.h"
#include "kmod/kernel_calls.h"

namespace ringside::kmod {

namespace {

std::string underscored(std::string name)
{
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

}  // namespace

RemoveResult remove_module(const RemoveRequest& request)
{
    RemoveResult result;
    const std::string& name = request.name;
    if (!request.force) {
        if (std::find(request.builtin.begin(), request.builtin.end(), name) != request.builtin.end()) {
            result.problem = RemoveProblem::Builtin;
            return result;
        }
        if (module_state(request.kernel, name) == ModuleState::NotLoaded) {
            result.problem = RemoveProblem::NotLoaded;
            return result;
        }
        result.holders = module_holders(request.kernel, name);
        if (!result.holders.empty()) {
            result.problem = RemoveProblem::InUseBy;
            return result;
        }
        result.refcount = module_refcount(request.kernel, name);
        if (result.refcount == -ENOENT) {
            result.problem = RemoveProblem::UnloadUnsupported;
            return result;
        }
        if (result.refcount > 0 && !request.skip_refcount) {
            result.problem = RemoveProblem::InUse;
            return result;
        }
    }
    result.error = call_delete_module(name, request.force);
    if (result.error) {
        result.problem = RemoveProblem::Kernel;
        if (result.error == EWOULDBLOCK || result.error == EBUSY)
            result.holders = module_holders(request.kernel, name);
    }
    return result;
}

std::string describe_remove_problem(const std::string& name, const RemoveResult& result)
{
    auto joined = [](const std::vector<std::string>& names) {
        std::string text;
        for (const std::string& n : names)
            text += (text.empty() ? "" : " ") + n;
        return text;
    };
    switch (result.problem) {
    case RemoveProblem::None:
        return {};
    case RemoveProblem::Builtin:
        return "Module " + name + " is builtin.";
    case RemoveProblem::NotLoaded:
        return "Module " + name + " is not currently loaded";
    case RemoveProblem::InUseBy:
        return "Module " + name + " is in use by: " + joined(result.holders)
            + " (remove those first, or use modprobe -r --remove-holders)";
    case RemoveProblem::InUse:
        return "Module " + name + " is in use (" + std::to_string(result.refcount)
            + " references: an open file, device or mount keeps it busy)";
    case RemoveProblem::UnloadUnsupported:
        return "Module unloading is not supported (kernel without CONFIG_MODULE_UNLOAD)";
    case RemoveProblem::Kernel: {
        std::string text = "could not remove module " + name + ": " + std::strerror(result.error);
        if (result.error == EWOULDBLOCK && !result.holders.empty())
            text += " (in use by: " + joined(result.holders) + ")";
        else if (result.error == EWOULDBLOCK)
            text += " (the module is still in use)";
        else if (result.error == EPERM)
            text += " (removing modules needs root, CAP_SYS_MODULE)";
        else if (result.error == ENOENT)
            text += " (no such module is loaded)";
        return text;
    }
    }
    return {};
}

std::vector<std::string> read_builtin_names(const std::string& module_dir)
{
    std::vector<std::string> names;
    auto text = read_small_file(module_dir + "/modules.builtin");
    if (!text)
        return names;
    std::size_t pos = 0;
    while (pos < text->size()) {
        std::size_t end = text->find('\n', pos);
        if (end == std::string::npos)
            end = text->size();
        std::string line = text->substr(pos, end - pos);
        pos = end + 1;
        auto slash = line.rfind('/');
        std::string base = slash == std::string::npos ? line : line.substr(slash + 1);
        base = base.substr(0, base.find('.'));
        if (!base.empty())
            names.push_back(underscored(base));
    }
    return names;
}

std::string module_name_of_operand(const std::string& operand)
{
    struct stat st {};
    if (::stat(operand.c_str(), &st) == 0) {
        auto slash = operand.rfind('/');
        std::string base = slash == std::string::npos ? operand : operand.substr(slash + 1);
        return underscored(base.substr(0, base.find('.')));
    }
    return underscored(operand);
}

}  // namespace ringside::kmod
