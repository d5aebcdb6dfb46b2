// How often --watch may re-read a process. Reading smaps_rollup walks the target's page
// tables under its mmap_lock (~20 ns per resident 4 KiB page, 21 ms for 4 GiB), and the
// target's mmap/munmap wait behind it. So each process gets its own interval: at least the
// one asked for, and long enough that the lock is held for at most `duty` of the time.
#pragma once

#include <cstdint>
#include <sys/types.h>
#include <unordered_map>

namespace ringside::maps {

class WatchPacing {
public:
    WatchPacing(std::uint64_t interval_ns, double duty) : m_interval_ns(interval_ns), m_duty(duty) {}

    // Whether `pid` is due at `now_ns` (a process never read is always due).
    bool due(pid_t pid, std::uint64_t now_ns) const;
    // Records a read that cost `cost_ns`; returns the interval this process now gets.
    std::uint64_t record(pid_t pid, std::uint64_t now_ns, std::uint64_t cost_ns);
    std::uint64_t interval_for_cost(std::uint64_t cost_ns) const;

private:
    struct State {
        std::uint64_t next_ns = 0;
    };
    std::uint64_t m_interval_ns;
    double m_duty;
    std::unordered_map<pid_t, State> m_states;
};

}  // namespace ringside::maps
