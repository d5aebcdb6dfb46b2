// ByteReader: the one bounds-checked way to read untrusted bytes (ELF files, index files,
// signatures). Every offset computation that touches file data goes through slice().
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "base/result.h"

namespace ringside {

enum class Endian { Little, Big };

using Bytes = std::span<const std::uint8_t>;

class ByteReader {
public:
    ByteReader() = default;
    ByteReader(Bytes bytes, std::string_view what) : m_bytes(bytes), m_what(what) {}

    std::size_t size() const { return m_bytes.size(); }
    Bytes bytes() const { return m_bytes; }

    // offset + size may neither wrap around nor pass the end.
    Result<Bytes> slice(std::uint64_t offset, std::uint64_t size) const
    {
        std::uint64_t end = 0;
        if (__builtin_add_overflow(offset, size, &end) || end > m_bytes.size())
            return truncated(offset, size);
        return m_bytes.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(size));
    }

    Result<ByteReader> sub_reader(std::uint64_t offset, std::uint64_t size, std::string_view what) const
    {
        Bytes bytes = TRY(slice(offset, size));
        return ByteReader(bytes, what);
    }

    template <typename T>
    Result<T> read(std::uint64_t offset, Endian endian) const
    {
        static_assert(std::is_integral_v<T>);
        Bytes bytes = TRY(slice(offset, sizeof(T)));
        T value;
        std::memcpy(&value, bytes.data(), sizeof(T));  // unaligned-safe; no struct casts
        bool native_order = (endian == Endian::Little) == (std::endian::native == std::endian::little);
        return native_order ? value : swap_bytes(value);
    }

    Result<std::uint8_t> u8(std::uint64_t offset) const { return read<std::uint8_t>(offset, Endian::Little); }
    Result<std::uint16_t> u16(std::uint64_t offset, Endian e) const { return read<std::uint16_t>(offset, e); }
    Result<std::uint32_t> u32(std::uint64_t offset, Endian e) const { return read<std::uint32_t>(offset, e); }
    Result<std::uint64_t> u64(std::uint64_t offset, Endian e) const { return read<std::uint64_t>(offset, e); }

    // A NUL-terminated string that starts at offset and must end before `limit`
    // (an offset into this reader; defaults to the end).
    Result<std::string_view> c_string(std::uint64_t offset, std::uint64_t limit = UINT64_MAX) const
    {
        if (limit > m_bytes.size())
            limit = m_bytes.size();
        if (offset > limit)
            return truncated(offset, 1);
        Bytes bytes = TRY(slice(offset, limit - offset));
        const void* nul = std::memchr(bytes.data(), 0, bytes.size());
        if (!nul)
            return Error { ErrorKind::Malformed,
                std::string(m_what) + ": string at offset " + std::to_string(offset) + " has no terminating NUL" };
        auto length = static_cast<const std::uint8_t*>(nul) - bytes.data();
        return std::string_view(reinterpret_cast<const char*>(bytes.data()), static_cast<std::size_t>(length));
    }

    std::string_view what() const { return m_what; }

    template <typename T>
    static T swap_bytes(T v)
    {
        if constexpr (sizeof(T) == 1)
            return v;
        else if constexpr (sizeof(T) == 2)
            return static_cast<T>(__builtin_bswap16(static_cast<std::uint16_t>(v)));
        else if constexpr (sizeof(T) == 4)
            return static_cast<T>(__builtin_bswap32(static_cast<std::uint32_t>(v)));
        else
            return static_cast<T>(__builtin_bswap64(static_cast<std::uint64_t>(v)));
    }

private:
    Error truncated(std::uint64_t offset, std::uint64_t size) const
    {
        return Error { ErrorKind::Truncated,
            std::string(m_what) + ": " + std::to_string(size) + " bytes at offset " + std::to_string(offset)
                + " run past the end (" + std::to_string(m_bytes.size()) + " bytes)" };
    }

    Bytes m_bytes;
    std::string_view m_what;
};

}  // namespace ringside
