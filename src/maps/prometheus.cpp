#include "maps/prometheus.h"

#include <fmt/format.h>

namespace ringside::maps {

namespace {

struct ProcessMetric {
    const char* name;
    const char* help;
    std::uint64_t ProcessMemory::*kb;
};

constexpr ProcessMetric process_metrics[] = {
    { "ringside_process_rss_bytes", "Resident set size of the process (smaps_rollup Rss).", &ProcessMemory::rss },
    { "ringside_process_pss_bytes", "Proportional set size: each page divided by the number of processes mapping it.", &ProcessMemory::pss },
    { "ringside_process_uss_bytes", "Unique set size: Private_Clean + Private_Dirty.", &ProcessMemory::uss },
    { "ringside_process_swap_bytes", "Swapped-out anonymous memory of the process.", &ProcessMemory::swap },
    { "ringside_process_swap_pss_bytes", "Proportional share of swap (SwapPss).", &ProcessMemory::swap_pss },
};

}  // namespace

std::string prometheus_label(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string prometheus_text(const std::vector<ProcessMemory>& processes, const std::vector<SkippedProcess>& skipped,
    const SystemMemory* system)
{
    std::string out;
    auto it = std::back_inserter(out);
    std::vector<std::string> labels;
    labels.reserve(processes.size());
    for (const ProcessMemory& p : processes)
        labels.push_back(fmt::format("pid=\"{}\",user=\"{}\",name=\"{}\"", p.pid, prometheus_label(p.user), prometheus_label(p.name)));
    for (const ProcessMetric& metric : process_metrics) {
        fmt::format_to(it, "# HELP {} {}\n# TYPE {} gauge\n", metric.name, metric.help, metric.name);
        for (std::size_t i = 0; i < processes.size(); ++i)
            fmt::format_to(it, "{}{{{}}} {}\n", metric.name, labels[i], processes[i].*metric.kb * 1024);
    }
    fmt::format_to(it, "# HELP ringside_processes_skipped Processes that could not be read (permission denied or exited).\n"
                       "# TYPE ringside_processes_skipped gauge\nringside_processes_skipped {}\n",
        skipped.size());
    if (system) {
        fmt::format_to(it, "# HELP ringside_system_pss_sum_bytes PSS summed over the readable processes.\n"
                           "# TYPE ringside_system_pss_sum_bytes gauge\nringside_system_pss_sum_bytes {}\n",
            system->pss_sum * 1024);
        fmt::format_to(it, "# HELP ringside_system_userspace_mapped_bytes AnonPages + Mapped from /proc/meminfo.\n"
                           "# TYPE ringside_system_userspace_mapped_bytes gauge\nringside_system_userspace_mapped_bytes {}\n",
            system->userspace_mapped * 1024);
        fmt::format_to(it, "# HELP ringside_system_memory_bytes Where MemTotal goes, by area.\n"
                           "# TYPE ringside_system_memory_bytes gauge\n");
        for (const auto& area : system->areas)
            fmt::format_to(it, "ringside_system_memory_bytes{{area=\"{}\"}} {}\n", prometheus_label(area.name), area.kb * 1024);
    }
    return out;
}

}  // namespace ringside::maps
