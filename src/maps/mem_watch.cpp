#include "maps/mem_watch.h"

namespace ringside::maps {

WatchFrame MemWatcher::tick(std::uint64_t now_ns)
{
    WatchFrame frame;
    ProcessScan scan = scan_processes(m_filter, [&](pid_t pid) { return m_pacing.due(pid, now_ns); });
    std::unordered_map<pid_t, ProcessMemory> current;
    for (ProcessMemory& p : scan.processes) {
        if (p.from_status) {
            auto last = m_last.find(p.pid);
            if (last != m_last.end()) {
                // PSS and USS from the last full read; RSS and swap as of now.
                std::uint64_t rss = p.rss, swap = p.swap;
                p = last->second;
                p.rss = rss;
                p.swap = swap;
                p.from_status = true;
            }
            ++frame.deferred;
        } else {
            m_pacing.record(p.pid, now_ns, p.read_ns);
            frame.read_ns += p.read_ns;
            ++frame.reread;
        }
        current[p.pid] = p;
        frame.processes.push_back(p);
    }
    frame.skipped = std::move(scan.skipped);
    m_last = std::move(current);
    return frame;
}

}  // namespace ringside::maps
