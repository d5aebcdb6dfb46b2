// ringside mem --watch: the per-process view, refreshed. Small processes are re-read every
// interval; large ones (whose smaps_rollup read is slow and stalls their mmap calls) only
// as often as WatchPacing allows. In between, their RSS comes from /proc/PID/status, which
// costs microseconds whatever the size, and their PSS/USS stay from the last full read.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "maps/mem_report.h"
#include "maps/watch_pacing.h"

namespace ringside::maps {

struct WatchFrame {
    std::vector<ProcessMemory> processes;
    std::vector<SkippedProcess> skipped;
    std::size_t reread = 0;      // processes whose smaps_rollup was read this time
    std::size_t deferred = 0;    // processes shown from an earlier read (RSS refreshed)
    std::uint64_t read_ns = 0;   // time spent in smaps_rollup reads this tick
};

class MemWatcher {
public:
    MemWatcher(MemFilter filter, std::uint64_t interval_ns, double duty = 0.01)
        : m_filter(std::move(filter)), m_pacing(interval_ns, duty) {}

    WatchFrame tick(std::uint64_t now_ns);

private:
    MemFilter m_filter;
    WatchPacing m_pacing;
    std::unordered_map<pid_t, ProcessMemory> m_last;
};

}  // namespace ringside::maps
