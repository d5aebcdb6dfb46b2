// ringside pmap: procps-ng pmap 4.0.2's output, for any number of PIDs, plus --json.
#include <cstdio>
#include <cstring>
#include <getopt.h>
#include <string>
#include <unistd.h>

#include "base/json.h"
#include "cli/commands.h"
#include "maps/pmap_view.h"

namespace ringside::cli {

namespace {

using maps::PmapFormat;

void usage(FILE* out)
{
    std::fputs(
        "Usage: ringside pmap [options] PID|self [PID ...]\n"
        "\n"
        "The memory map of processes, as procps-ng pmap 4.0.2 prints it (no limit on PIDs).\n"
        "  -x, --extended        RSS and dirty size per mapping (from smaps)\n"
        "  -X                    every smaps field except the page-size and clean/dirty split\n"
        "  -XX                   everything the kernel provides, with VmFlags\n"
        "  -d, --device          offsets and devices\n"
        "  -q, --quiet           no header and footer\n"
        "  -p, --show-path       the full path of mapped files\n"
        "  -A, --range=LOW[,HIGH]  only mappings in this (hex) address range\n"
        "      --json            machine-readable output (every field, bytes)\n"
        "Exit status: 0 all shown, 1 some process could not be read, 42 none found.\n",
        out);
}

bool parse_range(const char* text, std::uint64_t& low, std::uint64_t& high)
{
    std::string arg(text);
    auto comma = arg.find(',');
    std::string first = arg.substr(0, comma);
    std::string second = comma == std::string::npos ? first : arg.substr(comma + 1);
    auto parse = [](const std::string& s, std::uint64_t& out) {
        if (s.empty())
            return true;
        char* end = nullptr;
        out = std::strtoull(s.c_str(), &end, 16);
        return *end == '\0';
    };
    return parse(first, low) && parse(second, high);
}

// What pmap accepts: a number, /proc/NUMBER; we also take "self".
bool normalise_pid(std::string arg, std::string& out)
{
    if (arg.starts_with("/proc/"))
        arg = arg.substr(6);
    if (arg == "self") {
        out = arg;
        return true;
    }
    if (arg.empty() || arg.find_first_not_of("0123456789") != std::string::npos)
        return false;
    unsigned long long value = std::strtoull(arg.c_str(), nullptr, 10);
    if (value < 1 || value > 0x7fffffff)
        return false;
    out = std::to_string(value);
    return true;
}

}  // namespace

int cmd_pmap(int argc, char** argv)
{
    maps::PmapRequest request;
    bool json = false;
    int x = 0, big_x = 0, d = 0;
    static const option long_options[] = {
        { "extended", no_argument, nullptr, 'x' },
        { "device", no_argument, nullptr, 'd' },
        { "quiet", no_argument, nullptr, 'q' },
        { "range", required_argument, nullptr, 'A' },
        { "show-path", no_argument, nullptr, 'p' },
        { "json", no_argument, nullptr, 'J' },
        { "help", no_argument, nullptr, 'h' },
        { nullptr, 0, nullptr, 0 },
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "xXdqA:ph", long_options, nullptr)) != -1) {
        switch (c) {
        case 'x': x = 1; break;
        case 'X': ++big_x; break;
        case 'd': d = 1; break;
        case 'q': request.quiet = true; break;
        case 'p': request.show_path = true; break;
        case 'J': json = true; break;
        case 'A':
            if (!parse_range(optarg, request.range_low, request.range_high)) {
                std::fprintf(stderr, "ringside pmap: failed to parse argument: '%s'\n", optarg);
                return 1;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (x + d + (big_x > 0) > 1) {
        std::fputs("ringside pmap: options -d, -x, -X are mutually exclusive\n", stderr);
        return 1;
    }
    request.format = big_x >= 2 ? PmapFormat::Everything
        : big_x == 1            ? PmapFormat::More
        : x                     ? PmapFormat::Extended
        : d                     ? PmapFormat::Device
                                : PmapFormat::Basic;
    for (int i = optind; i < argc; ++i) {
        std::string pid;
        if (!normalise_pid(argv[i], pid)) {
            std::fprintf(stderr, "ringside pmap: '%s' is not a process ID\n", argv[i]);
            usage(stderr);
            return 1;
        }
        request.pids.push_back(pid);
    }
    if (request.pids.empty()) {
        usage(stderr);
        return 1;
    }

    maps::PmapPrinter printer(request);
    Json document = json_document("pmap");
    Json processes = Json::array();
    std::string out;
    int status = 0;
    std::size_t found = 0;
    bool render_failed = false;
    maps::read_pmap_processes(request, [&](Result<maps::PmapProcess> process) {
        if (!process) {
            if (process.error().kind != ErrorKind::NotFound) {
                std::fprintf(stderr, "ringside pmap: %s\n", process.error().message.c_str());
                status = 1;
            }
            return true;
        }
        ++found;
        if (process->error) {
            std::fprintf(stderr, "ringside pmap: %s\n", process->error->message.c_str());
            status = 1;
        }
        if (json) {
            processes.push_back(maps::pmap_json(*process));
            return true;
        }
        if (auto rendered = printer.render(*process, out); !rendered) {
            std::fwrite(out.data(), 1, out.size(), stdout);
            std::fprintf(stderr, "ringside pmap: %s\n", rendered.error().message.c_str());
            render_failed = true;
            return false;
        }
        if (out.size() > (1u << 20)) {
            std::fwrite(out.data(), 1, out.size(), stdout);
            out.clear();
        }
        return true;
    });
    if (render_failed)
        return 1;
    if (json) {
        document["processes"] = std::move(processes);
        out = json_text(document);
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (std::fflush(stdout) != 0)
        return 1;
    if (found == 0)
        return 42;
    return status;
}

}  // namespace ringside::cli
