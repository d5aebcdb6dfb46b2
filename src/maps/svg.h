// Pictures for --svg: a process's address space (mappings in address order, coloured by
// kind, sized by log of their size, filled to their resident share) and the system view
// (where MemTotal goes, and which processes hold the memory).
#pragma once

#include <string>
#include <vector>

#include "maps/mem_report.h"
#include "maps/smaps.h"

namespace ringside::maps {

std::string address_space_svg(pid_t pid, const std::string& command, const Smaps& smaps);
std::string system_svg(const std::vector<ProcessMemory>& processes, const SystemMemory& system);

std::string xml_escape(std::string_view text);

}  // namespace ringside::maps
