#include "base/decompress.h"

#include <cstring>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

namespace ringside {

namespace {

constexpr std::uint8_t xz_magic[] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };
constexpr std::uint8_t zstd_magic[] = { 0x28, 0xB5, 0x2F, 0xFD };
constexpr std::uint8_t gzip_magic[] = { 0x1F, 0x8B };

template <std::size_t N>
bool starts_with(Bytes bytes, const std::uint8_t (&magic)[N])
{
    return bytes.size() >= N && std::memcmp(bytes.data(), magic, N) == 0;
}

Error too_large(const std::string& what, std::size_t limit)
{
    return Error { ErrorKind::TooLarge,
        what + ": decompresses to more than " + std::to_string(limit >> 20) + " MiB; refusing (possible decompression bomb)" };
}

// Output grows geometrically, capped by the limit.
bool grow(std::vector<std::uint8_t>& out, std::size_t limit)
{
    if (out.size() >= limit)
        return false;
    std::size_t next = out.size() < (1u << 16) ? (1u << 16) : out.size() * 2;
    if (next > limit)
        next = limit;
    out.resize(next);
    return true;
}

Result<std::vector<std::uint8_t>> decompress_xz(Bytes input, const std::string& what, std::size_t limit)
{
    lzma_stream stream = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&stream, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
        return Error { ErrorKind::Internal, what + ": cannot initialise the xz decoder" };
    std::vector<std::uint8_t> out;
    out.resize(input.size() * 4 < limit ? input.size() * 4 + 4096 : limit);
    stream.next_in = input.data();
    stream.avail_in = input.size();
    stream.next_out = out.data();
    stream.avail_out = out.size();
    for (;;) {
        lzma_ret ret = lzma_code(&stream, LZMA_FINISH);
        if (ret == LZMA_STREAM_END)
            break;
        if (ret == LZMA_OK && stream.avail_out == 0) {
            std::size_t used = out.size();
            if (!grow(out, limit)) {
                lzma_end(&stream);
                return too_large(what, limit);
            }
            stream.next_out = out.data() + used;
            stream.avail_out = out.size() - used;
            continue;
        }
        lzma_end(&stream);
        const char* reason = ret == LZMA_DATA_ERROR ? "corrupt data"
            : ret == LZMA_FORMAT_ERROR             ? "not an xz stream"
            : ret == LZMA_BUF_ERROR                ? "stream ends early"
            : ret == LZMA_MEM_ERROR                ? "out of memory"
                                                   : "decoder error";
        return Error { ErrorKind::Malformed, what + ": xz: " + reason + " at input offset "
                + std::to_string(stream.total_in) };
    }
    out.resize(stream.total_out);
    lzma_end(&stream);
    return out;
}

Result<std::vector<std::uint8_t>> decompress_zstd(Bytes input, const std::string& what, std::size_t limit)
{
    ZSTD_DCtx* context = ZSTD_createDCtx();
    if (!context)
        return Error { ErrorKind::Internal, what + ": cannot initialise the zstd decoder" };
    std::vector<std::uint8_t> out;
    unsigned long long announced = ZSTD_getFrameContentSize(input.data(), input.size());
    if (announced != ZSTD_CONTENTSIZE_UNKNOWN && announced != ZSTD_CONTENTSIZE_ERROR) {
        if (announced > limit) {
            ZSTD_freeDCtx(context);
            return too_large(what, limit);
        }
        out.resize(static_cast<std::size_t>(announced) + 1);
    } else {
        out.resize(input.size() * 4 < limit ? input.size() * 4 + 4096 : limit);
    }
    ZSTD_inBuffer in { input.data(), input.size(), 0 };
    ZSTD_outBuffer outbuf { out.data(), out.size(), 0 };
    std::size_t ret = 0;
    for (;;) {
        ret = ZSTD_decompressStream(context, &outbuf, &in);
        if (ZSTD_isError(ret)) {
            std::string reason = ZSTD_getErrorName(ret);
            ZSTD_freeDCtx(context);
            return Error { ErrorKind::Malformed,
                what + ": zstd: " + reason + " at input offset " + std::to_string(in.pos) };
        }
        if (ret == 0 && in.pos == in.size)
            break;  // every frame complete, all input consumed
        if (outbuf.pos == outbuf.size) {
            if (!grow(out, limit)) {
                ZSTD_freeDCtx(context);
                return too_large(what, limit);
            }
            outbuf.dst = out.data();
            outbuf.size = out.size();
            continue;
        }
        if (in.pos == in.size) {
            ZSTD_freeDCtx(context);
            return Error { ErrorKind::Truncated, what + ": zstd: stream ends early" };
        }
    }
    out.resize(outbuf.pos);
    ZSTD_freeDCtx(context);
    return out;
}

Result<std::vector<std::uint8_t>> decompress_gzip(Bytes input, const std::string& what, std::size_t limit)
{
    z_stream stream {};
    if (inflateInit2(&stream, 15 + 32) != Z_OK)  // 32: accept gzip and zlib headers
        return Error { ErrorKind::Internal, what + ": cannot initialise the gzip decoder" };
    std::vector<std::uint8_t> out;
    out.resize(input.size() * 4 < limit ? input.size() * 4 + 4096 : limit);
    // zlib's counters are 32-bit; feed it in chunks it can count.
    std::size_t in_pos = 0;
    std::size_t out_pos = 0;
    for (;;) {
        std::size_t in_chunk = std::min<std::size_t>(input.size() - in_pos, 1u << 30);
        std::size_t out_chunk = std::min<std::size_t>(out.size() - out_pos, 1u << 30);
        stream.next_in = const_cast<Bytef*>(input.data() + in_pos);
        stream.avail_in = static_cast<uInt>(in_chunk);
        stream.next_out = out.data() + out_pos;
        stream.avail_out = static_cast<uInt>(out_chunk);
        int ret = inflate(&stream, Z_NO_FLUSH);
        in_pos += in_chunk - stream.avail_in;
        out_pos += out_chunk - stream.avail_out;
        if (ret == Z_STREAM_END)
            break;
        if (ret == Z_OK || ret == Z_BUF_ERROR) {
            if (out_pos == out.size()) {
                if (!grow(out, limit)) {
                    inflateEnd(&stream);
                    return too_large(what, limit);
                }
                continue;
            }
            if (in_pos == input.size()) {
                inflateEnd(&stream);
                return Error { ErrorKind::Truncated, what + ": gzip: stream ends early" };
            }
            if (ret == Z_OK)
                continue;
        }
        std::string reason = stream.msg ? stream.msg : "corrupt data";
        inflateEnd(&stream);
        return Error { ErrorKind::Malformed, what + ": gzip: " + reason + " at input offset " + std::to_string(in_pos) };
    }
    out.resize(out_pos);
    inflateEnd(&stream);
    return out;
}

}  // namespace

const char* compression_name(Compression compression)
{
    switch (compression) {
    case Compression::None: return "none";
    case Compression::Xz: return "xz";
    case Compression::Zstd: return "zstd";
    case Compression::Gzip: return "gzip";
    }
    return "unknown";
}

Compression detect_compression(Bytes bytes)
{
    if (starts_with(bytes, zstd_magic))
        return Compression::Zstd;
    if (starts_with(bytes, xz_magic))
        return Compression::Xz;
    if (starts_with(bytes, gzip_magic))
        return Compression::Gzip;
    return Compression::None;
}

Result<std::vector<std::uint8_t>> decompress(Bytes input, Compression compression, const std::string& what,
    std::size_t limit)
{
    switch (compression) {
    case Compression::Xz: return decompress_xz(input, what, limit);
    case Compression::Zstd: return decompress_zstd(input, what, limit);
    case Compression::Gzip: return decompress_gzip(input, what, limit);
    case Compression::None: return std::vector<std::uint8_t>(input.begin(), input.end());
    }
    return Error { ErrorKind::Internal, what + ": unknown compression" };
}

}  // namespace ringside
