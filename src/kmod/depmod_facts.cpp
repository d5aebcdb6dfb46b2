#include "kmod/depmod_facts.h"

#include <cerrno>
#include <cstring>

#include "base/decompress.h"
#include "base/mapped_file.h"
#include "kmod/module_file.h"

namespace ringside::kmod {

namespace {

// kmod reports unreadable modules with an errno text; these are the ones its file and ELF
// layers produce for the failures we can tell apart.
std::string errno_text(int number) { return std::strerror(number); }

bool is_depmod_key(std::string_view key) { return key == "alias" || key == "softdep"; }

}  // namespace

ModuleFacts read_module_facts(const std::string& path)
{
    ModuleFacts facts;
    auto mapped = MappedFile::open(path);
    if (!mapped) {
        facts.load_error = errno_text(mapped.error().kind == ErrorKind::Permission ? EACCES : EINVAL);
        return facts;
    }
    Bytes raw = mapped->bytes();
    // kmod reads a 6-byte magic first; a shorter file fails there.
    if (raw.size() < 6) {
        facts.load_error = errno_text(EINVAL);
        return facts;
    }
    std::vector<std::uint8_t> decompressed;
    Bytes elf_bytes = raw;
    Compression compression = detect_compression(raw);
    if (compression != Compression::None) {
        auto out = decompress(raw, compression, path);
        if (!out) {
            facts.load_error = errno_text(EINVAL);
            return facts;
        }
        decompressed = std::move(*out);
        elf_bytes = Bytes(decompressed);
    }
    // kmod's ELF identification: too short for e_ident or no magic is "not executable";
    // everything after that is "invalid".
    static constexpr std::uint8_t elf_magic[4] = { 0x7f, 'E', 'L', 'F' };
    if (elf_bytes.size() <= 16 || std::memcmp(elf_bytes.data(), elf_magic, 4) != 0) {
        facts.load_error = errno_text(ENOEXEC);
        return facts;
    }
    auto module = ModuleFile::from_bytes(elf_bytes, path);
    if (!module) {
        facts.load_error = errno_text(EINVAL);
        return facts;
    }
    if (auto exports = module->exported_symbols()) {
        facts.exports.reserve(exports->size());
        for (const ExportedSymbol& e : *exports)
            facts.exports.push_back({ std::string(e.name), e.crc });
    }
    if (auto needs = module->needed_symbols()) {
        facts.needs.reserve(needs->size());
        for (const NeededSymbol& n : *needs)
            facts.needs.push_back({ std::string(n.name), n.crc, n.weak });
    }
    if (auto entries = module->modinfo()) {
        for (const ModinfoEntry& e : *entries)
            if (is_depmod_key(e.key))
                facts.modinfo.emplace_back(std::string(e.key), std::string(e.value));
    }
    return facts;
}

}  // namespace ringside::kmod
