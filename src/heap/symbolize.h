// Turning return addresses into function, file and line with elfutils libdw, per process,
// from the module map the preload library recorded (the process may be gone by now).
#pragma once

#include "heap/wire.h"

namespace ringside::heap {

// Fills Stack::frames of every error (and nothing else) in the log.
void symbolize(WireLog& log);

}  // namespace ringside::heap
