#include "base/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

#include "base/system_error.h"

namespace ringside {

Result<void> write_file_atomically(const std::string& path, std::string_view content, unsigned mode,
    Durability durability)
{
    std::string temporary = path + ".ringside-tmp." + std::to_string(::getpid());
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return system_error(temporary, errno);
    std::size_t written = 0;
    while (written < content.size()) {
        ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int saved = errno;
            ::close(fd);
            ::unlink(temporary.c_str());
            return system_error(temporary, saved);
        }
        written += static_cast<std::size_t>(n);
    }
    int failed = durability == Durability::Synced && ::fsync(fd) != 0 ? errno : 0;
    if (::close(fd) != 0 && !failed)
        failed = errno;
    if (failed) {
        ::unlink(temporary.c_str());
        return system_error(temporary, failed);
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        int saved = errno;
        ::unlink(temporary.c_str());
        return system_error(path, saved);
    }
    return {};
}

namespace {

constexpr std::size_t writer_buffer = 1u << 20;

Result<void> write_fully(int fd, std::string_view bytes, const std::string& what)
{
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return system_error(what, errno);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

}  // namespace

Result<AtomicFileWriter> AtomicFileWriter::create(const std::string& path, unsigned mode)
{
    std::string temporary = path + ".ringside-tmp." + std::to_string(::getpid());
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return system_error(temporary, errno);
    return AtomicFileWriter(path, std::move(temporary), fd);
}

AtomicFileWriter::AtomicFileWriter(std::string path, std::string temporary, int fd)
    : m_path(std::move(path)), m_temporary(std::move(temporary)), m_fd(fd)
{
    m_buffer.reserve(writer_buffer);
}

AtomicFileWriter::AtomicFileWriter(AtomicFileWriter&& other) noexcept
    : m_path(std::move(other.m_path)), m_temporary(std::move(other.m_temporary)), m_fd(other.m_fd),
      m_buffer(std::move(other.m_buffer)), m_flushed(other.m_flushed)
{
    other.m_fd = -1;
}

AtomicFileWriter::~AtomicFileWriter()
{
    if (m_fd >= 0) {
        ::close(m_fd);
        ::unlink(m_temporary.c_str());
    }
}

Result<void> AtomicFileWriter::flush()
{
    TRY_VOID(write_fully(m_fd, m_buffer, m_temporary));
    m_flushed += m_buffer.size();
    m_buffer.clear();
    return {};
}

Result<void> AtomicFileWriter::write(std::string_view bytes)
{
    if (m_buffer.size() + bytes.size() > writer_buffer)
        TRY_VOID(flush());
    if (bytes.size() >= writer_buffer) {
        TRY_VOID(write_fully(m_fd, bytes, m_temporary));
        m_flushed += bytes.size();
        return {};
    }
    m_buffer.append(bytes);
    return {};
}

Result<void> AtomicFileWriter::write_at(std::uint64_t offset, std::string_view bytes)
{
    TRY_VOID(flush());
    if (offset + bytes.size() > m_flushed)
        return Error { ErrorKind::InvalidArgument, m_temporary + ": write past the end of what was written" };
    while (!bytes.empty()) {
        ssize_t n = ::pwrite(m_fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return system_error(m_temporary, errno);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
    }
    return {};
}

Result<void> AtomicFileWriter::commit(Durability durability)
{
    TRY_VOID(flush());
    int fd = m_fd;
    m_fd = -1;
    int failed = durability == Durability::Synced && ::fsync(fd) != 0 ? errno : 0;
    if (::close(fd) != 0 && !failed)
        failed = errno;
    if (failed) {
        ::unlink(m_temporary.c_str());
        return system_error(m_temporary, failed);
    }
    if (::rename(m_temporary.c_str(), m_path.c_str()) != 0) {
        int saved = errno;
        ::unlink(m_temporary.c_str());
        return system_error(m_path, saved);
    }
    return {};
}

}  // namespace ringside
