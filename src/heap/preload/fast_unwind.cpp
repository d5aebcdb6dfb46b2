// Stack capture on every allocation and free, at a few nanoseconds per frame.
//
// Programs built with -O2 have no frame pointers, so the chain breaks right after our entry
// point, and a full DWARF unwind (libunwind) on every malloc costs more than the program's own
// work. But at a given return address the caller's frame has a fixed size (its CFA is a fixed
// offset from the stack pointer), so once libunwind has walked through a return address twice
// and seen the same offset both times, later walks read the next return address straight from
// the stack: pc -> rule -> CFA = sp + offset -> pc' = [CFA - 8], sp' = CFA. A return address
// whose offset varies (alloca, signal trampolines) is marked as such and always unwound by
// libunwind. Rules live in a lock-free table; reads stay within the thread's stack.
#include "stack_depot.h"

#include "options.h"

#include <ucontext.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

namespace ringside::heap::rt {

namespace {

enum : u64 { RuleOnce = 1, RuleConfirmed = 2, RuleVaries = 3 };
constexpr u64 rule_slots = 1u << 14;
constexpr u64 max_probes = 16;

struct Rule {
    std::atomic<uptr> pc;
    std::atomic<u64> info;  // offset:32 | terminal:1 | state:2
};
Rule g_rules[rule_slots];

u64 rule_index(uptr pc) { return (pc * 0x9E3779B97F4A7C15ull) >> 50; }

// 0 when the return address has no usable rule.
u64 find_rule(uptr pc)
{
    u64 j = rule_index(pc);
    for (u64 probe = 0; probe < max_probes; ++probe, j = (j + 1) & (rule_slots - 1)) {
        uptr at = g_rules[j].pc.load(std::memory_order_acquire);
        if (at == pc)
            return g_rules[j].info.load(std::memory_order_acquire);
        if (at == 0)
            return 0;
    }
    return 0;
}

void learn_rule(uptr pc, u64 offset, bool terminal)
{
    if (offset >= (1ull << 32))
        return;
    u64 seen = offset | (u64(terminal) << 32);
    u64 j = rule_index(pc);
    for (u64 probe = 0; probe < max_probes; ++probe, j = (j + 1) & (rule_slots - 1)) {
        uptr expected = 0;
        if (!g_rules[j].pc.compare_exchange_strong(expected, pc, std::memory_order_acq_rel) && expected != pc)
            continue;
        Rule& r = g_rules[j];
        u64 old = r.info.load(std::memory_order_acquire);
        u64 state = old >> 33;
        if (old == 0)
            r.info.compare_exchange_strong(old, seen | (RuleOnce << 33), std::memory_order_acq_rel);
        else if (state == RuleOnce)
            r.info.store(seen | (((old & 0x1ffffffffull) == seen ? RuleConfirmed : RuleVaries) << 33), std::memory_order_release);
        else if (state == RuleConfirmed && (old & 0x1ffffffffull) != seen)
            r.info.store(RuleVaries << 33, std::memory_order_release);
        return;
    }
}

// The full DWARF walk, learning a rule for every return address it passes. The context is
// built by hand (unw_getcontext is not on the import allowlist): the state of our caller
// right after we return, which is all the unwinder needs to walk on.
[[gnu::noinline]] u32 unwind_and_learn(uptr* out, u32 capacity)
{
    ucontext_t uc {};
    auto* fp = static_cast<uptr*>(__builtin_frame_address(0));
    uptr rbx, r12, r13, r14, r15;
    asm volatile("mov %%rbx, %0; mov %%r12, %1; mov %%r13, %2; mov %%r14, %3; mov %%r15, %4"
                 : "=m"(rbx), "=m"(r12), "=m"(r13), "=m"(r14), "=m"(r15));
    uc.uc_mcontext.gregs[REG_RIP] = static_cast<greg_t>(fp[1]);
    uc.uc_mcontext.gregs[REG_RSP] = static_cast<greg_t>(reinterpret_cast<uptr>(fp) + 16);
    uc.uc_mcontext.gregs[REG_RBP] = static_cast<greg_t>(fp[0]);
    uc.uc_mcontext.gregs[REG_RBX] = static_cast<greg_t>(rbx);
    uc.uc_mcontext.gregs[REG_R12] = static_cast<greg_t>(r12);
    uc.uc_mcontext.gregs[REG_R13] = static_cast<greg_t>(r13);
    uc.uc_mcontext.gregs[REG_R14] = static_cast<greg_t>(r14);
    uc.uc_mcontext.gregs[REG_R15] = static_cast<greg_t>(r15);
    unw_cursor_t cursor;
    if (unw_init_local(&cursor, reinterpret_cast<unw_context_t*>(&uc)) < 0)
        return 0;
    u32 n = 0;
    unw_word_t ip = 0, sp = 0;
    unw_get_reg(&cursor, UNW_REG_IP, &ip);
    unw_get_reg(&cursor, UNW_REG_SP, &sp);
    for (u32 steps = 0; steps < max_stack_frames + 16; ++steps) {
        if (!ip)
            break;
        bool own = own_text(ip);
        if (!own && n < capacity)
            out[n++] = ip;
        int more = unw_step(&cursor);
        if (more <= 0) {
            if (!own && more == 0)
                learn_rule(ip, 0, true);
            break;
        }
        unw_word_t next_ip = 0, next_sp = 0;
        unw_get_reg(&cursor, UNW_REG_IP, &next_ip);
        unw_get_reg(&cursor, UNW_REG_SP, &next_sp);
        if (!own && next_sp > sp)
            learn_rule(ip, next_sp - sp, false);
        ip = next_ip;
        sp = next_sp;
        if (n >= capacity && !own)
            break;
    }
    return n;
}

}  // namespace

namespace {

// Where a walk of the program's frames starts: its first return address and the stack pointer
// there, found through our own frames (they keep frame pointers). Only frames of our own code
// are read here (the walk stops at the first return address outside it), so no stack bounds
// are needed; `low` and `top` bound the walk through the program's frames that follows.
struct WalkStart {
    uptr pc = 0;
    uptr sp = 0;
    uptr low = 0;
    uptr top = 0;
};

[[gnu::always_inline]] inline WalkStart find_walk_start(uptr fp)
{
    WalkStart w;
    w.low = fp;
    for (int guard = 0; guard < 32 && !(fp & 7); ++guard) {
        const uptr* frame = reinterpret_cast<const uptr*>(fp);
        if (!own_text(frame[1])) {
            w.pc = frame[1];
            w.sp = fp + 16;
            break;
        }
        // Our frames sit close together, each above the last.
        if (frame[0] <= fp || frame[0] - fp > (1u << 20))
            break;
        fp = frame[0];
    }
    return w;
}

enum class WalkEnd { Outermost, Full, Other, NeedsUnwinder };

// The walk by learned rules; cfas[i] gets frame i's CFA (where frame i + 1's return address
// sits, 8 below it) when `cfas` is given.
[[gnu::always_inline]] inline u32 rule_walk(const WalkStart& w, uptr* out, u32 capacity, uptr* cfas, WalkEnd& end)
{
    uptr pc = w.pc, sp = w.sp;
    u32 n = 0;
    end = WalkEnd::Full;
    while (n < capacity) {
        out[n++] = pc;
        u64 rule = find_rule(pc);
        if ((rule >> 33) != RuleConfirmed) {
            end = WalkEnd::NeedsUnwinder;
            return n;
        }
        if (rule & (1ull << 32)) {
            end = WalkEnd::Outermost;
            return n;
        }
        uptr cfa = sp + (rule & 0xffffffffull);
        if (cfa <= sp || cfa > w.top) {
            end = WalkEnd::Other;
            return n;
        }
        if (cfas)
            cfas[n - 1] = cfa;
        pc = *reinterpret_cast<const uptr*>(cfa - 8);
        sp = cfa;
        if (pc < 4096) {
            end = WalkEnd::Other;
            return n;
        }
    }
    return n;
}

// A walk that needed more than the rules: libunwind (which also teaches the table), then the
// frame-pointer walk as the last resort.
[[gnu::noinline]] u32 slow_walk(uptr* out, u32 capacity, uptr fp, uptr low, uptr top)
{
    u32 m = unwind_and_learn(out, capacity);
    if (m > 1)
        return m;
    return capture_stack_from(0, fp, low, top, out, capacity);
}

// The last few clean walks of this thread, by first return address. A walk is a function of
// the first return address, the stack pointer there and the words the rules read: when those
// words still hold the same return addresses, the stack is the same, and so is its depot id,
// so a loop that allocates from one place pays a few loads per frame instead of a rule lookup
// per frame, a hash and a depot probe.
// Two slots per set of return addresses (chosen by a hash of the address), replaced in turn:
// with one slot chosen by address bits, 4 in all, a loop's malloc and free call sites shared
// a slot as often as not (the benchmark's did once a store was added to its loop), evicted
// each other on every call, and every capture walked and hashed its stack: the whole loop
// took a third more instructions. Now two sites that share a set both stay.
constexpr u32 memo_ways = 2;
constexpr u32 memo_sets = 4;
constexpr u32 memo_slots = memo_ways * memo_sets;
constexpr u32 memo_depth = 16;
struct WalkMemo {
    u32 id;
    u32 depth;
    uptr sp;
    uptr pcs[memo_depth];
    uptr cfas[memo_depth];
};
[[gnu::tls_model("initial-exec")]] thread_local WalkMemo t_memo[memo_slots];
[[gnu::tls_model("initial-exec")]] thread_local u8 t_memo_next[memo_sets];  // way to replace next

[[gnu::always_inline]] inline u32 memo_lookup(const WalkMemo& m, const WalkStart& w)
{
    u32 id = __atomic_load_n(&m.id, __ATOMIC_RELAXED);
    if (!id || m.sp != w.sp || m.pcs[0] != w.pc)
        return 0;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    for (u32 i = 1; i < m.depth; ++i)
        if (*reinterpret_cast<const uptr*>(m.cfas[i - 1] - 8) != m.pcs[i])
            return 0;
    return id;
}

void memo_store(WalkMemo& m, const WalkStart& w, const uptr* pcs, const uptr* cfas, u32 depth, u32 id)
{
    // Invalid while rewritten, in case a signal handler on this thread captures a stack too.
    __atomic_store_n(&m.id, 0, __ATOMIC_RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    m.sp = w.sp;
    m.depth = depth;
    for (u32 i = 0; i < depth; ++i) {
        m.pcs[i] = pcs[i];
        m.cfas[i] = cfas[i];
    }
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&m.id, id, __ATOMIC_RELAXED);
}

}  // namespace

u32 capture_stack(uptr* out, u32 capacity)
{
    uptr fp = reinterpret_cast<uptr>(__builtin_frame_address(0));
    WalkStart w = find_walk_start(fp);
    w.top = current_stack_top();
    if (!w.pc)
        return capture_stack_from(0, fp, w.low, w.top, out, capacity);
    WalkEnd end;
    u32 n = rule_walk(w, out, capacity, nullptr, end);
    if (end != WalkEnd::NeedsUnwinder)
        return n;
    return slow_walk(out, capacity, fp, w.low, w.top);
}

namespace {

// A stack the memo did not have: walked by rules (or libunwind), stored, and memoised.
[[gnu::noinline]] u32 walk_and_store(uptr fp, WalkStart w, WalkMemo* memo)
{
    u32 capacity = static_cast<u32>(g_options.max_frames);
    if (capacity > max_stack_frames || capacity == 0)
        capacity = max_stack_frames;
    w.top = current_stack_top();
    uptr frames[max_stack_frames];
    if (!memo)
        return stack_depot_put(frames, capture_stack_from(0, fp, w.low, w.top, frames, capacity));
    uptr cfas[max_stack_frames];
    WalkEnd end;
    u32 n = rule_walk(w, frames, capacity, cfas, end);
    if (end == WalkEnd::NeedsUnwinder)
        return stack_depot_put(frames, slow_walk(frames, capacity, fp, w.low, w.top));
    u32 id = stack_depot_put(frames, n);
    // Only walks whose end the memo replays: the outermost frame's rule, or the frame limit.
    if (id && n <= memo_depth && (end == WalkEnd::Outermost || end == WalkEnd::Full))
        memo_store(*memo, w, frames, cfas, n, id);
    return id;
}

}  // namespace

// The common case (a loop allocating from one place) is a memo hit: a few loads, no arrays.
u32 capture_and_store()
{
    uptr fp = reinterpret_cast<uptr>(__builtin_frame_address(0));
    WalkStart w = find_walk_start(fp);
    if (!w.pc)
        return walk_and_store(fp, w, nullptr);
    u32 set = static_cast<u32>((w.pc * 0x9E3779B97F4A7C15ull) >> 62);
    u32 first = set * memo_ways;
    static_assert(memo_ways == 2 && memo_sets == 4);
    if (u32 id = memo_lookup(t_memo[first], w))
        return id;
    if (u32 id = memo_lookup(t_memo[first + 1], w))
        return id;
    u32 slot = first + t_memo_next[set];
    t_memo_next[set] ^= 1;
    return walk_and_store(fp, w, &t_memo[slot]);
}

}  // namespace ringside::heap::rt
