#include "signals.h"

#include <cerrno>
#include <csignal>
#include <ucontext.h>

#include "allocator.h"
#include "leak_scan.h"
#include "options.h"
#include "released_blocks.h"
#include "report.h"
#include "runtime_init.h"
#include "stack_depot.h"

extern "C" int __libc_current_sigrtmin(void);

namespace ringside::heap::rt {

namespace {

constexpr int fatal_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGABRT, SIGALRM, SIGUSR1, SIGUSR2 };
int g_leak_signal = 0;
std::atomic<bool> g_dying { false };
char g_alt_stack[128 * 1024];

bool register_holds(const ucontext_t* uc, u64 value)
{
    for (int r = 0; r < NGREG; ++r)
        if (static_cast<u64>(uc->uc_mcontext.gregs[r]) == value)
            return true;
    return false;
}

void classify_fault(const siginfo_t* info, const ucontext_t* uc, ErrorReport& r)
{
    uptr address = reinterpret_cast<uptr>(info->si_addr);
    r.address = address;
    // A non-canonical address raises a general-protection fault reported with address 0;
    // the register holding the pattern says where the pointer came from.
    bool general_protection = info->si_code == SI_KERNEL;
    if (general_protection) {
        if (register_holds(uc, 0xbebebebebebebebeull)) {
            r.kind = "invalid-access";
            r.detail = "uninitialised-pointer";
        } else if (register_holds(uc, 0xfdfdfdfdfdfdfdfdull)) {
            r.kind = "use-after-free";
            r.detail = "pointer-from-freed-block";
        } else {
            r.kind = "invalid-access";
            r.detail = "non-canonical";
        }
        r.address = 0;
        return;
    }
    Chunk c;
    if (find_containing_unlocked(address, c)) {
        r.has_block = true;
        r.block = c;
        bool inside = address >= c.user && address < c.user + c.size;
        if (c.state == ChunkState::Freed && inside) {
            r.kind = "use-after-free";
            r.detail = "guard";
        } else {
            r.kind = "heap-overflow";
            r.detail = address < c.user ? "underflow" : "overflow";
        }
        return;
    }
    // A block that has left the quarantine, whose memory glibc (or we) unmapped since.
    if (address >= 4096 && released_find(address, c)) {
        r.has_block = true;
        r.block = c;
        r.kind = "use-after-free";
        r.detail = "released";
        return;
    }
    r.kind = "invalid-access";
    r.detail = address < 4096 ? "null" : "wild";
}

void on_fault(int sig, siginfo_t* info, void* context)
{
    auto* uc = static_cast<ucontext_t*>(context);
    ReentryGuard reentry;
    if (!g_dying.exchange(true)) {
        ErrorReport r;
        classify_fault(info, uc, r);
        r.function = sig == SIGBUS ? "SIGBUS" : "SIGSEGV";
        uptr frames[max_stack_frames];
        uptr sp = static_cast<uptr>(uc->uc_mcontext.gregs[REG_RSP]);
        uptr fp = static_cast<uptr>(uc->uc_mcontext.gregs[REG_RBP]);
        uptr pc = static_cast<uptr>(uc->uc_mcontext.gregs[REG_RIP]);
        r.now_depth = capture_stack_from(pc, fp, sp, find_stack_top(sp), frames, max_stack_frames);
        r.now_frames = frames;
        if (!(r.has_block && use_after_free_just_reported(r.block.user)))
            report_error(r);
        set_interrupted_stack(sp);
        leak_check(ScanContext::Signal, "fatal-signal");
    }
    // Die as the program would have: the faulting instruction runs again without us.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, nullptr);
}

void on_fatal(int sig, siginfo_t*, void* context)
{
    ReentryGuard reentry;
    if (!g_dying.exchange(true)) {
        auto* uc = static_cast<ucontext_t*>(context);
        set_interrupted_stack(static_cast<uptr>(uc->uc_mcontext.gregs[REG_RSP]));
        check_all_blocks(true);
        leak_check(ScanContext::Signal, "fatal-signal");
    }
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, nullptr);
    raw_syscall6(SYS_tgkill, sys_getpid(), sys_gettid(), sig, 0, 0, 0);
}

// An idle service may never allocate again, so try to answer right here; if our own
// allocator was interrupted holding a lock, leave the work to its next call.
void on_leak_request(int)
{
    int saved = errno;
    if (ReentryGuard::active() || !leak_check(ScanContext::Signal, "leak-report"))
        request_leak_report();
    errno = saved;
}

}  // namespace

int leak_request_signal() { return g_leak_signal; }

void install_signal_handlers()
{
    g_leak_signal = __libc_current_sigrtmin() + static_cast<int>(g_options.leak_signal ? g_options.leak_signal : 5);
    struct sigaction sa {};
    sa.sa_handler = on_leak_request;
    sa.sa_flags = SA_RESTART;
    sigaction(g_leak_signal, &sa, nullptr);
    if (!g_options.catch_signals)
        return;
    stack_t alt {};
    alt.ss_sp = g_alt_stack;
    alt.ss_size = sizeof g_alt_stack;
    sigaltstack(&alt, nullptr);
    struct sigaction fault {};
    fault.sa_sigaction = on_fault;
    fault.sa_flags = SA_SIGINFO | SA_ONSTACK;
    for (int sig : { SIGSEGV, SIGBUS }) {
        struct sigaction old {};
        sigaction(sig, nullptr, &old);
        if (old.sa_handler == SIG_DFL)
            sigaction(sig, &fault, nullptr);
    }
    for (int sig : fatal_signals) {
        struct sigaction old {};
        sigaction(sig, nullptr, &old);
        if (old.sa_handler != SIG_DFL)
            continue;
        struct sigaction fatal {};
        fatal.sa_sigaction = on_fatal;
        fatal.sa_flags = SA_ONSTACK | SA_SIGINFO;
        sigaction(sig, &fatal, nullptr);
    }
}

}  // namespace ringside::heap::rt
