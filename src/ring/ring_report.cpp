#include "ring/ring_report.h"

namespace ringside::ring {

Result<RingReport> run_ring(const RingRequest& request)
{
#if !defined(__x86_64__)
    (void)request;
    return make_error(ErrorKind::Unsupported, "supports x86-64 only; privilege rings are an x86 idea");
#else
    RingReport report;
    report.architecture = "x86_64";
    report.code_segment = decode_selector(read_code_segment().value_or(0));
    report.settings = read_kernel_settings();
    std::vector<const ProbeSpec*> selected = request.probes;
    if (selected.empty())
        for (const ProbeSpec& spec : probe_specs())
            selected.push_back(&spec);
    for (const ProbeSpec* spec : selected) {
        ChildReport child = run_in_child(*spec, request.timeout_seconds);
        report.probes.push_back(interpret_child(*spec, child, report.settings));
    }
    return report;
#endif
}

}  // namespace ringside::ring
