#include "large_index.h"

namespace ringside::heap::rt {

namespace {

// Two levels over the 47-bit user address space: one leaf per GiB that ever held a large
// block, created on first use (map_pages: our metadata, never scanned as the program's).
constexpr u64 leaf_shift = 30;
constexpr u64 leaf_count = u64(1) << (47 - leaf_shift);
constexpr u64 granules_per_leaf = u64(1) << (leaf_shift - large_granule_shift);

struct Granule {
    std::atomic<uptr> starting;  // the block whose memory begins in this granule
    std::atomic<uptr> covering;  // the block that began before it and reaches into it
};

std::atomic<std::atomic<Granule*>*> g_top { nullptr };

std::atomic<Granule*>* top_level(bool create)
{
    std::atomic<Granule*>* top = g_top.load(std::memory_order_acquire);
    if (top || !create)
        return top;
    auto* fresh = static_cast<std::atomic<Granule*>*>(map_pages(leaf_count * sizeof(std::atomic<Granule*>)));
    if (!fresh)
        return nullptr;
    if (g_top.compare_exchange_strong(top, fresh, std::memory_order_acq_rel))
        return fresh;
    unmap_pages(fresh, leaf_count * sizeof(std::atomic<Granule*>));
    return top;
}

Granule* leaf_for(uptr address, bool create)
{
    u64 index = address >> leaf_shift;
    if (index >= leaf_count)
        return nullptr;
    std::atomic<Granule*>* top = top_level(create);
    if (!top)
        return nullptr;
    Granule* leaf = top[index].load(std::memory_order_acquire);
    if (leaf || !create)
        return leaf;
    auto* fresh = static_cast<Granule*>(map_pages(granules_per_leaf * sizeof(Granule)));
    if (!fresh)
        return nullptr;
    if (top[index].compare_exchange_strong(leaf, fresh, std::memory_order_acq_rel))
        return fresh;
    unmap_pages(fresh, granules_per_leaf * sizeof(Granule));
    return leaf;
}

Granule* granule_of(uptr address, bool create)
{
    Granule* leaf = leaf_for(address, create);
    if (!leaf)
        return nullptr;
    return &leaf[(address >> large_granule_shift) & (granules_per_leaf - 1)];
}

// Writes `value` into every granule of [lo, hi): `starting` for lo's, `covering` for the rest.
// False when a leaf could not be created.
bool set_entries(uptr lo, uptr hi, uptr value, bool create)
{
    uptr first = lo >> large_granule_shift;
    uptr last = (hi - 1) >> large_granule_shift;
    for (uptr g = first; g <= last; ++g) {
        Granule* entry = granule_of(g << large_granule_shift, create);
        if (!entry) {
            if (create)
                return false;
            continue;
        }
        (g == first ? entry->starting : entry->covering).store(value, std::memory_order_release);
    }
    return true;
}

}  // namespace

bool large_index_add(uptr lo, uptr hi, uptr user)
{
    if (!large_index_wants(lo, hi))
        return false;
    if (set_entries(lo, hi, user, true))
        return true;
    set_entries(lo, hi, 0, false);
    return false;
}

void large_index_remove(uptr lo, uptr hi)
{
    if (large_index_wants(lo, hi))
        set_entries(lo, hi, 0, false);
}

void large_index_candidates(uptr address, uptr& starting, uptr& covering)
{
    starting = covering = 0;
    Granule* entry = granule_of(address, false);
    if (!entry)
        return;
    starting = entry->starting.load(std::memory_order_acquire);
    covering = entry->covering.load(std::memory_order_acquire);
}

}  // namespace ringside::heap::rt
