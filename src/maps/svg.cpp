#include "maps/svg.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>

#include "maps/mapping_kind.h"

namespace ringside::maps {

namespace {

const char* kind_colour(MappingKind kind)
{
    switch (kind) {
    case MappingKind::Heap: return "#e4572e";
    case MappingKind::Stack: return "#f3a712";
    case MappingKind::KernelPage: return "#999999";
    case MappingKind::Anonymous: return "#29335c";
    case MappingKind::SharedAnon: return "#8e44ad";
    case MappingKind::Memfd: return "#c0392b";
    case MappingKind::SysV: return "#d35400";
    case MappingKind::Hugetlb: return "#16a085";
    case MappingKind::File: return "#2e86de";
    case MappingKind::DeletedFile: return "#7f8c8d";
    case MappingKind::Other: return "#bbbbbb";
    }
    return "#bbbbbb";
}

std::string human(std::uint64_t kb)
{
    if (kb >= 1024 * 1024)
        return fmt::format("{:.1f} GiB", static_cast<double>(kb) / (1024.0 * 1024.0));
    if (kb >= 1024)
        return fmt::format("{:.1f} MiB", static_cast<double>(kb) / 1024.0);
    return fmt::format("{} KiB", kb);
}

struct Row {
    std::uint64_t start = 0, end = 0, size_kb = 0, rss_kb = 0;
    MappingKind kind = MappingKind::Other;
    std::string name;
    bool gap_before = false;
};

}  // namespace

std::string xml_escape(std::string_view text)
{
    std::string out;
    for (char c : text) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        default:
            out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
        }
    }
    return out;
}

std::string address_space_svg(pid_t pid, const std::string& command, const Smaps& smaps)
{
    // Consecutive mappings of one object (a library's segments) become one row.
    std::vector<Row> rows;
    std::map<MappingKind, std::pair<std::uint64_t, std::uint64_t>> by_kind;  // size, rss
    for (const SmapsEntry& e : smaps.entries()) {
        MappingKind kind = classify_mapping(e.line);
        std::string name = e.line.name.empty() ? "[anon]" : decode_mapping_name(e.line.name);
        auto& k = by_kind[kind];
        k.first += e.line.size() >> 10;
        k.second += e.get(Field::Rss);
        if (!rows.empty() && rows.back().end == e.line.start && rows.back().name == name && rows.back().kind == kind) {
            rows.back().end = e.line.end;
            rows.back().size_kb += e.line.size() >> 10;
            rows.back().rss_kb += e.get(Field::Rss);
            continue;
        }
        Row row { e.line.start, e.line.end, e.line.size() >> 10, e.get(Field::Rss), kind, name,
            !rows.empty() && rows.back().end != e.line.start };
        rows.push_back(std::move(row));
    }
    // Too many rows to draw legibly: keep the largest, in address order.
    constexpr std::size_t max_rows = 300;
    std::size_t dropped = 0;
    if (rows.size() > max_rows) {
        std::vector<std::size_t> order(rows.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::nth_element(order.begin(), order.begin() + max_rows, order.end(),
            [&](std::size_t a, std::size_t b) { return rows[a].size_kb > rows[b].size_kb; });
        order.resize(max_rows);
        std::sort(order.begin(), order.end());
        std::vector<Row> kept;
        for (std::size_t i : order)
            kept.push_back(rows[i]);
        dropped = rows.size() - kept.size();
        rows = std::move(kept);
    }
    const int bar_x = 170, bar_w = 360, legend_x = 900;
    std::string body;
    auto it = std::back_inserter(body);
    double y = 60;
    for (const Row& row : rows) {
        if (row.gap_before)
            y += 3;
        double h = std::max(3.0, std::log2(static_cast<double>(row.size_kb) + 1.0) * 2.2);
        double filled = row.size_kb ? bar_w * std::min(1.0, static_cast<double>(row.rss_kb) / static_cast<double>(row.size_kb)) : 0;
        fmt::format_to(it, "<g><title>{:x}-{:x} {} {} size {} resident {}</title>", row.start, row.end,
            mapping_kind_name(row.kind), xml_escape(row.name), human(row.size_kb), human(row.rss_kb));
        fmt::format_to(it, "<rect x=\"{}\" y=\"{:.1f}\" width=\"{}\" height=\"{:.1f}\" fill=\"{}\" fill-opacity=\"0.25\" stroke=\"{}\" stroke-width=\"0.5\"/>",
            bar_x, y, bar_w, h - 1, kind_colour(row.kind), kind_colour(row.kind));
        fmt::format_to(it, "<rect x=\"{}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>", bar_x, y, filled,
            h - 1, kind_colour(row.kind));
        if (h >= 9) {
            fmt::format_to(it, "<text x=\"{}\" y=\"{:.1f}\" class=\"addr\">{:012x}</text>", bar_x - 8, y + h / 2 + 3, row.start);
            fmt::format_to(it, "<text x=\"{}\" y=\"{:.1f}\">{} ({}, {} resident)</text>", bar_x + bar_w + 8, y + h / 2 + 3,
                xml_escape(row.name.substr(0, 60)), human(row.size_kb), human(row.rss_kb));
        }
        body += "</g>\n";
        y += h;
    }
    double height = std::max(y + 40, 120.0 + 22.0 * static_cast<double>(by_kind.size()));
    std::string out = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1200\" height=\"{:.0f}\" font-family=\"sans-serif\" font-size=\"11\">\n"
        "<style>.addr{{text-anchor:end;font-family:monospace}}</style>\n"
        "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        "<text x=\"20\" y=\"28\" font-size=\"16\">Address space of {} ({})</text>\n"
        "<text x=\"20\" y=\"46\" fill=\"#555\">mappings in address order; height ~ log(size); solid part = resident share; gaps mark unmapped space{}</text>\n",
        height, pid, xml_escape(command.substr(0, 80)),
        dropped ? fmt::format("; {} smallest mappings left out", dropped) : std::string());
    out += body;
    double ly = 80;
    fmt::format_to(std::back_inserter(out), "<text x=\"{}\" y=\"66\" font-weight=\"bold\">kind: size / resident</text>\n", legend_x);
    for (const auto& [kind, sizes] : by_kind) {
        fmt::format_to(std::back_inserter(out), "<rect x=\"{}\" y=\"{:.0f}\" width=\"14\" height=\"14\" fill=\"{}\"/><text x=\"{}\" y=\"{:.0f}\">{}: {} / {}</text>\n",
            legend_x, ly, kind_colour(kind), legend_x + 20, ly + 11, mapping_kind_name(kind), human(sizes.first), human(sizes.second));
        ly += 22;
    }
    out += "</svg>\n";
    return out;
}

std::string system_svg(const std::vector<ProcessMemory>& processes, const SystemMemory& system)
{
    static const char* area_colours[] = { "#2e86de", "#48c9b0", "#76d7c4", "#e67e22", "#f0b27a", "#c0392b", "#d5dbdb" };
    std::string out;
    auto it = std::back_inserter(out);
    std::vector<ProcessMemory> top = processes;
    std::sort(top.begin(), top.end(), [](const ProcessMemory& a, const ProcessMemory& b) { return a.pss > b.pss; });
    if (top.size() > 30)
        top.resize(30);
    const double width = 1000;
    double height = 190 + 22.0 * static_cast<double>(top.size()) + 40;
    fmt::format_to(it,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1200\" height=\"{:.0f}\" font-family=\"sans-serif\" font-size=\"11\">\n"
        "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        "<text x=\"20\" y=\"28\" font-size=\"16\">Who holds the memory: {} total</text>\n",
        height, human(system.meminfo.kb("MemTotal")));
    double total = static_cast<double>(std::max<std::uint64_t>(system.meminfo.kb("MemTotal"), 1));
    double x = 20;
    std::size_t colour = 0;
    double legend_y = 100;
    for (const auto& area : system.areas) {
        double w = width * static_cast<double>(area.kb) / total;
        const char* fill = area_colours[colour++ % std::size(area_colours)];
        fmt::format_to(it, "<g><title>{}: {}</title><rect x=\"{:.1f}\" y=\"45\" width=\"{:.1f}\" height=\"30\" fill=\"{}\"/></g>\n",
            xml_escape(area.name), human(area.kb), x, w, fill);
        fmt::format_to(it, "<rect x=\"{:.0f}\" y=\"{:.0f}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{:.0f}\" y=\"{:.0f}\">{} {}</text>\n",
            20 + 330.0 * static_cast<double>((colour - 1) % 3), legend_y + 18.0 * static_cast<double>((colour - 1) / 3), fill,
            36 + 330.0 * static_cast<double>((colour - 1) % 3), legend_y + 10 + 18.0 * static_cast<double>((colour - 1) / 3),
            xml_escape(area.name), human(area.kb));
        x += w;
    }
    double y = 190;
    fmt::format_to(it, "<text x=\"20\" y=\"{:.0f}\" font-weight=\"bold\">Largest processes by PSS (dark: USS, light: PSS, outline: RSS)</text>\n", y - 10);
    std::uint64_t largest = 1;
    for (const ProcessMemory& p : top)
        largest = std::max({ largest, p.rss, p.pss });
    for (const ProcessMemory& p : top) {
        auto scale = [&](std::uint64_t kb) { return 700.0 * static_cast<double>(kb) / static_cast<double>(largest); };
        std::string label = fmt::format("{} {}", p.pid, p.command.empty() ? p.name : p.command);
        fmt::format_to(it, "<g><title>{} USS {} PSS {} RSS {}</title>", xml_escape(label), human(p.uss), human(p.pss), human(p.rss));
        fmt::format_to(it, "<text x=\"20\" y=\"{:.0f}\">{}</text>", y + 13, xml_escape(label.substr(0, 40)));
        fmt::format_to(it, "<rect x=\"300\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"16\" fill=\"none\" stroke=\"#555\"/>", y, scale(p.rss));
        fmt::format_to(it, "<rect x=\"300\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"16\" fill=\"#85c1e9\"/>", y, scale(p.pss));
        fmt::format_to(it, "<rect x=\"300\" y=\"{:.0f}\" width=\"{:.1f}\" height=\"16\" fill=\"#1b4f72\"/>", y, scale(p.uss));
        fmt::format_to(it, "<text x=\"{:.0f}\" y=\"{:.0f}\">{}</text></g>\n", 306 + scale(std::max(p.rss, p.pss)), y + 13, human(p.pss));
        y += 22;
    }
    out += "</svg>\n";
    return out;
}

}  // namespace ringside::maps
