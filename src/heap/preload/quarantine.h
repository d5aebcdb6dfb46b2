// The quarantine for slab blocks: freed blocks are held back (poisoned) before their slots are
// reused, so writes after free are seen and stale pointers keep pointing at freed memory. Each
// thread fills a batch of its own without locks; full batches join one global FIFO, bounded in
// slot bytes (an eighth of the live slots' bytes, at least 128 KiB, at most --quarantine-mb);
// the thread that pushes past the bound takes the oldest batches out and their slots go back,
// still poisoned, to the caches of the threads that freed them: their poison is verified when
// they are handed out again (allocate_small).
#pragma once

#include "sys.h"

namespace ringside::heap::rt {

// `user` is a slab block already marked Freed and poisoned; `bytes` is its slot's size.
void quarantine_push(uptr user, u64 bytes);
// Live-bytes bookkeeping for the budget (approximate: per-thread deltas, flushed in chunks).
void quarantine_note_live(long delta);
u64 quarantine_live_bytes();

void quarantine_prepare_fork();
void quarantine_after_fork_parent();
void quarantine_after_fork_child();

}  // namespace ringside::heap::rt
