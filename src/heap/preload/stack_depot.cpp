#include "stack_depot.h"

#include "maps_reader.h"
#include "options.h"

namespace ringside::heap::rt {

namespace {

constexpr u64 slot_count = 1u << 20;
constexpr u64 arena_bytes = 1ull << 30;  // reserved, committed as used

std::atomic<u32>* g_slots = nullptr;
u64* g_arena = nullptr;  // entries: [hash:32|depth:32] then depth frames
std::atomic<u64> g_arena_words { 1 };  // word 0 unused so id 0 means "none"

}  // namespace

uptr g_own_lo = 0, g_own_hi = 0;

namespace {

[[gnu::tls_model("initial-exec")]] thread_local uptr t_stack_top = 0;

constexpr u32 max_threads = 16384;
std::atomic<u32> g_thread_count { 0 };
uptr* g_thread_stacks = nullptr;  // mmap'ed array of stack tops

u32 hash_frames(const uptr* frames, u32 depth)
{
    u64 h = 0xcbf29ce484222325ull ^ depth;
    for (u32 i = 0; i < depth; ++i) {
        h ^= frames[i];
        h *= 0x100000001b3ull;
        h ^= h >> 29;
    }
    return static_cast<u32>(h ^ (h >> 32));
}

bool entry_matches(u32 id, u32 hash, const uptr* frames, u32 depth)
{
    const u64* e = g_arena + id;
    if (static_cast<u32>(e[0] >> 32) != hash || static_cast<u32>(e[0]) != depth)
        return false;
    for (u32 i = 0; i < depth; ++i)
        if (e[1 + i] != frames[i])
            return false;
    return true;
}

}  // namespace

uptr find_stack_top(uptr sp)
{
    uptr top = 0;
    for_each_mapping([&](const MapLine& m) {
        if (sp >= m.start && sp < m.end) {
            top = m.end;
            return false;
        }
        return true;
    });
    return top;
}

bool stack_depot_init()
{
    if (g_slots)
        return true;
    g_slots = static_cast<std::atomic<u32>*>(map_pages(slot_count * sizeof(u32)));
    g_arena = static_cast<u64*>(map_pages(arena_bytes));
    g_thread_stacks = static_cast<uptr*>(map_pages(max_threads * sizeof(uptr)));
    return g_slots && g_arena && g_thread_stacks;
}

void set_own_text_range(uptr lo, uptr hi)
{
    g_own_lo = lo;
    g_own_hi = hi;
}

u32 stack_depot_put(const uptr* frames, u32 depth)
{
    if (!g_slots || depth == 0)
        return 0;
    u32 hash = hash_frames(frames, depth);
    u64 mask = slot_count - 1;
    for (u64 j = hash & mask, probes = 0; probes < slot_count; j = (j + 1) & mask, ++probes) {
        u32 id = g_slots[j].load(std::memory_order_acquire);
        if (id == 0) {
            u64 words = 1 + depth;
            u64 at = g_arena_words.fetch_add(words, std::memory_order_relaxed);
            if ((at + words) * 8 > arena_bytes || at + words > 0xffffffffull)
                return 0;
            u64* e = g_arena + at;
            e[0] = (static_cast<u64>(hash) << 32) | depth;
            for (u32 i = 0; i < depth; ++i)
                e[1 + i] = frames[i];
            u32 expected = 0;
            if (g_slots[j].compare_exchange_strong(expected, static_cast<u32>(at), std::memory_order_acq_rel))
                return static_cast<u32>(at);
            id = expected;  // lost the race; our arena words are simply unused
        }
        if (entry_matches(id, hash, frames, depth))
            return id;
    }
    return 0;
}

u32 stack_depot_get(u32 id, uptr* out, u32 capacity)
{
    if (!g_arena || id == 0 || id >= g_arena_words.load(std::memory_order_acquire))
        return 0;
    const u64* e = g_arena + id;
    u32 depth = static_cast<u32>(e[0]);
    if (depth > capacity)
        depth = capacity;
    for (u32 i = 0; i < depth; ++i)
        out[i] = e[1 + i];
    return depth;
}

uptr current_stack_top()
{
    if (!t_stack_top)
        register_thread_stack();
    return t_stack_top;
}

void register_thread_stack()
{
    if (t_stack_top)
        return;
    uptr here = reinterpret_cast<uptr>(__builtin_frame_address(0));
    t_stack_top = find_stack_top(here);
    if (!t_stack_top)
        t_stack_top = here;  // no walk possible, but never look it up again
    u32 slot = g_thread_count.fetch_add(1, std::memory_order_relaxed);
    if (g_thread_stacks && slot < max_threads)
        g_thread_stacks[slot] = here;
}

u32 registered_stack_tops(uptr* out, u32 capacity)
{
    u32 n = g_thread_count.load(std::memory_order_acquire);
    if (n > max_threads)
        n = max_threads;
    if (n > capacity)
        n = capacity;
    for (u32 i = 0; i < n; ++i)
        out[i] = g_thread_stacks[i];
    return n;
}

u32 capture_stack_from(uptr pc, uptr fp, uptr low, uptr top, uptr* out, u32 capacity)
{
    u32 n = 0;
    if (pc && n < capacity && !(pc >= g_own_lo && pc < g_own_hi))
        out[n++] = pc;
    while (n < capacity) {
        if (fp < low || top < 16 || fp > top - 16 || (fp & 7))
            break;
        const uptr* frame = reinterpret_cast<const uptr*>(fp);
        uptr next = frame[0];
        uptr ret = frame[1];
        if (ret < 4096)
            break;
        if (!(ret >= g_own_lo && ret < g_own_hi))
            out[n++] = ret;
        if (next <= fp)
            break;
        fp = next;
    }
    return n;
}

}  // namespace ringside::heap::rt
