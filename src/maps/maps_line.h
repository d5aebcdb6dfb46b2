// One line of /proc/PID/maps (also the header line of each smaps entry):
//   start-end perms offset major:minor inode    name
// The name is everything after the padded inode column: it may contain spaces, a newline
// appears as the four characters "\012", and an unlinked file ends in " (deleted)".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ringside::maps {

struct MapsLine {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    char perms[4] = { '-', '-', '-', 'p' };  // r w x and s (shared) or p (private)
    std::uint64_t offset = 0;
    std::uint32_t dev_major = 0;
    std::uint32_t dev_minor = 0;
    std::uint64_t inode = 0;
    std::string_view name;  // as the kernel printed it (escapes kept), may be empty

    std::uint64_t size() const { return end - start; }
    bool is_shared() const { return perms[3] == 's'; }
    bool is_writable() const { return perms[1] == 'w'; }
    std::string_view perms_text() const { return { perms, 4 }; }
};

// Parses one line (without its '\n'). Malformed when a column is missing or out of range.
Result<MapsLine> parse_maps_line(std::string_view line);

// The name with the kernel's "\012" turned back into a newline (the only escape seq_path
// applies to mapping names).
std::string decode_mapping_name(std::string_view name);

}  // namespace ringside::maps
