// modprobe: load or unload modules with their dependencies, with every option of kmod 30.
// Actions go to stdout exactly as kmod prints them; messages to stderr (or syslog) as
// "modprobe: LEVEL: text", refusals followed by indented lines that explain them.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <getopt.h>
#include <string>
#include <syslog.h>
#include <vector>

#include "cli/commands.h"
#include "cli/version.h"
#include "kmod/modprobe.h"
#include "kmod/module_file.h"

namespace ringside::cli {

namespace {

void usage(FILE* out, const char* program)
{
    std::fprintf(out,
        "Usage:\n"
        "\t%s [options] [-i] [-b] modulename [module parameters...]\n"
        "\t%s [options] -a [-i] [-b] modulename [modulename...]\n"
        "\t%s [options] -r [-i] modulename [modulename...]\n"
        "\t%s [options] -c\n"
        "\t%s [options] --show-depends modulename\n"
        "\t%s [options] --show-modversions|--show-exports FILE\n"
        "Management Options:\n"
        "\t-a, --all                   treat every operand as a module name\n"
        "\t-r, --remove                remove modules instead of inserting them\n"
        "\t    --remove-holders        with -r, first remove the modules that use it\n"
        "\t-w, --wait MSEC             with -r, retry while the module is in use, up to MSEC\n"
        "\t    --first-time            fail if the module is already (or, with -r, not) loaded\n"
        "\t-i, --ignore-install, --ignore-remove\n"
        "\t                            ignore install/remove commands and soft dependencies\n"
        "\t-b, --use-blacklist         apply blacklist lines to names too, not only to aliases\n"
        "\t-f, --force                 --force-modversion and --force-vermagic\n"
        "\t    --force-modversion      ignore the symbol versions\n"
        "\t    --force-vermagic        ignore the version magic\n"
        "Query Options:\n"
        "\t-R, --resolve-alias         print the module names an alias resolves to\n"
        "\t-D, --show-depends          print the actions for a module and its dependencies\n"
        "\t-c, --showconfig            print the effective configuration and index aliases\n"
        "\t    --show-modversions FILE print the symbol versions a module was built against\n"
        "\t    --show-exports FILE     print the symbols a module exports\n"
        "General Options:\n"
        "\t-n, --dry-run, --show       do not insert or remove anything\n"
        "\t-C, --config FILE|DIR       use this configuration instead of the default search\n"
        "\t-d, --dirname DIR           use DIR/lib/modules as the module root\n"
        "\t-S, --set-version VERSION   use this kernel version instead of uname -r\n"
        "\t-s, --syslog                print messages to syslog, not stderr\n"
        "\t-q, --quiet                 print no messages\n"
        "\t-v, --verbose               print what is done\n"
        "\t-V, --version               show version\n"
        "\t-h, --help                  show this help\n",
        program, program, program, program, program, program);
}

// MODPROBE_OPTIONS: split on blanks, single and double quotes group, quotes removed.
std::vector<std::string> split_environment_options(const char* text)
{
    std::vector<std::string> words;
    std::string current;
    bool in_word = false;
    char quote = 0;
    for (const char* p = text; *p; ++p) {
        char c = *p;
        if (quote) {
            if (c == quote)
                quote = 0;
            else
                current.push_back(c);
        } else if (c == '"' || c == '\'') {
            quote = c;
            in_word = true;
        } else if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word)
                words.push_back(current);
            current.clear();
            in_word = false;
        } else {
            current.push_back(c);
            in_word = true;
        }
    }
    if (in_word)
        words.push_back(current);
    return words;
}

int show_symbols(const char* program, const std::string& path, bool exports)
{
    auto module = kmod::ModuleFile::open(path);
    if (!module) {
        std::fprintf(stderr, "%s: FATAL: could not open %s: %s\n", program, path.c_str(), module.error().message.c_str());
        return 1;
    }
    if (exports) {
        auto symbols = module->exported_symbols();
        if (!symbols || symbols->empty()) {
            std::fprintf(stderr, "%s: FATAL: could not get symbols of %s: %s\n", program, path.c_str(),
                symbols ? "No such file or directory" : symbols.error().message.c_str());
            return 1;
        }
        for (const auto& symbol : *symbols)
            std::printf("0x%08llx\t%.*s\n", static_cast<unsigned long long>(symbol.crc),
                static_cast<int>(symbol.name.size()), symbol.name.data());
        return 0;
    }
    auto versions = module->versions();
    if (!versions || versions->empty()) {
        std::fprintf(stderr, "%s: FATAL: could not get modversions of %s: %s\n", program, path.c_str(),
            versions ? "No such file or directory" : versions.error().message.c_str());
        return 1;
    }
    for (const auto& record : *versions)
        std::printf("0x%08llx\t%.*s\n", static_cast<unsigned long long>(record.crc),
            static_cast<int>(record.name.size()), record.name.data());
    return 0;
}

}  // namespace

int cmd_modprobe(int argc_in, char** argv_in)
{
    // MODPROBE_OPTIONS come before the command line's own arguments.
    std::vector<std::string> owned;
    std::vector<char*> args { argv_in[0] };
    if (const char* env = std::getenv("MODPROBE_OPTIONS"))
        owned = split_environment_options(env);
    for (std::string& word : owned)
        args.push_back(word.data());
    for (int i = 1; i < argc_in; ++i)
        args.push_back(argv_in[i]);
    args.push_back(nullptr);
    int argc = static_cast<int>(args.size()) - 1;
    char** argv = args.data();
    const char* program = argv[0];

    enum {
        opt_remove_holders = 256,
        opt_first_time,
        opt_force_vermagic,
        opt_force_modversion,
        opt_show_modversions,
        opt_show_exports,
    };
    static const option long_options[] = {
        { "all", no_argument, nullptr, 'a' },
        { "remove", no_argument, nullptr, 'r' },
        { "remove-dependencies", no_argument, nullptr, opt_remove_holders },
        { "remove-holders", no_argument, nullptr, opt_remove_holders },
        { "wait", required_argument, nullptr, 'w' },
        { "first-time", no_argument, nullptr, opt_first_time },
        { "ignore-install", no_argument, nullptr, 'i' },
        { "ignore-remove", no_argument, nullptr, 'i' },
        { "use-blacklist", no_argument, nullptr, 'b' },
        { "force", no_argument, nullptr, 'f' },
        { "force-modversion", no_argument, nullptr, opt_force_modversion },
        { "force-vermagic", no_argument, nullptr, opt_force_vermagic },
        { "resolve-alias", no_argument, nullptr, 'R' },
        { "show-depends", no_argument, nullptr, 'D' },
        { "showconfig", no_argument, nullptr, 'c' },
        { "show-config", no_argument, nullptr, 'c' },
        { "show-modversions", no_argument, nullptr, opt_show_modversions },
        { "dump-modversions", no_argument, nullptr, opt_show_modversions },
        { "show-exports", no_argument, nullptr, opt_show_exports },
        { "dry-run", no_argument, nullptr, 'n' },
        { "show", no_argument, nullptr, 'n' },
        { "config", required_argument, nullptr, 'C' },
        { "dirname", required_argument, nullptr, 'd' },
        { "set-version", required_argument, nullptr, 'S' },
        { "syslog", no_argument, nullptr, 's' },
        { "quiet", no_argument, nullptr, 'q' },
        { "verbose", no_argument, nullptr, 'v' },
        { "version", no_argument, nullptr, 'V' },
        { "help", no_argument, nullptr, 'h' },
        { nullptr, 0, nullptr, 0 },
    };

    kmod::ModprobeSettings settings;
    bool resolve_only = false, show_config = false, use_syslog = false;
    int show_symbols_of = 0;  // opt_show_modversions or opt_show_exports
    int verbosity = 0;
    optind = 1;
    for (;;) {
        int c = getopt_long(argc, argv, "abcC:d:DfhinqrRsS:vVw:", long_options, nullptr);
        if (c == -1)
            break;
        switch (c) {
        case 'a': settings.all = true; break;
        case 'r': settings.remove = true; break;
        case opt_remove_holders: settings.remove_holders = true; break;
        case 'w': settings.wait_ms = static_cast<unsigned>(std::strtoul(optarg, nullptr, 10)); break;
        case opt_first_time: settings.first_time = true; break;
        case 'i': settings.ignore_commands = true; break;
        case 'b': settings.use_blacklist = true; break;
        case 'f': settings.force_vermagic = settings.force_modversion = true; break;
        case opt_force_modversion: settings.force_modversion = true; break;
        case opt_force_vermagic: settings.force_vermagic = true; break;
        case 'R': resolve_only = true; break;
        case 'D': settings.show_depends = true; break;
        case 'c': show_config = true; break;
        case opt_show_modversions:
        case opt_show_exports: show_symbols_of = c; break;
        case 'n': settings.dry_run = true; break;
        case 'C': settings.config_paths.push_back(optarg); break;
        case 'd': settings.root = optarg; break;
        case 'S': settings.release = optarg; break;
        case 's':
            use_syslog = true;
            ::openlog("modprobe", LOG_CONS, LOG_DAEMON);
            break;
        case 'q': settings.quiet = true; break;
        case 'v': ++verbosity; break;
        case 'V': std::fputs(version_text().c_str(), stdout); return 0;
        case 'h': usage(stdout, program); return 0;
        default: return 1;
        }
    }
    settings.verbose = verbosity > 0;
    std::vector<std::string> operands(argv + optind, argv + argc);

    if (show_symbols_of) {
        if (operands.empty()) {
            std::fprintf(stderr, "%s: ERROR: missing module file. See -h.\n", program);
            return 1;
        }
        return show_symbols(program, operands[0], show_symbols_of == opt_show_exports);
    }
    if (operands.empty() && !show_config) {
        std::fprintf(stderr, "%s: ERROR: missing parameters. See -h.\n", program);
        return 1;
    }

    auto print_message = [&](kmod::ModprobeLevel level, const std::string& text) {
        static const char* names[] = { "FATAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG", "" };
        int rank = static_cast<int>(level);
        bool shown = !settings.quiet
            && (level == kmod::ModprobeLevel::Detail || rank <= static_cast<int>(kmod::ModprobeLevel::Warning) + verbosity);
        if (shown) {
            if (use_syslog)
                ::syslog(LOG_ERR, "%s%s%s", names[rank], *names[rank] ? ": " : "  ", text.c_str());
            else if (level == kmod::ModprobeLevel::Detail)
                std::fprintf(stderr, "  %s\n", text.c_str());
            else
                std::fprintf(stderr, "%s: %s: %s\n", program, names[rank], text.c_str());
        }
        if (shown && level == kmod::ModprobeLevel::Fatal) {
            std::fflush(stdout);
            std::exit(1);  // kmod stops at a printed FATAL message
        }
    };
    kmod::ModprobeOutput output {
        [](const std::string& line) { std::printf("%s\n", line.c_str()); },
        print_message,
    };
    kmod::Modprobe modprobe(settings, output);  // configuration problems are reported here

    if (show_config) {
        auto text = modprobe.show_config();
        if (!text) {
            print_message(kmod::ModprobeLevel::Error, text.error().message);
            return 1;
        }
        std::fputs(text->c_str(), stdout);
        return 0;
    }
    bool ok = true;
    if (settings.all || settings.remove) {
        for (const std::string& name : operands)
            ok = (resolve_only ? modprobe.resolve(name) : modprobe.run(name, {})) && ok;
    } else if (resolve_only) {
        ok = modprobe.resolve(operands[0]);
    } else {
        ok = modprobe.run(operands[0], std::vector<std::string>(operands.begin() + 1, operands.end()));
    }
    return ok ? 0 : 1;
}

}  // namespace ringside::cli
