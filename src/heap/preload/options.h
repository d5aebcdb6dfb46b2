// The parsed settings (options.inc) as plain globals, filled once at start-up.
#pragma once

#include "sys.h"

namespace ringside::heap::rt {

using str = const char*;

struct Options {
#define HEAP_OPTION(type, name, value, help) type name = value;
#include "options.inc"
#undef HEAP_OPTION
};

extern Options g_options;

// Parses "a=1:b=0:log=/x" in place of the environment string (never allocates; the log path is
// copied into static storage).
void parse_options(const char* text);

}  // namespace ringside::heap::rt
