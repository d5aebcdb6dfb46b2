#include "kmod/module_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

namespace ringside::kmod {

namespace {

constexpr std::uint64_t signature_trailer_size = 12;
constexpr std::uint64_t version_record_size = 64;
constexpr std::uint64_t version_name_size = 56;
// kmod's limits for a trailer it believes (PKEY_ALGO__LAST, PKEY_HASH__LAST, PKEY_ID_TYPE__LAST).
constexpr std::uint8_t signature_algorithm_count = 2;
constexpr std::uint8_t signature_hash_count = 9;
constexpr std::uint8_t signature_id_type_count = 3;

std::string_view as_chars(Bytes bytes)
{
    return { reinterpret_cast<const char*>(bytes.data()), bytes.size() };
}

// Checks the bounds ourselves before asking ElfFile, so that the error names the section and
// the module the way this file's callers want, and no error object is built on the hot path.
Result<Bytes> section_data(const ElfFile& elf, const ElfSection& section)
{
    if (section.type == elf_section_nobits)
        return Bytes {};
    std::uint64_t end = 0;
    if (__builtin_add_overflow(section.offset, section.size, &end) || end > elf.reader().size())
        return Error { ErrorKind::Truncated, elf.what() + ": section " + std::string(section.name) + " (offset "
                + std::to_string(section.offset) + ", size " + std::to_string(section.size)
                + ") runs past the end of the file (" + std::to_string(elf.reader().size()) + " bytes)" };
    return elf.reader().bytes().subspan(static_cast<std::size_t>(section.offset), static_cast<std::size_t>(section.size));
}

// Every section with file contents must lie inside the file and apart from the others, the ELF
// header and the section header table. kmod does not check this; we do, so that a crafted file
// is reported as broken instead of being read as a patchwork of its own bytes.
Result<void> check_section_layout(const ElfFile& elf, std::uint64_t signed_size)
{
    struct Extent {
        std::uint64_t begin;
        std::uint64_t end;
        std::string_view name;
    };
    const ByteReader reader = elf.reader();
    std::vector<Extent> extents;
    extents.reserve(elf.sections().size() + 2);
    extents.push_back({ 0, 64, "the ELF header" });
    std::uint64_t table_offset = ByteReader(reader.bytes(), elf.what()).u64(40, Endian::Little).value_or(0);
    std::uint64_t table_size = elf.sections().size() * 64;
    extents.push_back({ table_offset, table_offset + table_size, "the section header table" });
    if (signed_size < reader.size())
        extents.push_back({ signed_size, reader.size(), "the appended signature" });
    for (const ElfSection& section : elf.sections()) {
        if (section.type == elf_section_null || section.type == elf_section_nobits || section.size == 0)
            continue;
        std::uint64_t end = 0;
        if (__builtin_add_overflow(section.offset, section.size, &end) || end > reader.size())
            return Error { ErrorKind::Truncated, elf.what() + ": section " + std::string(section.name) + " (offset "
                    + std::to_string(section.offset) + ", size " + std::to_string(section.size)
                    + ") runs past the end of the file (" + std::to_string(reader.size()) + " bytes)" };
        extents.push_back({ section.offset, end, section.name });
    }
    std::sort(extents.begin(), extents.end(), [](const Extent& a, const Extent& b) { return a.begin < b.begin; });
    for (std::size_t i = 1; i < extents.size(); ++i)
        if (extents[i].begin < extents[i - 1].end)
            return Error { ErrorKind::Malformed, elf.what() + ": " + std::string(extents[i - 1].name) + " (bytes "
                    + std::to_string(extents[i - 1].begin) + "-" + std::to_string(extents[i - 1].end) + ") overlaps "
                    + std::string(extents[i].name) + " (from offset " + std::to_string(extents[i].begin) + ")" };
    return {};
}

// The magic near the end but not at the end: bytes were appended after a signature.
bool has_data_after_signature_magic(Bytes bytes)
{
    constexpr std::size_t window = 4096;
    std::size_t start = bytes.size() > window ? bytes.size() - window : 0;
    std::string_view tail = as_chars(bytes.subspan(start));
    std::size_t found = tail.rfind(module_signature_magic);
    return found != std::string_view::npos && found + module_signature_magic.size() != tail.size();
}

}  // namespace

std::optional<RawSignature> find_raw_signature(Bytes bytes)
{
    const std::uint64_t magic_size = module_signature_magic.size();
    if (bytes.size() < magic_size)
        return std::nullopt;
    std::uint64_t size = bytes.size() - magic_size;
    if (as_chars(bytes.subspan(static_cast<std::size_t>(size))) != module_signature_magic)
        return std::nullopt;
    if (size < signature_trailer_size)
        return std::nullopt;
    size -= signature_trailer_size;
    ByteReader trailer(bytes.subspan(static_cast<std::size_t>(size), signature_trailer_size), "signature trailer");
    RawSignature signature;
    signature.algorithm = bytes[size];
    signature.hash = bytes[size + 1];
    signature.id_type = bytes[size + 2];
    std::uint64_t signer_length = bytes[size + 3];
    std::uint64_t key_id_length = bytes[size + 4];
    std::uint64_t signature_length = trailer.u32(8, Endian::Big).value_or(0);
    if (signature.algorithm >= signature_algorithm_count || signature.hash >= signature_hash_count
        || signature.id_type >= signature_id_type_count)
        return std::nullopt;
    if (signature_length == 0 || size < signer_length + key_id_length + signature_length)
        return std::nullopt;
    std::uint64_t at = size - signature_length;
    signature.signature = bytes.subspan(static_cast<std::size_t>(at), static_cast<std::size_t>(signature_length));
    at -= key_id_length;
    signature.key_id = bytes.subspan(static_cast<std::size_t>(at), static_cast<std::size_t>(key_id_length));
    at -= signer_length;
    signature.signer = bytes.subspan(static_cast<std::size_t>(at), static_cast<std::size_t>(signer_length));
    signature.offset = at;
    return signature;
}

Result<ModuleFile> ModuleFile::open(const std::string& path, std::size_t decompressed_limit)
{
    ModuleFile module;
    module.m_what = path;
    // Small files are read: one read() costs less than mmap, page faults and munmap, and most
    // modules are small. Large ones, and every error case, go through MappedFile.
    constexpr off_t read_limit = 128 << 10;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        struct stat st {};
        bool small = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size <= read_limit;
        if (small) {
            module.m_decompressed.resize(static_cast<std::size_t>(st.st_size));
            std::size_t done = 0;
            while (done < module.m_decompressed.size()) {
                ssize_t n = ::read(fd, module.m_decompressed.data() + done, module.m_decompressed.size() - done);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0)
                    break;
                done += static_cast<std::size_t>(n);
            }
            small = done == module.m_decompressed.size();
        }
        ::close(fd);
        if (small) {
            module.m_bytes = Bytes(module.m_decompressed.data(), module.m_decompressed.size());
            return finish(std::move(module), decompressed_limit);
        }
        module.m_decompressed.clear();
    }
    module.m_mapped = TRY(MappedFile::open(path));
    module.m_bytes = module.m_mapped.bytes();
    return finish(std::move(module), decompressed_limit);
}

Result<ModuleFile> ModuleFile::from_bytes(Bytes bytes, std::string what, std::size_t decompressed_limit)
{
    ModuleFile module;
    module.m_what = std::move(what);
    module.m_bytes = bytes;
    return finish(std::move(module), decompressed_limit);
}

Result<ModuleFile> ModuleFile::finish(ModuleFile module, std::size_t decompressed_limit)
{
    if (module.m_bytes.empty())
        return Error { ErrorKind::Malformed, module.m_what + ": empty file, not a kernel module" };
    module.m_compression = detect_compression(module.m_bytes);
    if (module.m_compression != Compression::None) {
        std::vector<std::uint8_t> plain = TRY(decompress(module.m_bytes, module.m_compression, module.m_what, decompressed_limit));
        module.m_decompressed = std::move(plain);
        module.m_mapped = MappedFile();
        module.m_bytes = Bytes(module.m_decompressed.data(), module.m_decompressed.size());
        if (module.m_bytes.empty())
            return Error { ErrorKind::Malformed, module.m_what + ": " + compression_name(module.m_compression)
                    + " stream decompresses to nothing, not a kernel module" };
    }
    module.m_signature = find_raw_signature(module.m_bytes);
    if (!module.m_signature) {
        if (has_data_after_signature_magic(module.m_bytes))
            module.m_signature_problem = "data follows the module signature magic (\"~Module signature appended~\")";
        else if (module.m_bytes.size() >= module_signature_magic.size()
            && as_chars(module.m_bytes.last(module_signature_magic.size())) == module_signature_magic)
            module.m_signature_problem = "the signature trailer before the magic is invalid (unknown algorithm, hash "
                                         "or id type, or lengths that do not fit the file)";
    }
    // kmod parses the ELF over the whole file, signature included; so do we, for the same verdicts.
    module.m_elf = TRY(ElfFile::parse(module.m_bytes, module.m_what));
    TRY_VOID(check_section_layout(module.m_elf, module.m_signature ? module.m_signature->offset : module.m_bytes.size()));
    return module;
}

Result<std::vector<ModinfoEntry>> ModuleFile::modinfo() const
{
    const ElfSection* section = m_elf.find_section(".modinfo");
    if (!section)
        return Error { ErrorKind::NotFound, m_what + ": no .modinfo section" };
    std::string_view strings = as_chars(TRY(section_data(m_elf, *section)));
    std::vector<ModinfoEntry> entries;
    entries.reserve(32);
    std::size_t at = 0;
    while (at < strings.size()) {
        std::size_t end = strings.find('\0', at);
        if (end == std::string_view::npos)
            end = strings.size();  // kmod accepts an unterminated last string
        std::string_view text = strings.substr(at, end - at);
        at = end + 1;
        if (text.empty())
            continue;
        std::size_t equals = text.find('=');
        if (equals == std::string_view::npos)
            entries.push_back({ text, text.substr(text.size()) });
        else
            entries.push_back({ text.substr(0, equals), text.substr(equals + 1) });
    }
    return entries;
}

std::optional<std::string_view> ModuleFile::modinfo_value(std::string_view key) const
{
    auto entries = modinfo();
    if (!entries)
        return std::nullopt;
    for (const ModinfoEntry& entry : *entries)
        if (entry.key == key)
            return entry.value;
    return std::nullopt;
}

Result<std::vector<VersionRecord>> ModuleFile::versions() const
{
    std::vector<VersionRecord> records;
    const ElfSection* section = m_elf.find_section("__versions");
    if (!section)
        return records;
    Bytes data = TRY(section_data(m_elf, *section));
    if (data.size() % version_record_size != 0)
        return Error { ErrorKind::Malformed, m_what + ": section __versions has size " + std::to_string(data.size())
                + ", not a multiple of 64" };
    ByteReader reader(data, m_what);
    records.reserve(data.size() / version_record_size);
    for (std::size_t at = 0; at < data.size(); at += version_record_size) {
        VersionRecord record;
        record.crc = TRY(reader.u64(at, Endian::Little));
        std::string_view name = as_chars(data.subspan(at + 8, version_name_size));
        name = name.substr(0, name.find('\0'));
        if (!name.empty() && name.front() == '.')
            name.remove_prefix(1);  // PPC64 function descriptors, as kmod does
        record.name = name;
        records.push_back(record);
    }
    return records;
}

Result<std::vector<ExportedSymbol>> ModuleFile::exported_symbols() const
{
    std::vector<ExportedSymbol> exported;
    auto symbols = m_elf.symbols();
    if (symbols) {
        constexpr std::string_view crc_prefix = "__crc_";
        for (const ElfSymbol& symbol : *symbols) {
            if (symbol.name.substr(0, crc_prefix.size()) != crc_prefix)
                continue;
            ExportedSymbol entry;
            entry.name = symbol.name.substr(crc_prefix.size());
            if (symbol.section_index == elf_shn_abs) {
                entry.crc = symbol.value;
            } else if (symbol.section_index != elf_shn_undef && symbol.section_index < m_elf.sections().size()) {
                // 6.x kernels: the symbol is the offset of a 32-bit CRC inside __kcrctab*.
                const ElfSection& holder = m_elf.sections()[symbol.section_index];
                std::uint64_t at = 0;
                // A fresh reader: its error text must not refer to a moved-from ElfFile's name.
                ByteReader reader(m_bytes, m_what);
                if (!__builtin_add_overflow(holder.offset, symbol.value, &at))
                    entry.crc = reader.u32(at, Endian::Little).value_or(0);
            }
            exported.push_back(entry);
        }
        if (!exported.empty())
            return exported;
    }
    // No modversions: every string of __ksymtab_strings, CRC 0.
    const ElfSection* section = m_elf.find_section("__ksymtab_strings");
    if (!section)
        return exported;
    std::string_view strings = as_chars(TRY(section_data(m_elf, *section)));
    std::size_t at = 0;
    while (at < strings.size()) {
        std::size_t end = strings.find('\0', at);
        if (end == std::string_view::npos)
            end = strings.size();
        if (end > at)
            exported.push_back({ strings.substr(at, end - at), 0 });
        at = end + 1;
    }
    return exported;
}

Result<std::vector<NeededSymbol>> ModuleFile::needed_symbols() const
{
    std::vector<VersionRecord> records = versions().value_or({});
    std::unordered_map<std::string_view, std::size_t> record_index;
    record_index.reserve(records.size());
    for (std::size_t i = 0; i < records.size(); ++i)
        record_index.emplace(records[i].name, i);
    std::vector<bool> matched(records.size(), false);

    std::vector<NeededSymbol> needed;
    std::vector<ElfSymbol> symbols = TRY(m_elf.symbols());
    for (const ElfSymbol& symbol : symbols) {
        if (symbol.section_index != elf_shn_undef || symbol.name.empty())
            continue;
        NeededSymbol entry;
        entry.name = symbol.name;
        entry.weak = symbol.binding == elf_bind_weak;
        auto found = record_index.find(symbol.name);
        if (found != record_index.end()) {
            entry.crc = records[found->second].crc;
            matched[found->second] = true;
        }
        needed.push_back(entry);
    }
    for (std::size_t i = 0; i < records.size(); ++i)
        if (!matched[i])
            needed.push_back({ records[i].name, records[i].crc, false });
    return needed;
}

}  // namespace ringside::kmod
