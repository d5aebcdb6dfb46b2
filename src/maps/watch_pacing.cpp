#include "maps/watch_pacing.h"

#include <algorithm>

namespace ringside::maps {

bool WatchPacing::due(pid_t pid, std::uint64_t now_ns) const
{
    auto found = m_states.find(pid);
    return found == m_states.end() || now_ns >= found->second.next_ns;
}

std::uint64_t WatchPacing::interval_for_cost(std::uint64_t cost_ns) const
{
    auto by_duty = static_cast<std::uint64_t>(static_cast<double>(cost_ns) / m_duty);
    return std::max(m_interval_ns, by_duty);
}

std::uint64_t WatchPacing::record(pid_t pid, std::uint64_t now_ns, std::uint64_t cost_ns)
{
    std::uint64_t interval = interval_for_cost(cost_ns);
    m_states[pid].next_ns = now_ns + interval;
    return interval;
}

}  // namespace ringside::maps
