// Inserting one module file into the kernel, and explaining a refusal.
//
// How the bytes reach the kernel (kmod 31's rule, plus a fallback kmod lacks):
//  - an uncompressed file goes by descriptor, finit_module(fd); init_module(bytes) only if
//    the kernel has no finit_module (ENOSYS);
//  - a compressed file goes by descriptor with MODULE_INIT_COMPRESSED_FILE when the kernel
//    announces that very algorithm in /sys/module/compression; if the kernel then refuses it
//    (its decompressor is stricter than liblzma, e.g. about CRC64 or large dictionaries),
//    ringside decompresses in userspace and retries with init_module instead of failing;
//  - any other compressed file is decompressed in userspace and given to init_module.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "kmod/kernel_state.h"

namespace ringside::kmod {

struct InsertRequest {
    std::string path;
    std::string params;
    bool force_vermagic = false;
    bool force_modversion = false;
    KernelPaths kernel;
};

struct InsertResult {
    int error = 0;  // 0 when loaded, else the errno of the kernel's (last) refusal
    std::vector<std::string> steps;            // e.g. "finit_module(fd, flags=0): Exec format error"
    std::vector<std::string> kernel_messages;  // what the kernel logged meanwhile
};

// An Error when the file itself cannot be used (missing, unreadable, undecompressable);
// the kernel's answer, success or not, is in the result.
Result<InsertResult> insert_module_file(const InsertRequest& request);

// The module name the kernel will use for a file: its .modinfo "name", else the file name
// up to the first '.', with '-' as '_'.
std::string module_name_of_file(const std::string& path);

// Joins insmod/modprobe operands into one parameter string: `k=v w` (a value with a space,
// not already quoted) becomes k="v w", as kmod 34 does; the kernel splits on spaces.
std::string join_module_params(const std::vector<std::string>& args);

// Who exports a symbol (from modules.symbols), for "Unknown symbol" explanations.
using SymbolOwnerLookup = std::function<std::vector<std::string>(const std::string& symbol)>;

// Lines that say what a refusal means for this module: the kernel's own log lines about it
// and a reading of them (wrong kernel, unknown symbols and who exports them, signature,
// permissions...). Never empty when errnum != 0.
std::vector<std::string> explain_insert_failure(int errnum, const std::string& path, const std::string& module,
    const std::vector<std::string>& kernel_messages, const SymbolOwnerLookup& owners = {});

// Unknown symbols named in kernel log lines ("mod: Unknown symbol foo (err -2)").
std::vector<std::string> unknown_symbols_in_log(const std::vector<std::string>& kernel_messages);

}  // namespace ringside::kmod
