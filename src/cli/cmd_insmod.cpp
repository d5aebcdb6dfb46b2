// insmod: insert one module file, with kmod 30's options plus --force-vermagic and
// --force-modversion; a refusal is explained (which module, what the kernel answered, what
// it means, the kernel's own log lines).
#include <cstdio>
#include <cstring>
#include <getopt.h>
#include <string>
#include <syslog.h>
#include <vector>

#include "cli/commands.h"
#include "cli/version.h"
#include "kmod/insmod.h"
#include "kmod/index_reader.h"
#include "kmod/kernel_calls.h"

namespace ringside::cli {

namespace {

struct Reporter {
    const char* program;
    bool use_syslog = false;

    void operator()(const char* level, const std::string& message) const
    {
        if (use_syslog)
            ::syslog(LOG_ERR, "%s: %s", level, message.c_str());
        else
            std::fprintf(stderr, "%s: %s: %s\n", program, level, message.c_str());
    }
    void detail(const std::string& line) const
    {
        if (use_syslog)
            ::syslog(LOG_ERR, "  %s", line.c_str());
        else
            std::fprintf(stderr, "  %s\n", line.c_str());
    }
};

void usage(FILE* out, const char* program)
{
    std::fprintf(out,
        "Usage:\n"
        "\t%s [options] FILENAME [module options...]\n"
        "Options:\n"
        "\t-f, --force             force: ignore the version magic and the symbol versions\n"
        "\t    --force-vermagic    ignore only the version magic\n"
        "\t    --force-modversion  ignore only the symbol versions\n"
        "\t-s, --syslog            print messages to syslog, not stderr\n"
        "\t-v, --verbose           print what is done\n"
        "\t-V, --version           show version\n"
        "\t-h, --help              show this help\n",
        program);
}

}  // namespace

int cmd_insmod(int argc, char** argv)
{
    enum { opt_force_vermagic = 256, opt_force_modversion };
    static const option long_options[] = {
        { "force", no_argument, nullptr, 'f' },
        { "force-vermagic", no_argument, nullptr, opt_force_vermagic },
        { "force-modversion", no_argument, nullptr, opt_force_modversion },
        { "syslog", no_argument, nullptr, 's' },
        { "verbose", no_argument, nullptr, 'v' },
        { "version", no_argument, nullptr, 'V' },
        { "help", no_argument, nullptr, 'h' },
        { nullptr, 0, nullptr, 0 },
    };
    kmod::InsertRequest request;
    Reporter report { argv[0] };
    int verbose = 0;
    optind = 1;
    for (;;) {
        int c = getopt_long(argc, argv, "fpsvVh", long_options, nullptr);
        if (c == -1)
            break;
        switch (c) {
        case 'f':
            request.force_vermagic = request.force_modversion = true;
            break;
        case opt_force_vermagic:
            request.force_vermagic = true;
            break;
        case opt_force_modversion:
            request.force_modversion = true;
            break;
        case 'p':  // accepted and ignored, as kmod 30 does (modutils compatibility)
            break;
        case 's':
            report.use_syslog = true;
            ::openlog(argv[0], LOG_CONS, LOG_DAEMON);
            break;
        case 'v':
            ++verbose;
            break;
        case 'V':
            std::fputs(version_text().c_str(), stdout);
            return 0;
        case 'h':
            usage(stdout, argv[0]);
            return 0;
        default:
            return 1;
        }
    }
    if (optind >= argc) {
        report("ERROR", "missing filename.");
        return 1;
    }
    request.path = argv[optind++];
    if (request.path == "-") {
        report("ERROR", "this tool does not support loading from stdin!");
        return 1;
    }
    request.params = kmod::join_module_params(std::vector<std::string>(argv + optind, argv + argc));

    auto result = kmod::insert_module_file(request);
    if (!result) {
        // The error names the path already; say it once.
        std::string message = result.error().message;
        if (message.starts_with(request.path + ": "))
            message.erase(0, request.path.size() + 2);
        report("ERROR", "could not load module " + request.path + ": " + message);
        return 1;
    }
    if (verbose)
        for (const std::string& step : result->steps)
            std::fprintf(stderr, "%s: INFO: %s\n", argv[0], step.c_str());
    if (result->error == 0)
        return 0;
    std::string name = kmod::module_name_of_file(request.path);
    report("ERROR", "could not insert module " + request.path + ": " + kmod::kernel_error_text(result->error));
    // Who exports the symbols the kernel could not find: the running kernel's modules.symbols.
    auto owners = [](const std::string& symbol) {
        std::vector<std::string> names;
        auto index = kmod::IndexReader::open("/lib/modules/" + kmod::running_kernel_release() + "/modules.symbols.bin");
        if (!index)
            return names;
        if (auto found = index->lookup_wildcard("symbol:" + symbol))
            for (const auto& value : *found)
                names.push_back(value.value);
        return names;
    };
    for (const std::string& line :
        kmod::explain_insert_failure(result->error, request.path, name, result->kernel_messages, owners))
        report.detail(line);
    return 1;
}

}  // namespace ringside::cli
