#include "maps/mem_render.h"

#include <algorithm>
#include <fmt/format.h>
#include <functional>

#include "base/table.h"

namespace ringside::maps {

namespace {

template <typename T>
using Key = std::function<bool(const T&, const T&)>;

template <typename T, typename Member>
Key<T> by(Member member)
{
    return [member](const T& a, const T& b) { return a.*member < b.*member; };
}

template <typename T>
bool sort_with(std::vector<T>& items, const Key<T>& less, bool reverse)
{
    std::stable_sort(items.begin(), items.end(), [&](const T& a, const T& b) { return reverse ? less(b, a) : less(a, b); });
    return true;
}

}  // namespace

std::string format_size(std::uint64_t kb, const MemRenderOptions& options)
{
    switch (options.unit) {
    case SizeUnit::Percent:
        return options.mem_total_kb ? fmt::format("{:.2f}%", 100.0 * static_cast<double>(kb) / static_cast<double>(options.mem_total_kb))
                                    : "-";
    case SizeUnit::Abbreviated: {
        if (kb < 1024)
            return fmt::format("{}K", kb);
        double value = static_cast<double>(kb) / 1024.0;
        const char* suffix = "M";
        if (value >= 1024.0) {
            value /= 1024.0;
            suffix = "G";
        }
        if (value >= 1024.0) {
            value /= 1024.0;
            suffix = "T";
        }
        return fmt::format("{:.1f}{}", value, suffix);
    }
    case SizeUnit::Kilobytes:
        break;
    }
    return std::to_string(kb);
}

bool sort_processes(std::vector<ProcessMemory>& p, const std::string& key, bool reverse)
{
    using P = ProcessMemory;
    if (key == "pid") return sort_with<P>(p, by<P>(&P::pid), reverse);
    if (key == "user") return sort_with<P>(p, by<P>(&P::user), reverse);
    if (key == "name" || key == "command") return sort_with<P>(p, by<P>(&P::command), reverse);
    if (key == "swap") return sort_with<P>(p, by<P>(&P::swap), reverse);
    if (key == "swappss") return sort_with<P>(p, by<P>(&P::swap_pss), reverse);
    if (key == "uss") return sort_with<P>(p, by<P>(&P::uss), reverse);
    if (key == "pss") return sort_with<P>(p, by<P>(&P::pss), reverse);
    if (key == "rss") return sort_with<P>(p, by<P>(&P::rss), reverse);
    return false;
}

bool sort_users(std::vector<UserMemory>& u, const std::string& key, bool reverse)
{
    using U = UserMemory;
    if (key == "user") return sort_with<U>(u, by<U>(&U::user), reverse);
    if (key == "count") return sort_with<U>(u, by<U>(&U::count), reverse);
    if (key == "swap") return sort_with<U>(u, by<U>(&U::swap), reverse);
    if (key == "uss") return sort_with<U>(u, by<U>(&U::uss), reverse);
    if (key == "pss") return sort_with<U>(u, by<U>(&U::pss), reverse);
    if (key == "rss") return sort_with<U>(u, by<U>(&U::rss), reverse);
    return false;
}

bool sort_mappings(std::vector<MappingMemory>& m, const std::string& key, bool reverse)
{
    using M = MappingMemory;
    if (key == "map" || key == "name") return sort_with<M>(m, by<M>(&M::name), reverse);
    if (key == "pids") return sort_with<M>(m, by<M>(&M::processes), reverse);
    if (key == "size" || key == "vss") return sort_with<M>(m, by<M>(&M::size), reverse);
    if (key == "swap") return sort_with<M>(m, by<M>(&M::swap), reverse);
    if (key == "uss") return sort_with<M>(m, by<M>(&M::uss), reverse);
    if (key == "pss") return sort_with<M>(m, by<M>(&M::pss), reverse);
    if (key == "rss") return sort_with<M>(m, by<M>(&M::rss), reverse);
    return false;
}

std::string render_processes(const std::vector<ProcessMemory>& processes, const MemRenderOptions& o)
{
    Table table({ { "PID", Align::Right }, { "User", Align::Left }, { "Command", Align::Left }, { "Swap", Align::Right },
        { "SwapPSS", Align::Right }, { "USS", Align::Right }, { "PSS", Align::Right }, { "RSS", Align::Right } });
    ProcessMemory total;
    for (const ProcessMemory& p : processes) {
        std::string command = p.command.empty() ? "[" + p.name + "]" : p.command;
        if (command.size() > 48)
            command.resize(48);  // the text view stays readable; --json has it all
        for (char& c : command)
            if (static_cast<unsigned char>(c) < 0x20)
                c = '?';  // a newline in a command line must not break the table (smem's does)
        table.add_row({ std::to_string(p.pid), p.user, command, format_size(p.swap, o), format_size(p.swap_pss, o),
            format_size(p.uss, o), format_size(p.pss, o), format_size(p.rss, o) });
        total.swap += p.swap;
        total.swap_pss += p.swap_pss;
        total.uss += p.uss;
        total.pss += p.pss;
        total.rss += p.rss;
    }
    if (o.totals)
        table.add_row({ std::to_string(processes.size()), "", "total", format_size(total.swap, o),
            format_size(total.swap_pss, o), format_size(total.uss, o), format_size(total.pss, o), format_size(total.rss, o) });
    return table.render(1, o.header);
}

std::string render_users(const std::vector<UserMemory>& users, const MemRenderOptions& o)
{
    Table table({ { "User", Align::Left }, { "Count", Align::Right }, { "Swap", Align::Right }, { "USS", Align::Right },
        { "PSS", Align::Right }, { "RSS", Align::Right } });
    UserMemory total;
    for (const UserMemory& u : users) {
        table.add_row({ u.user, std::to_string(u.count), format_size(u.swap, o), format_size(u.uss, o),
            format_size(u.pss, o), format_size(u.rss, o) });
        total.count += u.count;
        total.swap += u.swap;
        total.uss += u.uss;
        total.pss += u.pss;
        total.rss += u.rss;
    }
    if (o.totals)
        table.add_row({ "total", std::to_string(total.count), format_size(total.swap, o), format_size(total.uss, o),
            format_size(total.pss, o), format_size(total.rss, o) });
    return table.render(1, o.header);
}

std::string render_mappings(const std::vector<MappingMemory>& mappings, const MemRenderOptions& o)
{
    Table table({ { "Map", Align::Left }, { "PIDs", Align::Right }, { "Count", Align::Right }, { "Size", Align::Right },
        { "Swap", Align::Right }, { "USS", Align::Right }, { "AVGPSS", Align::Right }, { "PSS", Align::Right },
        { "RSS", Align::Right } });
    MappingMemory total;
    for (const MappingMemory& m : mappings) {
        std::string name = m.name;
        for (char& c : name)
            if (static_cast<unsigned char>(c) < 0x20)
                c = '?';
        table.add_row({ name, std::to_string(m.processes), std::to_string(m.count), format_size(m.size, o),
            format_size(m.swap, o), format_size(m.uss, o), format_size(m.processes ? m.pss / m.processes : 0, o),
            format_size(m.pss, o), format_size(m.rss, o) });
        total.count += m.count;
        total.size += m.size;
        total.swap += m.swap;
        total.uss += m.uss;
        total.pss += m.pss;
        total.rss += m.rss;
    }
    if (o.totals)
        table.add_row({ "total", "", std::to_string(total.count), format_size(total.size, o), format_size(total.swap, o),
            format_size(total.uss, o), "", format_size(total.pss, o), format_size(total.rss, o) });
    return table.render(1, o.header);
}

std::string render_system(const SystemMemory& s, const MemRenderOptions& o)
{
    Table table({ { "Area", Align::Left }, { "Used", Align::Right }, { "Source", Align::Left } });
    for (const auto& area : s.areas)
        table.add_row({ area.name, format_size(area.kb, o), area.note });
    table.add_row({ "total", format_size(s.meminfo.kb("MemTotal"), o), "MemTotal" });
    std::string out = table.render(2, o.header);
    double ratio = s.userspace_mapped ? static_cast<double>(s.pss_sum) / static_cast<double>(s.userspace_mapped) : 0.0;
    out += fmt::format("\nPSS summed over {} processes: {} = {:.3f} x userspace (AnonPages + Mapped)", s.processes,
        format_size(s.pss_sum, o), ratio);
    if (s.skipped)
        out += fmt::format("; {} processes could not be read", s.skipped);
    out += ".\nPSS counts every mapped user page once; it leaves out kernel memory and unmapped cache.\n";
    return out;
}

Json processes_json(const std::vector<ProcessMemory>& processes)
{
    Json out = Json::array();
    for (const ProcessMemory& p : processes)
        out.push_back({ { "pid", p.pid }, { "uid", p.uid }, { "user", p.user }, { "name", p.name },
            { "command", p.command }, { "rss", p.rss * 1024 }, { "pss", p.pss * 1024 }, { "uss", p.uss * 1024 },
            { "swap", p.swap * 1024 }, { "swap_pss", p.swap_pss * 1024 }, { "pss_anon", p.pss_anon * 1024 },
            { "pss_file", p.pss_file * 1024 }, { "pss_shmem", p.pss_shmem * 1024 } });
    return out;
}

Json users_json(const std::vector<UserMemory>& users)
{
    Json out = Json::array();
    for (const UserMemory& u : users)
        out.push_back({ { "uid", u.uid }, { "user", u.user }, { "processes", u.count }, { "rss", u.rss * 1024 },
            { "pss", u.pss * 1024 }, { "uss", u.uss * 1024 }, { "swap", u.swap * 1024 }, { "swap_pss", u.swap_pss * 1024 } });
    return out;
}

Json mappings_json(const std::vector<MappingMemory>& mappings)
{
    Json out = Json::array();
    for (const MappingMemory& m : mappings)
        out.push_back({ { "name", m.name }, { "processes", m.processes }, { "mappings", m.count }, { "size", m.size * 1024 },
            { "rss", m.rss * 1024 }, { "pss", m.pss * 1024 }, { "uss", m.uss * 1024 }, { "swap", m.swap * 1024 } });
    return out;
}

Json system_json(const SystemMemory& s)
{
    Json areas = Json::array();
    for (const auto& area : s.areas)
        areas.push_back({ { "area", area.name }, { "bytes", area.kb * 1024 }, { "source", area.note } });
    // /proc/meminfo's own keys; its kB values become bytes, its counts stay counts.
    Json meminfo = Json::object();
    for (const Meminfo::Field& field : s.meminfo.fields())
        meminfo[field.key] = field.in_kb ? field.value * 1024 : field.value;
    return { { "areas", areas }, { "pss_sum", s.pss_sum * 1024 }, { "userspace_mapped", s.userspace_mapped * 1024 },
        { "pss_to_userspace_ratio", s.userspace_mapped ? static_cast<double>(s.pss_sum) / static_cast<double>(s.userspace_mapped) : 0.0 },
        { "processes", s.processes }, { "skipped", s.skipped }, { "meminfo", meminfo } };
}

Json skipped_json(const std::vector<SkippedProcess>& skipped)
{
    Json out = Json::array();
    for (const SkippedProcess& s : skipped)
        out.push_back({ { "pid", s.pid }, { "kind", error_kind_name(s.kind) }, { "reason", s.reason } });
    return out;
}

}  // namespace ringside::maps
