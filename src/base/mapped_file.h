// A read-only view of a whole file: mmap for regular files (zero copy), nothing else.
#pragma once

#include <cstdint>
#include <string>

#include "base/byte_reader.h"
#include "base/result.h"

namespace ringside {

class MappedFile {
public:
    // Fails with a clear message for directories, special files and unreadable paths.
    // An empty file maps to an empty view (callers decide whether that is an error).
    static Result<MappedFile> open(const std::string& path);

    MappedFile() = default;
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    Bytes bytes() const { return { m_data, m_size }; }
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    const std::uint8_t* m_data = nullptr;
    std::size_t m_size = 0;
};

// Reads a (small) file, including /proc and /sys files whose size stat() does not know.
Result<std::string> read_small_file(const std::string& path, std::size_t limit = 64u << 20);

}  // namespace ringside
