// Checks a byte range an intercepted libc call is about to read or write against the heap
// block it starts in: past the end (heap-overflow), inside a freed block (use-after-free),
// or bytes never written reaching output (uninitialised-read).
#pragma once

#include "sys.h"

namespace ringside::heap::rt {

enum class Access { Read, Write };

// Reports and returns false when [p, p + n) is not inside one live block it starts in.
bool check_range(const void* p, u64 n, Access access, const char* function);
// Reports never-written bytes in [p, p + n) when p lies in a heap block.
void check_initialised(const void* p, u64 n, const char* function);
// Reports an integer argument (printf-family) that is exactly the fill pattern.
void check_value(u64 value, unsigned bytes, const char* function);

}  // namespace ringside::heap::rt
