#include "ring/fault.h"

#include <csignal>
#include <fmt/format.h>

namespace ringside::ring {

namespace {

struct CodeEntry {
    int signal_number;
    int code;
    const char* code_name;
    const char* exception;
    const char* meaning;
};

// The codes the x86 kernel sends for exceptions a probed instruction can raise
// (arch/x86/kernel/traps.c, arch/x86/mm/fault.c).
constexpr CodeEntry code_table[] = {
    { SIGSEGV, SI_KERNEL, "SI_KERNEL", "#GP",
        "general protection fault: the CPU refused the instruction at this privilege level" },
    { SIGSEGV, SEGV_MAPERR, "SEGV_MAPERR", "#PF", "page fault: the address is not mapped" },
    { SIGSEGV, SEGV_ACCERR, "SEGV_ACCERR", "#PF", "page fault: the mapping does not allow this access" },
    { SIGSEGV, SEGV_PKUERR, "SEGV_PKUERR", "#PF", "page fault: a protection key forbids this access" },
    { SIGILL, ILL_ILLOPN, "ILL_ILLOPN", "#UD", "invalid opcode: the CPU does not offer this instruction here" },
    { SIGILL, ILL_ILLOPC, "ILL_ILLOPC", "#UD", "invalid opcode: the CPU does not offer this instruction here" },
    { SIGILL, ILL_PRVOPC, "ILL_PRVOPC", "", "privileged opcode" },
    { SIGILL, ILL_BADSTK, "ILL_BADSTK", "#SS", "stack segment fault" },
    { SIGBUS, BUS_ADRALN, "BUS_ADRALN", "#AC", "alignment check: a misaligned access with AC set" },
    { SIGBUS, BUS_ADRERR, "BUS_ADRERR", "", "bus error: the address has no backing (past the end of a file)" },
    { SIGFPE, FPE_INTDIV, "FPE_INTDIV", "#DE", "divide error" },
    { SIGTRAP, TRAP_BRKPT, "TRAP_BRKPT", "#BP", "breakpoint" },
    { SIGTRAP, TRAP_TRACE, "TRAP_TRACE", "#DB", "single-step trap" },
};

const char* generic_meaning(int signal_number)
{
    switch (signal_number) {
    case SIGSEGV: return "segmentation fault";
    case SIGILL: return "illegal instruction";
    case SIGBUS: return "bus error";
    case SIGFPE: return "arithmetic exception";
    case SIGTRAP: return "trap";
    case SIGALRM: return "no answer in time: the probe was stopped";
    case SIGKILL: return "killed";
    default: return "terminated by a signal";
    }
}

}  // namespace

std::string signal_name(int signal_number)
{
    switch (signal_number) {
    case SIGSEGV: return "SIGSEGV";
    case SIGILL: return "SIGILL";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGTRAP: return "SIGTRAP";
    case SIGALRM: return "SIGALRM";
    case SIGKILL: return "SIGKILL";
    case SIGABRT: return "SIGABRT";
    default: return fmt::format("signal {}", signal_number);
    }
}

FaultExplanation explain_fault(int signal_number, int si_code)
{
    FaultExplanation explanation;
    explanation.signal_name = signal_name(signal_number);
    for (const CodeEntry& entry : code_table) {
        if (entry.signal_number == signal_number && entry.code == si_code) {
            explanation.code_name = entry.code_name;
            explanation.exception = entry.exception;
            explanation.meaning = entry.meaning;
            return explanation;
        }
    }
    explanation.code_name = si_code == SI_USER ? "SI_USER" : fmt::format("{}", si_code);
    explanation.meaning = si_code == SI_USER ? std::string("sent by a process, not raised by the CPU")
                                             : std::string(generic_meaning(signal_number));
    return explanation;
}

}  // namespace ringside::ring
