// kmod's output order for modules and symbols is the iteration order of its internal hash
// table: buckets in index order, bucket = SuperFastHash(key) & (buckets - 1), keys inside a
// bucket in strcmp order. Reproducing it is what makes modules.dep and modules.symbols
// byte-identical to kmod's.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace ringside::kmod {

inline constexpr std::uint32_t module_hash_buckets = 512;   // depmod's modules_by_name
inline constexpr std::uint32_t symbol_hash_buckets = 2048;  // depmod's symbols

// Paul Hsieh's SuperFastHash as kmod 30 computes it on x86: 16-bit reads little-endian,
// tail bytes taken as signed char.
std::uint32_t kmod_hash(std::string_view key);

// Sorts `items` into kmod's hash-table iteration order; `key_of(item)` gives the key.
template <typename T, typename KeyOf>
void sort_in_hash_order(std::vector<T>& items, std::uint32_t buckets, KeyOf key_of);

}  // namespace ringside::kmod

#include <algorithm>

template <typename T, typename KeyOf>
void ringside::kmod::sort_in_hash_order(std::vector<T>& items, std::uint32_t buckets, KeyOf key_of)
{
    std::vector<std::pair<std::uint32_t, std::size_t>> order(items.size());
    for (std::size_t i = 0; i < items.size(); i++)
        order[i] = { kmod_hash(key_of(items[i])) & (buckets - 1), i };
    std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
        if (a.first != b.first)
            return a.first < b.first;
        // strcmp order = unsigned byte order
        return key_of(items[a.second]) < key_of(items[b.second]);
    });
    std::vector<T> sorted;
    sorted.reserve(items.size());
    for (const auto& [bucket, index] : order)
        sorted.push_back(std::move(items[index]));
    items = std::move(sorted);
}
