// ringside check [OPTIONS] -- PROGRAM ARGS: run an unmodified program under the heap checker
// and report the heap errors it made, symbolised, like Valgrind's memcheck.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/atomic_file.h"
#include "base/mapped_file.h"
#include "cli/commands.h"
#include "heap/analysis.h"
#include "heap/runner.h"
#include "heap/suppressions.h"
#include "heap/wire.h"

namespace ringside::cli {

namespace {

constexpr const char* check_usage =
    "Usage: ringside check [OPTIONS] [--] PROGRAM [ARGS...]\n"
    "       ringside check --read WIRE-FILE [OPTIONS]\n"
    "\n"
    "Runs PROGRAM with the heap checker preloaded and reports heap errors: invalid accesses\n"
    "(SIGSEGV classified), heap overflows, uninitialised heap bytes reaching output, leaks,\n"
    "use after free, double frees, invalid and mismatched frees.\n"
    "\n"
    "Options:\n"
    "  --log-file=FILE         write the text report to FILE instead of stderr\n"
    "  --json=FILE             also write the report as JSON (\"-\" = stdout)\n"
    "  --sarif=FILE            also write the report as SARIF 2.1.0\n"
    "  --suppressions=FILE     Valgrind-style suppressions (repeatable)\n"
    "  --error-exitcode=N      exit with N when errors were reported (default: the program's status)\n"
    "  --trace-children=yes|no keep checking programs it execs (default yes)\n"
    "  --leak-check=yes|no     scan for leaks at exit (default yes)\n"
    "  --show-reachable        also list blocks still reachable at exit, by allocation stack\n"
    "  --guard                 a guard page after every block (up to 16384 at once, then redzones):\n"
    "                          faults at the first byte past a block and in freed ones\n"
    "  --guard-sample=N        one block in N on average (default 5000; 0 = off) gets a guard page and\n"
    "                          an inaccessible page once freed, catching reads past it and after free\n"
    "  --guard-max-rate=N      at most N sampled blocks per second per thread (default 500 with the\n"
    "                          default --guard-sample, no limit when it is given; 0 = no limit)\n"
    "  --quarantine-mb=N       cap on freed memory held before reuse (default 256; bounded by an eighth of the live heap)\n"
    "  --growth=MS             live-bytes snapshot per allocation site every MS milliseconds; names sites\n"
    "                          whose live bytes rise in every snapshot\n"
    "  --no-uninit             do not fill new blocks nor look for never-written bytes\n"
    "  --no-interceptors       do not range-check mem*/str*/read/printf... calls\n"
    "  --keep-wire=FILE        keep the raw wire-format report\n"
    "  --read=FILE             render a wire file written by the bare preload library\n"
    "\n"
    "The bare library works without this command: LD_PRELOAD=libringside_heap.so with\n"
    "RINGSIDE_HEAP_OPTIONS=\"log=FILE:guard=1:...\", then `ringside check --read FILE`.\n";

struct CheckOptions {
    std::string log_file, json_file, sarif_file, read_file, keep_wire;
    std::vector<std::string> suppression_files;
    int error_exitcode = -1;
    std::vector<std::string> heap_options;
    std::vector<std::string> command;
};

bool value_of(const std::string& arg, const char* name, std::string& out)
{
    std::string prefix = std::string(name) + "=";
    if (arg.rfind(prefix, 0) != 0)
        return false;
    out = arg.substr(prefix.size());
    return true;
}

bool yes(const std::string& v) { return v == "yes" || v == "1" || v == "true" || v == "full" || v == "summary"; }

// Returns -1 on success, else an exit status.
int parse(int argc, char** argv, CheckOptions& o)
{
    int i = 1;
    for (; i < argc; ++i) {
        std::string arg = argv[i];
        std::string v;
        if (arg == "--") {
            ++i;
            break;
        }
        if (arg == "--help" || arg == "-h") {
            std::fputs(check_usage, stdout);
            return 0;
        }
        if (arg.rfind("-", 0) != 0)
            break;
        // Options that take their value as the next argument too.
        for (const char* name : { "--log-file", "--json", "--sarif", "--suppressions", "--error-exitcode", "--read",
                 "--keep-wire", "--growth", "--quarantine-mb" }) {
            if (arg == name && i + 1 < argc) {
                arg = arg + "=" + argv[++i];
                break;
            }
        }
        if (value_of(arg, "--log-file", o.log_file) || value_of(arg, "--json", o.json_file)
            || value_of(arg, "--sarif", o.sarif_file) || value_of(arg, "--read", o.read_file)
            || value_of(arg, "--keep-wire", o.keep_wire))
            continue;
        if (value_of(arg, "--suppressions", v)) {
            o.suppression_files.push_back(v);
        } else if (value_of(arg, "--error-exitcode", v)) {
            char* end = nullptr;
            long n = std::strtol(v.c_str(), &end, 10);
            if (v.empty() || *end || n < 0 || n > 255) {
                std::fprintf(stderr, "ringside check: error: --error-exitcode wants 0..255, not '%s'\n", v.c_str());
                return 2;
            }
            o.error_exitcode = static_cast<int>(n);
        } else if (value_of(arg, "--trace-children", v)) {
            o.heap_options.push_back(std::string("trace_children=") + (yes(v) ? "1" : "0"));
        } else if (value_of(arg, "--leak-check", v)) {
            o.heap_options.push_back(std::string("leak_check=") + (yes(v) ? "1" : "0"));
        } else if (arg == "--show-reachable") {
            o.heap_options.push_back("show_reachable=1");
        } else if (arg == "--guard") {
            o.heap_options.push_back("guard=1");
        } else if (value_of(arg, "--guard-sample", v) && !v.empty() && v.find_first_not_of("0123456789") == std::string::npos && v.size() < 10) {
            o.heap_options.push_back("guard_sample=" + v);
        } else if (value_of(arg, "--guard-max-rate", v) && !v.empty() && v.find_first_not_of("0123456789") == std::string::npos && v.size() < 10) {
            o.heap_options.push_back("guard_max_rate=" + v);
        } else if (value_of(arg, "--quarantine-mb", v) && !v.empty() && v.find_first_not_of("0123456789") == std::string::npos) {
            o.heap_options.push_back("quarantine_mb=" + v);
        } else if (value_of(arg, "--growth", v) && !v.empty() && v.find_first_not_of("0123456789") == std::string::npos) {
            o.heap_options.push_back("growth_ms=" + v);
        } else if (arg == "--no-uninit") {
            o.heap_options.push_back("fill_uninit=0");
            o.heap_options.push_back("check_uninit=0");
        } else if (arg == "--no-interceptors") {
            o.heap_options.push_back("interceptors=0");
        } else {
            std::fprintf(stderr, "ringside check: error: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
    }
    for (; i < argc; ++i)
        o.command.emplace_back(argv[i]);
    if (o.command.empty() && o.read_file.empty()) {
        std::fputs(check_usage, stderr);
        return 2;
    }
    return -1;
}

bool write_output(const std::string& path, const std::string& text)
{
    if (path == "-") {
        std::fputs(text.c_str(), stdout);
        return true;
    }
    auto written = write_file_atomically(path, text);
    if (!written) {
        std::fprintf(stderr, "ringside check: error: %s\n", written.error().message.c_str());
        return false;
    }
    return true;
}

}  // namespace

int cmd_check(int argc, char** argv)
{
    CheckOptions o;
    if (int status = parse(argc, argv, o); status >= 0)
        return status;
    std::vector<heap::Suppression> suppressions;
    for (const std::string& file : o.suppression_files) {
        auto text = read_small_file(file);
        if (!text) {
            std::fprintf(stderr, "ringside check: error: %s\n", text.error().message.c_str());
            return 2;
        }
        auto parsed = heap::parse_suppressions(*text, file);
        if (!parsed) {
            std::fprintf(stderr, "ringside check: error: %s\n", parsed.error().message.c_str());
            return 2;
        }
        suppressions.insert(suppressions.end(), parsed->begin(), parsed->end());
    }

    heap::RunOutcome outcome;
    if (!o.read_file.empty()) {
        auto text = read_small_file(o.read_file, 1u << 30);
        if (!text) {
            std::fprintf(stderr, "ringside check: error: %s\n", text.error().message.c_str());
            return 2;
        }
        outcome.wire = std::move(*text);
    } else {
        heap::RunRequest request;
        request.command = o.command;
        for (const std::string& opt : o.heap_options)
            request.options += (request.options.empty() ? "" : ":") + opt;
        auto ran = heap::run_checked(request);
        if (!ran) {
            std::fprintf(stderr, "ringside check: error: %s\n", ran.error().message.c_str());
            return 2;
        }
        outcome = std::move(*ran);
    }
    if (!o.keep_wire.empty() && !write_output(o.keep_wire, outcome.wire))
        return 2;

    heap::CheckReport report = heap::analyse(heap::parse_wire(outcome.wire), suppressions);
    report.command = o.command;
    report.exit_status = outcome.exit_status;
    report.signal = outcome.signal;
    std::string text = heap::render_text(report);
    if (outcome.signal)
        text += "==ringside== program terminated by signal " + std::to_string(outcome.signal) + " (" + strsignal(outcome.signal) + ")\n";
    if (!o.log_file.empty()) {
        if (!write_output(o.log_file, text))
            return 2;
    } else {
        std::fputs(text.c_str(), stderr);
    }
    if (!o.json_file.empty() && !write_output(o.json_file, json_text(heap::render_json(report))))
        return 2;
    if (!o.sarif_file.empty() && !write_output(o.sarif_file, json_text(heap::render_sarif(report))))
        return 2;
    if (o.error_exitcode >= 0 && !report.errors.empty())
        return o.error_exitcode;
    return outcome.exit_status;
}

}  // namespace ringside::cli
