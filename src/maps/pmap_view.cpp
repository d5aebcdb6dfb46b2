#include "maps/pmap_view.h"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <sys/mman.h>
#include <thread>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/ordered_parallel.h"
#include "maps/mapping_kind.h"
#include "maps/proc_file.h"
#include "maps/process_info.h"

namespace ringside::maps {

namespace {

// -X hides these; -XX shows everything (procps' is_unimportant()).
bool is_unimportant(std::string_view key)
{
    return key == "AnonHugePages" || key == "KernelPageSize" || key == "MMUPageSize" || key == "Shared_Dirty"
        || key == "Private_Dirty" || key == "Shared_Clean" || key == "Private_Clean" || key == "VmFlags";
}

int integer_width(std::uint64_t n)
{
    int width = n == 0 ? 1 : 0;
    for (; n; n /= 10)
        ++width;
    return width;
}

// Hex digits of n, at least `minimum` (as "{:0Nx}" prints it).
int hex_width(std::uint64_t n, int minimum)
{
    int width = 0;
    for (; n; n >>= 4)
        ++width;
    return std::max(width, minimum);
}

// Numbers as text without allocating; each call overwrites the previous text.
class NumberText {
public:
    std::string_view hex(std::uint64_t n, int minimum)
    {
        int width = hex_width(n, minimum);
        for (int i = width - 1; i >= 0; --i, n >>= 4)
            m_digits[i] = "0123456789abcdef"[n & 15];
        return { m_digits, static_cast<std::size_t>(width) };
    }
    std::string_view decimal(std::uint64_t n)
    {
        auto [end, ec] = std::to_chars(m_digits, m_digits + sizeof m_digits, n);
        return { m_digits, static_cast<std::size_t>(end - m_digits) };
    }

private:
    char m_digits[24];
};

void append_right(std::string& out, std::string_view text, int width)
{
    if (static_cast<int>(text.size()) < width)
        out.append(static_cast<std::size_t>(width) - text.size(), ' ');
    out.append(text);
}

// procps' justify_print(): pads to at least the text's length and returns the width used.
int justify(std::string& out, std::string_view text, int width, bool right)
{
    if (width < 1) {
        out.append(text).append("\n");
        return width;
    }
    width = std::max(width, static_cast<int>(text.size()));
    if (right)
        fmt::format_to(std::back_inserter(out), "{:>{}} ", text, width);
    else
        fmt::format_to(std::back_inserter(out), "{:<{}} ", text, width);
    return width;
}

std::string pmap_perms(const MapsLine& line)
{
    std::string perms(line.perms, 4);
    if (perms[3] == 'p')
        perms[3] = '-';
    perms += '-';
    return perms;
}

bool in_low_range(const MapsLine& line, const PmapRequest& r) { return !(line.end - 1 < r.range_low); }

}  // namespace

bool pmap_reads_smaps(PmapFormat format)
{
    return format == PmapFormat::Extended || format == PmapFormat::More || format == PmapFormat::Everything;
}

std::uint32_t shmem_device_minor()
{
    static const std::uint32_t minor = [] {
        int fd = ::memfd_create("ringside-shm-probe", MFD_CLOEXEC);
        if (fd < 0)
            return ~0u;
        struct stat st {};
        int rc = ::fstat(fd, &st);
        ::close(fd);
        return rc == 0 && major(st.st_dev) == 0 ? static_cast<std::uint32_t>(minor(st.st_dev)) : ~0u;
    }();
    return minor;
}

Result<PmapProcess> read_pmap_process(const std::string& pid_text, PmapFormat format)
{
    ProcDir dir = TRY(ProcDir::open(pid_text));
    PmapProcess process;
    process.pid = dir.pid();
    std::string buffer;
    ProcessStat stat;
    if (auto read = dir.read("stat", buffer); read) {
        if (auto parsed = parse_stat(buffer))
            stat = *parsed;
    } else if (read.error().kind == ErrorKind::NotFound) {
        return read.error();
    }
    process.start_stack = stat.start_stack;
    std::string cmdline;
    (void)dir.read("cmdline", cmdline);
    process.cmdline = procps_cmdline(cmdline, stat, locale_is_utf8());

    auto read = dir.read(pmap_reads_smaps(format) ? "smaps" : "maps", buffer);
    if (!read) {
        if (read.error().kind == ErrorKind::NotFound && dir.has_exited())
            return read.error();
        process.error = read.error();
        return process;
    }
    if (dir.has_exited())
        return Error { ErrorKind::NotFound, "process " + std::to_string(process.pid) + " exited while being read" };
    auto parsed = Smaps::parse(std::move(buffer));
    if (!parsed) {
        process.error = parsed.error().with_context("/proc/" + std::to_string(process.pid));
        return process;
    }
    process.maps = std::move(*parsed);
    return process;
}

void read_pmap_processes(const PmapRequest& request, const std::function<bool(Result<PmapProcess>)>& visit)
{
    // Two readers keep both of this machine's cores in the kernel's smaps walk; the window
    // bounds how many parsed processes wait for their turn to be printed.
    unsigned threads = request.pids.size() < 4 ? 1 : std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
    ordered_parallel<Result<PmapProcess>>(
        request.pids.size(), threads, 8,
        [&](std::size_t i) { return read_pmap_process(request.pids[i], request.format); },
        [&](std::size_t, Result<PmapProcess> process) { return visit(std::move(process)); });
}

PmapPrinter::PmapPrinter(const PmapRequest& request) : m_request(request), m_utf8(locale_is_utf8()) {}

std::string PmapPrinter::mapping_name(const PmapProcess& process, const MapsLine& line)
{
    std::string name = procps_printable_name(line.name, m_utf8);
    if (line.dev_major == 0 && line.dev_minor == shmem_device_minor() && name.find("/SYSV") != std::string::npos)
        return fmt::format("  [ shmid=0x{:x} ]", line.inode);
    auto last = name.rfind('/');
    if (last != std::string::npos) {
        if (m_request.show_path)
            return name.substr(name.find('/'));
        return last + 1 < name.size() ? name.substr(last + 1) : name.substr(last);
    }
    if (process.start_stack >= line.start && process.start_stack <= line.end)
        return "  [ stack ]";
    return "  [ anon ]";
}

Result<void> PmapPrinter::render(const PmapProcess& process, std::string& out)
{
    fmt::format_to(std::back_inserter(out), "{}:   {}\n", process.pid, process.cmdline);
    if (!process.maps)
        return {};
    if (m_request.format == PmapFormat::More || m_request.format == PmapFormat::Everything)
        return render_all_fields(process, out);
    render_simple(process, out);
    return {};
}

void PmapPrinter::render_simple(const PmapProcess& process, std::string& out)
{
    const PmapFormat format = m_request.format;
    const bool quiet = m_request.quiet;
    auto it = std::back_inserter(out);
    if (format == PmapFormat::Extended && !quiet) {
        justify(out, "Address", 16, false);
        justify(out, "Kbytes", 7, true);
        justify(out, "RSS", 7, true);
        justify(out, "Dirty", 7, true);
        justify(out, "Mode", 5, false);
        justify(out, "Mapping", 0, false);
    }
    if (format == PmapFormat::Device && !quiet) {
        justify(out, "Address", 16, false);
        justify(out, "Kbytes", 7, true);
        justify(out, "Mode", 5, false);
        justify(out, "Offset", 16, false);
        justify(out, "Device", 9, false);
        justify(out, "Mapping", 0, false);
    }
    std::uint64_t total_shared = 0, total_private_writable = 0, total_private_readonly = 0;
    std::uint64_t total_rss = 0, total_dirty = 0;
    for (const SmapsEntry& entry : process.maps->entries()) {
        const MapsLine& line = entry.line;
        if (line.start > m_request.range_high)
            break;
        if (format == PmapFormat::Extended) {
            // procps adds every visited mapping's RSS and Dirty to the totals, in range or not.
            total_rss += entry.get(Field::Rss);
            total_dirty += entry.get(Field::Shared_Dirty) + entry.get(Field::Private_Dirty);
        }
        if (!in_low_range(line, m_request))
            continue;
        std::uint64_t size = line.size();
        if (line.perms[3] == 's')
            total_shared += size;
        else if (line.perms[3] == 'p')
            (line.perms[1] == 'w' ? total_private_writable : total_private_readonly) += size;
        std::string perms = pmap_perms(line);
        std::string name = mapping_name(process, line);
        switch (format) {
        case PmapFormat::Extended:
            fmt::format_to(it, "{:016x} {:7} {:7} {:7} {:>5} {}\n", line.start, size >> 10, entry.get(Field::Rss),
                entry.get(Field::Shared_Dirty) + entry.get(Field::Private_Dirty), perms, name);
            break;
        case PmapFormat::Device:
            fmt::format_to(it, "{:016x} {:7} {:>5} {:016x} {:03x}:{:05x} {}\n", line.start, size >> 10, perms,
                line.offset, line.dev_major, line.dev_minor, name);
            break;
        default:
            fmt::format_to(it, "{:016x} {:6}K {} {}\n", line.start, size >> 10, perms, name);
            break;
        }
    }
    if (quiet)
        return;
    std::uint64_t mapped = (total_shared + total_private_writable + total_private_readonly) >> 10;
    if (format == PmapFormat::Extended) {
        justify(out, "----------------", 16, false);
        justify(out, "-------", 7, true);
        justify(out, "-------", 7, true);
        justify(out, "-------", 7, true);
        out += '\n';
        fmt::format_to(it, "{:<16} {:7} {:7} {:7}\n", "total kB", mapped, total_rss, total_dirty);
    } else if (format == PmapFormat::Device) {
        fmt::format_to(it, "mapped: {}K    writeable/private: {}K    shared: {}K\n", mapped,
            total_private_writable >> 10, total_shared >> 10);
    } else {
        fmt::format_to(it, " total {:16}K\n", mapped);
    }
}

Result<void> PmapPrinter::render_all_fields(const PmapProcess& process, std::string& out)
{
    const bool everything = m_request.format == PmapFormat::Everything;
    const bool quiet = m_request.quiet;
    const auto& entries = process.maps->entries();

    // Every mapping lists the same keys in the same order, so whether a key is shown is
    // decided once per position instead of once per value.
    std::vector<std::string_view> position_keys;
    std::vector<char> position_shown;
    auto shown = [&](std::size_t position, std::string_view key) {
        if (position >= position_keys.size()) {
            position_keys.resize(position + 1);
            position_shown.resize(position + 1, 0);
        }
        if (position_keys[position] != key) {
            position_keys[position] = key;
            position_shown[position] = everything || !is_unimportant(key);
        }
        return position_shown[position] != 0;
    };

    // Pass 1: widths and totals (procps reads the file twice for this; we keep it parsed).
    int w_address = 0, w_perm = 0, w_offset = 0, w_device = 0, w_inode = 0, w_flags = 0;
    bool has_flags = false;
    for (const SmapsEntry& entry : entries) {
        const MapsLine& line = entry.line;
        w_address = std::max(w_address, hex_width(line.start, 8));
        w_perm = 4;
        w_offset = std::max(w_offset, hex_width(line.offset, 8));
        w_device = std::max(w_device, hex_width(line.dev_major, 2) + 1 + hex_width(line.dev_minor, 2));
        w_inode = std::max(w_inode, integer_width(line.inode));
        std::size_t column = 0, position = 0;
        for (const SmapsValue& value : process.maps->values_of(entry)) {
            if (!shown(position++, value.key))
                continue;
            std::string_view description = value.key.substr(0, 31);
            if (column == m_columns.size()) {
                FieldColumn added;
                added.description = std::string(description);
                added.max_width = quiet ? 0 : static_cast<int>(added.description.size());
                m_columns.push_back(std::move(added));
            } else if (m_columns[column].description != description) {
                return Error { ErrorKind::Malformed,
                    "inconsistent detail field in smaps file: " + std::string(value.key) };
            }
            FieldColumn& c = m_columns[column++];
            c.total += value.value;
            if (quiet)
                c.max_width = std::max(c.max_width, static_cast<int>(value.digits.size()));
        }
        if (entry.has_vm_flags) {
            has_flags = true;
            w_flags = std::max(w_flags, static_cast<int>(entry.vm_flags.size()));
        }
    }
    if (!quiet)
        for (FieldColumn& c : m_columns)
            c.max_width = std::max(c.max_width, integer_width(c.total));

    // Pass 2: print. Hand-padded rather than through fmt's runtime widths: this loop runs once
    // per value of every mapping, and formatting dominated `pmap -X` of large processes.
    const bool show_flags = has_flags && (everything || !is_unimportant("VmFlags"));
    out.reserve(out.size() + entries.size() * (64 + 10 * m_columns.size()));
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const SmapsEntry& entry = entries[i];
        const MapsLine& line = entry.line;
        if (i == 0 && !quiet) {
            w_address = justify(out, "Address", w_address, true);
            w_perm = justify(out, "Perm", w_perm, true);
            w_offset = justify(out, "Offset", w_offset, true);
            w_device = justify(out, "Device", w_device, true);
            w_inode = justify(out, "Inode", w_inode, true);
            for (const FieldColumn& c : m_columns)
                justify(out, c.description, c.max_width, true);
            if (show_flags)
                w_flags = justify(out, "VmFlags", w_flags, true);
            justify(out, "Mapping", 0, false);
        }
        NumberText text;
        append_right(out, text.hex(line.start, 8), w_address);
        out += ' ';
        append_right(out, line.perms_text(), w_perm);
        out += ' ';
        append_right(out, text.hex(line.offset, 8), w_offset);
        out += ' ';
        std::string device(text.hex(line.dev_major, 2));
        device += ':';
        device += text.hex(line.dev_minor, 2);
        append_right(out, device, w_device);
        out += ' ';
        append_right(out, text.decimal(line.inode), w_inode);
        std::size_t column = 0, position = 0;
        for (const SmapsValue& value : process.maps->values_of(entry)) {
            if (!shown(position++, value.key) || column >= m_columns.size())
                continue;
            out += ' ';
            append_right(out, value.digits.substr(0, 20), m_columns[column++].max_width);
        }
        if (show_flags) {
            out += ' ';
            append_right(out, entry.vm_flags, w_flags);
        }
        // procps keeps at most 127 bytes of the name and shows its basename unless -p.
        std::string_view name = line.name.substr(0, 127);
        if (!m_request.show_path) {
            auto slash = name.rfind('/');
            if (slash != std::string_view::npos)
                name = name.substr(slash + 1);
        }
        out += ' ';
        out.append(name);
        out += '\n';
    }
    if (!quiet && !m_columns.empty()) {
        int gap = w_address + 1 + w_perm + 1 + w_offset + 1 + w_device + 1 + w_inode + 1;
        out.append(static_cast<std::size_t>(gap), ' ');
        for (const FieldColumn& c : m_columns)
            out.append(static_cast<std::size_t>(std::max(c.max_width, 0)), '=').append(" ");
        out += '\n';
        out.append(static_cast<std::size_t>(gap), ' ');
        // procps 4.0.2 never resets these sums, so each PID's totals row also counts the
        // PIDs printed before it; we print the same (--json has the per-process sums).
        for (const FieldColumn& c : m_columns) {
            NumberText text;
            append_right(out, text.decimal(c.total), c.max_width);
            out += ' ';
        }
        out += "KB \n";
    }
    return {};
}

Json pmap_json(const PmapProcess& process)
{
    Json json = Json::object();
    json["pid"] = process.pid;
    json["cmdline"] = process.cmdline;
    // Every process object has the same keys (docs/json.md): a process that could not be read
    // has an error and no mappings; without smaps, fields and vm_flags are null.
    json["error"] = process.error ? Json(process.error->message) : Json(nullptr);
    Json mappings = Json::array();
    if (process.error) {
        json["mappings"] = std::move(mappings);
        return json;
    }
    for (const SmapsEntry& entry : process.maps->entries()) {
        const MapsLine& line = entry.line;
        Json m = Json::object();
        m["start"] = line.start;
        m["end"] = line.end;
        m["perms"] = std::string(line.perms_text());
        m["offset"] = line.offset;
        m["device"] = fmt::format("{:02x}:{:02x}", line.dev_major, line.dev_minor);
        m["inode"] = line.inode;
        m["name"] = decode_mapping_name(line.name);
        m["kind"] = mapping_kind_name(classify_mapping(line));
        m["fields"] = nullptr;
        m["vm_flags"] = nullptr;
        if (process.maps->has_fields()) {
            Json fields = Json::object();
            for (const SmapsValue& value : process.maps->values_of(entry))
                fields[std::string(value.key)] = value.in_kb ? value.value * 1024 : value.value;
            m["fields"] = std::move(fields);
            if (entry.has_vm_flags)
                m["vm_flags"] = std::string(entry.vm_flags);
        }
        mappings.push_back(std::move(m));
    }
    json["mappings"] = std::move(mappings);
    return json;
}

}  // namespace ringside::maps
