#include <gtest/gtest.h>

#include <memory>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "kmod-fixtures/synthetic_module.h"
#include "kmod/module_file.h"
#include "kmod/signature.h"

using namespace ringside;
using namespace ringside::kmod;

namespace {

// A detached PKCS#7 signature over `data` with a fresh key and a self-signed certificate whose
// issuer CN and serial number we choose, made the way sign-file does (no attributes).
std::vector<std::uint8_t> make_pkcs7(const std::vector<std::uint8_t>& data, const char* common_name, long serial,
    const EVP_MD* digest)
{
    EVP_PKEY* key = EVP_RSA_gen(2048);
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("ringside tests"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());

    BIO* in = BIO_new_mem_buf(data.data(), static_cast<int>(data.size()));
    int flags = PKCS7_DETACHED | PKCS7_BINARY | PKCS7_NOATTR | PKCS7_NOCERTS | PKCS7_PARTIAL;
    PKCS7* p7 = PKCS7_sign(nullptr, nullptr, nullptr, nullptr, flags);
    PKCS7_sign_add_signer(p7, cert, key, digest, flags);
    PKCS7_final(p7, in, flags);
    unsigned char* der = nullptr;
    int length = i2d_PKCS7(p7, &der);
    std::vector<std::uint8_t> out(der, der + (length > 0 ? length : 0));
    OPENSSL_free(der);
    PKCS7_free(p7);
    BIO_free(in);
    X509_free(cert);
    EVP_PKEY_free(key);
    return out;
}

std::vector<std::uint8_t> module_bytes()
{
    fixtures::SyntheticModule m;
    m.modinfo = { "license=GPL", "name=signed" };
    return m.build();
}

}  // namespace

TEST(Signature, HexAsKmodPrintsIt)
{
    EXPECT_EQ(kmod_hex({}), "");
    EXPECT_EQ(kmod_hex({ 0x00, 0xAB, 0x0F }), "00:AB:0F");
    std::vector<std::uint8_t> twenty(20, 0x11);
    EXPECT_EQ(kmod_hex(twenty), "11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11:11");
    std::vector<std::uint8_t> twenty_one(21, 0x22);
    std::string text = kmod_hex(twenty_one);
    // After the 20th byte: ':' then a line break and two TABs.
    EXPECT_EQ(text.substr(59), ":\n\t\t22");
}

TEST(Signature, Pkcs7SignerSerialHashAndDigest)
{
    auto bytes = module_bytes();
    auto pkcs7 = make_pkcs7(bytes, "ringside test key", 0x1234567, EVP_sha256());
    ASSERT_FALSE(pkcs7.empty());
    fixtures::append_signature(bytes, pkcs7);
    auto module = ModuleFile::from_bytes(bytes, "pkcs7 signed module");
    ASSERT_TRUE(module) << module.error().message;
    ASSERT_TRUE(module->signature());
    auto info = describe_signature(*module->signature());
    ASSERT_TRUE(info) << info.error().message;
    ASSERT_TRUE(*info);
    EXPECT_EQ((*info)->id_type, "PKCS#7");
    EXPECT_EQ((*info)->signer, "ringside test key");
    EXPECT_EQ((*info)->key_id, (std::vector<std::uint8_t> { 0x01, 0x23, 0x45, 0x67 }));  // serial, no sign byte
    EXPECT_EQ((*info)->hash_algorithm, "sha256");
    EXPECT_EQ((*info)->signature.size(), 256u);  // RSA-2048 signature
}

TEST(Signature, OtherDigestsAsKmod30Names)
{
    auto bytes = module_bytes();
    fixtures::append_signature(bytes, make_pkcs7(bytes, "k", 7, EVP_sha512()));
    auto module = ModuleFile::from_bytes(bytes, "sha512 signed module");
    ASSERT_TRUE(module);
    auto info = describe_signature(*module->signature());
    ASSERT_TRUE(info && *info);
    EXPECT_EQ((*info)->hash_algorithm, "sha512");
}

TEST(Signature, DigestOutsideKmodTableShowsNoSignature)
{
    auto bytes = module_bytes();
    fixtures::append_signature(bytes, make_pkcs7(bytes, "k", 7, EVP_sha3_256()));
    auto module = ModuleFile::from_bytes(bytes, "sha3 signed module");
    ASSERT_TRUE(module);
    auto info = describe_signature(*module->signature());
    ASSERT_TRUE(info);
    EXPECT_FALSE(*info);
}

TEST(Signature, GarbageBlobIsAnError)
{
    auto bytes = module_bytes();
    fixtures::append_signature(bytes, std::vector<std::uint8_t>(300, 0x55));
    auto module = ModuleFile::from_bytes(bytes, "garbage signed module");
    ASSERT_TRUE(module);
    auto info = describe_signature(*module->signature());
    ASSERT_FALSE(info);
    EXPECT_NE(info.error().message.find("PKCS#7"), std::string::npos);
}

TEST(Signature, LegacyBlobsVerbatim)
{
    auto bytes = module_bytes();
    fixtures::append_signature(bytes, { 9, 8, 7 }, 0, std::string("pgp\0signer", 10), { 0xAA }, 2);
    auto module = ModuleFile::from_bytes(bytes, "pgp signed module");
    ASSERT_TRUE(module);
    auto info = describe_signature(*module->signature());
    ASSERT_TRUE(info && *info);
    EXPECT_EQ((*info)->id_type, "PGP");
    EXPECT_EQ((*info)->signer, "pgp");  // cut at NUL as kmod's %s does
    EXPECT_EQ((*info)->hash_algorithm, "sha1");
    EXPECT_EQ((*info)->signature, (std::vector<std::uint8_t> { 9, 8, 7 }));
}
