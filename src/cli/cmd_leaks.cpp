// ringside leaks PID: ask a program running under the heap checker for a leak report now
// (a real-time signal; the preload library answers into its report file), then print it.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <chrono>

#include "base/mapped_file.h"
#include "cli/commands.h"
#include "heap/analysis.h"
#include "heap/wire.h"

namespace ringside::cli {

namespace {

constexpr const char* leaks_usage =
    "Usage: ringside leaks [--json] [--timeout=SECONDS] PID\n"
    "\n"
    "Asks a process started by `ringside check` (or with the preload library and a log= file)\n"
    "for a leak report while it runs, and prints the blocks lost so far.\n";

std::string option_value(const std::string& options, const std::string& name)
{
    size_t pos = 0;
    while (pos <= options.size()) {
        size_t end = options.find(':', pos);
        if (end == std::string::npos)
            end = options.size();
        std::string item = options.substr(pos, end - pos);
        if (item.rfind(name + "=", 0) == 0)
            return item.substr(name.size() + 1);
        pos = end + 1;
    }
    return {};
}

}  // namespace

int cmd_leaks(int argc, char** argv)
{
    bool json = false;
    int timeout = 10;
    long pid = 0;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::fputs(leaks_usage, stdout);
            return 0;
        }
        if (arg == "--json") {
            json = true;
        } else if (arg.rfind("--timeout=", 0) == 0) {
            timeout = std::atoi(arg.c_str() + 10);
        } else {
            char* end = nullptr;
            pid = std::strtol(arg.c_str(), &end, 10);
            if (arg.empty() || *end || pid <= 0) {
                std::fprintf(stderr, "ringside leaks: error: not a process id: '%s'\n", arg.c_str());
                return 2;
            }
        }
    }
    if (pid <= 0) {
        std::fputs(leaks_usage, stderr);
        return 2;
    }
    auto environ_text = read_small_file("/proc/" + std::to_string(pid) + "/environ");
    if (!environ_text) {
        std::fprintf(stderr, "ringside leaks: error: %s\n", environ_text.error().message.c_str());
        return 1;
    }
    std::string options;
    for (size_t pos = 0; pos < environ_text->size();) {
        size_t end = environ_text->find('\0', pos);
        if (end == std::string::npos)
            end = environ_text->size();
        std::string item = environ_text->substr(pos, end - pos);
        if (item.rfind("RINGSIDE_HEAP_OPTIONS=", 0) == 0)
            options = item.substr(22);
        pos = end + 1;
    }
    std::string log = option_value(options, "log");
    if (log.empty()) {
        std::fprintf(stderr, "ringside leaks: error: process %ld is not running under `ringside check` (no report file)\n", pid);
        return 1;
    }
    auto before = read_small_file(log, 1u << 30);
    size_t start = before ? before->size() : 0;
    int offset = std::atoi(option_value(options, "leak_signal").c_str());
    int sig = SIGRTMIN + (offset ? offset : 5);
    if (kill(static_cast<pid_t>(pid), sig) != 0) {
        std::fprintf(stderr, "ringside leaks: error: signalling %ld: %s\n", pid, std::strerror(errno));
        return 1;
    }
    std::string key_prefix = std::to_string(pid) + ".";
    for (int waited = 0; waited < timeout * 20; ++waited) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        auto text = read_small_file(log, 1u << 30);
        if (!text || text->size() <= start)
            continue;
        heap::WireLog wire = heap::parse_wire(*text);
        bool done = false;
        for (auto& [key, process] : wire.processes)
            if (key.rfind(key_prefix, 0) == 0)
                for (auto& [what, at] : process.markers)
                    done = done || (what == "leak-report" && at >= start);
        if (!done)
            continue;
        std::vector<heap::HeapError> recent;
        for (heap::HeapError& e : wire.errors)
            if (e.kind == "leak" && e.file_offset >= start && e.process.rfind(key_prefix, 0) == 0)
                recent.push_back(std::move(e));
        wire.errors = std::move(recent);
        for (auto& [key, process] : wire.processes)
            process.summary.present = false;  // the exit summary is not this report's
        heap::CheckReport report = heap::analyse(std::move(wire), {});
        if (json) {
            std::fputs(json_text(heap::render_json(report, "leaks")).c_str(), stdout);
        } else {
            std::string text_out = heap::render_text(report);
            if (report.errors.empty())
                text_out = "no leaks in process " + std::to_string(pid) + "\n";
            std::fputs(text_out.c_str(), stdout);
        }
        return 0;
    }
    std::fprintf(stderr, "ringside leaks: error: no report from process %ld within %d s\n", pid, timeout);
    return 1;
}

}  // namespace ringside::cli
