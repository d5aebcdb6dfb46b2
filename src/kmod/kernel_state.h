// What the running kernel says about its modules: /proc/modules and /sys/module/<name>/.
// The /proc and /sys roots are parameters so that tests can point them at a fake tree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/decompress.h"
#include "base/result.h"

namespace ringside::kmod {

struct KernelPaths {
    std::string proc = "/proc";
    std::string sys = "/sys";
};

// The first two columns of one /proc/modules line, in the kernel's order (newest first).
struct ProcModule {
    std::string name;
    std::uint64_t size = 0;
};

Result<std::vector<ProcModule>> read_proc_modules(const KernelPaths& paths);

enum class ModuleState {
    NotLoaded,
    Live,     // initstate "live"
    Coming,   // being loaded (or a /sys/module dir without initstate: built-in or racing)
    Going,    // being removed
};

// kmod's rule: initstate decides; a /sys/module/<name> directory without it counts as
// "coming" (built-in modules with parameters look like that too; callers that know about
// modules.builtin check that first).
ModuleState module_state(const KernelPaths& paths, const std::string& name);

// /sys/module/<name>/refcnt, or the negative errno when it cannot be read (kmod prints that).
long module_refcount(const KernelPaths& paths, const std::string& name);

// /sys/module/<name>/holders entries in directory order (what kmod's lsmod prints).
std::vector<std::string> module_holders(const KernelPaths& paths, const std::string& name);

// /sys/module/<name>/coresize, if present.
std::optional<std::uint64_t> module_coresize(const KernelPaths& paths, const std::string& name);

// The one algorithm the kernel decompresses itself (/sys/module/compression), or nullopt if
// the file is absent (no in-kernel decompression).
std::optional<Compression> kernel_decompression(const KernelPaths& paths);

// "uname -r".
std::string running_kernel_release();

}  // namespace ringside::kmod
