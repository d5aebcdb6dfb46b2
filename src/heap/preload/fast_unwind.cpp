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

u32 capture_stack(uptr* out, u32 capacity)
{
    uptr top = current_stack_top();
    // Our own frames keep frame pointers: walk them to the program's first return address.
    uptr fp = reinterpret_cast<uptr>(__builtin_frame_address(0));
    uptr low = fp;
    uptr pc = 0, sp = 0;
    for (int guard = 0; guard < 32; ++guard) {
        if (fp < low || top < 16 || fp > top - 16 || (fp & 7))
            break;
        const uptr* frame = reinterpret_cast<const uptr*>(fp);
        if (!own_text(frame[1])) {
            pc = frame[1];
            sp = fp + 16;
            break;
        }
        if (frame[0] <= fp)
            break;
        fp = frame[0];
    }
    if (!pc)
        return capture_stack_from(0, reinterpret_cast<uptr>(__builtin_frame_address(0)), low, top, out, capacity);
    u32 n = 0;
    while (n < capacity) {
        out[n++] = pc;
        u64 rule = find_rule(pc);
        if ((rule >> 33) != RuleConfirmed)
            break;
        if (rule & (1ull << 32))
            return n;  // the outermost frame
        uptr cfa = sp + (rule & 0xffffffffull);
        if (cfa <= sp || cfa > top)
            return n;
        pc = *reinterpret_cast<const uptr*>(cfa - 8);
        sp = cfa;
        if (pc < 4096)
            return n;
    }
    if (n == capacity)
        return n;
    // A return address without a confirmed rule: unwind this once with libunwind (which also
    // teaches the table); the frame-pointer walk is the last resort.
    u32 m = unwind_and_learn(out, capacity);
    if (m > 1)
        return m;
    return capture_stack_from(0, reinterpret_cast<uptr>(__builtin_frame_address(0)), low, top, out, capacity);
}

}  // namespace ringside::heap::rt
