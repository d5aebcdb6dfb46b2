#include "maps/proc_file.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <unistd.h>

#include "base/system_error.h"

namespace ringside::maps {

namespace {

constexpr std::size_t first_read = 64 * 1024;

// Reads into one growing scratch buffer per thread, then copies what came into `buffer` at
// its real size. Growing each result in doubling steps cost a fresh mmap and page faults for
// about twice the text per process (an 11 MB smaps touched 32 MB), more than the read itself;
// the scratch buffer's pages are faulted in once per run.
Result<void> drain(int fd, std::string& buffer, const std::string& what)
{
    static thread_local std::unique_ptr<char[]> scratch;
    static thread_local std::size_t scratch_size = 0;
    if (!scratch) {
        scratch.reset(new char[first_read]);
        scratch_size = first_read;
    }
    std::size_t used = 0;
    for (;;) {
        if (used == scratch_size) {
            std::unique_ptr<char[]> grown(new char[scratch_size * 2]);
            std::memcpy(grown.get(), scratch.get(), used);
            scratch = std::move(grown);
            scratch_size *= 2;
        }
        ssize_t n = ::read(fd, scratch.get() + used, scratch_size - used);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return system_error(what, errno);
        }
        if (n == 0)
            break;
        used += static_cast<std::size_t>(n);
    }
    buffer.assign(scratch.get(), used);
    return {};
}

Error process_error(pid_t pid, const char* name, int errnum)
{
    std::string what = "/proc/" + std::to_string(pid) + "/" + name;
    if (errnum == ENOENT || errnum == ESRCH)
        return Error { ErrorKind::NotFound, what + ": process exited" };
    if (errnum == EACCES || errnum == EPERM)
        return Error { ErrorKind::Permission, what + ": permission denied" };
    return system_error(what, errnum);
}

}  // namespace

Result<ProcDir> ProcDir::open(std::string_view pid_text, const std::string& proc_root)
{
    pid_t pid = 0;
    if (pid_text == "self") {
        pid = ::getpid();
    } else {
        auto [end, ec] = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
        if (ec != std::errc() || end != pid_text.data() + pid_text.size() || pid <= 0)
            return Error { ErrorKind::InvalidArgument, "'" + std::string(pid_text) + "' is not a process ID" };
    }
    std::string path = proc_root + "/" + std::to_string(pid);
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        int saved = errno;
        if (saved == ENOENT || saved == ESRCH)
            return Error { ErrorKind::NotFound, "process " + std::to_string(pid) + " does not exist" };
        return system_error(path, saved);
    }
    ProcDir dir;
    dir.m_fd = fd;
    dir.m_pid = pid;
    return dir;
}

ProcDir::ProcDir(ProcDir&& other) noexcept : m_fd(other.m_fd), m_pid(other.m_pid)
{
    other.m_fd = -1;
}

ProcDir& ProcDir::operator=(ProcDir&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = other.m_fd;
        m_pid = other.m_pid;
        other.m_fd = -1;
    }
    return *this;
}

ProcDir::~ProcDir()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Result<void> ProcDir::read(const char* name, std::string& buffer) const
{
    int fd = ::openat(m_fd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return process_error(m_pid, name, errno);
    auto result = drain(fd, buffer, name);
    ::close(fd);
    if (!result) {
        // A read error is as telling as an open error: ESRCH means the process went away.
        const Error& error = result.error();
        if (error.kind == ErrorKind::NotFound || error.kind == ErrorKind::Permission)
            return process_error(m_pid, name, error.kind == ErrorKind::NotFound ? ESRCH : EACCES);
        return Error { error.kind, "/proc/" + std::to_string(m_pid) + "/" + error.message };
    }
    return {};
}

Result<int> ProcDir::open_file(const char* name) const
{
    int fd = ::openat(m_fd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return process_error(m_pid, name, errno);
    return fd;
}

Result<std::string> ProcDir::read(const char* name) const
{
    std::string buffer;
    TRY_VOID(read(name, buffer));
    return buffer;
}

bool ProcDir::has_exited() const
{
    char stat[512];
    int fd = ::openat(m_fd, "stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return true;
    ssize_t n = ::read(fd, stat, sizeof stat - 1);
    ::close(fd);
    if (n <= 0)
        return true;
    std::string_view text(stat, static_cast<std::size_t>(n));
    // "PID (comm) S ...": the state follows the last ')' (comm may contain parentheses).
    auto paren = text.rfind(')');
    if (paren == std::string_view::npos || paren + 2 >= text.size())
        return true;
    char state = text[paren + 2];
    return state == 'Z' || state == 'X' || state == 'x';
}

Result<void> read_whole_file(const std::string& path, std::string& buffer)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return system_error(path, errno);
    auto result = drain(fd, buffer, path);
    ::close(fd);
    return result;
}

}  // namespace ringside::maps
