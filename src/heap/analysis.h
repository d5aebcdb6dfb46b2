// From a parsed, symbolised wire log to the report a user reads: suppressed errors removed,
// identical errors (same kind, same stacks) merged with a count, in the order they happened.
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "heap/suppressions.h"
#include "heap/wire.h"

namespace ringside::heap {

struct GrowthSite {
    std::string process;
    std::vector<Frame> frames;
    uint64_t first_bytes = 0;
    uint64_t last_bytes = 0;
    size_t samples = 0;
};

struct CheckReport {
    std::vector<HeapError> errors;   // after suppressions and merging
    // Blocks still reachable at exit, one group per allocation stack (--show-reachable): listed
    // like Valgrind's loss records, smallest first, but not errors.
    std::vector<HeapError> reachable;
    size_t suppressed = 0;
    std::vector<Process> processes;
    std::vector<GrowthSite> growth;  // sites whose live bytes grew in every snapshot
    std::vector<std::string> command;
    int exit_status = 0;             // of the checked program (128 + signal when killed)
    int signal = 0;
};

// Resolve: stacks are symbolised from the modules the log names (reads those files). Keep: the
// frames already in the log are used as they are (tests, fuzzing).
enum class Symbols { Resolve, Keep };

CheckReport analyse(WireLog log, const std::vector<Suppression>& suppressions, Symbols symbols = Symbols::Resolve);

// One paragraph per error, like Valgrind's, each line prefixed "==PID==".
std::string render_text(const CheckReport& report);
// tool: the subcommand whose document this is ("check", or "leaks" for a report on demand).
Json render_json(const CheckReport& report, const std::string& tool = "check");
Json render_sarif(const CheckReport& report);

// The one-line description of an error ("Invalid free: ... ").
std::string describe(const HeapError& error);

}  // namespace ringside::heap
