#include "maps/shared_regions.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>
#include <unordered_map>

#include "maps/pagemap.h"
#include "maps/proc_file.h"
#include "maps/process_info.h"
#include "maps/smaps.h"

namespace ringside::maps {

namespace {

using ObjectKey = std::tuple<std::uint32_t, std::uint32_t, std::uint64_t>;

// Private mappings larger than this are not walked in pagemap (8 bytes per virtual page).
constexpr std::uint64_t max_pagemap_span = 8ull << 30;

struct ProcessMaps {
    ProcDir dir;
    Smaps smaps;
};

void probe_map_files(pid_t pid, std::uint64_t start, std::uint64_t end, SharedObject& object)
{
    std::string path = fmt::format("/proc/{}/map_files/{:x}-{:x}", pid, start, end);
    struct stat st {};
    // Following the link needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE, even for our own
    // processes; without it the maps inode is the identity and we say no more.
    if (::stat(path.c_str(), &st) != 0)
        return;
    object.object_size = static_cast<std::uint64_t>(st.st_size);
    object.unlinked = st.st_nlink == 0;
}

void find_private_sharing(const std::vector<ProcessMaps>& processes, SharedReport& report)
{
    const std::uint64_t page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    struct Where {
        std::uint32_t process;
        std::uint32_t entry;
    };
    std::unordered_map<std::uint64_t, Where> first_seen;  // frame -> first mapper
    std::map<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t>, std::uint64_t> pairs;
    bool any_frame = false;
    for (std::uint32_t p = 0; p < processes.size(); ++p) {
        const auto& entries = processes[p].smaps.entries();
        for (std::uint32_t e = 0; e < entries.size(); ++e) {
            const SmapsEntry& entry = entries[e];
            if (entry.line.is_shared() || entry.get(Field::Anonymous) == 0)
                continue;
            if (entry.line.size() > max_pagemap_span) {
                report.notes.push_back(fmt::format("{}: {:x}-{:x} is too large to walk in pagemap", processes[p].dir.pid(),
                    entry.line.start, entry.line.end));
                continue;
            }
            auto pages = read_pagemap(processes[p].dir, entry.line.start, entry.line.end);
            if (!pages) {
                report.notes.push_back(pages.error().message);
                return;
            }
            std::uint64_t non_exclusive = 0;
            for (std::size_t i = 0; i < pages->size(); ++i) {
                const PageEntry& pe = (*pages)[i];
                if (!pe.present() || pe.file_or_shared())
                    continue;
                if (!pe.exclusive())
                    ++non_exclusive;
                if (pe.frame() == 0)
                    continue;
                any_frame = true;
                auto [it, inserted] = first_seen.try_emplace(pe.frame(), Where { p, e });
                if (!inserted && it->second.process != p)
                    ++pairs[{ it->second.process, it->second.entry, p, e }];
            }
            if (non_exclusive)
                report.non_exclusive.push_back(NonExclusive { processes[p].dir.pid(),
                    entry.line.name.empty() ? "[anon]" : decode_mapping_name(entry.line.name), entry.line.start, entry.line.end,
                    non_exclusive });
        }
    }
    report.frames_visible = any_frame;
    for (const auto& [key, count] : pairs) {
        auto [p1, e1, p2, e2] = key;
        const SmapsEntry& first = processes[p1].smaps.entries()[e1];
        const SmapsEntry& second = processes[p2].smaps.entries()[e2];
        report.cow.push_back(CowShare { first.line.name.empty() ? "[anon]" : decode_mapping_name(first.line.name),
            processes[p1].dir.pid(), processes[p2].dir.pid(), first.line.start, second.line.start, count, page });
    }
}

std::string human_kb(std::uint64_t kb)
{
    return fmt::format("{} kB", kb);
}

}  // namespace

Result<SharedReport> find_shared(const SharedRequest& request)
{
    if (request.pids.size() < 2)
        return Error { ErrorKind::InvalidArgument, "give at least two processes to compare" };
    SharedReport report;
    std::vector<ProcessMaps> processes;
    for (const std::string& pid_text : request.pids) {
        ProcDir dir = TRY(ProcDir::open(pid_text));
        std::string text;
        if (auto read = dir.read("smaps", text); !read)
            return read.error();
        if (dir.has_exited())
            return Error { ErrorKind::NotFound, fmt::format("process {} exited while being read", dir.pid()) };
        Smaps smaps = TRY(Smaps::parse(std::move(text)));
        std::string cmdline;
        (void)dir.read("cmdline", cmdline);
        report.pids.push_back(dir.pid());
        report.commands.push_back(join_cmdline(cmdline));
        processes.push_back(ProcessMaps { std::move(dir), std::move(smaps) });
    }

    std::map<ObjectKey, SharedObject> objects;
    for (const ProcessMaps& process : processes) {
        for (const SmapsEntry& entry : process.smaps.entries()) {
            const MapsLine& line = entry.line;
            MappingKind kind = classify_mapping(line);
            if (line.inode == 0 && kind != MappingKind::SysV)
                continue;  // no identity (SysV shmid 0 is a real segment, hence the exception)
            if (!kind_has_identity(kind))
                continue;
            if (!request.include_files && (kind == MappingKind::File || kind == MappingKind::DeletedFile))
                continue;
            SharedObject& object = objects[{ line.dev_major, line.dev_minor, line.inode }];
            if (object.uses.empty()) {
                object.kind = kind;
                object.name = decode_mapping_name(line.name);
                object.dev_major = line.dev_major;
                object.dev_minor = line.dev_minor;
                object.inode = line.inode;
            }
            object.mapped_shared |= line.is_shared();
            if (object.uses.empty() || object.uses.back().pid != process.dir.pid()) {
                SharedUse use;
                use.pid = process.dir.pid();
                use.perms = std::string(line.perms_text());
                object.uses.push_back(use);
            }
            SharedUse& use = object.uses.back();
            use.ranges.emplace_back(line.start, line.end);
            use.size_kb += line.size() >> 10;
            use.rss_kb += entry.get(Field::Rss);
            use.pss_kb += entry.get(Field::Pss);
            use.referenced_kb += entry.get(Field::Referenced);
            use.shared_kb += entry.get(Field::Shared_Clean) + entry.get(Field::Shared_Dirty);
            use.private_kb += entry.get(Field::Private_Clean) + entry.get(Field::Private_Dirty);
        }
    }
    for (auto& [key, object] : objects) {
        if (object.uses.size() < 2)
            continue;
        probe_map_files(object.uses.front().pid, object.uses.front().ranges.front().first,
            object.uses.front().ranges.front().second, object);
        report.objects.push_back(std::move(object));
    }
    // Shared memory objects first, then files; each group by name.
    std::stable_sort(report.objects.begin(), report.objects.end(), [](const SharedObject& a, const SharedObject& b) {
        bool af = a.kind == MappingKind::File || a.kind == MappingKind::DeletedFile;
        bool bf = b.kind == MappingKind::File || b.kind == MappingKind::DeletedFile;
        return af != bf ? bf : a.name < b.name;
    });
    if (request.pages)
        find_private_sharing(processes, report);
    if (request.pages && !report.frames_visible)
        report.notes.push_back("page frames are hidden without CAP_SYS_ADMIN: private pages shared after fork are "
                               "counted per process (not exclusively mapped) but not matched to a partner");
    return report;
}

std::string render_shared(const SharedReport& report)
{
    std::string out;
    auto it = std::back_inserter(out);
    out += "Processes:";
    for (std::size_t i = 0; i < report.pids.size(); ++i)
        fmt::format_to(it, " {} ({})", report.pids[i], report.commands[i].substr(0, 40));
    out += "\n\n";
    fmt::format_to(it, "Objects mapped by more than one of them ({}):\n", report.objects.size());
    for (const SharedObject& object : report.objects) {
        std::string name = object.name;
        for (char& c : name)
            if (static_cast<unsigned char>(c) < 0x20)
                c = '?';
        fmt::format_to(it, "\n{}  {}  dev {:02x}:{:02x} inode {}{}", mapping_kind_name(object.kind), name, object.dev_major,
            object.dev_minor, object.inode, object.mapped_shared ? "  MAP_SHARED" : "  private mappings of one file");
        if (object.object_size)
            fmt::format_to(it, "  size {}", *object.object_size);
        if (object.unlinked)
            fmt::format_to(it, "  {}", *object.unlinked ? "unlinked" : "linked");
        out += '\n';
        for (const SharedUse& use : object.uses) {
            fmt::format_to(it, "  {:>7}  {:x}-{:x}{}  {}  mapped {}  resident {}  pss {}  {}\n", use.pid,
                use.ranges.front().first, use.ranges.front().second,
                use.ranges.size() > 1 ? fmt::format(" (+{} more)", use.ranges.size() - 1) : std::string(), use.perms,
                human_kb(use.size_kb), human_kb(use.rss_kb), human_kb(use.pss_kb),
                use.touched() ? "touched (pages in its page tables)" : "not touched by this process");
        }
    }
    if (!report.cow.empty()) {
        out += "\nPrivate pages still shared after fork (same page frames, from pagemap):\n";
        for (const CowShare& cow : report.cow)
            fmt::format_to(it, "  {} {:x} and {} {:x}  {}: {} pages ({} kB)\n", cow.first_pid, cow.first_start, cow.second_pid,
                cow.second_start, cow.name, cow.pages, cow.pages * cow.page_size / 1024);
    } else if (!report.non_exclusive.empty()) {
        out += "\nPrivate pages mapped by some other process too (pagemap: not exclusively mapped):\n";
        for (const NonExclusive& n : report.non_exclusive)
            fmt::format_to(it, "  {} {:x}-{:x}  {}: {} pages\n", n.pid, n.start, n.end, n.name, n.pages);
    }
    for (const std::string& note : report.notes)
        out += "note: " + note + "\n";
    return out;
}

Json shared_json(const SharedReport& report)
{
    Json document = json_document("shared");
    Json processes = Json::array();
    for (std::size_t i = 0; i < report.pids.size(); ++i)
        processes.push_back({ { "pid", report.pids[i] }, { "command", report.commands[i] } });
    document["processes"] = processes;
    Json objects = Json::array();
    for (const SharedObject& o : report.objects) {
        Json uses = Json::array();
        for (const SharedUse& u : o.uses) {
            Json ranges = Json::array();
            for (auto [start, end] : u.ranges)
                ranges.push_back({ { "start", start }, { "end", end } });
            uses.push_back({ { "pid", u.pid }, { "perms", u.perms }, { "ranges", ranges }, { "size", u.size_kb * 1024 },
                { "rss", u.rss_kb * 1024 }, { "pss", u.pss_kb * 1024 }, { "referenced", u.referenced_kb * 1024 },
                { "shared", u.shared_kb * 1024 }, { "private", u.private_kb * 1024 }, { "touched", u.touched() } });
        }
        Json object = { { "kind", mapping_kind_name(o.kind) }, { "name", o.name },
            { "device", fmt::format("{:02x}:{:02x}", o.dev_major, o.dev_minor) }, { "inode", o.inode },
            { "map_shared", o.mapped_shared }, { "uses", uses } };
        // Null rather than absent when unknown, so every object has the same keys (docs/json.md).
        object["object_size"] = o.object_size ? Json(*o.object_size) : Json(nullptr);
        object["unlinked"] = o.unlinked ? Json(*o.unlinked) : Json(nullptr);
        objects.push_back(std::move(object));
    }
    document["objects"] = objects;
    document["frames_visible"] = report.frames_visible;
    Json cow = Json::array();
    for (const CowShare& c : report.cow)
        cow.push_back({ { "name", c.name }, { "first_pid", c.first_pid }, { "first_start", c.first_start },
            { "second_pid", c.second_pid }, { "second_start", c.second_start }, { "pages", c.pages },
            { "bytes", c.pages * c.page_size } });
    document["private_shared_frames"] = cow;
    Json non_exclusive = Json::array();
    for (const NonExclusive& n : report.non_exclusive)
        non_exclusive.push_back({ { "pid", n.pid }, { "name", n.name }, { "start", n.start }, { "end", n.end }, { "pages", n.pages } });
    document["private_not_exclusive"] = non_exclusive;
    document["notes"] = report.notes;
    return document;
}

}  // namespace ringside::maps
