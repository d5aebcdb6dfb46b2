// rmmod: remove modules from the kernel, with kmod 30's checks and messages; a refusal says why
// (built in, not loaded, in use and by whom).
#include <cstdio>
#include <getopt.h>
#include <string>
#include <syslog.h>

#include "cli/commands.h"
#include "cli/version.h"
#include "kmod/kernel_state.h"
#include "kmod/rmmod.h"

namespace ringside::cli {

int cmd_rmmod(int argc, char** argv)
{
    static const option long_options[] = {
        { "force", no_argument, nullptr, 'f' },
        { "syslog", no_argument, nullptr, 's' },
        { "verbose", no_argument, nullptr, 'v' },
        { "version", no_argument, nullptr, 'V' },
        { "help", no_argument, nullptr, 'h' },
        { nullptr, 0, nullptr, 0 },
    };
    bool force = false, use_syslog = false;
    int verbose = 0;
    optind = 1;
    for (;;) {
        int c = getopt_long(argc, argv, "fsvVh", long_options, nullptr);
        if (c == -1)
            break;
        switch (c) {
        case 'f':
            force = true;
            break;
        case 's':
            use_syslog = true;
            ::openlog(argv[0], LOG_CONS, LOG_DAEMON);
            break;
        case 'v':
            ++verbose;
            break;
        case 'V':
            std::fputs(version_text().c_str(), stdout);
            return 0;
        case 'h':
            std::printf("Usage:\n\t%s [options] modulename ...\nOptions:\n"
                        "\t-f, --force       remove even if in use (needs CONFIG_MODULE_FORCE_UNLOAD)\n"
                        "\t-s, --syslog      print messages to syslog, not stderr\n"
                        "\t-v, --verbose     print what is done\n"
                        "\t-V, --version     show version\n"
                        "\t-h, --help        show this help\n",
                argv[0]);
            return 0;
        default:
            return 1;
        }
    }
    auto report = [&](const std::string& message) {
        if (use_syslog)
            ::syslog(LOG_ERR, "ERROR: %s", message.c_str());
        else
            std::fprintf(stderr, "%s: ERROR: %s\n", argv[0], message.c_str());
    };
    if (optind >= argc) {
        report("missing module name.");
        return 1;
    }
    auto builtin = kmod::read_builtin_names("/lib/modules/" + kmod::running_kernel_release());
    int status = 0;
    for (int i = optind; i < argc; ++i) {
        kmod::RemoveRequest request;
        request.name = kmod::module_name_of_operand(argv[i]);
        request.force = force;
        request.builtin = builtin;
        if (verbose)
            std::fprintf(stderr, "%s: INFO: removing %s\n", argv[0], request.name.c_str());
        auto result = kmod::remove_module(request);
        if (result.problem != kmod::RemoveProblem::None) {
            report(kmod::describe_remove_problem(request.name, result));
            status = 1;
        }
    }
    return status;
}

}  // namespace ringside::cli
