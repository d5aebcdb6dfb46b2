// /proc/PID/pagemap: one 64-bit entry per virtual page. Bit 63 present, 62 swapped, 61 file
// page or shared anonymous, 56 exclusively mapped, bits 0-54 the page frame number (zero
// unless the reader has CAP_SYS_ADMIN). Used to find private pages still shared after fork.
#pragma once

#include <cstdint>
#include <vector>

#include "base/byte_reader.h"
#include "base/result.h"
#include "maps/proc_file.h"

namespace ringside::maps {

struct PageEntry {
    std::uint64_t raw = 0;
    bool present() const { return raw >> 63 & 1; }
    bool swapped() const { return raw >> 62 & 1; }
    bool file_or_shared() const { return raw >> 61 & 1; }
    bool exclusive() const { return raw >> 56 & 1; }
    std::uint64_t frame() const { return raw & ((1ull << 55) - 1); }
};

// Decodes pagemap bytes (little-endian 64-bit entries) through ByteReader.
Result<std::vector<PageEntry>> decode_pagemap(Bytes bytes);

// Reads the entries for [start, end) of the process.
Result<std::vector<PageEntry>> read_pagemap(const ProcDir& dir, std::uint64_t start, std::uint64_t end);

}  // namespace ringside::maps
