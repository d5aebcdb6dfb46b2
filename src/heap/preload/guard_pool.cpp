#include "guard_pool.h"

#include <sys/mman.h>

#include "chunk_table.h"
#include "libc_entry.h"
#include "options.h"

namespace ringside::heap::rt {

std::atomic<bool> g_guard_ready { false };
std::atomic<uptr> g_guard_span { 0 };
uptr g_guard_base = 0;

namespace {

constexpr u64 slot_stride = guard_slot_data + page_size;  // data page, then its guard page
// --guard: enough slots for real programs while staying far below vm.max_map_count (65,530):
// a live slot splits the region into two mappings.
constexpr u32 guard_all_slots = 16384;

enum SlotState : u8 { Free = 0, Claimed, Live, Retired };

u32 g_slots = 0;

// Per-slot bookkeeping in our own pages (map_pages): never in the program's heap.
SpinLock g_lock;
u8* g_state = nullptr;
uptr* g_user = nullptr;
u32* g_free = nullptr;  // stack of slots given back
u32 g_free_count = 0;
u32 g_fresh = 0;        // slots [g_fresh, g_slots) were never used
u32* g_ring = nullptr;  // retired slots, oldest first
u32 g_ring_head = 0;
u32 g_ring_count = 0;

[[gnu::tls_model("initial-exec")]] thread_local u64 t_random = 0;

// guard_max_rate as the shortest time between two samples of one thread. A sampled block costs
// some 25-50 us of system time on this project's VM (an mprotect, a page fault, an
// mmap(MAP_FIXED) whose TLB shootdown interrupts the other cores): at one block in 5000, a
// thread allocating 10 million blocks a second would spend 5-10 % of its time there.
u64 g_min_gap_ns = 0;
[[gnu::tls_model("initial-exec")]] thread_local u64 t_last_sample_ns = 0;

uptr slot_base(u32 i) { return g_guard_base + u64(i) * slot_stride; }

bool slot_of(uptr address, u32& out)
{
    if (!guard_pool_owns(address))
        return false;
    out = static_cast<u32>((address - g_guard_base) / slot_stride);
    return true;
}

// A sampling interval with mean `guard_sample`, uniform in [1, 2 * guard_sample - 1], so a
// program cannot fall into step with it.
u32 next_interval()
{
    if (!t_random)
        t_random = (reinterpret_cast<uptr>(&t_random) ^ __builtin_ia32_rdtsc()) | 1;
    t_random ^= t_random << 13;
    t_random ^= t_random >> 7;
    t_random ^= t_random << 17;
    u64 span = 2 * g_options.guard_sample - 1;
    return static_cast<u32>(1 + t_random % span);
}

}  // namespace

bool guard_pool_init()
{
    u64 slots = g_options.guard ? guard_all_slots : g_options.guard_slots;
    if (!slots || (!g_options.guard && !g_options.guard_sample))
        return false;
    if (slots > (1u << 20))
        slots = 1u << 20;
    long p = raw_syscall6(SYS_mmap, 0, static_cast<long>(slots * slot_stride), PROT_NONE,
        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p < 0 && p > -4096)
        return false;
    g_state = static_cast<u8*>(map_pages(slots));
    g_user = static_cast<uptr*>(map_pages(slots * sizeof(uptr)));
    g_free = static_cast<u32*>(map_pages(slots * sizeof(u32)));
    g_ring = static_cast<u32*>(map_pages(slots * sizeof(u32)));
    if (!g_state || !g_user || !g_free || !g_ring) {
        sys_munmap(reinterpret_cast<void*>(p), slots * slot_stride);
        return false;
    }
    g_guard_base = static_cast<uptr>(p);
    g_min_gap_ns = g_options.guard_max_rate ? 1000000000 / g_options.guard_max_rate : 0;
    g_slots = static_cast<u32>(slots);
    g_guard_span.store(slots * slot_stride, std::memory_order_release);
    g_guard_ready.store(true, std::memory_order_release);
    return true;
}

bool guard_wanted_slow(u64 size, u64 alignment)
{
    if (g_options.guard)
        return true;
    if (size > guard_slot_data || alignment > guard_slot_data)
        return false;
    if (t_guard_countdown == 0)  // a thread's first allocation: a random start
        t_guard_countdown = next_interval();
    if (--t_guard_countdown)
        return false;
    t_guard_countdown = next_interval();
    return !g_min_gap_ns || sample_gap_passed(fast_monotonic_ns(), t_last_sample_ns, g_min_gap_ns);
}

bool guard_pool_take(u64 size, u64 alignment, uptr& user, uptr& base)
{
    if (!g_guard_ready.load(std::memory_order_acquire) || size > guard_slot_data || alignment > guard_slot_data)
        return false;
    u32 i;
    bool reclaimed = false;
    {
        LockGuard guard(g_lock);
        if (g_free_count) {
            i = g_free[--g_free_count];
        } else if (g_fresh < g_slots) {
            i = g_fresh++;
        } else if (g_ring_count) {
            i = g_ring[g_ring_head];
            g_ring_head = (g_ring_head + 1) % g_slots;
            --g_ring_count;
            reclaimed = true;
        } else {
            return false;
        }
        g_state[i] = Claimed;
    }
    base = slot_base(i);
    // The freed block that had this slot leaves the table (its page was already dropped).
    if (reclaimed)
        table_forget_freed(g_user[i], base);
    if (sys_mprotect(reinterpret_cast<void*>(base), guard_slot_data, PROT_READ | PROT_WRITE) != 0) {
        guard_pool_give_back(base);
        return false;
    }
    user = (base + guard_slot_data - size) & ~(alignment - 1);
    g_user[i] = user;
    __atomic_store_n(&g_state[i], Live, __ATOMIC_RELEASE);
    return true;
}

namespace {

// The slot's page is dropped, then the slot waits (Retired: in the oldest-first ring) or is
// free at once (Free: on the stack). A slot is put back once per use, whatever the caller.
void put_back(uptr base, SlotState to)
{
    u32 i;
    if (!slot_of(base, i))
        return;
    drop_pages(base, guard_slot_data);
    LockGuard guard(g_lock);
    if (g_state[i] == Free || g_state[i] == Retired)
        return;
    g_state[i] = to;
    if (to == Retired)
        g_ring[(g_ring_head + g_ring_count++) % g_slots] = i;
    else
        g_free[g_free_count++] = i;
}

}  // namespace

void guard_pool_retire(uptr base) { put_back(base, Retired); }

void guard_pool_give_back(uptr base) { put_back(base, Free); }

bool guard_pool_user_at(uptr address, uptr& user)
{
    u32 i;
    if (!slot_of(address, i) || __atomic_load_n(&g_state[i], __ATOMIC_ACQUIRE) == Free)
        return false;
    user = g_user[i];
    return user != 0;
}

void guard_pool_prepare_fork() { g_lock.lock(); }
void guard_pool_after_fork_parent() { g_lock.unlock(); }
void guard_pool_after_fork_child() { g_lock.reset(); }

}  // namespace ringside::heap::rt
