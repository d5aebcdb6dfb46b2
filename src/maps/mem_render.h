// Text and JSON for the mem views. Sizes are computed in kB and shown in kB, with K/M/G
// abbreviations (-k) or as a percentage of MemTotal (-p); JSON always carries bytes.
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "maps/mem_report.h"

namespace ringside::maps {

enum class SizeUnit { Kilobytes, Abbreviated, Percent };

struct MemRenderOptions {
    SizeUnit unit = SizeUnit::Kilobytes;
    std::uint64_t mem_total_kb = 0;   // for percentages
    std::string sort_key = "pss";
    bool reverse = false;
    bool totals = false;
    bool header = true;
};

std::string format_size(std::uint64_t kb, const MemRenderOptions& options);

// Sorts in place by options.sort_key (smem's default: ascending PSS, the largest last).
// False for an unknown key.
bool sort_processes(std::vector<ProcessMemory>& processes, const std::string& key, bool reverse);
bool sort_users(std::vector<UserMemory>& users, const std::string& key, bool reverse);
bool sort_mappings(std::vector<MappingMemory>& mappings, const std::string& key, bool reverse);

std::string render_processes(const std::vector<ProcessMemory>& processes, const MemRenderOptions& options);
std::string render_users(const std::vector<UserMemory>& users, const MemRenderOptions& options);
std::string render_mappings(const std::vector<MappingMemory>& mappings, const MemRenderOptions& options);
std::string render_system(const SystemMemory& system, const MemRenderOptions& options);

Json processes_json(const std::vector<ProcessMemory>& processes);
Json users_json(const std::vector<UserMemory>& users);
Json mappings_json(const std::vector<MappingMemory>& mappings);
Json system_json(const SystemMemory& system);
Json skipped_json(const std::vector<SkippedProcess>& skipped);

}  // namespace ringside::maps
