// `ringside ring` as a library call: parse the request, probe, return the data.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "ring/child.h"
#include "ring/fault.h"
#include "ring/probes.h"
#include "ring/selector.h"
#include "ring/settings.h"

namespace ringside::ring {

struct RingRequest {
    bool json = false;
    bool help = false;
    bool list = false;                      // print the probe names and stop
    std::vector<const ProbeSpec*> probes;   // empty: all of them
    unsigned timeout_seconds = 2;
};

// argv after the tool name. Errors are InvalidArgument with a one-line message.
Result<RingRequest> parse_ring_arguments(const std::vector<std::string>& arguments);

enum class ProbeOutcome { Allowed, Faulted, NotRun, Died };

struct ProbeResult {
    const ProbeSpec* spec = nullptr;
    ProbeOutcome outcome = ProbeOutcome::Died;
    std::string value;                        // formatted, when allowed
    std::optional<FaultExplanation> fault;    // when faulted or died by a signal
    int signal_number = 0;
    int si_code = 0;
    std::string reason;                       // one line: why it went this way
};

struct RingReport {
    std::string architecture;
    SegmentSelector code_segment;
    KernelSettings settings;
    std::vector<ProbeResult> probes;
};

// The report for the running machine; Unsupported off x86-64.
Result<RingReport> run_ring(const RingRequest& request);

// The one-line reason for a probe's outcome under the given settings (pure; unit-tested).
std::string explain_outcome(const ProbeSpec& spec, const ProbeResult& result, const KernelSettings& settings);

// Turns what the child reported into a result (pure apart from the spec's value format).
ProbeResult interpret_child(const ProbeSpec& spec, const ChildReport& report, const KernelSettings& settings);

const char* probe_outcome_name(ProbeOutcome outcome);

}  // namespace ringside::ring
