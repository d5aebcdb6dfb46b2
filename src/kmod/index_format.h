// Constants of kmod's binary index format (the *.bin files under /lib/modules/<ver>/):
// a big-endian, path-compressed trie. Shared by the reader and the writer.
#pragma once

#include <cstdint>

namespace ringside::kmod::index_format {

inline constexpr std::uint32_t magic = 0xB007F457;    // "BOOTFAST"
inline constexpr std::uint32_t version = 0x00020001;  // 2.1; readers only check the major
inline constexpr std::uint32_t header_size = 12;      // magic, version, root reference

// A node reference: flags in the top nibble, the absolute file offset below.
inline constexpr std::uint32_t flag_prefix = 0x80000000;
inline constexpr std::uint32_t flag_values = 0x40000000;
inline constexpr std::uint32_t flag_children = 0x20000000;
inline constexpr std::uint32_t offset_mask = 0x0FFFFFFF;

}  // namespace ringside::kmod::index_format
