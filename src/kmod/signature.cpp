#include "kmod/signature.h"

#include <cstring>
#include <memory>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

namespace ringside::kmod {

namespace {

// kmod 30's tables, indexed by the trailer's fields.
constexpr const char* id_type_names[] = { "PGP", "X509", "PKCS#7" };
constexpr const char* hash_names[] = { "md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224", "sm3" };
constexpr std::uint8_t id_type_pkcs7 = 2;

struct Pkcs7Deleter {
    void operator()(PKCS7* p) const { PKCS7_free(p); }
};
struct BignumDeleter {
    void operator()(BIGNUM* b) const { BN_free(b); }
};

const char* hash_name_for(const ASN1_OBJECT* object)
{
    switch (OBJ_obj2nid(object)) {
    case NID_md4: return "md4";
    case NID_md5: return "md5";
    case NID_sha1: return "sha1";
    case NID_ripemd160: return "rmd160";
    case NID_sha256: return "sha256";
    case NID_sha384: return "sha384";
    case NID_sha512: return "sha512";
    case NID_sha224: return "sha224";
#ifdef NID_sm3
    case NID_sm3: return "sm3";
#endif
    default: return nullptr;
    }
}

// The issuer's commonName, cut at its first NUL as kmod's strlen() does; empty if absent.
std::string common_name(X509_NAME* name)
{
    int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0)
        return {};
    X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, index);
    ASN1_STRING* data = entry ? X509_NAME_ENTRY_get_data(entry) : nullptr;
    if (!data)
        return {};
    const char* text = reinterpret_cast<const char*>(ASN1_STRING_get0_data(data));
    int length = ASN1_STRING_length(data);
    if (!text || length <= 0)
        return {};
    return std::string(text, strnlen(text, static_cast<std::size_t>(length)));
}

Error broken(const RawSignature& raw, const std::string& why)
{
    return Error { ErrorKind::Malformed, "PKCS#7 signature (" + std::to_string(raw.signature.size()) + " bytes at offset "
            + std::to_string(raw.offset + raw.signer.size() + raw.key_id.size()) + "): " + why };
}

Result<std::optional<SignatureInfo>> describe_pkcs7(const RawSignature& raw)
{
    const unsigned char* cursor = raw.signature.data();
    std::unique_ptr<PKCS7, Pkcs7Deleter> pkcs7(d2i_PKCS7(nullptr, &cursor, static_cast<long>(raw.signature.size())));
    if (!pkcs7)
        return broken(raw, "not a DER PKCS#7 structure");
    STACK_OF(PKCS7_SIGNER_INFO)* signers = PKCS7_get_signer_info(pkcs7.get());
    if (!signers)
        return broken(raw, "not SignedData");
    PKCS7_SIGNER_INFO* signer = sk_PKCS7_SIGNER_INFO_value(signers, 0);
    if (!signer || !signer->issuer_and_serial || !signer->enc_digest)
        return broken(raw, "no signer information");
    X509_ALGOR* digest_algorithm = nullptr;
    PKCS7_SIGNER_INFO_get0_algs(signer, nullptr, &digest_algorithm, nullptr);
    if (!digest_algorithm)
        return broken(raw, "no digest algorithm");
    const ASN1_OBJECT* digest_object = nullptr;
    X509_ALGOR_get0(&digest_object, nullptr, nullptr, digest_algorithm);
    const char* hash = digest_object ? hash_name_for(digest_object) : nullptr;
    if (!hash)
        return std::optional<SignatureInfo> {};  // kmod 30 shows no signature for other digests

    SignatureInfo info;
    info.id_type = id_type_names[id_type_pkcs7];
    info.hash_algorithm = hash;
    const ASN1_OCTET_STRING* digest = signer->enc_digest;
    info.signature.assign(digest->data, digest->data + digest->length);
    std::unique_ptr<BIGNUM, BignumDeleter> serial(ASN1_INTEGER_to_BN(signer->issuer_and_serial->serial, nullptr));
    if (!serial)
        return broken(raw, "unreadable serial number");
    info.key_id.resize(static_cast<std::size_t>(BN_num_bytes(serial.get())));
    BN_bn2bin(serial.get(), info.key_id.data());
    if (signer->issuer_and_serial->issuer)
        info.signer = common_name(signer->issuer_and_serial->issuer);
    return std::optional<SignatureInfo>(std::move(info));
}

}  // namespace

Result<std::optional<SignatureInfo>> describe_signature(const RawSignature& raw)
{
    if (raw.id_type >= std::size(id_type_names) || raw.hash >= std::size(hash_names))
        return std::optional<SignatureInfo> {};
    if (raw.id_type == id_type_pkcs7)
        return describe_pkcs7(raw);
    // PGP and X509 trailers carry the blobs verbatim.
    SignatureInfo info;
    info.id_type = id_type_names[raw.id_type];
    const char* signer = reinterpret_cast<const char*>(raw.signer.data());
    info.signer.assign(signer, strnlen(signer, raw.signer.size()));  // printed with %s by kmod
    info.key_id.assign(raw.key_id.begin(), raw.key_id.end());
    info.hash_algorithm = hash_names[raw.hash];
    info.signature.assign(raw.signature.begin(), raw.signature.end());
    return std::optional<SignatureInfo>(std::move(info));
}

std::string kmod_hex(const std::vector<std::uint8_t>& bytes)
{
    static constexpr char digits[] = "0123456789ABCDEF";
    constexpr std::size_t per_line = 20;
    if (bytes.empty())
        return {};
    // "XX:" per byte but the last, plus "\n\t\t" after every full line but the last.
    std::size_t breaks = (bytes.size() - 1) / per_line;
    std::string text(bytes.size() * 3 - 1 + breaks * 3, '\0');
    char* out = text.data();
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        *out++ = digits[bytes[i] >> 4];
        *out++ = digits[bytes[i] & 0xf];
        if (i + 1 < bytes.size()) {
            *out++ = ':';
            if ((i + 1) % per_line == 0) {
                *out++ = '\n';
                *out++ = '\t';
                *out++ = '\t';
            }
        }
    }
    return text;
}

}  // namespace ringside::kmod
