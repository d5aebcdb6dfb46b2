// Signal handling: SIGSEGV/SIGBUS turned into a classified report (NULL page, freed block,
// guard page, pattern-filled pointer, wild address); fatal signals the program leaves at their
// default get the exit report first; a real-time signal asks for a leak report on demand.
#pragma once

namespace ringside::heap::rt {

void install_signal_handlers();
int leak_request_signal();

}  // namespace ringside::heap::rt
