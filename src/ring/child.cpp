#include "ring/child.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <sys/io.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <asm/prctl.h>
#endif

namespace ringside::ring {

namespace {

// What the child writes to the pipe: one fixed-size record, written with write(2) alone so
// the signal handler stays async-signal-safe.
struct Message {
    std::int32_t kind;
    std::int32_t signal_number;
    std::int32_t si_code;
    std::int32_t setup_errno;
    std::uint64_t fault_address;
    ProbeValues values;
};

constexpr std::int32_t message_allowed = 1;
constexpr std::int32_t message_faulted = 2;
constexpr std::int32_t message_not_run = 3;

// Set in the child only, before any handler can run.
int report_fd = -1;

void send(const Message& message)
{
    const char* bytes = reinterpret_cast<const char*>(&message);
    std::size_t left = sizeof message;
    while (left > 0) {
        ssize_t written = write(report_fd, bytes, left);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return;
        bytes += written;
        left -= static_cast<std::size_t>(written);
    }
}

void on_fault(int signal_number, siginfo_t* info, void*)
{
    Message message {};
    message.kind = message_faulted;
    message.signal_number = signal_number;
    message.si_code = info->si_code;
    message.fault_address = reinterpret_cast<std::uintptr_t>(info->si_addr);
    send(message);
    _exit(0);
}

// Returns 0 or the errno of the refused setup.
int prepare(ProbeSetup setup, ProbeValues& values, const ProbeSpec& spec)
{
    if (spec.name == "wrmsr") {
        // Pin to this CPU and compute what Linux keeps in its TSC_AUX, so the write is a no-op.
        unsigned cpu = 0, node = 0;
        if (getcpu(&cpu, &node) == 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(cpu, &set);
            sched_setaffinity(0, sizeof set, &set);
            values.word[0] = (std::uint64_t { node } << 12) | cpu;
        }
    }
    switch (setup) {
    case ProbeSetup::None:
        return 0;
    case ProbeSetup::IopermPort:
#if defined(__x86_64__)
        return ioperm(probe_port, 1, 1) == 0 ? 0 : errno;
#else
        return ENOSYS;
#endif
    case ProbeSetup::TscFaulting:
        return prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) == 0 ? 0 : errno;
    case ProbeSetup::CpuidFaulting:
#if defined(__x86_64__) && defined(ARCH_SET_CPUID)
        return syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0) == 0 ? 0 : errno;
#else
        return ENOSYS;
#endif
    }
    return EINVAL;
}

[[noreturn]] void child_main(const ProbeSpec& spec, int fd, unsigned timeout_seconds)
{
    report_fd = fd;
    struct sigaction action {};
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    for (int signal_number : { SIGSEGV, SIGILL, SIGBUS, SIGFPE, SIGTRAP })
        sigaction(signal_number, &action, nullptr);
    alarm(timeout_seconds);  // SIGALRM's default action ends a probe that never returns

    Message message {};
    if (int error = prepare(spec.setup, message.values, spec); error != 0) {
        message.kind = message_not_run;
        message.setup_errno = error;
        send(message);
        _exit(0);
    }
    if (spec.run)
        spec.run(message.values);
    message.kind = message_allowed;
    send(message);
    _exit(0);
}

}  // namespace

ChildReport run_in_child(const ProbeSpec& spec, unsigned timeout_seconds)
{
    ChildReport report;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        report.launch_error = std::string("pipe: ") + std::strerror(errno);
        return report;
    }
    pid_t pid = fork();
    if (pid < 0) {
        report.launch_error = std::string("fork: ") + std::strerror(errno);
        close(fds[0]);
        close(fds[1]);
        return report;
    }
    if (pid == 0) {
        close(fds[0]);
        child_main(spec, fds[1], timeout_seconds);
    }
    close(fds[1]);

    Message message {};
    std::size_t received = 0;
    auto* bytes = reinterpret_cast<char*>(&message);
    while (received < sizeof message) {
        ssize_t got = read(fds[0], bytes + received, sizeof message - received);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        received += static_cast<std::size_t>(got);
    }
    close(fds[0]);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }

    if (received == sizeof message) {
        report.values = message.values;
        switch (message.kind) {
        case message_allowed:
            report.outcome = ChildOutcome::Allowed;
            return report;
        case message_faulted:
            report.outcome = ChildOutcome::Faulted;
            report.signal_number = message.signal_number;
            report.si_code = message.si_code;
            report.fault_address = message.fault_address;
            return report;
        case message_not_run:
            report.outcome = ChildOutcome::NotRun;
            report.setup_errno = message.setup_errno;
            return report;
        default:
            break;
        }
    }
    report.outcome = ChildOutcome::Died;
    if (WIFSIGNALED(status))
        report.died_signal = WTERMSIG(status);
    else if (WIFEXITED(status))
        report.died_exit_code = WEXITSTATUS(status);
    return report;
}

}  // namespace ringside::ring
