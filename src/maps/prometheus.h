// The mem figures in the Prometheus text exposition format, for node_exporter's textfile
// collector (a *.prom file written atomically into its directory) or any scraper.
#pragma once

#include <string>
#include <vector>

#include "maps/mem_report.h"

namespace ringside::maps {

std::string prometheus_text(const std::vector<ProcessMemory>& processes, const std::vector<SkippedProcess>& skipped,
    const SystemMemory* system);

// A label value with \ " and newline escaped as the format requires.
std::string prometheus_label(std::string_view value);

}  // namespace ringside::maps
