#include "runner.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/mapped_file.h"
#include "base/system_error.h"

namespace ringside::heap {

namespace {

pid_t g_child = 0;

void forward_signal(int sig)
{
    if (g_child > 0)
        kill(g_child, sig);
}

bool readable(const std::string& path)
{
    return !path.empty() && access(path.c_str(), R_OK) == 0;
}

std::string executable_dir()
{
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return {};
    std::string path(buf, static_cast<size_t>(n));
    return path.substr(0, path.rfind('/'));
}

Result<std::string> read_whole(const std::string& path)
{
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return system_error("opening " + path, errno);
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            close(fd);
            return system_error("reading " + path, err);
        }
        if (n == 0)
            break;
        out.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    return out;
}

}  // namespace

Result<std::string> find_preload_library()
{
    if (const char* env = getenv("RINGSIDE_HEAP_LIBRARY"); env && readable(env))
        return std::string(env);
    std::string dir = executable_dir();
    for (const std::string& candidate : { dir + "/libringside_heap.so", dir + "/../lib/ringside/libringside_heap.so",
             dir + "/../lib/x86_64-linux-gnu/ringside/libringside_heap.so", std::string(RINGSIDE_HEAP_INSTALL_LIBRARY),
             std::string(RINGSIDE_HEAP_BUILD_LIBRARY) })
        if (readable(candidate))
            return candidate;
    return make_error(ErrorKind::NotFound,
        "libringside_heap.so not found (set RINGSIDE_HEAP_LIBRARY or install it beside ringside)");
}

Result<RunOutcome> run_checked(const RunRequest& request)
{
    if (request.command.empty())
        return make_error(ErrorKind::InvalidArgument, "no program to run");
    std::string library = request.library;
    if (library.empty())
        library = TRY(find_preload_library());
    const char* tmp = getenv("TMPDIR");
    std::string wire_path = std::string(tmp && *tmp ? tmp : "/tmp") + "/ringside-heap-XXXXXX";
    int wire_fd = mkstemp(wire_path.data());
    if (wire_fd < 0)
        return system_error("creating " + wire_path, errno);
    close(wire_fd);

    std::string preload = library;
    if (const char* old = getenv("LD_PRELOAD"); old && *old)
        preload += std::string(":") + old;
    std::string options = request.options;
    if (!options.empty())
        options += ":";
    options += "log=" + wire_path;

    std::vector<char*> argv;
    for (const std::string& arg : request.command)
        argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);

    pid_t child = fork();
    if (child < 0) {
        unlink(wire_path.c_str());
        return system_error("fork", errno);
    }
    if (child == 0) {
        setenv("LD_PRELOAD", preload.c_str(), 1);
        setenv("RINGSIDE_HEAP_OPTIONS", options.c_str(), 1);
        execvp(argv[0], argv.data());
        int err = errno;
        fprintf(stderr, "ringside check: cannot run %s: %s\n", argv[0], strerror(err));
        _exit(err == ENOENT ? 127 : 126);
    }
    g_child = child;
    struct sigaction forward {}, ignore {}, old_int {}, old_quit {}, old_term {}, old_hup {};
    forward.sa_handler = forward_signal;
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ignore, &old_int);    // the terminal sends it to the child too
    sigaction(SIGQUIT, &ignore, &old_quit);
    sigaction(SIGTERM, &forward, &old_term);
    sigaction(SIGHUP, &forward, &old_hup);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGQUIT, &old_quit, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
    sigaction(SIGHUP, &old_hup, nullptr);
    g_child = 0;

    RunOutcome outcome;
    if (WIFEXITED(status)) {
        outcome.exit_status = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        outcome.signal = WTERMSIG(status);
        outcome.exit_status = 128 + outcome.signal;
    }
    auto wire = read_whole(wire_path);
    unlink(wire_path.c_str());
    if (!wire)
        return std::move(wire).error();
    outcome.wire = std::move(*wire);
    return outcome;
}

}  // namespace ringside::heap
