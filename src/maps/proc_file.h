// Reading /proc/PID files. Each read() of a seq_file returns at most one page whatever the
// buffer size, so the cost is syscalls, not copying: read into one large reusable buffer,
// never through stdio (procfs reports st_blksize 1024, which quadruples the reads).
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>

#include "base/result.h"

namespace ringside::maps {

// A /proc/PID directory held open, so every file of one process is read from the same
// process even if the PID is reused meanwhile.
class ProcDir {
public:
    // pid_text is a decimal PID or "self". NotFound when the process does not exist.
    static Result<ProcDir> open(std::string_view pid_text, const std::string& proc_root = "/proc");

    ProcDir() = default;
    ProcDir(ProcDir&& other) noexcept;
    ProcDir& operator=(ProcDir&& other) noexcept;
    ProcDir(const ProcDir&) = delete;
    ProcDir& operator=(const ProcDir&) = delete;
    ~ProcDir();

    pid_t pid() const { return m_pid; }

    // Reads the whole file into `buffer` (reused across calls to keep allocations off the
    // hot path). Errors: NotFound when the process exited, Permission for the ptrace check.
    Result<void> read(const char* name, std::string& buffer) const;
    Result<std::string> read(const char* name) const;

    // Opens a file of this process for the caller to read (and close); same errors as read().
    Result<int> open_file(const char* name) const;

    // True when the process has exited (gone or a zombie) since it was opened: a file read
    // from it may then be cut short and is not to be trusted.
    bool has_exited() const;

private:
    int m_fd = -1;
    pid_t m_pid = 0;
};

// Reads a whole file by path (for /proc/meminfo and friends).
Result<void> read_whole_file(const std::string& path, std::string& buffer);

}  // namespace ringside::maps
