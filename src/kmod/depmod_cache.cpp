#include "kmod/depmod_cache.h"

#include <functional>
#include <sys/stat.h>
#include <unordered_set>
#include <zlib.h>

#include "base/atomic_file.h"
#include "base/byte_reader.h"
#include "base/mapped_file.h"

namespace ringside::kmod {

namespace {

constexpr std::string_view cache_magic = "RSDEPMC2";
constexpr std::uint32_t cache_version = 2;
constexpr std::size_t header_size = cache_magic.size() + 4 + 8;

// zlib's CRC-32 over the payload (and its length): the cache is read on every run, and
// byte-wise hashes cost several times more on its megabytes; any flipped byte is caught.
class Checksum {
public:
    void add(std::string_view bytes)
    {
        m_size += bytes.size();
        while (!bytes.empty()) {
            auto n = static_cast<uInt>(std::min<std::size_t>(bytes.size(), 1u << 30));
            m_crc = ::crc32(m_crc, reinterpret_cast<const Bytef*>(bytes.data()), n);
            bytes.remove_prefix(n);
        }
    }
    std::uint64_t value() const { return (m_size << 32) ^ m_crc; }

private:
    uLong m_crc = ::crc32(0L, Z_NULL, 0);
    std::uint64_t m_size = 0;
};

std::uint64_t checksum(std::string_view bytes)
{
    Checksum sum;
    sum.add(bytes);
    return sum.value();
}

std::string header_bytes(std::uint64_t sum);

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
    void key(const CacheKey& k)
    {
        u64(k.size);
        u64(static_cast<std::uint64_t>(k.mtime_ns));
        u64(k.inode);
        u64(k.device);
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
    Result<CacheKey> key()
    {
        CacheKey k;
        k.size = TRY(u64());
        k.mtime_ns = static_cast<std::int64_t>(TRY(u64()));
        k.inode = TRY(u64());
        k.device = TRY(u64());
        return k;
    }
    Result<std::string> str() { return std::string(TRY(view())); }
    Result<std::string_view> view()
    {
        std::uint32_t n = TRY(u32());
        Bytes b = TRY(m_r.slice(m_at, n));
        m_at += n;
        return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
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

Reader reader_for(std::string_view bytes)
{
    return Reader(ByteReader({ reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size() }, "depmod cache"));
}

Result<DepmodLastRun> parse_last_run(Reader& r)
{
    DepmodLastRun run;
    run.inputs = TRY(r.str());
    std::uint32_t n = TRY(r.count(4 + 32));
    for (std::uint32_t i = 0; i < n; i++) {
        DepmodLastRun::Output output;
        output.name = TRY(r.str());
        output.key = TRY(r.key());
        run.outputs.push_back(std::move(output));
    }
    n = TRY(r.count(1 + 4));
    for (std::uint32_t i = 0; i < n; i++) {
        DepmodLastRun::Message message;
        std::uint8_t level = TRY(r.u8());
        if (level < static_cast<std::uint8_t>(DepmodLevel::Fatal) || level > static_cast<std::uint8_t>(DepmodLevel::Info))
            return make_error(ErrorKind::Malformed, "cache: bad message level");
        message.level = static_cast<DepmodLevel>(level);
        message.text = TRY(r.str());
        run.messages.push_back(std::move(message));
    }
    return run;
}

}  // namespace

CacheKey file_identity(const std::string& path)
{
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        return {};
    return file_identity(st);
}

CacheKey file_identity(const struct stat& st)
{
    return CacheKey { static_cast<std::uint64_t>(st.st_size),
        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
        static_cast<std::uint64_t>(st.st_ino), static_cast<std::uint64_t>(st.st_dev) };
}

std::string DepmodCache::encode_facts(const ModuleFacts& facts)
{
    Writer w;
    w.str(facts.load_error);
    w.u32(static_cast<std::uint32_t>(facts.exports.size()));
    for (const auto& x : facts.exports) {
        w.str(x.name);
        w.u64(x.crc);
    }
    w.u32(static_cast<std::uint32_t>(facts.needs.size()));
    for (const auto& n : facts.needs) {
        w.str(n.name);
        w.u64(n.crc);
        w.u8(n.weak ? 1 : 0);
    }
    w.u32(static_cast<std::uint32_t>(facts.modinfo.size()));
    for (const auto& [k, v] : facts.modinfo) {
        w.str(k);
        w.str(v);
    }
    return std::move(w.out());
}

Result<ModuleFacts> DepmodCache::decode_facts(std::string_view encoded)
{
    Reader r = reader_for(encoded);
    ModuleFacts facts;
    facts.load_error = TRY(r.str());
    std::uint32_t n = TRY(r.count(12));
    facts.exports.reserve(n);
    for (std::uint32_t k = 0; k < n; k++) {
        std::string name = TRY(r.str());
        // Read before the braces: leaving a statement expression (TRY) half-way through an
        // aggregate's initialisation skips the destructors of the members built so far.
        std::uint64_t crc = TRY(r.u64());
        facts.exports.push_back({ std::move(name), crc });
    }
    n = TRY(r.count(13));
    facts.needs.reserve(n);
    for (std::uint32_t k = 0; k < n; k++) {
        std::string name = TRY(r.str());
        std::uint64_t crc = TRY(r.u64());
        bool weak = TRY(r.u8()) != 0;
        facts.needs.push_back({ std::move(name), crc, weak });
    }
    n = TRY(r.count(8));
    facts.modinfo.reserve(n);
    for (std::uint32_t k = 0; k < n; k++) {
        std::string key = TRY(r.str());
        std::string value = TRY(r.str());
        facts.modinfo.emplace_back(std::move(key), std::move(value));
    }
    if (!r.at_end())
        return make_error(ErrorKind::Malformed, "cache: trailing bytes in module facts");
    return facts;
}

DepmodCache DepmodCache::load(const std::string& path)
{
    // Mapped, not read: the facts stay in the page cache and are copied only when written out.
    auto mapped = MappedFile::open(path);
    if (!mapped)
        return {};
    auto file = std::make_unique<MappedFile>(std::move(*mapped));
    Bytes bytes = file->bytes();
    DepmodCache cache = parse_view({ reinterpret_cast<const char*>(bytes.data()), bytes.size() });
    if (cache.size() || cache.m_last_run)
        cache.m_mapped = std::move(file);
    return cache;
}

DepmodCache DepmodCache::parse(std::string bytes)
{
    auto owned = std::make_unique<std::string>(std::move(bytes));
    DepmodCache cache = parse_view(*owned);
    cache.m_file = std::move(owned);
    return cache;
}

DepmodCache DepmodCache::parse_view(std::string_view all)
{
    DepmodCache cache;
    if (all.size() < header_size || all.substr(0, cache_magic.size()) != cache_magic)
        return cache;
    ByteReader header({ reinterpret_cast<const std::uint8_t*>(all.data()), header_size }, "depmod cache");
    if (header.u32(cache_magic.size(), Endian::Little).value_or(0) != cache_version)
        return cache;
    std::string_view payload = all.substr(header_size);
    if (header.u64(cache_magic.size() + 4, Endian::Little).value_or(0) != checksum(payload))
        return cache;
    Reader r = reader_for(payload);
    // Facts stay encoded until a run needs them: a rerun that changes nothing never decodes.
    auto parsed = [&]() -> Result<void> {
        std::uint32_t count = TRY(r.count(4 + 32 + 4));
        cache.m_entries.reserve(count);
        for (std::uint32_t i = 0; i < count; i++) {
            std::string_view path = TRY(r.view());
            Entry e;
            e.key = TRY(r.key());
            e.facts = TRY(r.view());
            cache.m_entries.insert_or_assign(path, std::move(e));
        }
        if (TRY(r.u8()) != 0)
            cache.m_last_run = TRY(parse_last_run(r));
        return {};
    }();
    if (!parsed || !r.at_end())
        return {};
    return cache;
}

void DepmodCache::emit_payload(const std::function<void(std::string_view)>& sink) const
{
    Writer w;
    w.u32(static_cast<std::uint32_t>(m_entries.size()));
    for (const auto& [path, e] : m_entries) {
        w.str(path);
        w.key(e.key);
        w.u32(static_cast<std::uint32_t>(e.facts.size()));
        sink(w.out());
        w.out().clear();
        sink(e.facts);
    }
    w.u8(m_last_run ? 1 : 0);
    if (m_last_run) {
        w.str(m_last_run->inputs);
        w.u32(static_cast<std::uint32_t>(m_last_run->outputs.size()));
        for (const auto& output : m_last_run->outputs) {
            w.str(output.name);
            w.key(output.key);
        }
        w.u32(static_cast<std::uint32_t>(m_last_run->messages.size()));
        for (const auto& message : m_last_run->messages) {
            w.u8(static_cast<std::uint8_t>(message.level));
            w.str(message.text);
        }
    }
    sink(w.out());
}

std::string DepmodCache::framed(std::string_view payload)
{
    return header_bytes(checksum(payload)) + std::string(payload);
}

std::string DepmodCache::serialize() const
{
    std::string payload;
    emit_payload([&](std::string_view piece) { payload.append(piece); });
    return header_bytes(checksum(payload)) + payload;
}

std::optional<std::string_view> DepmodCache::find(const std::string& module_path, const CacheKey& key) const
{
    auto it = m_entries.find(module_path);
    if (it == m_entries.end() || !(it->second.key == key))
        return std::nullopt;
    return it->second.facts;
}

std::optional<std::string_view> DepmodCache::find_any(const std::string& module_path) const
{
    auto it = m_entries.find(module_path);
    if (it == m_entries.end())
        return std::nullopt;
    return it->second.facts;
}

bool DepmodCache::keep_only(const std::vector<std::string_view>& module_paths)
{
    std::unordered_set<std::string_view> keep(module_paths.begin(), module_paths.end());
    return std::erase_if(m_entries, [&](const auto& entry) { return !keep.contains(entry.first); }) != 0;
}

void DepmodCache::put(const std::string& module_path, const CacheKey& key, std::string encoded_facts)
{
    Entry e;
    e.key = key;
    e.owned_facts = std::make_unique<std::string>(std::move(encoded_facts));
    e.facts = *e.owned_facts;
    auto it = m_entries.find(module_path);
    if (it != m_entries.end()) {
        // The map's key views the old entry's path: keep that storage alive.
        e.owned_path = std::move(it->second.owned_path);
        it->second = std::move(e);
        return;
    }
    e.owned_path = std::make_unique<std::string>(module_path);
    std::string_view path = *e.owned_path;
    m_entries.emplace(path, std::move(e));
}

Result<void> DepmodCache::save(const std::string& path) const
{
    // Streamed rather than built in memory: the facts are copied from the mapping once.
    AtomicFileWriter out = TRY(AtomicFileWriter::create(path));
    TRY_VOID(out.write(header_bytes(0)));
    Checksum sum;
    Result<void> written;
    emit_payload([&](std::string_view piece) {
        if (!written)
            return;
        sum.add(piece);
        written = out.write(piece);
    });
    TRY_VOID(std::move(written));
    TRY_VOID(out.write_at(0, header_bytes(sum.value())));
    return out.commit(Durability::Unsynced);
}

namespace {

std::string header_bytes(std::uint64_t sum)
{
    Writer header;
    header.out().append(cache_magic);
    header.u32(cache_version);
    header.u64(sum);
    return std::move(header.out());
}

}  // namespace

}  // namespace ringside::kmod
