// The small per-process files next to the maps: status (owner, name, cheap RSS), stat
// (state, start of the stack) and cmdline.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "base/result.h"

namespace ringside::maps {

struct ProcessStatus {
    std::string name;          // comm, as status escapes it
    pid_t tgid = 0;
    pid_t ppid = 0;
    uid_t uid = 0;             // real uid
    std::uint64_t vm_rss_kb = 0;
    std::uint64_t vm_swap_kb = 0;
    bool has_mm = false;       // kernel threads have no VmRSS line
};

Result<ProcessStatus> parse_status(std::string_view text);

struct ProcessStat {
    std::string comm;
    char state = '?';
    std::uint64_t start_stack = 0;
};

Result<ProcessStat> parse_stat(std::string_view text);

// cmdline's NUL-separated arguments joined by spaces (what smem and ps show).
std::string join_cmdline(std::string_view raw);

// How procps' libproc2 shows a command line in pmap's "PID:   cmdline" header: arguments
// joined by spaces, newlines as spaces, control characters and bytes the locale cannot show
// replaced ('?' in a UTF-8 locale; '.' for controls and '?' for other bytes otherwise);
// "[comm]" when the cmdline is empty, with " <defunct>" for a zombie.
std::string procps_cmdline(std::string_view raw, const ProcessStat& stat, bool utf8_locale);

// Replaces invalid multibyte sequences the way pmap does with mblen(): each bad byte is '?'.
std::string procps_printable_name(std::string_view name, bool utf8_locale);

// Whether LC_CTYPE (from the environment) is UTF-8; decided once.
bool locale_is_utf8();

}  // namespace ringside::maps
