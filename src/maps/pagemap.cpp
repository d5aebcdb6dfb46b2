#include "maps/pagemap.h"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <unistd.h>

#include "base/system_error.h"

namespace ringside::maps {

Result<std::vector<PageEntry>> decode_pagemap(Bytes bytes)
{
    ByteReader reader(bytes, "pagemap");
    if (bytes.size() % 8 != 0)
        return Error { ErrorKind::Malformed, "pagemap: " + std::to_string(bytes.size()) + " bytes is not a whole number of entries" };
    std::vector<PageEntry> entries(bytes.size() / 8);
    for (std::size_t i = 0; i < entries.size(); ++i)
        entries[i].raw = TRY(reader.u64(i * 8, Endian::Little));
    return entries;
}

Result<std::vector<PageEntry>> read_pagemap(const ProcDir& dir, std::uint64_t start, std::uint64_t end)
{
    const std::uint64_t page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    std::string path = "/proc/" + std::to_string(dir.pid()) + "/pagemap";
    int fd = TRY(dir.open_file("pagemap"));
    std::uint64_t count = (end - start) / page;
    std::vector<std::uint8_t> bytes(count * 8);
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(start / page * 8 + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int saved = errno;
            ::close(fd);
            if (n == 0)
                return Error { ErrorKind::NotFound, path + ": process exited" };
            return system_error(path, saved);
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return decode_pagemap(Bytes(bytes.data(), bytes.size()));
}

}  // namespace ringside::maps
