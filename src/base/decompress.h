// Decompression of xz, zstd and gzip streams, detected by their magic bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/byte_reader.h"
#include "base/result.h"

namespace ringside {

enum class Compression { None, Xz, Zstd, Gzip };

const char* compression_name(Compression compression);  // "none", "xz", "zstd", "gzip"

// By magic bytes only, as kmod does: the extension does not decide.
Compression detect_compression(Bytes bytes);

// A limit on the decompressed size, so that a small hostile file cannot exhaust memory.
// The largest Debian module is far below this.
inline constexpr std::size_t default_decompressed_limit = 512u << 20;

// Decompresses a whole stream. `what` names the input in error messages.
Result<std::vector<std::uint8_t>> decompress(Bytes input, Compression compression, const std::string& what,
    std::size_t limit = default_decompressed_limit);

}  // namespace ringside
