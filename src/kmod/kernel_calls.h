// The three module system calls, returning 0 or the errno the kernel answered, and a watcher
// on the kernel log that collects what the kernel said while a call ran (the kernel explains
// most refusals only there: "disagrees about version of symbol", "Unknown symbol", ...).
#pragma once

#include <string>
#include <vector>

#include "base/byte_reader.h"

namespace ringside::kmod {

inline constexpr unsigned module_init_ignore_modversions = 1;
inline constexpr unsigned module_init_ignore_vermagic = 2;
inline constexpr unsigned module_init_compressed_file = 4;

int call_finit_module(int fd, const std::string& params, unsigned flags);
int call_init_module(Bytes image, const std::string& params);
// O_NONBLOCK always, as kmod does; O_TRUNC as well when forced.
int call_delete_module(const std::string& name, bool force);

// Kernel text for an errno, in kmod's insmod wording where it has one.
std::string kernel_error_text(int errnum);

class KernelLogWatch {
public:
    // Starts at the current end of /dev/kmsg; without /dev/kmsg (no devtmpfs, no permission)
    // the watch simply collects nothing.
    KernelLogWatch();
    ~KernelLogWatch();
    KernelLogWatch(const KernelLogWatch&) = delete;
    KernelLogWatch& operator=(const KernelLogWatch&) = delete;

    // The messages logged since the watch started (text only, no priority or timestamp).
    std::vector<std::string> new_messages();

private:
    int m_fd = -1;
};

}  // namespace ringside::kmod
