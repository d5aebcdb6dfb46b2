// Start-up (lazily from the first allocation, since libc allocates before our constructor
// runs), the constructor's late steps, the exit report, and fork handling.
#include "runtime_init.h"

#include <pthread.h>

#include "allocator.h"
#include "guard_pool.h"
#include "leak_scan.h"
#include "libc_entry.h"
#include "maps_reader.h"
#include "options.h"
#include "report.h"
#include "signals.h"
#include "stack_depot.h"

extern char** environ;

namespace ringside::heap::rt {

namespace {

std::atomic<int> g_state { 0 };  // 0 = not started, 1 = starting, 2 = ready
[[gnu::tls_model("initial-exec")]] thread_local bool t_initialising = false;
[[gnu::tls_model("initial-exec")]] thread_local u32 t_growth_tick = 0;
std::atomic<bool> g_leak_requested { false };
std::atomic<u64> g_leak_requests { 0 };
std::atomic<u64> g_next_growth_ns { 0 };
u64 g_start_ns = 0;
bool g_finished = false;

const char* find_environment(const char* name)
{
    if (!environ)
        return nullptr;
    size_t n = string_length(name);
    for (char** e = environ; *e; ++e)
        if (starts_with(*e, name) && (*e)[n] == '=')
            return *e + n + 1;
    return nullptr;
}

void find_own_text()
{
    uptr self = reinterpret_cast<uptr>(&find_own_text);
    char path[512] = {};
    for_each_mapping([&](const MapLine& m) {
        if (self >= m.start && self < m.end) {
            size_t n = string_length(m.path);
            if (n >= sizeof path)
                n = sizeof path - 1;
            copy_bytes(path, m.path, n);
            return false;
        }
        return true;
    });
    uptr lo = ~uptr(0), hi = 0;
    for_each_mapping([&](const MapLine& m) {
        if (m.executable && strings_equal(m.path, path)) {
            lo = m.start < lo ? m.start : lo;
            hi = m.end > hi ? m.end : hi;
        }
        return true;
    });
    set_own_text_range(lo, hi);
}

// Without --trace-children, programs this one execs must not load us: rename the variable in
// place (same length, no allocation) so the dynamic loader of the next image ignores it.
void hide_from_children()
{
    if (!environ)
        return;
    for (char** e = environ; *e; ++e) {
        if (starts_with(*e, "LD_PRELOAD=")) {
            const char* replacement = "RS_PRELOAD";
            for (int i = 0; i < 10; ++i)
                (*e)[i] = replacement[i];
        }
    }
}

void prepare_fork() { allocator_prepare_fork(); }
void after_fork_parent() { allocator_after_fork_parent(); }
void after_fork_child()
{
    allocator_after_fork_child();
    reset_metadata_lock();
    report_channel_after_fork();
}

}  // namespace

bool runtime_ready() { return g_state.load(std::memory_order_acquire) == 2; }

void runtime_init()
{
    if (t_initialising)
        return;
    int expected = 0;
    if (!g_state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
        while (g_state.load(std::memory_order_acquire) != 2)
            sys_sched_yield();
        return;
    }
    t_initialising = true;
    ReentryGuard guard;
    parse_options(find_environment("RINGSIDE_HEAP_OPTIONS"));
    stack_depot_init();
    guard_pool_init();
    find_own_text();
    report_channel_init();
    register_thread_stack();
    g_start_ns = monotonic_ns();
    t_initialising = false;
    g_state.store(2, std::memory_order_release);
}

bool own_address(uptr pc)
{
    (void)pc;
    return false;
}

void request_leak_report()
{
    g_leak_requested.store(true, std::memory_order_relaxed);
}

void poll_requests()
{
    if (g_leak_requested.load(std::memory_order_relaxed) && !ReentryGuard::active()) {
        if (g_leak_requested.exchange(false)) {
            ReentryGuard guard;
            leak_check(ScanContext::Normal, "leak-report");
            g_leak_requests.fetch_add(1);
        }
    }
    if (g_options.growth_ms && (++t_growth_tick & 1023) == 0 && !ReentryGuard::active()) {
        u64 now = monotonic_ns();
        u64 next = g_next_growth_ns.load(std::memory_order_relaxed);
        if (now >= next && g_next_growth_ns.compare_exchange_strong(next, now + g_options.growth_ms * 1000000ull)) {
            ReentryGuard guard;
            growth_snapshot((now - g_start_ns) / 1000000ull);
        }
    }
}

[[gnu::constructor]] void on_load()
{
    runtime_init();
    resolve_libc_entries();
    if (!g_options.trace_children)
        hide_from_children();
    install_signal_handlers();
    pthread_atfork(prepare_fork, after_fork_parent, after_fork_child);
}

[[gnu::destructor]] void on_unload()
{
    if (g_finished || !runtime_ready())
        return;
    g_finished = true;
    ReentryGuard guard;
    check_all_blocks(false);
    leak_check(ScanContext::Normal, "exit");
}

}  // namespace ringside::heap::rt
