#include "block_index.h"

namespace ringside::heap::rt {

namespace {

// Two levels of tables over the 47-bit user address space: one leaf per GiB that ever held a
// registered block, created on first use (map_pages: our metadata, never scanned as the
// program's). A leaf of the fine level reserves 64 MiB; only the pages under registered
// blocks are touched (16 bytes per 256-byte granule).
constexpr u64 leaf_shift = 30;
constexpr u64 leaf_count = u64(1) << (47 - leaf_shift);

struct Granule {
    std::atomic<uptr> starting;  // the block whose memory begins in this granule
    std::atomic<uptr> covering;  // the block that began before it and reaches into it
};

struct Level {
    u64 granule_shift;
    std::atomic<std::atomic<Granule*>*> top { nullptr };

    u64 granules_per_leaf() const { return u64(1) << (leaf_shift - granule_shift); }
};

Level g_coarse { coarse_granule_shift };
Level g_fine { fine_granule_shift };

Level& level_for(uptr lo, uptr hi) { return hi - lo > (u64(1) << coarse_granule_shift) ? g_coarse : g_fine; }

std::atomic<Granule*>* top_level(Level& level, bool create)
{
    std::atomic<Granule*>* top = level.top.load(std::memory_order_acquire);
    if (top || !create)
        return top;
    auto* fresh = static_cast<std::atomic<Granule*>*>(map_pages(leaf_count * sizeof(std::atomic<Granule*>)));
    if (!fresh)
        return nullptr;
    if (level.top.compare_exchange_strong(top, fresh, std::memory_order_acq_rel))
        return fresh;
    unmap_pages(fresh, leaf_count * sizeof(std::atomic<Granule*>));
    return top;
}

Granule* leaf_for(Level& level, uptr address, bool create)
{
    u64 index = address >> leaf_shift;
    if (index >= leaf_count)
        return nullptr;
    std::atomic<Granule*>* top = top_level(level, create);
    if (!top)
        return nullptr;
    Granule* leaf = top[index].load(std::memory_order_acquire);
    if (leaf || !create)
        return leaf;
    u64 bytes = level.granules_per_leaf() * sizeof(Granule);
    auto* fresh = static_cast<Granule*>(map_pages(bytes));
    if (!fresh)
        return nullptr;
    if (top[index].compare_exchange_strong(leaf, fresh, std::memory_order_acq_rel))
        return fresh;
    unmap_pages(fresh, bytes);
    return leaf;
}

Granule* granule_of(Level& level, uptr address, bool create)
{
    Granule* leaf = leaf_for(level, address, create);
    if (!leaf)
        return nullptr;
    return &leaf[(address >> level.granule_shift) & (level.granules_per_leaf() - 1)];
}

// Writes `value` into every granule of [lo, hi): `starting` for lo's, `covering` for the rest.
// False when a leaf could not be created.
bool set_entries(Level& level, uptr lo, uptr hi, uptr value, bool create)
{
    uptr first = lo >> level.granule_shift;
    uptr last = (hi - 1) >> level.granule_shift;
    for (uptr g = first; g <= last; ++g) {
        Granule* entry = granule_of(level, g << level.granule_shift, create);
        if (!entry) {
            if (create)
                return false;
            continue;
        }
        (g == first ? entry->starting : entry->covering).store(value, std::memory_order_release);
    }
    return true;
}

void read_entries(Level& level, uptr address, uptr& starting, uptr& covering)
{
    Granule* entry = granule_of(level, address, false);
    if (!entry)
        return;
    starting = entry->starting.load(std::memory_order_acquire);
    covering = entry->covering.load(std::memory_order_acquire);
}

}  // namespace

bool block_index_add(uptr lo, uptr hi, uptr user)
{
    if (!block_index_wants(lo, hi))
        return false;
    Level& level = level_for(lo, hi);
    if (set_entries(level, lo, hi, user, true))
        return true;
    set_entries(level, lo, hi, 0, false);
    return false;
}

void block_index_remove(uptr lo, uptr hi)
{
    if (block_index_wants(lo, hi))
        set_entries(level_for(lo, hi), lo, hi, 0, false);
}

BlockCandidates block_index_candidates(uptr address)
{
    BlockCandidates c;
    read_entries(g_coarse, address, c.coarse_starting, c.coarse_covering);
    read_entries(g_fine, address, c.fine_starting, c.fine_covering);
    return c;
}

}  // namespace ringside::heap::rt
