#include "kmod/kernel_state.h"

#include <cerrno>
#include <cstdlib>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "base/mapped_file.h"

namespace ringside::kmod {

namespace {

std::string module_dir(const KernelPaths& paths, const std::string& name)
{
    return paths.sys + "/module/" + name;
}

std::string trimmed(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

}  // namespace

Result<std::vector<ProcModule>> read_proc_modules(const KernelPaths& paths)
{
    std::string path = paths.proc + "/modules";
    std::string text = TRY(read_small_file(path));
    std::vector<ProcModule> modules;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        std::string_view line(text.data() + pos, end - pos);
        pos = end + 1;
        std::size_t space = line.find(' ');
        if (line.empty() || space == 0)
            continue;
        ProcModule module;
        module.name = std::string(line.substr(0, space));
        if (space != std::string_view::npos) {
            std::string rest(line.substr(space + 1));
            module.size = std::strtoull(rest.c_str(), nullptr, 10);
        }
        modules.push_back(std::move(module));
    }
    return modules;
}

ModuleState module_state(const KernelPaths& paths, const std::string& name)
{
    std::string dir = module_dir(paths, name);
    if (auto state = read_small_file(dir + "/initstate", 4096)) {
        std::string value = trimmed(*state);
        if (value == "live")
            return ModuleState::Live;
        if (value == "going")
            return ModuleState::Going;
        return ModuleState::Coming;
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        return ModuleState::Coming;
    return ModuleState::NotLoaded;
}

long module_refcount(const KernelPaths& paths, const std::string& name)
{
    std::string path = module_dir(paths, name) + "/refcnt";
    auto text = read_small_file(path, 4096);
    if (!text) {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0 ? -EIO : -ENOENT;
    }
    return std::strtol(text->c_str(), nullptr, 10);
}

std::vector<std::string> module_holders(const KernelPaths& paths, const std::string& name)
{
    std::vector<std::string> holders;
    DIR* dir = ::opendir((module_dir(paths, name) + "/holders").c_str());
    if (!dir)
        return holders;
    while (const dirent* entry = ::readdir(dir)) {
        std::string holder = entry->d_name;
        if (holder != "." && holder != "..")
            holders.push_back(std::move(holder));
    }
    ::closedir(dir);
    return holders;
}

std::optional<std::uint64_t> module_coresize(const KernelPaths& paths, const std::string& name)
{
    auto text = read_small_file(module_dir(paths, name) + "/coresize", 4096);
    if (!text)
        return std::nullopt;
    return std::strtoull(text->c_str(), nullptr, 10);
}

std::optional<Compression> kernel_decompression(const KernelPaths& paths)
{
    auto text = read_small_file(paths.sys + "/module/compression", 4096);
    if (!text)
        return std::nullopt;
    std::string value = trimmed(*text);
    if (value == "xz")
        return Compression::Xz;
    if (value == "zstd")
        return Compression::Zstd;
    if (value == "gzip")
        return Compression::Gzip;
    return std::nullopt;
}

std::string running_kernel_release()
{
    struct utsname names {};
    if (::uname(&names) != 0)
        return {};
    return names.release;
}

}  // namespace ringside::kmod
