// Builds small, valid ELF64 x86-64 relocatable "kernel modules" in memory: .modinfo strings,
// __versions records, __ksymtab_strings, __crc_ symbols in __kcrctab, undefined (optionally
// weak) symbols, and an optional appended signature. Used by the unit tests and to write fuzz
// seeds; written from the ELF and kmod layouts, independent of ringside's reader.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace ringside::fixtures {

struct SyntheticModule {
    std::vector<std::string> modinfo;                           // "key=value" strings
    std::vector<std::pair<std::uint64_t, std::string>> versions;  // __versions (crc, name)
    std::vector<std::pair<std::string, std::uint32_t>> exports;  // __crc_<name> in __kcrctab
    std::vector<std::string> ksymtab_strings;                    // __ksymtab_strings
    std::vector<std::pair<std::string, bool>> undefined;         // needed symbols (name, weak)

    std::vector<std::uint8_t> build() const
    {
        using Bytes = std::vector<std::uint8_t>;
        struct Section {
            std::string name;
            std::uint32_t type;
            Bytes data;
            std::uint32_t link = 0;
            std::uint64_t entsize = 0;
        };
        std::vector<Section> sections;
        sections.push_back({ "", 0, {} });

        Bytes info;
        for (const std::string& s : modinfo) {
            info.insert(info.end(), s.begin(), s.end());
            info.push_back(0);
        }
        sections.push_back({ ".modinfo", 1, info });

        if (!versions.empty()) {
            Bytes v;
            for (const auto& [crc, name] : versions) {
                Bytes record(64, 0);
                std::memcpy(record.data(), &crc, 8);
                std::memcpy(record.data() + 8, name.data(), std::min<std::size_t>(name.size(), 55));
                v.insert(v.end(), record.begin(), record.end());
            }
            sections.push_back({ "__versions", 1, v });
        }
        if (!ksymtab_strings.empty()) {
            Bytes k;
            for (const std::string& s : ksymtab_strings) {
                k.insert(k.end(), s.begin(), s.end());
                k.push_back(0);
            }
            sections.push_back({ "__ksymtab_strings", 1, k });
        }
        std::size_t kcrctab_index = 0;
        if (!exports.empty()) {
            Bytes c;
            for (const auto& [name, crc] : exports)
                for (int i = 0; i < 4; ++i)
                    c.push_back(static_cast<std::uint8_t>(crc >> (8 * i)));
            kcrctab_index = sections.size();
            sections.push_back({ "__kcrctab", 1, c });
        }

        // .strtab and .symtab: the null symbol, __crc_ symbols, then undefined ones.
        Bytes strtab { 0 };
        Bytes symtab(24, 0);
        auto add_symbol = [&](const std::string& name, std::uint8_t info_byte, std::uint16_t shndx, std::uint64_t value) {
            std::uint32_t name_offset = static_cast<std::uint32_t>(strtab.size());
            strtab.insert(strtab.end(), name.begin(), name.end());
            strtab.push_back(0);
            Bytes sym(24, 0);
            std::memcpy(sym.data(), &name_offset, 4);
            sym[4] = info_byte;
            std::memcpy(sym.data() + 6, &shndx, 2);
            std::memcpy(sym.data() + 8, &value, 8);
            symtab.insert(symtab.end(), sym.begin(), sym.end());
        };
        for (std::size_t i = 0; i < exports.size(); ++i)
            add_symbol("__crc_" + exports[i].first, 0x00, static_cast<std::uint16_t>(kcrctab_index), i * 4);
        for (const auto& [name, weak] : undefined)
            add_symbol(name, static_cast<std::uint8_t>((weak ? 2 : 1) << 4), 0, 0);
        std::size_t strtab_index = sections.size() + 1;
        sections.push_back({ ".symtab", 2, symtab, static_cast<std::uint32_t>(strtab_index), 24 });
        sections.push_back({ ".strtab", 3, strtab });

        Bytes shstrtab { 0 };
        std::vector<std::uint32_t> name_offsets;
        for (const Section& s : sections) {
            if (s.name.empty()) {
                name_offsets.push_back(0);
                continue;
            }
            name_offsets.push_back(static_cast<std::uint32_t>(shstrtab.size()));
            shstrtab.insert(shstrtab.end(), s.name.begin(), s.name.end());
            shstrtab.push_back(0);
        }
        std::uint32_t shstrtab_name = static_cast<std::uint32_t>(shstrtab.size());
        const std::string shstrtab_label = ".shstrtab";
        shstrtab.insert(shstrtab.end(), shstrtab_label.begin(), shstrtab_label.end());
        shstrtab.push_back(0);
        name_offsets.push_back(shstrtab_name);
        sections.push_back({ ".shstrtab", 3, shstrtab });

        Bytes out(64, 0);
        std::vector<std::uint64_t> offsets;
        for (const Section& s : sections) {
            while (out.size() % 8)
                out.push_back(0);
            offsets.push_back(s.data.empty() ? 0 : out.size());
            out.insert(out.end(), s.data.begin(), s.data.end());
        }
        while (out.size() % 8)
            out.push_back(0);
        std::uint64_t shoff = out.size();
        for (std::size_t i = 0; i < sections.size(); ++i) {
            Bytes h(64, 0);
            std::uint64_t size = sections[i].data.size();
            std::memcpy(h.data(), &name_offsets[i], 4);
            std::memcpy(h.data() + 4, &sections[i].type, 4);
            std::memcpy(h.data() + 24, &offsets[i], 8);
            std::memcpy(h.data() + 32, &size, 8);
            std::memcpy(h.data() + 40, &sections[i].link, 4);
            std::memcpy(h.data() + 56, &sections[i].entsize, 8);
            out.insert(out.end(), h.begin(), h.end());
        }
        const std::uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };
        std::memcpy(out.data(), ident, 16);
        std::uint16_t type = 1, machine = 62, ehsize = 64, shentsize = 64;
        std::uint32_t version = 1;
        std::uint16_t shnum = static_cast<std::uint16_t>(sections.size());
        std::uint16_t shstrndx = static_cast<std::uint16_t>(sections.size() - 1);
        std::memcpy(out.data() + 16, &type, 2);
        std::memcpy(out.data() + 18, &machine, 2);
        std::memcpy(out.data() + 20, &version, 4);
        std::memcpy(out.data() + 40, &shoff, 8);
        std::memcpy(out.data() + 52, &ehsize, 2);
        std::memcpy(out.data() + 58, &shentsize, 2);
        std::memcpy(out.data() + 60, &shnum, 2);
        std::memcpy(out.data() + 62, &shstrndx, 2);
        return out;
    }
};

// Appends a module signature: signer and key-id blobs, the signature blob, the 12-byte trailer
// and the magic (id_type 2 = PKCS#7 with empty signer/key id, as kbuild writes it).
inline void append_signature(std::vector<std::uint8_t>& module, const std::vector<std::uint8_t>& signature,
    std::uint8_t id_type = 2, const std::string& signer = {}, const std::vector<std::uint8_t>& key_id = {},
    std::uint8_t hash = 0)
{
    module.insert(module.end(), signer.begin(), signer.end());
    module.insert(module.end(), key_id.begin(), key_id.end());
    module.insert(module.end(), signature.begin(), signature.end());
    std::uint32_t length = static_cast<std::uint32_t>(signature.size());
    std::uint8_t trailer[12] = { 0, hash, id_type, static_cast<std::uint8_t>(signer.size()),
        static_cast<std::uint8_t>(key_id.size()), 0, 0, 0,
        static_cast<std::uint8_t>(length >> 24), static_cast<std::uint8_t>(length >> 16),
        static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length) };
    module.insert(module.end(), trailer, trailer + 12);
    const std::string magic = "~Module signature appended~\n";
    module.insert(module.end(), magic.begin(), magic.end());
}

}  // namespace ringside::fixtures
