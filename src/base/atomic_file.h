// Writing files so that nothing is lost: write to a temporary name in the target directory,
// fsync, then rename into place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ringside {


enum class Durability {
    Synced,    // fsync before the rename: after a crash, the old file or the complete new one
    Unsynced,  // no fsync: for caches, which are checked on reading and only cost time when lost
};

// The same for content produced piece by piece (too large to build in memory first): bytes
// are buffered and written to a temporary file in the target's directory; commit() renames
// it into place, and a writer destroyed without commit() removes it.
class AtomicFileWriter {
public:
    static Result<AtomicFileWriter> create(const std::string& path, unsigned mode = 0644);

    AtomicFileWriter(AtomicFileWriter&& other) noexcept;
    AtomicFileWriter& operator=(AtomicFileWriter&&) = delete;
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    ~AtomicFileWriter();

    Result<void> write(std::string_view bytes);
    std::uint64_t size() const { return m_flushed + m_buffer.size(); }
    // Overwrites bytes already written (e.g. a header whose checksum is known only at the end).
    Result<void> write_at(std::uint64_t offset, std::string_view bytes);
    Result<void> commit(Durability durability = Durability::Synced);

private:
    AtomicFileWriter(std::string path, std::string temporary, int fd);
    Result<void> flush();

    std::string m_path, m_temporary;
    int m_fd = -1;
    std::string m_buffer;
    std::uint64_t m_flushed = 0;
};

// Writes `content` to `path` atomically: readers see the old file or the new one, never a mix.
Result<void> write_file_atomically(const std::string& path, std::string_view content, unsigned mode = 0644,
    Durability durability = Durability::Synced);

}  // namespace ringside
