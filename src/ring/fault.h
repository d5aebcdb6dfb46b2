// What a signal from a probed instruction means. The kernel turns each CPU exception into a
// signal and an si_code: a general protection fault (#GP, what a privileged instruction
// raises at CPL 3) arrives as SIGSEGV with si_code SI_KERNEL, an invalid opcode (#UD) as
// SIGILL, a page fault as SIGSEGV with SEGV_MAPERR or SEGV_ACCERR.
#pragma once

#include <string>

namespace ringside::ring {

struct FaultExplanation {
    std::string signal_name;   // "SIGSEGV"
    std::string code_name;     // "SI_KERNEL"
    std::string exception;     // "#GP" when the CPU exception is known, else ""
    std::string meaning;       // "general protection fault: ..."
};

FaultExplanation explain_fault(int signal_number, int si_code);

// "SIGSEGV", or "signal 63" for numbers without a name.
std::string signal_name(int signal_number);

}  // namespace ringside::ring
