// libFuzzer target for depmod's on-disk cache: any bytes behind a valid header must give an
// empty cache or a cache that serializes and parses back to as many entries and the same
// last run; encoded module
// facts must decode or fail cleanly. Never a crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kmod/depmod_cache.h"

using ringside::kmod::DepmodCache;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    (void)DepmodCache::decode_facts(bytes);
    (void)DepmodCache::parse(std::string(bytes));
    DepmodCache cache = DepmodCache::parse(DepmodCache::framed(bytes));
    std::string again = cache.serialize();
    DepmodCache back = DepmodCache::parse(again);
    // Entries come out in hash-table order, so compare what a reader sees, not the bytes.
    if (back.size() != cache.size() || back.last_run() != cache.last_run())
        std::abort();
    return 0;
}
