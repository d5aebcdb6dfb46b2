// `ringside ring`: parse, probe, print. The work is in src/ring.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "ring/ring_render.h"
#include "ring/ring_report.h"

namespace ringside::cli {

int cmd_ring(int argc, char** argv)
{
    std::vector<std::string> arguments(argv + 1, argv + argc);
    auto request = ring::parse_ring_arguments(arguments);
    if (!request) {
        std::fprintf(stderr, "%s: %s\n", argv[0], request.error().message.c_str());
        return 1;
    }
    if (request->help) {
        std::fputs(ring::ring_help_text().c_str(), stdout);
        return 0;
    }
    if (request->list) {
        std::fputs(ring::probe_list_text().c_str(), stdout);
        return 0;
    }
#if !defined(__x86_64__)
    std::fprintf(stderr, "%s: supports x86-64 only (this build is for another architecture)\n", argv[0]);
    return 1;
#else
    auto report = ring::run_ring(*request);
    if (!report) {
        std::fprintf(stderr, "%s: %s\n", argv[0], report.error().message.c_str());
        return 1;
    }
    std::string text = request->json ? json_text(ring::ring_json(*report)) : ring::ring_text(*report);
    std::fputs(text.c_str(), stdout);
    return 0;
#endif
}

}  // namespace ringside::cli
