// The appended module signature as kmod 30 reports it: id type, signer, key id, hash algorithm
// and signature bytes. PKCS#7 blobs are decoded with OpenSSL; kmod never verifies them and
// neither do we.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/byte_reader.h"
#include "kmod/module_file.h"

namespace ringside::kmod {

struct SignatureInfo {
    std::string id_type;         // "PGP", "X509" or "PKCS#7"
    std::string signer;          // PKCS#7: commonName of the first signer's issuer
    std::vector<std::uint8_t> key_id;     // PKCS#7: that signer's certificate serial number
    std::string hash_algorithm;  // "sha256", ... (kmod 30's fixed table)
    std::vector<std::uint8_t> signature;  // PKCS#7: the signer's encrypted digest
};

// What kmod 30 would print for this trailer. Nothing where kmod prints no signature although the
// blob is sound (a digest algorithm outside kmod 30's table); an error where kmod also prints
// nothing because the blob is broken (not DER PKCS#7, no signer info).
Result<std::optional<SignatureInfo>> describe_signature(const RawSignature& raw);

// Bytes as kmod prints them: "AB:CD:...", a line break plus two TABs after every 20 bytes.
std::string kmod_hex(const std::vector<std::uint8_t>& bytes);

}  // namespace ringside::kmod
