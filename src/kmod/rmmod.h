// Removing one module from the kernel, with kmod's checks first (built in, not loaded, in use
// and by whom) so that the answer names the reason rather than a bare errno.
#pragma once

#include <string>
#include <vector>

#include "kmod/kernel_state.h"

namespace ringside::kmod {

enum class RemoveProblem {
    None,
    Builtin,
    NotLoaded,
    InUseBy,           // holders listed
    InUse,             // refcount > 0 without holders (a file or device is open)
    UnloadUnsupported, // no refcnt file: CONFIG_MODULE_UNLOAD=n
    Kernel,            // delete_module failed
};

struct RemoveRequest {
    std::string name;
    bool force = false;       // skip the checks, delete_module with O_TRUNC
    bool skip_refcount = false;
    KernelPaths kernel;
    std::vector<std::string> builtin;  // names of built-in modules (modules.builtin)
};

struct RemoveResult {
    RemoveProblem problem = RemoveProblem::None;
    std::vector<std::string> holders;
    long refcount = 0;
    int error = 0;  // with Kernel
};

RemoveResult remove_module(const RemoveRequest& request);

// kmod's message for a problem ("Module X is in use by: a b", ...), plus what it means.
std::string describe_remove_problem(const std::string& name, const RemoveResult& result);

// Module names listed in <module_dir>/modules.builtin (basenames up to the first '.', '-' as '_').
std::vector<std::string> read_builtin_names(const std::string& module_dir);

// The name a rmmod operand stands for: an existing file path gives its basename up to the
// first '.', '-' as '_'; anything else is a module name, '-' as '_'.
std::string module_name_of_operand(const std::string& operand);

}  // namespace ringside::kmod
