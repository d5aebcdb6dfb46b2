// A bounds-checked reader for ELF64 little-endian x86-64 relocatable objects (kernel modules).
// Only the section header table is used, as kmod does; no program headers, no relocations.
// Hand-written because parsing hostile module files safely is part of the product.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_reader.h"
#include "base/result.h"

namespace ringside {

inline constexpr std::uint32_t elf_section_null = 0;
inline constexpr std::uint32_t elf_section_symtab = 2;
inline constexpr std::uint32_t elf_section_strtab = 3;
inline constexpr std::uint32_t elf_section_nobits = 8;
inline constexpr std::uint16_t elf_shn_undef = 0;
inline constexpr std::uint16_t elf_shn_abs = 0xfff1;
inline constexpr std::uint8_t elf_bind_weak = 2;

struct ElfSection {
    std::string_view name;
    std::uint32_t type = 0;
    std::uint64_t flags = 0;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    std::uint32_t link = 0;
    std::uint32_t info = 0;
    std::uint64_t entsize = 0;
};

struct ElfSymbol {
    std::string_view name;
    std::uint64_t value = 0;
    std::uint64_t size = 0;
    std::uint16_t section_index = 0;
    std::uint8_t binding = 0;  // st_info >> 4
    std::uint8_t type = 0;     // st_info & 0xf
};

class ElfFile {
public:
    // Validates the header, the section table and the section-name table. `what` (usually the
    // path) prefixes every error message. The bytes must outlive the ElfFile.
    static Result<ElfFile> parse(Bytes bytes, std::string what);

    const std::vector<ElfSection>& sections() const { return m_sections; }
    const ElfSection* find_section(std::string_view name) const;  // first match, like kmod
    std::size_t section_index(const ElfSection& section) const { return static_cast<std::size_t>(&section - m_sections.data()); }

    // The section's bytes (empty for SHT_NOBITS); an error if they lie outside the file.
    Result<Bytes> section_bytes(const ElfSection& section) const;

    // Every .symtab entry after the null one, names resolved through its linked string table.
    Result<std::vector<ElfSymbol>> symbols() const;

    // Built on demand: a stored reader would hold a view of m_what that a move could leave
    // dangling (short names live inside the string object itself).
    ByteReader reader() const { return ByteReader(m_bytes, m_what); }
    const std::string& what() const { return m_what; }

private:
    Bytes m_bytes;
    std::string m_what;
    std::vector<ElfSection> m_sections;
};

}  // namespace ringside
