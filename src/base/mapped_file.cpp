#include "base/mapped_file.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/system_error.h"

namespace ringside {

namespace {

struct FdCloser {
    int fd;
    ~FdCloser()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

}  // namespace

Result<MappedFile> MappedFile::open(const std::string& path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return system_error(path, errno);
    FdCloser closer { fd };
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return system_error(path, errno);
    if (S_ISDIR(st.st_mode))
        return Error { ErrorKind::InvalidArgument, path + ": is a directory" };
    if (!S_ISREG(st.st_mode))
        return Error { ErrorKind::InvalidArgument, path + ": not a regular file" };

    MappedFile file;
    file.m_path = path;
    if (st.st_size == 0)
        return file;
    void* data = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED)
        return system_error(path, errno);
    file.m_data = static_cast<const std::uint8_t*>(data);
    file.m_size = static_cast<std::size_t>(st.st_size);
    return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : m_path(std::move(other.m_path)), m_data(other.m_data), m_size(other.m_size)
{
    other.m_data = nullptr;
    other.m_size = 0;
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept
{
    if (this != &other) {
        if (m_data)
            ::munmap(const_cast<std::uint8_t*>(m_data), m_size);
        m_path = std::move(other.m_path);
        m_data = other.m_data;
        m_size = other.m_size;
        other.m_data = nullptr;
        other.m_size = 0;
    }
    return *this;
}

MappedFile::~MappedFile()
{
    if (m_data)
        ::munmap(const_cast<std::uint8_t*>(m_data), m_size);
}

Result<std::string> read_small_file(const std::string& path, std::size_t limit)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return system_error(path, errno);
    FdCloser closer { fd };
    std::string content;
    char buffer[16384];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return system_error(path, errno);
        }
        if (n == 0)
            break;
        content.append(buffer, static_cast<std::size_t>(n));
        if (content.size() > limit)
            return Error { ErrorKind::TooLarge, path + ": larger than " + std::to_string(limit) + " bytes" };
    }
    return content;
}

}  // namespace ringside
