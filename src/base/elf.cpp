#include "base/elf.h"

#include <cstring>

namespace ringside {

namespace {

constexpr std::uint8_t elf_magic[4] = { 0x7f, 'E', 'L', 'F' };
constexpr std::uint8_t elf_class_64 = 2;
constexpr std::uint8_t elf_data_lsb = 1;
constexpr std::uint16_t elf_machine_x86_64 = 62;
constexpr std::uint64_t ehdr_size = 64;
constexpr std::uint64_t shdr_size = 64;
constexpr std::uint64_t sym_size = 24;
// Far above any real module (a few hundred sections) but small enough to bound work on hostile input.
constexpr std::uint64_t max_sections = 65535;

Error malformed(const std::string& what, const std::string& message)
{
    return Error { ErrorKind::Malformed, what + ": " + message };
}

std::string hex(std::uint64_t value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(value));
    return buffer;
}

}  // namespace

Result<ElfFile> ElfFile::parse(Bytes bytes, std::string what)
{
    ElfFile elf;
    elf.m_what = std::move(what);
    elf.m_bytes = bytes;
    const ByteReader r = elf.reader();
    const std::string& w = elf.m_what;

    if (bytes.size() < 16 || std::memcmp(bytes.data(), elf_magic, 4) != 0)
        return malformed(w, "not an ELF file (no ELF magic at offset 0)");
    if (bytes[4] != elf_class_64)
        return Error { ErrorKind::Unsupported, w + ": ELF class " + std::to_string(bytes[4])
                + " is not supported (only 64-bit ELF)" };
    if (bytes[5] != elf_data_lsb)
        return Error { ErrorKind::Unsupported, w + ": big-endian ELF is not supported (only little-endian x86-64)" };
    if (bytes.size() < ehdr_size)
        return Error { ErrorKind::Truncated, w + ": ELF header truncated (" + std::to_string(bytes.size())
                + " of 64 bytes)" };
    constexpr Endian le = Endian::Little;
    std::uint16_t machine = TRY(r.u16(18, le));
    if (machine != elf_machine_x86_64)
        return Error { ErrorKind::Unsupported, w + ": ELF machine " + std::to_string(machine)
                + " is not supported (only x86-64, machine 62)" };
    std::uint64_t shoff = TRY(r.u64(40, le));
    std::uint16_t shentsize = TRY(r.u16(58, le));
    std::uint64_t shnum = TRY(r.u16(60, le));
    std::uint16_t shstrndx = TRY(r.u16(62, le));
    if (shoff == 0 && shnum == 0)
        return malformed(w, "no section header table");
    if (shentsize != shdr_size)
        return malformed(w, "section header size " + std::to_string(shentsize) + " at offset 58 is not 64");
    if (shnum == 0) {
        // Extended numbering: the count lives in section 0's sh_size.
        shnum = TRY(r.u64(shoff + 32, le));
    }
    if (shnum == 0 || shnum > max_sections)
        return malformed(w, "absurd section count " + std::to_string(shnum));
    std::uint64_t table_size = shnum * shdr_size;
    if (!r.slice(shoff, table_size))
        return Error { ErrorKind::Truncated, w + ": section header table at offset " + hex(shoff) + " ("
                + std::to_string(shnum) + " entries) runs past the end of the file (" + std::to_string(bytes.size())
                + " bytes)" };
    if (shstrndx >= shnum)
        return malformed(w, "section-name table index " + std::to_string(shstrndx) + " out of range (" +
            std::to_string(shnum) + " sections)");

    struct Raw {
        std::uint32_t name;
        ElfSection section;
    };
    std::vector<Raw> raw(static_cast<std::size_t>(shnum));
    for (std::uint64_t i = 0; i < shnum; ++i) {
        std::uint64_t at = shoff + i * shdr_size;
        Raw& entry = raw[static_cast<std::size_t>(i)];
        entry.name = TRY(r.u32(at, le));
        entry.section.type = TRY(r.u32(at + 4, le));
        entry.section.flags = TRY(r.u64(at + 8, le));
        entry.section.offset = TRY(r.u64(at + 24, le));
        entry.section.size = TRY(r.u64(at + 32, le));
        entry.section.link = TRY(r.u32(at + 40, le));
        entry.section.info = TRY(r.u32(at + 44, le));
        entry.section.entsize = TRY(r.u64(at + 56, le));
    }

    const ElfSection& names = raw[shstrndx].section;
    auto name_table = r.slice(names.offset, names.size);
    if (!name_table)
        return Error { ErrorKind::Truncated, w + ": section-name table (section " + std::to_string(shstrndx)
                + ", offset " + hex(names.offset) + ", size " + std::to_string(names.size) + ") runs past the end" };
    if (names.size == 0 || name_table->back() != 0)
        return malformed(w, "section-name table (section " + std::to_string(shstrndx) + ") does not end with NUL");
    ByteReader name_reader(*name_table, w);

    elf.m_sections.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        ElfSection section = raw[i].section;
        auto name = name_reader.c_string(raw[i].name);
        if (!name)
            return malformed(w, "section " + std::to_string(i) + " name offset " + std::to_string(raw[i].name)
                    + " is outside the section-name table");
        section.name = *name;
        elf.m_sections.push_back(section);
    }
    return elf;
}

const ElfSection* ElfFile::find_section(std::string_view name) const
{
    for (const ElfSection& section : m_sections)
        if (section.name == name)
            return &section;
    return nullptr;
}

Result<Bytes> ElfFile::section_bytes(const ElfSection& section) const
{
    if (section.type == elf_section_nobits)
        return Bytes {};
    auto bytes = reader().slice(section.offset, section.size);
    if (!bytes)
        return Error { ErrorKind::Truncated, m_what + ": section " + std::string(section.name) + " (offset "
                + hex(section.offset) + ", size " + std::to_string(section.size)
                + ") runs past the end of the file (" + std::to_string(m_bytes.size()) + " bytes)" };
    return *bytes;
}

Result<std::vector<ElfSymbol>> ElfFile::symbols() const
{
    std::vector<ElfSymbol> result;
    const ElfSection* symtab = nullptr;
    for (const ElfSection& section : m_sections)
        if (section.type == elf_section_symtab) {
            symtab = &section;
            break;
        }
    if (!symtab)
        return result;
    if (symtab->link >= m_sections.size())
        return malformed(m_what, ".symtab links to string table " + std::to_string(symtab->link) + ", which does not exist");
    Bytes table = TRY(section_bytes(*symtab));
    Bytes strings = TRY(section_bytes(m_sections[symtab->link]));
    ByteReader table_reader(table, m_what);
    ByteReader string_reader(strings, m_what);
    std::uint64_t count = table.size() / sym_size;
    result.reserve(count > 0 ? static_cast<std::size_t>(count - 1) : 0);
    constexpr Endian le = Endian::Little;
    for (std::uint64_t i = 1; i < count; ++i) {
        std::uint64_t at = i * sym_size;
        ElfSymbol symbol;
        std::uint32_t name_offset = TRY(table_reader.u32(at, le));
        std::uint8_t info = TRY(table_reader.u8(at + 4));
        symbol.binding = info >> 4;
        symbol.type = info & 0xf;
        symbol.section_index = TRY(table_reader.u16(at + 6, le));
        symbol.value = TRY(table_reader.u64(at + 8, le));
        symbol.size = TRY(table_reader.u64(at + 16, le));
        auto name = string_reader.c_string(name_offset);
        if (!name)
            return malformed(m_what, "symbol " + std::to_string(i) + " name offset " + std::to_string(name_offset)
                    + " is outside the string table or unterminated");
        symbol.name = *name;
        result.push_back(symbol);
    }
    return result;
}

}  // namespace ringside
