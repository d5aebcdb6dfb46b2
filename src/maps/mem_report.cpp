#include "maps/mem_report.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <dirent.h>
#include <map>
#include <thread>
#include <unistd.h>
#include <unordered_map>

#include "base/ordered_parallel.h"
#include "maps/process_info.h"
#include "maps/proc_file.h"
#include "maps/user_names.h"

namespace ringside::maps {

namespace {

std::vector<std::string> all_pids()
{
    std::vector<std::string> pids;
    DIR* dir = ::opendir("/proc");
    if (!dir)
        return pids;
    while (dirent* entry = ::readdir(dir)) {
        const char* name = entry->d_name;
        if (name[0] >= '1' && name[0] <= '9')
            pids.emplace_back(name);
    }
    ::closedir(dir);
    std::sort(pids.begin(), pids.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    return pids;
}

// What every view needs before the memory files: who owns it and whether it matches.
struct Identity {
    ProcessStatus status;
    std::string command;
};

enum class Verdict { Read, Skip, Leave };  // Leave: not ours to show (filtered, kernel thread)

// Runs on reader threads, so the user filter (which needs the shared name cache) is applied
// later, by the caller's thread.
Verdict identify(const ProcDir& dir, const MemFilter& filter, std::string& buffer, Identity& identity,
    SkippedProcess& skipped)
{
    skipped.pid = dir.pid();
    if (auto read = dir.read("status", buffer); !read) {
        skipped.kind = read.error().kind;
        skipped.reason = read.error().message;
        return read.error().kind == ErrorKind::NotFound ? Verdict::Leave : Verdict::Skip;
    }
    auto status = parse_status(buffer);
    if (!status)
        return Verdict::Leave;
    identity.status = std::move(*status);
    if (!identity.status.has_mm)
        return Verdict::Leave;  // kernel thread or zombie: no user memory
    if (dir.read("cmdline", buffer))
        identity.command = join_cmdline(buffer);
    if (filter.process && !std::regex_search(identity.status.name, *filter.process)
        && !std::regex_search(identity.command, *filter.process))
        return Verdict::Leave;
    return Verdict::Read;
}

std::uint64_t elapsed_ns(std::chrono::steady_clock::time_point since)
{
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - since).count());
}

SkippedProcess skip_for(pid_t pid, const Error& error)
{
    return SkippedProcess { pid, error.kind, error.message };
}

// One process as a reader thread left it: to show (with what was read), skipped, or not ours.
template <class Payload>
struct Scanned {
    Verdict verdict = Verdict::Leave;
    pid_t pid = 0;
    Identity identity;
    SkippedProcess skipped;
    Payload payload {};
};

// The loop every view shares: each process is identified and read by `read` on a few
// threads (reading smaps is kernel time that two cores halve), then handed to `use` in PID
// order on the calling thread, after the user filter. `read` returns Verdict::Skip with
// `skipped` filled when the memory file could not be read.
template <class Payload, class Read, class Use>
std::vector<SkippedProcess> scan_each(const MemFilter& filter, UserNames& users, Read read, Use use)
{
    const bool explicit_pids = !filter.pids.empty();
    const std::vector<std::string> pids = explicit_pids ? filter.pids : all_pids();
    std::vector<SkippedProcess> skipped;
    auto produce = [&](std::size_t i) {
        Scanned<Payload> item;
        auto dir = ProcDir::open(pids[i]);
        if (!dir) {
            if (explicit_pids) {
                item.verdict = Verdict::Skip;
                item.skipped = skip_for(0, dir.error());
            }
            return item;
        }
        item.pid = dir->pid();
        std::string buffer;
        item.verdict = identify(*dir, filter, buffer, item.identity, item.skipped);
        if (item.verdict == Verdict::Read)
            item.verdict = read(*dir, explicit_pids, item);
        return item;
    };
    auto consume = [&](std::size_t, Scanned<Payload> item) {
        if (item.verdict == Verdict::Skip)
            skipped.push_back(std::move(item.skipped));
        else if (item.verdict == Verdict::Read
            && (!filter.user || std::regex_search(users.name(item.identity.status.uid), *filter.user)))
            use(item);
        return true;
    };
    unsigned threads = pids.size() < 8 ? 1 : std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
    ordered_parallel<Scanned<Payload>>(pids.size(), threads, 32, produce, consume);
    return skipped;
}

}  // namespace

Result<void> apply_rollup(std::string_view text, ProcessMemory& memory)
{
    auto parsed = Smaps::parse(std::string(text));
    if (!parsed)
        return parsed.error();
    if (parsed->entries().empty())
        return Error { ErrorKind::NotFound, "smaps_rollup is empty (no user memory)" };
    const SmapsEntry& rollup = parsed->entries().front();
    memory.rss = rollup.get(Field::Rss);
    memory.pss = rollup.get(Field::Pss);
    memory.uss = rollup.get(Field::Private_Clean) + rollup.get(Field::Private_Dirty);
    memory.swap = rollup.get(Field::Swap);
    memory.swap_pss = rollup.get(Field::SwapPss);
    memory.pss_anon = rollup.get(Field::Pss_Anon);
    memory.pss_file = rollup.get(Field::Pss_File);
    memory.pss_shmem = rollup.get(Field::Pss_Shmem);
    return {};
}

ProcessScan scan_processes(const MemFilter& filter, const std::function<bool(pid_t)>& read_rollup)
{
    ProcessScan scan;
    UserNames users;
    auto read = [&](const ProcDir& dir, bool explicit_pids, Scanned<ProcessMemory>& item) {
        ProcessMemory& memory = item.payload;
        memory.pid = item.pid;
        if (read_rollup && !read_rollup(memory.pid)) {
            memory.rss = item.identity.status.vm_rss_kb;
            memory.swap = item.identity.status.vm_swap_kb;
            memory.from_status = true;
            return Verdict::Read;
        }
        std::string buffer;
        auto started = std::chrono::steady_clock::now();
        auto read = dir.read("smaps_rollup", buffer);
        memory.read_ns = elapsed_ns(started);
        if (!read) {
            if (read.error().kind == ErrorKind::NotFound && !explicit_pids && dir.has_exited())
                item.skipped = skip_for(memory.pid, Error { ErrorKind::NotFound, "process exited while being read" });
            else
                item.skipped = skip_for(memory.pid, read.error());
            return Verdict::Skip;
        }
        if (auto applied = apply_rollup(buffer, memory); !applied) {
            // An empty rollup means the process exited (or became a zombie) meanwhile.
            item.skipped = skip_for(memory.pid,
                applied.error().with_context("/proc/" + std::to_string(memory.pid) + "/smaps_rollup"));
            return Verdict::Skip;
        }
        return Verdict::Read;
    };
    scan.skipped = scan_each<ProcessMemory>(filter, users, read, [&](Scanned<ProcessMemory>& item) {
        ProcessMemory& memory = item.payload;
        memory.uid = item.identity.status.uid;
        memory.user = users.name(memory.uid);
        memory.name = std::move(item.identity.status.name);
        memory.command = std::move(item.identity.command);
        scan.processes.push_back(std::move(memory));
    });
    return scan;
}

Result<ProcessMemory> read_process_memory(pid_t pid)
{
    MemFilter filter;
    filter.pids.push_back(std::to_string(pid));
    ProcessScan scan = scan_processes(filter);
    if (!scan.processes.empty())
        return scan.processes.front();
    if (!scan.skipped.empty())
        return Error { scan.skipped.front().kind, scan.skipped.front().reason };
    return Error { ErrorKind::NotFound, "process " + std::to_string(pid) + " has no user memory" };
}

std::vector<UserMemory> group_by_user(const std::vector<ProcessMemory>& processes)
{
    std::map<uid_t, UserMemory> users;
    for (const ProcessMemory& p : processes) {
        UserMemory& u = users[p.uid];
        u.uid = p.uid;
        u.user = p.user;
        ++u.count;
        u.rss += p.rss;
        u.pss += p.pss;
        u.uss += p.uss;
        u.swap += p.swap;
        u.swap_pss += p.swap_pss;
    }
    std::vector<UserMemory> out;
    for (auto& [uid, u] : users)
        out.push_back(std::move(u));
    return out;
}

MappingScan scan_mappings(const MemFilter& filter)
{
    MappingScan scan;
    UserNames users;
    std::unordered_map<std::string, MappingMemory> by_name;
    auto read = [](const ProcDir& dir, bool, Scanned<std::optional<Smaps>>& item) {
        std::string buffer;
        if (auto read = dir.read("smaps", buffer); !read) {
            item.skipped = skip_for(dir.pid(), read.error());
            return Verdict::Skip;
        }
        if (dir.has_exited()) {
            item.skipped = skip_for(dir.pid(), Error { ErrorKind::NotFound, "process exited while being read" });
            return Verdict::Skip;
        }
        auto smaps = Smaps::parse(std::move(buffer));
        if (!smaps) {
            item.skipped = skip_for(dir.pid(), smaps.error());
            return Verdict::Skip;
        }
        item.payload = std::move(*smaps);
        return Verdict::Read;
    };
    scan.skipped = scan_each<std::optional<Smaps>>(filter, users, read, [&](Scanned<std::optional<Smaps>>& item) {
        std::unordered_map<std::string, bool> seen_here;
        for (const SmapsEntry& entry : item.payload->entries()) {
            std::string name = entry.line.name.empty() ? "[anon]" : decode_mapping_name(entry.line.name);
            if (filter.mapping && !std::regex_search(name, *filter.mapping))
                continue;
            MappingMemory& m = by_name[name];
            if (m.name.empty())
                m.name = name;
            if (!seen_here[name]) {
                seen_here[name] = true;
                ++m.processes;
            }
            ++m.count;
            m.size += entry.line.size() >> 10;
            m.rss += entry.get(Field::Rss);
            m.pss += entry.get(Field::Pss);
            m.uss += entry.get(Field::Private_Clean) + entry.get(Field::Private_Dirty);
            m.swap += entry.get(Field::Swap);
        }
    });
    for (auto& [name, m] : by_name)
        scan.mappings.push_back(std::move(m));
    return scan;
}

SystemMemory system_memory(Meminfo meminfo, const ProcessScan& scan)
{
    SystemMemory system;
    for (const ProcessMemory& p : scan.processes)
        system.pss_sum += p.pss;
    system.processes = scan.processes.size();
    system.skipped = scan.skipped.size();
    const Meminfo& m = meminfo;
    system.userspace_mapped = m.kb("AnonPages") + m.kb("Mapped");
    std::uint64_t total = m.kb("MemTotal");
    std::uint64_t cached_unmapped = m.kb("Cached") > m.kb("Mapped") ? m.kb("Cached") - m.kb("Mapped") : 0;
    std::uint64_t kernel = m.kb("Slab") + m.kb("KernelStack") + m.kb("PageTables") + m.kb("SecPageTables")
        + m.kb("Percpu");
    std::uint64_t accounted = system.userspace_mapped + cached_unmapped + m.kb("Buffers") + kernel + m.kb("MemFree");
    using Area = SystemMemory::Area;
    system.areas.push_back(Area { "userspace (anon + mapped)", system.userspace_mapped, "AnonPages + Mapped" });
    system.areas.push_back(Area { "page cache, not mapped", cached_unmapped, "Cached - Mapped (includes unmapped tmpfs)" });
    system.areas.push_back(Area { "buffers", m.kb("Buffers"), "Buffers" });
    system.areas.push_back(Area { "kernel: slab", m.kb("Slab"), "SReclaimable + SUnreclaim" });
    system.areas.push_back(Area { "kernel: stacks, page tables, percpu",
        m.kb("KernelStack") + m.kb("PageTables") + m.kb("SecPageTables") + m.kb("Percpu"), "" });
    system.areas.push_back(Area { "kernel: other (vmalloc, drivers...)", total > accounted ? total - accounted : 0,
        "MemTotal minus everything else" });
    system.areas.push_back(Area { "free", m.kb("MemFree"), "MemFree" });
    system.meminfo = std::move(meminfo);
    return system;
}

}  // namespace ringside::maps
