// Running a program under the preload library: a fresh wire file, LD_PRELOAD and
// RINGSIDE_HEAP_OPTIONS set for the child only, signals forwarded, the wire read back.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace ringside::heap {

struct RunRequest {
    std::vector<std::string> command;   // program and its arguments
    std::string options;                // RINGSIDE_HEAP_OPTIONS without log=
    std::string library;                // the preload library; found when empty
};

struct RunOutcome {
    int exit_status = 0;  // exit code, or 128 + signal
    int signal = 0;
    std::string wire;     // everything the preload library wrote
};

// The preload library: $RINGSIDE_HEAP_LIBRARY, beside the executable, the install location,
// then the build tree.
Result<std::string> find_preload_library();

Result<RunOutcome> run_checked(const RunRequest& request);

}  // namespace ringside::heap
