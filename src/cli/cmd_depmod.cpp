// ringside depmod: kmod 30's depmod options and messages over the depmod library.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <getopt.h>
#include <string>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <vector>

#include "cli/build_info.h"
#include "cli/commands.h"
#include "cli/version.h"
#include "kmod/depmod.h"

namespace ringside::cli {

namespace {

using namespace ringside::kmod;

void print_usage(const char* program)
{
    std::printf(
        "Usage:\n"
        "\t%s -[aA] [options] [forced_version]\n"
        "\n"
        "If no arguments (except options) are given, \"depmod -a\" is assumed\n"
        "\n"
        "depmod will output a dependency list suitable for the modprobe utility.\n"
        "\n"
        "Options:\n"
        "\t-a, --all            Probe all modules\n"
        "\t-A, --quick          Only does the work if there's a new module\n"
        "\t-e, --errsyms        Report not supplied symbols\n"
        "\t-n, --show           Write the dependency file on stdout only\n"
        "\t-P, --symbol-prefix  Architecture symbol prefix\n"
        "\t-C, --config=PATH    Read configuration from PATH\n"
        "\t-v, --verbose        Enable verbose mode\n"
        "\t-w, --warn           Warn on duplicates\n"
        "\t-V, --version        show version\n"
        "\t-h, --help           show this help\n"
        "\n"
        "The following options are useful for people managing distributions:\n"
        "\t-b, --basedir=DIR    Use an image of a module tree.\n"
        "\t-F, --filesyms=FILE  Use the file instead of the\n"
        "\t                     current kernel symbols.\n"
        "\t-E, --symvers=FILE   Use Module.symvers file to check\n"
        "\t                     symbol versions.\n"
        "\n"
        "ringside additions:\n"
        "\t--cache=FILE         Keep what was read from each module in FILE (default:\n"
        "\t                     /var/cache/ringside/depmod-<hash>.cache)\n"
        "\t--no-cache           Read every module again\n"
        "\t--jobs=N             Read modules with N threads (default: one per core)\n"
        "\t--index-layout=kmod30|kmod34  Placement of the .bin trie nodes (default kmod30)\n",
        program);
}

// kmod takes the first operand as the version when it parses as "%u.%u".
bool is_version_number(const char* text)
{
    unsigned a, b;
    return std::sscanf(text, "%u.%u", &a, &b) == 2;
}

std::string default_cache_file(const std::string& module_dir)
{
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : module_dir) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    const char* base = std::getenv("RINGSIDE_CACHE_DIR");
    std::string dir = base && *base ? base : "/var/cache/ringside";
    ::mkdir(dir.c_str(), 0755);  // the cache is optional: failing here only costs speed
    char name[64];
    std::snprintf(name, sizeof name, "/depmod-%016llx.cache", static_cast<unsigned long long>(h));
    return dir + name;
}

// Names this build: a cache written by another version or build of ringside must not keep
// files that this one would write differently.
std::string producer_identity()
{
    kmod::CacheKey exe = kmod::file_identity("/proc/self/exe");
    return std::string("ringside ") + RINGSIDE_VERSION + " " + RINGSIDE_GIT_COMMIT + " " + std::to_string(exe.size) + " "
        + std::to_string(exe.mtime_ns) + " " + std::to_string(exe.inode);
}

}  // namespace

int cmd_depmod(int argc, char** argv)
{
    const char* program = "depmod";
    static const option long_options[] = {
        { "all", no_argument, nullptr, 'a' },
        { "quick", no_argument, nullptr, 'A' },
        { "basedir", required_argument, nullptr, 'b' },
        { "config", required_argument, nullptr, 'C' },
        { "symvers", required_argument, nullptr, 'E' },
        { "filesyms", required_argument, nullptr, 'F' },
        { "errsyms", no_argument, nullptr, 'e' },
        { "unresolved-error", no_argument, nullptr, 'u' },
        { "quiet", no_argument, nullptr, 'q' },
        { "root", no_argument, nullptr, 'r' },
        { "verbose", no_argument, nullptr, 'v' },
        { "show", no_argument, nullptr, 'n' },
        { "dry-run", no_argument, nullptr, 'n' },
        { "symbol-prefix", required_argument, nullptr, 'P' },
        { "warn", no_argument, nullptr, 'w' },
        { "map", no_argument, nullptr, 'm' },
        { "version", no_argument, nullptr, 'V' },
        { "help", no_argument, nullptr, 'h' },
        { "cache", required_argument, nullptr, 1000 },
        { "no-cache", no_argument, nullptr, 1001 },
        { "jobs", required_argument, nullptr, 1002 },
        { "index-layout", required_argument, nullptr, 1003 },
        { nullptr, 0, nullptr, 0 },
    };

    DepmodRequest request;
    int verbose = static_cast<int>(DepmodLevel::Warning);
    bool all = false, quick = false, no_cache = false;
    std::string cache_file;
    auto log = [&](DepmodLevel level, const std::string& text) {
        if (static_cast<int>(level) > verbose)
            return;
        if (level == DepmodLevel::Show) {
            std::printf("%s\n", text.c_str());
            return;
        }
        std::fflush(stdout);
        std::fprintf(stderr, "%s: %s: %s\n", program, depmod_level_name(level), text.c_str());
    };

    optind = 0;
    for (;;) {
        int index = -1;
        int c = ::getopt_long(argc, argv, "aAb:C:E:F:euqrvnP:wmVh", long_options, &index);
        if (c == -1)
            break;
        switch (c) {
        case 'a':
            all = true;
            break;
        case 'A':
            quick = true;
            break;
        case 'b':
            request.base_dir = optarg;
            break;
        case 'C':
            request.config_paths.emplace_back(optarg);
            break;
        case 'E':
            request.symvers_file = optarg;
            break;
        case 'F':
            request.system_map_file = optarg;
            break;
        case 'e':
            request.report_unknown = true;
            break;
        case 'u':
        case 'q':
        case 'r':
        case 'm':
            if (index >= 0)
                log(DepmodLevel::Warning, std::string("Ignored deprecated option --") + long_options[index].name);
            else
                log(DepmodLevel::Warning, std::string("Ignored deprecated option -") + static_cast<char>(c));
            break;
        case 'v':
            verbose++;
            break;
        case 'n':
            request.dry_run = true;
            break;
        case 'P':
            if (optarg[0] == '\0' || optarg[1] != '\0') {
                log(DepmodLevel::Fatal, "-P only takes a single char");
                return 1;
            }
            request.symbol_prefix = optarg[0];
            break;
        case 'w':
            request.warn_duplicates = true;
            break;
        case 'V':
            std::fputs(version_text().c_str(), stdout);
            return 0;
        case 'h':
            print_usage(program);
            return 0;
        case 1000:
            cache_file = optarg;
            break;
        case 1001:
            no_cache = true;
            break;
        case 1002:
            request.threads = static_cast<unsigned>(std::strtoul(optarg, nullptr, 10));
            break;
        case 1003:
            if (std::strcmp(optarg, "kmod30") == 0)
                request.layout = IndexLayout::PostOrder;
            else if (std::strcmp(optarg, "kmod34") == 0)
                request.layout = IndexLayout::PreOrder;
            else {
                log(DepmodLevel::Error, std::string("unknown index layout '") + optarg + "' (kmod30 or kmod34)");
                return 1;
            }
            break;
        default:
            return 1;  // getopt already said what was wrong
        }
    }

    if (optind < argc) {
        if (!is_version_number(argv[optind])) {
            log(DepmodLevel::Error, std::string("Bad version passed ") + argv[optind]);
            return 1;
        }
        request.kernel_version = argv[optind++];
    } else {
        utsname u;
        if (::uname(&u) < 0) {
            log(DepmodLevel::Fatal, std::string("uname() failed: ") + std::strerror(errno));
            return 1;
        }
        request.kernel_version = u.release;
    }
    if (optind == argc)
        all = true;

    std::string module_dir = depmod_module_dir(request.base_dir, request.kernel_version);
    if (quick) {
        if (request.dry_run)
            return 0;  // kmod: -A with -n does nothing
        if (depmod_files_up_to_date(module_dir, log))
            return 0;
        all = true;
    }
    if (!all)
        for (int i = optind; i < argc; i++)
            request.module_files.emplace_back(argv[i]);
    if (!no_cache && !request.dry_run) {
        request.cache_file = cache_file.empty() ? default_cache_file(module_dir) : cache_file;
        request.producer = producer_identity();
    }

    auto result = run_depmod(request, log);
    if (!result) {
        const std::string& message = result.error().message;
        // A dependency cycle has already been reported in kmod's words.
        if (message != "modules in dependency cycles")
            log(DepmodLevel::Fatal, message);
        return 1;
    }
    if (request.dry_run) {
        std::string text = depmod_dry_run_text(*result);
        std::fwrite(text.data(), 1, text.size(), stdout);
        return 0;
    }
    auto written = write_depmod_files(*result);
    remember_depmod_run(request, *result, written.has_value());
    if (!written) {
        log(DepmodLevel::Fatal, written.error().message);
        return 1;
    }
    return 0;
}

}  // namespace ringside::cli
