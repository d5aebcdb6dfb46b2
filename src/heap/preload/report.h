// The report channel: raw facts (error kind, addresses, return addresses, the module map) as
// lines of the wire format (src/heap/wire_format.md), written with write(2) to a descriptor
// opened or duplicated at start-up so a program closing its stdio cannot silence us.
// Symbols, source lines and wording are added later by `ringside check`.
#pragma once

#include "chunk_table.h"
#include "stack_depot.h"

namespace ringside::heap::rt {

struct ErrorReport {
    const char* kind = "";        // one of the wire kinds: heap-overflow, use-after-free, ...
    const char* detail = "";      // a refinement: "write-after-free", "underflow", "null"...
    const char* function = "";    // the intercepted call, when the error was found in one
    uptr address = 0;
    u64 access_size = 0;
    bool has_block = false;
    Chunk block {};
    const char* dealloc = "";     // how the program tried to release it
    const char* symbol = "";      // for frees of globals: the symbol dladdr named
    const uptr* now_frames = nullptr;  // where it happened (captured here when null)
    u32 now_depth = 0;
};

void report_channel_init();
void report_channel_after_fork();
int report_fd();

const char* alloc_kind_name(AllocKind kind);

// Writes one error, unless the error budget is spent. Safe to call with no locks held
// (it takes the report lock and reads /proc/self/maps for the module list).
void report_error(ErrorReport& report);
// A use after free an interceptor has just reported on this thread: when the block is
// inaccessible (parked, or a guard page), the real call then faults on it, and the fault
// handler lets the program die without naming the same error twice.
void note_reported_use_after_free(uptr block_user);
bool use_after_free_just_reported(uptr block_user);

// Leak and summary records come in batches under one lock (leak_scan.cpp).
struct ReportBatch {
    ReportBatch(bool in_signal);
    ~ReportBatch();
    void leak(const char* detail, u32 stack, u64 blocks, u64 bytes);
    void summary(u64 live_blocks, u64 live_bytes, u64 reachable_blocks, u64 reachable_bytes,
        u64 total_allocs, u64 total_frees, u64 total_bytes);
    void growth(u64 time_ms, u32 stack, u64 blocks, u64 bytes);
    void marker(const char* what, u64 value);

private:
    bool m_locked;
};

u64 errors_reported();

}  // namespace ringside::heap::rt
