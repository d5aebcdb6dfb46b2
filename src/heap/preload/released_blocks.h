// Table blocks that have left the quarantine. glibc unmaps a block it had mapped on its own
// (and big blocks have mappings of their own), so a stale pointer into one faults on a hole in
// the address space; without a record, that fault could only be named a wild access. The last
// few hundred released blocks are kept here, with their stacks (still in the depot), so the
// fault handler can say whose memory it was. A record is a hint about the past: the handler
// asks it only after the live and quarantined blocks, none of which holds the address.
#pragma once

#include "chunk_table.h"

namespace ringside::heap::rt {

// Records a freed table block as it goes back to glibc or the kernel.
void released_note(const Chunk& c);
// The most recent released block whose bytes held `address`. Lock-free: the fault handler
// calls it; a record being rewritten meanwhile is skipped.
bool released_find(uptr address, Chunk& out);

}  // namespace ringside::heap::rt
