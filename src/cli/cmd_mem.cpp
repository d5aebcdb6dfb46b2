// ringside mem: the smem views (per process, -m per mapping, -u per user, -w whole system)
// from smaps_rollup, with --json, --prometheus, --svg and an adaptive --watch.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <getopt.h>
#include <regex>
#include <string>
#include <thread>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/json.h"
#include "cli/commands.h"
#include "maps/mem_render.h"
#include "maps/mem_report.h"
#include "maps/mem_watch.h"
#include "maps/proc_file.h"
#include "maps/prometheus.h"
#include "maps/svg.h"

namespace ringside::cli {

namespace {

using namespace ringside::maps;

constexpr int exit_skipped = 3;

void usage(FILE* out)
{
    std::fputs(
        "Usage: ringside mem [options] [PID|self ...]\n"
        "\n"
        "Memory per process (USS, PSS, RSS, swap, swap PSS) from /proc/PID/smaps_rollup.\n"
        "  -m, --mappings        per mapping name (reads full smaps)\n"
        "  -u, --users           per user\n"
        "  -w, --system          the whole system from /proc/meminfo, beside the PSS sum\n"
        "  -P, --process REGEX   only processes whose name or command line matches\n"
        "  -U, --user REGEX      only processes of matching users\n"
        "  -M, --map REGEX       only mappings whose name matches (with -m)\n"
        "  -s, --sort FIELD      pid user name swap swappss uss pss rss (default pss;\n"
        "                        -m: map pids size swap uss pss rss; -u: user count ...)\n"
        "  -r, --reverse         largest first\n"
        "  -k, --abbreviate      sizes with K/M/G units   -p, --percent  % of MemTotal\n"
        "  -t, --totals          a totals row             -H, --no-header\n"
        "      --json            machine-readable output (sizes in bytes)\n"
        "      --prometheus[=FILE]  Prometheus text format (to FILE atomically, e.g. for\n"
        "                        node_exporter's textfile collector directory)\n"
        "      --svg FILE        draw the system view (or a single PID's address space)\n"
        "      --watch SECONDS   refresh; large processes are re-read less often so that\n"
        "                        reading holds their mmap_lock at most 1% of the time\n"
        "Sizes are kB unless -k/-p. Exit status: 0 all read, 3 some processes skipped\n"
        "(permission denied or exited; listed on stderr), 1 error.\n",
        out);
}

std::string pid_list_label(const std::vector<SkippedProcess>& skipped)
{
    std::string out;
    for (const SkippedProcess& s : skipped)
        out += "ringside mem: skipped: " + s.reason + "\n";
    return out;
}

Result<void> write_output(const std::string& path, const std::string& text)
{
    if (path.empty() || path == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return {};
    }
    return write_file_atomically(path, text);
}

std::uint64_t now_ns()
{
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

int run_watch(const MemFilter& filter, MemRenderOptions options, double seconds)
{
    MemWatcher watcher(filter, static_cast<std::uint64_t>(seconds * 1e9));
    for (;;) {
        auto started = now_ns();
        WatchFrame frame = watcher.tick(started);
        auto meminfo = Meminfo::read();
        if (meminfo)
            options.mem_total_kb = meminfo->kb("MemTotal");
        sort_processes(frame.processes, options.sort_key, options.reverse);
        std::string text = "\033[H\033[2J";
        text += render_processes(frame.processes, options);
        text += "every " + std::to_string(seconds) + " s: " + std::to_string(frame.reread) + " processes read ("
            + std::to_string(frame.read_ns / 1000) + " us in smaps_rollup), " + std::to_string(frame.deferred)
            + " large ones paced (PSS/USS from an earlier read, RSS current), " + std::to_string(frame.skipped.size())
            + " skipped\n";
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
        std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    }
}

}  // namespace

int cmd_mem(int argc, char** argv)
{
    enum { opt_json = 1000, opt_prometheus, opt_svg, opt_watch };
    static const option long_options[] = {
        { "mappings", no_argument, nullptr, 'm' },
        { "users", no_argument, nullptr, 'u' },
        { "system", no_argument, nullptr, 'w' },
        { "process", required_argument, nullptr, 'P' },
        { "user", required_argument, nullptr, 'U' },
        { "map", required_argument, nullptr, 'M' },
        { "sort", required_argument, nullptr, 's' },
        { "reverse", no_argument, nullptr, 'r' },
        { "abbreviate", no_argument, nullptr, 'k' },
        { "percent", no_argument, nullptr, 'p' },
        { "totals", no_argument, nullptr, 't' },
        { "no-header", no_argument, nullptr, 'H' },
        { "json", no_argument, nullptr, opt_json },
        { "prometheus", optional_argument, nullptr, opt_prometheus },
        { "svg", required_argument, nullptr, opt_svg },
        { "watch", required_argument, nullptr, opt_watch },
        { "help", no_argument, nullptr, 'h' },
        { nullptr, 0, nullptr, 0 },
    };
    char view = 'p';
    MemFilter filter;
    MemRenderOptions options;
    bool json = false, prometheus = false;
    std::string prometheus_path, svg_path;
    double watch = 0;
    bool sort_given = false;
    optind = 1;
    int c;
    try {
        while ((c = getopt_long(argc, argv, "muwP:U:M:s:rkptHh", long_options, nullptr)) != -1) {
            switch (c) {
            case 'm':
            case 'u':
            case 'w': view = static_cast<char>(c); break;
            case 'P': filter.process = std::regex(optarg); break;
            case 'U': filter.user = std::regex(optarg); break;
            case 'M': filter.mapping = std::regex(optarg); break;
            case 's': options.sort_key = optarg; sort_given = true; break;
            case 'r': options.reverse = true; break;
            case 'k': options.unit = SizeUnit::Abbreviated; break;
            case 'p': options.unit = SizeUnit::Percent; break;
            case 't': options.totals = true; break;
            case 'H': options.header = false; break;
            case opt_json: json = true; break;
            case opt_prometheus:
                prometheus = true;
                prometheus_path = optarg ? optarg : "";
                break;
            case opt_svg: svg_path = optarg; break;
            case opt_watch:
                watch = std::strtod(optarg, nullptr);
                if (!(watch > 0)) {
                    std::fprintf(stderr, "ringside mem: --watch needs a positive number of seconds\n");
                    return 1;
                }
                break;
            case 'h': usage(stdout); return 0;
            default: usage(stderr); return 1;
            }
        }
    } catch (const std::regex_error& error) {
        std::fprintf(stderr, "ringside mem: bad regular expression: %s\n", error.what());
        return 1;
    }
    for (int i = optind; i < argc; ++i)
        filter.pids.push_back(argv[i]);
    // --watch redraws a text table; a stream of documents would break the one-document
    // contract of docs/json.md, so the combination is refused rather than --json ignored.
    if (watch > 0 && (json || prometheus)) {
        std::fprintf(stderr, "ringside mem: --watch draws the text view; it cannot be combined with --json or --prometheus\n");
        return 1;
    }
    if (view == 'u' && !sort_given)
        options.sort_key = "pss";
    if (view == 'm' && !sort_given)
        options.sort_key = "pss";

    auto meminfo = Meminfo::read();
    if (!meminfo) {
        std::fprintf(stderr, "ringside mem: %s\n", meminfo.error().message.c_str());
        return 1;
    }
    options.mem_total_kb = meminfo->kb("MemTotal");
    if (watch > 0)
        return run_watch(filter, options, watch);

    Json document = json_document("mem");
    std::string text;
    std::vector<SkippedProcess> skipped;
    bool bad_sort = false;
    if (view == 'm') {
        MappingScan scan = scan_mappings(filter);
        bad_sort = !sort_mappings(scan.mappings, options.sort_key, options.reverse);
        skipped = scan.skipped;
        document["view"] = "mappings";
        document["mappings"] = mappings_json(scan.mappings);
        text = render_mappings(scan.mappings, options);
    } else {
        ProcessScan scan = scan_processes(filter);
        skipped = scan.skipped;
        SystemMemory system = system_memory(*meminfo, scan);
        if (prometheus) {
            if (auto written = write_output(prometheus_path, prometheus_text(scan.processes, skipped, &system)); !written) {
                std::fprintf(stderr, "ringside mem: %s\n", written.error().message.c_str());
                return 1;
            }
            std::fputs(pid_list_label(skipped).c_str(), stderr);
            return skipped.empty() ? 0 : exit_skipped;
        }
        if (!svg_path.empty()) {
            std::string svg = system_svg(scan.processes, system);
            if (filter.pids.size() == 1 && scan.processes.size() == 1) {
                auto dir = ProcDir::open(filter.pids.front());
                std::string smaps_text;
                if (dir && dir->read("smaps", smaps_text))
                    if (auto smaps = Smaps::parse(std::move(smaps_text)))
                        svg = address_space_svg(dir->pid(), scan.processes.front().command, *smaps);
            }
            if (auto written = write_file_atomically(svg_path, svg); !written) {
                std::fprintf(stderr, "ringside mem: %s\n", written.error().message.c_str());
                return 1;
            }
        }
        if (view == 'u') {
            auto users = group_by_user(scan.processes);
            bad_sort = !sort_users(users, options.sort_key, options.reverse);
            document["view"] = "users";
            document["users"] = users_json(users);
            text = render_users(users, options);
        } else if (view == 'w') {
            document["view"] = "system";
            document["system"] = system_json(system);
            text = render_system(system, options);
        } else {
            bad_sort = !sort_processes(scan.processes, options.sort_key, options.reverse);
            document["view"] = "processes";
            document["processes"] = processes_json(scan.processes);
            text = render_processes(scan.processes, options);
        }
    }
    if (bad_sort) {
        std::fprintf(stderr, "ringside mem: cannot sort by '%s'\n", options.sort_key.c_str());
        return 1;
    }
    document["skipped"] = skipped_json(skipped);
    if (json)
        text = json_text(document);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputs(pid_list_label(skipped).c_str(), stderr);
    if (std::fflush(stdout) != 0)
        return 1;
    return skipped.empty() ? 0 : exit_skipped;
}

}  // namespace ringside::cli
