// lsmod: the loaded modules, as kmod's lsmod lists them (order of /proc/modules, size from
// /sys/module/<m>/coresize, use count from refcnt, "used by" from holders/), and as JSON.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "kmod/kernel_state.h"

namespace ringside::kmod {

struct LoadedModule {
    std::string name;
    std::uint64_t size = 0;
    long use_count = 0;  // negative errno when refcnt could not be read, as kmod prints it
    std::vector<std::string> holders;
};

Result<std::vector<LoadedModule>> list_loaded_modules(const KernelPaths& paths);

// Byte for byte what kmod 30's lsmod prints.
std::string format_lsmod(const std::vector<LoadedModule>& modules);

Json lsmod_json(const std::vector<LoadedModule>& modules);

}  // namespace ringside::kmod
