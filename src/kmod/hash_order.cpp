#include "kmod/hash_order.h"

namespace ringside::kmod {

namespace {

std::uint32_t le16(const char* p)
{
    return static_cast<std::uint32_t>(static_cast<unsigned char>(p[0]))
        | static_cast<std::uint32_t>(static_cast<unsigned char>(p[1])) << 8;
}

// kmod 30 adds the tail byte as a (signed) char; sign extension matters only above 0x7f.
std::uint32_t signed_byte(char c) { return static_cast<std::uint32_t>(static_cast<std::int32_t>(static_cast<signed char>(c))); }

}  // namespace

std::uint32_t kmod_hash(std::string_view key)
{
    auto length = static_cast<std::uint32_t>(key.size());
    std::uint32_t hash = length;
    const char* p = key.data();
    for (std::uint32_t blocks = length / 4; blocks > 0; blocks--, p += 4) {
        hash += le16(p);
        std::uint32_t tmp = (le16(p + 2) << 11) ^ hash;
        hash = (hash << 16) ^ tmp;
        hash += hash >> 11;
    }
    switch (length & 3) {
    case 3:
        hash += le16(p);
        hash ^= hash << 16;
        hash ^= signed_byte(p[2]) << 18;
        hash += hash >> 11;
        break;
    case 2:
        hash += le16(p);
        hash ^= hash << 11;
        hash += hash >> 17;
        break;
    case 1:
        hash += signed_byte(p[0]);
        hash ^= hash << 10;
        hash += hash >> 1;
        break;
    }
    hash ^= hash << 3;
    hash += hash >> 5;
    hash ^= hash << 4;
    hash += hash >> 17;
    hash ^= hash << 25;
    hash += hash >> 6;
    return hash;
}

}  // namespace ringside::kmod
