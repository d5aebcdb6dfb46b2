// The two views of a RingReport: a text report (tables) and the JSON document.
#pragma once

#include <string>

#include "base/json.h"
#include "ring/ring_report.h"

namespace ringside::ring {

std::string ring_text(const RingReport& report);
Json ring_json(const RingReport& report);

// `ringside ring --help`, including why rings 1 and 2 go unused and what a hypervisor changes.
std::string ring_help_text();

// `ringside ring --list`: one probe per line, name and what it does.
std::string probe_list_text();

}  // namespace ringside::ring
