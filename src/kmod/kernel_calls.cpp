#include "kmod/kernel_calls.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ringside::kmod {

int call_finit_module(int fd, const std::string& params, unsigned flags)
{
    // glibc 2.36 has no wrapper for finit_module.
    long rc = ::syscall(SYS_finit_module, fd, params.c_str(), flags);
    return rc == 0 ? 0 : errno;
}

int call_init_module(Bytes image, const std::string& params)
{
    long rc = ::syscall(SYS_init_module, image.data(), static_cast<unsigned long>(image.size()), params.c_str());
    return rc == 0 ? 0 : errno;
}

int call_delete_module(const std::string& name, bool force)
{
    unsigned flags = O_NONBLOCK | (force ? O_TRUNC : 0);
    long rc = ::syscall(SYS_delete_module, name.c_str(), flags);
    return rc == 0 ? 0 : errno;
}

std::string kernel_error_text(int errnum)
{
    switch (errnum) {
    case ENOEXEC:
        return "Invalid module format";
    case ENOENT:
        return "Unknown symbol in module";
    case ESRCH:
        return "Module has wrong symbol version";
    case EINVAL:
        return "Invalid parameters";
    default:
        return std::strerror(errnum);
    }
}

KernelLogWatch::KernelLogWatch()
{
    m_fd = ::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (m_fd >= 0 && ::lseek(m_fd, 0, SEEK_END) < 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

KernelLogWatch::~KernelLogWatch()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

std::vector<std::string> KernelLogWatch::new_messages()
{
    std::vector<std::string> messages;
    if (m_fd < 0)
        return messages;
    // One record per read: "prio,seq,usec,flags;text\n" followed by continuation lines
    // (" KEY=value") that we do not need.
    char record[8192];
    for (;;) {
        ssize_t n = ::read(m_fd, record, sizeof record - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EPIPE)  // records were overwritten while we read: skip them
                continue;
            break;
        }
        if (n == 0)
            break;
        std::string_view text(record, static_cast<std::size_t>(n));
        auto semicolon = text.find(';');
        if (semicolon == std::string_view::npos)
            continue;
        text.remove_prefix(semicolon + 1);
        text = text.substr(0, text.find('\n'));
        messages.emplace_back(text);
    }
    return messages;
}

}  // namespace ringside::kmod
