// ringside shared: the memory regions processes really share, by backing-object identity.
#include <cstdio>
#include <getopt.h>
#include <string>

#include "base/atomic_file.h"
#include "cli/commands.h"
#include "maps/proc_file.h"
#include "maps/shared_regions.h"
#include "maps/smaps.h"
#include "maps/svg.h"

namespace ringside::cli {

namespace {

void usage(FILE* out)
{
    std::fputs(
        "Usage: ringside shared [options] PID|self PID [PID ...]\n"
        "\n"
        "Which memory the processes share: shared anonymous memory inherited over fork, memfd,\n"
        "SysV segments and files, matched by device and inode; with root also private pages\n"
        "still shared after fork (page frames from /proc/PID/pagemap).\n"
        "  --no-files     leave mapped files (libraries, data files) out\n"
        "  --no-pages     do not read pagemap\n"
        "  --json         machine-readable output\n"
        "  --svg FILE     draw the first process's address space\n",
        out);
}

}  // namespace

int cmd_shared(int argc, char** argv)
{
    enum { opt_json = 1000, opt_svg, opt_no_files, opt_no_pages };
    static const option long_options[] = {
        { "json", no_argument, nullptr, opt_json },
        { "svg", required_argument, nullptr, opt_svg },
        { "no-files", no_argument, nullptr, opt_no_files },
        { "no-pages", no_argument, nullptr, opt_no_pages },
        { "help", no_argument, nullptr, 'h' },
        { nullptr, 0, nullptr, 0 },
    };
    maps::SharedRequest request;
    bool json = false;
    std::string svg_path;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", long_options, nullptr)) != -1) {
        switch (c) {
        case opt_json: json = true; break;
        case opt_svg: svg_path = optarg; break;
        case opt_no_files: request.include_files = false; break;
        case opt_no_pages: request.pages = false; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    for (int i = optind; i < argc; ++i)
        request.pids.push_back(argv[i]);
    auto report = maps::find_shared(request);
    if (!report) {
        std::fprintf(stderr, "ringside shared: %s\n", report.error().message.c_str());
        return report.error().kind == ErrorKind::InvalidArgument ? 1 : 3;
    }
    std::string text = json ? json_text(maps::shared_json(*report)) : maps::render_shared(*report);
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (!svg_path.empty()) {
        auto dir = maps::ProcDir::open(std::to_string(report->pids.front()));
        std::string smaps_text;
        if (dir && dir->read("smaps", smaps_text)) {
            if (auto smaps = maps::Smaps::parse(std::move(smaps_text))) {
                if (auto written = write_file_atomically(svg_path,
                        maps::address_space_svg(dir->pid(), report->commands.front(), *smaps));
                    !written) {
                    std::fprintf(stderr, "ringside shared: %s\n", written.error().message.c_str());
                    return 1;
                }
            }
        }
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace ringside::cli
