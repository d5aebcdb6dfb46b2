// Runs one probe in a forked child, so that the fault a privileged instruction raises ends
// only the child. The child reports through a pipe: the values on success, or the signal
// and si_code its handler received (which a wait status alone would not carry).
#pragma once

#include <string>

#include "ring/probes.h"

namespace ringside::ring {

enum class ChildOutcome {
    Allowed,     // the instruction ran and the child reported its values
    Faulted,     // the child's handler caught a signal
    NotRun,      // the setup step was refused (errno in setup_errno)
    Died,        // the child ended without a report (status in died_signal / exit code)
};

struct ChildReport {
    ChildOutcome outcome = ChildOutcome::Died;
    ProbeValues values;
    int signal_number = 0;
    int si_code = 0;
    std::uint64_t fault_address = 0;
    int setup_errno = 0;
    int died_signal = 0;      // when the child was killed without reporting (SIGALRM: timeout)
    int died_exit_code = -1;
    std::string launch_error;  // fork or pipe failed
};

ChildReport run_in_child(const ProbeSpec& spec, unsigned timeout_seconds = 2);

}  // namespace ringside::ring
