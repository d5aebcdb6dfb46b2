// Start-up and the requests a running program can receive (leak report on demand, growth
// snapshots), polled from the allocation path so that the work runs outside signal context.
#pragma once

#include "sys.h"

namespace ringside::heap::rt {

bool runtime_ready();
void runtime_init();
void poll_requests();
// Set from the leak-request signal handler.
void request_leak_report();
bool own_address(uptr pc);

}  // namespace ringside::heap::rt
