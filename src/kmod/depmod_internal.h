// Shared between depmod's source files; not part of the library's interface.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "kmod/depmod.h"
#include "kmod/depmod_facts.h"

namespace ringside::kmod {

struct Module {
    std::string name;
    std::string path;         // absolute, as in kmod's messages
    std::string output_path;  // relative to the module directory when inside it
    ModuleFacts facts;
    std::vector<std::size_t> deps;  // direct dependencies, in order of first use
    std::uint32_t users = 0;
    std::uint32_t dep_sort_idx = UINT32_MAX;
};

inline constexpr std::size_t kernel_owner = SIZE_MAX;

struct Symbol {
    std::size_t owner = kernel_owner;  // module index, or the kernel
    std::uint64_t crc = 0;
};

struct State {
    const DepmodRequest* request = nullptr;
    const DepmodLog* log = nullptr;
    bool report_unknown = false;
    bool check_crcs = false;
    std::vector<Module> modules;  // in kmod's array order: index = priority in the .bin files
    std::unordered_map<std::string, Symbol> symbols;
};

Result<void> load_symvers(State& state, const std::string& path);
Result<void> load_system_map(State& state, const std::string& path);
void resolve_symbols(State& state);
Result<void> number_dependencies(State& state);
// Transitive dependencies of module `index`, ordered by dep_sort_idx.
std::vector<std::size_t> sorted_dependencies(const State& state, std::size_t index);
Result<void> render_outputs(const State& state, const std::string& module_dir, std::vector<DepmodFile>& files);

namespace depmod_detail {
std::string module_name_of(std::string_view path);
bool has_module_extension(std::string_view name);
}  // namespace depmod_detail

}  // namespace ringside::kmod
