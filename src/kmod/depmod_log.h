// Messages depmod reports while it works. The library never prints: it hands each message to
// the caller's sink, which the command line prints as "depmod: WARNING: ..." like kmod.
#pragma once

#include <functional>
#include <string>

namespace ringside::kmod {

// Severities in kmod's order; kmod prints a message when its level <= the verbosity
// (default Warning; each -v adds one).
// Show is what kmod prints on stdout with -v (the "needs" lines), not a log line.
enum class DepmodLevel { Fatal = 2, Error = 3, Warning = 4, Show = 5, Info = 6 };

const char* depmod_level_name(DepmodLevel level);  // "FATAL", "ERROR", ...

using DepmodLog = std::function<void(DepmodLevel, const std::string&)>;

}  // namespace ringside::kmod
