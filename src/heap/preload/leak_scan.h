// The conservative leak scan: every word of the roots (writable data of loaded objects, every
// known thread's stack, the current registers) that points into a live block marks it
// reachable, and so on through the blocks it points to. What is left is lost: "definite" when
// nothing lost points to it, "indirect" when only other lost blocks do.
#pragma once

namespace ringside::heap::rt {

enum class ScanContext { Normal, Signal };

// Writes the leak records and the heap summary. False when the locks could not be taken
// (signal context interrupting our own allocator).
bool leak_check(ScanContext context, const char* reason);

// Set by a signal handler running on the alternate stack: where the interrupted thread's stack
// pointer was, so dead frames below it are not taken for roots.
void set_interrupted_stack(unsigned long sp);

// Live bytes per allocation site, for --growth.
void growth_snapshot(unsigned long long time_ms);

}  // namespace ringside::heap::rt
