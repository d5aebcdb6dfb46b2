// A kernel module file (.ko, .ko.xz, .ko.zst, .ko.gz) opened for reading: decompressed when
// needed, its appended signature split off, its ELF sections parsed. Everything the kmod tools
// read from a module comes from here: .modinfo strings, __versions records, exported and needed
// symbols, the raw signature trailer, and the bytes the kernel's init_module() wants.
//
// Plain files are mapped, not copied (files up to 128 KiB are read in one read(), which is
// cheaper); string_views returned here point into those bytes and stay valid as long as the
// ModuleFile lives (moving it keeps them valid).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_reader.h"
#include "base/decompress.h"
#include "base/elf.h"
#include "base/mapped_file.h"
#include "base/result.h"

namespace ringside::kmod {

inline constexpr std::string_view module_signature_magic = "~Module signature appended~\n";

// One .modinfo string split at its first '=' (a string without '=' is all key, empty value).
struct ModinfoEntry {
    std::string_view key;
    std::string_view value;
};

// A 64-byte __versions record: the CRC the module was built against for a symbol it uses.
struct VersionRecord {
    std::uint64_t crc = 0;
    std::string_view name;
};

// A symbol the module exports (kmod §5.3): from __crc_<name> symbols, else __ksymtab_strings.
struct ExportedSymbol {
    std::string_view name;
    std::uint64_t crc = 0;
};

// A symbol the module needs (kmod §5.4): undefined .symtab entries, then unmatched __versions.
struct NeededSymbol {
    std::string_view name;
    std::uint64_t crc = 0;
    bool weak = false;
};

// The 12-byte trailer before the magic and the three blobs it announces, not yet interpreted
// (signature.h turns them into signer, key id, hash algorithm and signature bytes).
struct RawSignature {
    std::uint8_t algorithm = 0;  // 0 = unspecified/PKCS#7, 1 = ...; kmod accepts < 2
    std::uint8_t hash = 0;       // index into kmod's hash table; kmod accepts < 9
    std::uint8_t id_type = 0;    // 0 PGP, 1 X509, 2 PKCS#7
    Bytes signer;                // signer_len bytes (empty for PKCS#7)
    Bytes key_id;                // key_id_len bytes (empty for PKCS#7)
    Bytes signature;             // sig_len bytes: for PKCS#7 a DER SignedData
    std::uint64_t offset = 0;    // where the signer blob starts = size of the signed module bytes
};

class ModuleFile {
public:
    // Reads the file at `path` (mapped; decompressed by magic if compressed). Errors name the path.
    static Result<ModuleFile> open(const std::string& path,
        std::size_t decompressed_limit = default_decompressed_limit);

    // The same over bytes already in memory (tests, fuzzing). Plain bytes are not copied and must
    // outlive the ModuleFile; `what` names the input in error messages.
    static Result<ModuleFile> from_bytes(Bytes bytes, std::string what,
        std::size_t decompressed_limit = default_decompressed_limit);

    ModuleFile() = default;
    ModuleFile(ModuleFile&&) noexcept = default;
    ModuleFile& operator=(ModuleFile&&) noexcept = default;

    const std::string& path() const { return m_what; }
    Compression compression() const { return m_compression; }

    // The whole (decompressed) module, signature included: what init_module() is given.
    Bytes bytes() const { return m_bytes; }
    // The module without its appended signature (equal to bytes() if unsigned).
    Bytes unsigned_bytes() const { return m_bytes.first(m_signature ? m_signature->offset : m_bytes.size()); }

    // The appended signature, if the magic is present and the trailer is valid by kmod's rules
    // (algo < 2, hash < 9, id_type < 3, sig_len != 0, lengths fit); otherwise none.
    const std::optional<RawSignature>& signature() const { return m_signature; }

    // Set when the file ends in a way kmod silently treats as unsigned but that is clearly
    // broken: the magic with an impossible trailer, or bytes after the magic.
    const std::optional<std::string>& signature_problem() const { return m_signature_problem; }

    const ElfFile& elf() const { return m_elf; }

    // Every non-empty .modinfo string in section order. An absent section gives an error, as in
    // kmod ("could not get modinfo"); a section with only NULs gives an empty list.
    Result<std::vector<ModinfoEntry>> modinfo() const;
    // The value of the first .modinfo entry with that key, if any.
    std::optional<std::string_view> modinfo_value(std::string_view key) const;

    // __versions records in file order (empty if the section is absent; an error if its size is
    // not a multiple of 64, as in kmod).
    Result<std::vector<VersionRecord>> versions() const;
    Result<std::vector<ExportedSymbol>> exported_symbols() const;
    Result<std::vector<NeededSymbol>> needed_symbols() const;

private:
    static Result<ModuleFile> finish(ModuleFile module, std::size_t decompressed_limit);

    std::string m_what;
    MappedFile m_mapped;
    std::vector<std::uint8_t> m_decompressed;  // decompressed bytes, or a small file read whole
    Bytes m_bytes;
    Compression m_compression = Compression::None;
    std::optional<RawSignature> m_signature;
    std::optional<std::string> m_signature_problem;
    ElfFile m_elf;
};

// Splits the appended signature off module bytes by kmod's rules (none if absent or invalid).
std::optional<RawSignature> find_raw_signature(Bytes bytes);

}  // namespace ringside::kmod
