// modinfo: kmod 30's modinfo, byte for byte on stdout and in exit status; --json beyond it.
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <getopt.h>
#include <string>
#include <sys/utsname.h>
#include <thread>
#include <vector>

#include "base/json.h"
#include "cli/commands.h"
#include "cli/version.h"
#include "kmod/modinfo.h"

namespace ringside::cli {

namespace {

struct ModinfoArguments {
    kmod::ModinfoFormat format;
    bool name_only = false;
    bool json = false;
    const char* kernel_version = nullptr;
    const char* root = nullptr;
    std::vector<std::string> operands;
};

void print_usage(const char* program)
{
    std::printf("Usage:\n"
                "\t%s [options] <modulename|filename> [args]\n"
                "Options:\n"
                "\t-a, --author                Print only 'author'\n"
                "\t-d, --description           Print only 'description'\n"
                "\t-l, --license               Print only 'license'\n"
                "\t-p, --parameters            Print only 'parm'\n"
                "\t-n, --filename              Print only 'filename'\n"
                "\t-0, --null                  Use \\0 instead of \\n\n"
                "\t-m, --modname               Handle argument as module name instead of alias or filename\n"
                "\t-F, --field=FIELD           Print only provided FIELD\n"
                "\t-k, --set-version=VERSION   Use VERSION instead of `uname -r`\n"
                "\t-b, --basedir=DIR           Use DIR as filesystem root for /lib/modules\n"
                "\t-V, --version               Show version\n"
                "\t-h, --help                  Show this help\n"
                "\t    --json                  Print every field of each module as JSON\n",
        program);
}

// The module directory as kmod builds it: ROOT/lib/modules/VERSION, made absolute.
std::string module_directory(const ModinfoArguments& args)
{
    std::string version;
    if (args.kernel_version) {
        version = args.kernel_version;
    } else {
        struct utsname u {};
        if (::uname(&u) == 0)
            version = u.release;
    }
    if (!args.root && !args.kernel_version)
        return "/lib/modules/" + version;
    return kmod::make_absolute(std::string(args.root ? args.root : "") + "/lib/modules/" + version);
}

void flush(std::string& out)
{
    if (!out.empty()) {
        std::fwrite(out.data(), 1, out.size(), stdout);
        out.clear();
    }
}

}  // namespace

int cmd_modinfo(int argc, char** argv)
{
    const char* program = std::strrchr(argv[0], '/') ? std::strrchr(argv[0], '/') + 1 : argv[0];
    argv[0] = const_cast<char*>(program);
    enum { option_json = 256 };
    static const option long_options[] = {
        { "author", no_argument, nullptr, 'a' },
        { "description", no_argument, nullptr, 'd' },
        { "license", no_argument, nullptr, 'l' },
        { "parameters", no_argument, nullptr, 'p' },
        { "filename", no_argument, nullptr, 'n' },
        { "null", no_argument, nullptr, '0' },
        { "modname", no_argument, nullptr, 'm' },
        { "field", required_argument, nullptr, 'F' },
        { "set-version", required_argument, nullptr, 'k' },
        { "basedir", required_argument, nullptr, 'b' },
        { "version", no_argument, nullptr, 'V' },
        { "help", no_argument, nullptr, 'h' },
        { "json", no_argument, nullptr, option_json },
        { nullptr, 0, nullptr, 0 },
    };
    ModinfoArguments args;
    optind = 0;  // full getopt reset: the multi-call binary may parse more than once
    for (;;) {
        int c = getopt_long(argc, argv, "adlpn0mF:k:b:Vh", long_options, nullptr);
        if (c == -1)
            break;
        switch (c) {
        case 'a': args.format.field = "author"; break;
        case 'd': args.format.field = "description"; break;
        case 'l': args.format.field = "license"; break;
        case 'p': args.format.field = "parm"; break;
        case 'n': args.format.field = "filename"; break;
        case '0': args.format.separator = '\0'; break;
        case 'm': args.name_only = true; break;
        case 'F': args.format.field = optarg; break;
        case 'k': args.kernel_version = optarg; break;
        case 'b': args.root = optarg; break;
        case option_json: args.json = true; break;
        case 'h': print_usage(program); return 0;
        case 'V': std::fputs(version_text().c_str(), stdout); return 0;
        default: return 1;  // getopt has said what was wrong
        }
    }
    if (optind >= argc) {
        std::fprintf(stderr, "%s: ERROR: missing module or filename.\n", program);
        return 1;
    }
    for (int i = optind; i < argc; ++i)
        args.operands.emplace_back(argv[i]);

    kmod::LookupContext context;
    context.module_directory = module_directory(args);
    // kmod's modinfo creates its context with an empty configuration list: modprobe.d aliases
    // do not apply to modinfo.
    kmod::ModinfoSession session(std::move(context));

    bool failed = false;
    std::string out;
    std::vector<std::string> diagnostics;
    Json modules = Json::array();
    auto report_diagnostics = [&] {
        for (const std::string& message : diagnostics)
            std::fprintf(stderr, "%s: ERROR: %s\n", program, message.c_str());
        diagnostics.clear();
    };

    unsigned threads = std::min(4u, std::max(1u, std::thread::hardware_concurrency()));
    auto all_reports = session.reports_for_operands(args.operands, args.name_only, threads);
    for (std::size_t i = 0; i < args.operands.size(); ++i) {
        const std::string& operand = args.operands[i];
        auto& reports = all_reports[i];
        if (!reports || reports->empty()) {
            flush(out);
            std::string what = args.name_only ? "Module name " + operand : "Module " + operand;
            if (reports)
                std::fprintf(stderr, "%s: ERROR: %s not found.\n", program, what.c_str());
            else
                std::fprintf(stderr, "%s: ERROR: %s not found: %s\n", program, what.c_str(),
                    reports.error().message.c_str());
            failed = true;
            continue;
        }
        for (const kmod::ModuleReport& report : *reports) {
            if (report.error || report.signature_error)
                failed = true;
            if (args.json) {
                modules.push_back(kmod::report_json(report));
                continue;
            }
            format_report(report, args.format, out, diagnostics);
            if (report.error) {
                flush(out);
                diagnostics.clear();
                std::fprintf(stderr, "%s: ERROR: could not get modinfo from '%s': %s\n", program, report.name.c_str(),
                    report.error->message.c_str());
            }
            if (report.signature_error)
                diagnostics.push_back(report.signature_error->message);
            if (!diagnostics.empty()) {
                flush(out);
                report_diagnostics();
            }
            if (out.size() > (1u << 16))
                flush(out);
        }
    }
    if (args.json) {
        Json document = json_document("modinfo");
        document["modules"] = std::move(modules);
        out = json_text(document);
    }
    flush(out);
    return failed ? 1 : 0;
}

}  // namespace ringside::cli
