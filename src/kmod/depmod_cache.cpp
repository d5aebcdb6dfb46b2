#include "kmod/depmod_cache.h"

#include "base/atomic_file.h"
#include "base/byte_reader.h"
#include "base/mapped_file.h"

namespace ringside::kmod {

namespace {

constexpr std::string_view cache_magic = "RSDEPMC1";
constexpr std::uint32_t cache_version = 1;

std::uint64_t fnv1a(std::string_view bytes)
{
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

class Writer {
public:
    void u8(std::uint8_t v) { m_out.push_back(static_cast<char>(v)); }
    void u32(std::uint32_t v)
    {
        for (int i = 0; i < 4; i++)
            m_out.push_back(static_cast<char>(v >> (8 * i)));
    }
    void u64(std::uint64_t v)
    {
        for (int i = 0; i < 8; i++)
            m_out.push_back(static_cast<char>(v >> (8 * i)));
    }
    void str(std::string_view s)
    {
        u32(static_cast<std::uint32_t>(s.size()));
        m_out.append(s);
    }
    std::string& out() { return m_out; }

private:
    std::string m_out;
};

class Reader {
public:
    explicit Reader(ByteReader r) : m_r(r) {}
    Result<std::uint8_t> u8() { return take<std::uint8_t>(); }
    Result<std::uint32_t> u32() { return take<std::uint32_t>(); }
    Result<std::uint64_t> u64() { return take<std::uint64_t>(); }
    Result<std::string> str()
    {
        std::uint32_t n = TRY(u32());
        Bytes b = TRY(m_r.slice(m_at, n));
        m_at += n;
        return std::string(reinterpret_cast<const char*>(b.data()), b.size());
    }
    // A count must be coverable by the bytes left (each item takes at least `min_size`).
    Result<std::uint32_t> count(std::size_t min_size)
    {
        std::uint32_t n = TRY(u32());
        if (n > (m_r.size() - m_at) / min_size)
            return make_error(ErrorKind::Malformed, "cache: count exceeds the file");
        return n;
    }
    bool at_end() const { return m_at == m_r.size(); }

private:
    template <typename T>
    Result<T> take()
    {
        T v = TRY(m_r.read<T>(m_at, Endian::Little));
        m_at += sizeof(T);
        return v;
    }
    ByteReader m_r;
    std::uint64_t m_at = 0;
};

Result<void> parse_entries(Reader& r, std::unordered_map<std::string, DepmodCache::Entry>& entries);

}  // namespace

DepmodCache DepmodCache::load(const std::string& path)
{
    auto text = read_small_file(path, 1u << 30);
    if (!text)
        return {};
    return parse(*text);
}

std::string DepmodCache::serialize() const
{
    Writer w;
    w.u32(static_cast<std::uint32_t>(m_entries.size()));
    for (const auto& [path, e] : m_entries) {
        w.str(path);
        w.u64(e.key.size);
        w.u64(static_cast<std::uint64_t>(e.key.mtime_ns));
        w.u64(e.key.inode);
        w.u64(e.key.device);
        w.str(e.facts.load_error);
        w.u32(static_cast<std::uint32_t>(e.facts.exports.size()));
        for (const auto& x : e.facts.exports) {
            w.str(x.name);
            w.u64(x.crc);
        }
        w.u32(static_cast<std::uint32_t>(e.facts.needs.size()));
        for (const auto& n : e.facts.needs) {
            w.str(n.name);
            w.u64(n.crc);
            w.u8(n.weak ? 1 : 0);
        }
        w.u32(static_cast<std::uint32_t>(e.facts.modinfo.size()));
        for (const auto& [k, v] : e.facts.modinfo) {
            w.str(k);
            w.str(v);
        }
    }
    std::string payload = std::move(w.out());
    Writer header;
    header.out().append(cache_magic);
    header.u32(cache_version);
    header.u64(fnv1a(payload));
    return header.out() + payload;
}

DepmodCache DepmodCache::parse(std::string_view bytes)
{
    DepmodCache cache;
    std::size_t header = cache_magic.size() + 4 + 8;
    if (bytes.size() < header || bytes.substr(0, cache_magic.size()) != cache_magic)
        return cache;
    ByteReader all({ reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size() }, "depmod cache");
    if (all.u32(cache_magic.size(), Endian::Little).value_or(0) != cache_version)
        return cache;
    std::uint64_t checksum = all.u64(cache_magic.size() + 4, Endian::Little).value_or(0);
    std::string_view payload = bytes.substr(header);
    if (fnv1a(payload) != checksum)
        return cache;
    Reader r(ByteReader({ reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size() }, "depmod cache"));
    if (!parse_entries(r, cache.m_entries) || !r.at_end())
        cache.m_entries.clear();
    return cache;
}

namespace {

Result<void> parse_entries(Reader& r, std::unordered_map<std::string, DepmodCache::Entry>& entries)
{
    std::uint32_t count = TRY(r.count(4 + 32 + 16));
    for (std::uint32_t i = 0; i < count; i++) {
        std::string path = TRY(r.str());
        DepmodCache::Entry e;
        e.key.size = TRY(r.u64());
        e.key.mtime_ns = static_cast<std::int64_t>(TRY(r.u64()));
        e.key.inode = TRY(r.u64());
        e.key.device = TRY(r.u64());
        e.facts.load_error = TRY(r.str());
        std::uint32_t n = TRY(r.count(12));
        for (std::uint32_t k = 0; k < n; k++) {
            std::string name = TRY(r.str());
            e.facts.exports.push_back({ std::move(name), TRY(r.u64()) });
        }
        n = TRY(r.count(13));
        for (std::uint32_t k = 0; k < n; k++) {
            std::string name = TRY(r.str());
            std::uint64_t crc = TRY(r.u64());
            bool weak = TRY(r.u8()) != 0;
            e.facts.needs.push_back({ std::move(name), crc, weak });
        }
        n = TRY(r.count(8));
        for (std::uint32_t k = 0; k < n; k++) {
            std::string key = TRY(r.str());
            std::string value = TRY(r.str());
            e.facts.modinfo.emplace_back(std::move(key), std::move(value));
        }
        entries[std::move(path)] = std::move(e);
    }
    return {};
}

}  // namespace

const ModuleFacts* DepmodCache::find(const std::string& module_path, const CacheKey& key) const
{
    auto it = m_entries.find(module_path);
    if (it == m_entries.end() || !(it->second.key == key))
        return nullptr;
    return &it->second.facts;
}

void DepmodCache::put(const std::string& module_path, const CacheKey& key, ModuleFacts facts)
{
    m_entries[module_path] = Entry { key, std::move(facts) };
}

Result<void> DepmodCache::save(const std::string& path) const
{
    return write_file_atomically(path, serialize());
}

}  // namespace ringside::kmod
