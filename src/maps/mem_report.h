// The smem-like views: memory per process (from smaps_rollup, one read each), per user,
// per mapping name (needs full smaps) and for the whole system (meminfo beside the PSS sum).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <sys/types.h>
#include <vector>

#include "base/result.h"
#include "maps/meminfo.h"
#include "maps/smaps.h"

namespace ringside::maps {

struct MemFilter {
    std::vector<std::string> pids;           // empty: every process; may hold "self"
    std::optional<std::regex> process;       // matches the name or the command line
    std::optional<std::regex> user;          // matches the user name
    std::optional<std::regex> mapping;       // per-mapping view only: matches the name
};

// Sizes in kB, as the kernel reports them.
struct ProcessMemory {
    pid_t pid = 0;
    uid_t uid = 0;
    std::string user;
    std::string name;       // comm
    std::string command;    // cmdline, arguments joined by spaces
    std::uint64_t rss = 0, pss = 0, uss = 0, swap = 0, swap_pss = 0;
    std::uint64_t pss_anon = 0, pss_file = 0, pss_shmem = 0;
    std::uint64_t read_ns = 0;  // what reading its smaps_rollup cost
    bool from_status = false;   // rollup not read this time: only rss and swap are current
};

// A process that was asked about (or met in /proc) but could not be read.
struct SkippedProcess {
    pid_t pid = 0;
    ErrorKind kind = ErrorKind::Io;  // Permission, NotFound (exited meanwhile), ...
    std::string reason;
};

struct ProcessScan {
    std::vector<ProcessMemory> processes;
    std::vector<SkippedProcess> skipped;
};

// Fills `memory` from one smaps_rollup text. Malformed if it has no [rollup] entry.
Result<void> apply_rollup(std::string_view text, ProcessMemory& memory);

// Reads every matching process. Kernel threads (no user memory) are left out silently.
// `read_rollup`, when given, decides per PID whether to read smaps_rollup; a process it
// declines gets rss and swap from its status file and from_status set. Processes are read
// on a few threads, so `read_rollup` must be safe to call concurrently.
ProcessScan scan_processes(const MemFilter& filter, const std::function<bool(pid_t)>& read_rollup = {});

// Reads one process by PID (for --watch, which re-reads chosen processes).
Result<ProcessMemory> read_process_memory(pid_t pid);

struct UserMemory {
    uid_t uid = 0;
    std::string user;
    std::size_t count = 0;
    std::uint64_t rss = 0, pss = 0, uss = 0, swap = 0, swap_pss = 0;
};

std::vector<UserMemory> group_by_user(const std::vector<ProcessMemory>& processes);

struct MappingMemory {
    std::string name;                 // decoded mapping name, "[anon]" for unnamed memory
    std::size_t processes = 0;        // how many processes map it
    std::size_t count = 0;            // how many mappings
    std::uint64_t size = 0, rss = 0, pss = 0, uss = 0, swap = 0;
};

struct MappingScan {
    std::vector<MappingMemory> mappings;
    std::vector<SkippedProcess> skipped;
};

MappingScan scan_mappings(const MemFilter& filter);

// The system view: where MemTotal goes, and how the PSS sum relates to it.
struct SystemMemory {
    Meminfo meminfo;
    std::uint64_t pss_sum = 0;            // over the readable processes
    std::uint64_t userspace_mapped = 0;   // AnonPages + Mapped: what the PSS sum should equal
    std::size_t processes = 0;
    std::size_t skipped = 0;
    struct Area {
        std::string name;
        std::uint64_t kb = 0;
        std::string note;
    };
    std::vector<Area> areas;
};

SystemMemory system_memory(Meminfo meminfo, const ProcessScan& scan);

}  // namespace ringside::maps
