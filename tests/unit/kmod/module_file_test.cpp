#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include "kmod-fixtures/synthetic_module.h"
#include "kmod/module_file.h"

using namespace ringside;
using namespace ringside::kmod;

namespace {

std::string source_dir()
{
    std::string file = __FILE__;
    return file.substr(0, file.rfind("/tests/unit/"));
}

// A real Debian module when the corpus is there (scripts/fetch-corpus.sh).
std::string corpus_module(const std::string& relative)
{
    std::ifstream version(source_dir() + "/corpus/VERSION");
    std::string release;
    std::getline(version, release);
    return source_dir() + "/corpus/plain/lib/modules/" + release + "/kernel/" + relative;
}

std::string run(const std::string& command)
{
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        return out;
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
        out.append(buffer, n);
    ::pclose(pipe);
    return out;
}

fixtures::SyntheticModule sample()
{
    fixtures::SyntheticModule m;
    m.modinfo = { "license=GPL", "flag", "", "description=a=b", "name=sample" };
    m.versions = { { 0x11111111, "module_layout" }, { 0x22222222, "printk" }, { 0x33333333, "kfree" } };
    m.exports = { { "sample_one", 0xcafef00d }, { "sample_two", 0x0badf00d } };
    m.undefined = { { "printk", false }, { "weak_thing", true }, { "kfree", false } };
    return m;
}

}  // namespace

TEST(ModuleFile, ReadsModinfoInSectionOrder)
{
    auto bytes = sample().build();
    auto module = ModuleFile::from_bytes(bytes, "sample module file");
    ASSERT_TRUE(module) << module.error().message;
    auto entries = module->modinfo();
    ASSERT_TRUE(entries);
    ASSERT_EQ(entries->size(), 4u);  // the empty string is skipped
    EXPECT_EQ((*entries)[0].key, "license");
    EXPECT_EQ((*entries)[0].value, "GPL");
    EXPECT_EQ((*entries)[1].key, "flag");  // no '=': all key, empty value
    EXPECT_EQ((*entries)[1].value, "");
    EXPECT_EQ((*entries)[2].key, "description");  // split at the first '='
    EXPECT_EQ((*entries)[2].value, "a=b");
    EXPECT_EQ(module->modinfo_value("name").value_or(""), "sample");
    EXPECT_FALSE(module->modinfo_value("author"));
    EXPECT_EQ(module->compression(), Compression::None);
    EXPECT_FALSE(module->signature());
    EXPECT_EQ(module->bytes().data(), bytes.data());  // plain bytes are not copied
}

TEST(ModuleFile, VersionsExportsAndNeededSymbols)
{
    auto bytes = sample().build();
    auto module = ModuleFile::from_bytes(bytes, "sample module file");
    ASSERT_TRUE(module);
    auto versions = module->versions();
    ASSERT_TRUE(versions);
    ASSERT_EQ(versions->size(), 3u);
    EXPECT_EQ((*versions)[1].name, "printk");
    EXPECT_EQ((*versions)[1].crc, 0x22222222u);

    auto exported = module->exported_symbols();
    ASSERT_TRUE(exported);
    ASSERT_EQ(exported->size(), 2u);
    EXPECT_EQ((*exported)[0].name, "sample_one");
    EXPECT_EQ((*exported)[0].crc, 0xcafef00du);  // read from __kcrctab at the symbol's offset
    EXPECT_EQ((*exported)[1].crc, 0x0badf00du);

    // Undefined symbols in table order with their CRCs, then unmatched __versions records.
    auto needed = module->needed_symbols();
    ASSERT_TRUE(needed);
    ASSERT_EQ(needed->size(), 4u);
    EXPECT_EQ((*needed)[0].name, "printk");
    EXPECT_EQ((*needed)[0].crc, 0x22222222u);
    EXPECT_FALSE((*needed)[0].weak);
    EXPECT_EQ((*needed)[1].name, "weak_thing");
    EXPECT_TRUE((*needed)[1].weak);
    EXPECT_EQ((*needed)[1].crc, 0u);
    EXPECT_EQ((*needed)[2].name, "kfree");
    EXPECT_EQ((*needed)[3].name, "module_layout");
}

TEST(ModuleFile, KsymtabStringsWhenNoCrcSymbols)
{
    fixtures::SyntheticModule m;
    m.modinfo = { "license=GPL" };
    m.ksymtab_strings = { "alpha", "beta" };
    auto bytes = m.build();
    auto module = ModuleFile::from_bytes(bytes, "ksymtab module file");
    ASSERT_TRUE(module);
    auto exported = module->exported_symbols();
    ASSERT_TRUE(exported);
    ASSERT_EQ(exported->size(), 2u);
    EXPECT_EQ((*exported)[1].name, "beta");
    EXPECT_EQ((*exported)[1].crc, 0u);
}

TEST(ModuleFile, SplitsLegacySignature)
{
    auto bytes = sample().build();
    std::size_t elf_size = bytes.size();
    fixtures::append_signature(bytes, std::vector<std::uint8_t>(10, 0xEE), 1, "signer", { 1, 2, 3 }, 4);
    auto module = ModuleFile::from_bytes(bytes, "signed module file");
    ASSERT_TRUE(module) << module.error().message;
    ASSERT_TRUE(module->signature());
    EXPECT_EQ(module->signature()->offset, elf_size);
    EXPECT_EQ(module->unsigned_bytes().size(), elf_size);
    EXPECT_EQ(module->signature()->id_type, 1);
    EXPECT_EQ(module->signature()->signer.size(), 6u);
    EXPECT_EQ(module->signature()->key_id.size(), 3u);
    EXPECT_EQ(module->signature()->signature.size(), 10u);
}

TEST(ModuleFile, InvalidTrailersAreNoSignatureButReported)
{
    auto bytes = sample().build();
    fixtures::append_signature(bytes, std::vector<std::uint8_t>(10, 0xEE), 5 /* id_type out of range */);
    auto module = ModuleFile::from_bytes(bytes, "bad trailer module");
    ASSERT_TRUE(module);
    EXPECT_FALSE(module->signature());
    EXPECT_TRUE(module->signature_problem());

    auto garbage = sample().build();
    fixtures::append_signature(garbage, std::vector<std::uint8_t>(10, 0xEE), 2);
    garbage.push_back('x');
    auto module2 = ModuleFile::from_bytes(garbage, "garbage after magic module");
    ASSERT_TRUE(module2);
    EXPECT_FALSE(module2->signature());
    EXPECT_TRUE(module2->signature_problem());
}

TEST(ModuleFile, EveryTruncationIsAnErrorNotACrash)
{
    auto bytes = sample().build();
    for (std::size_t size = 0; size < bytes.size(); ++size) {
        std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(size));
        auto module = ModuleFile::from_bytes(cut, "truncated module file");
        EXPECT_FALSE(module) << "accepted a module cut at " << size;
        if (!module) {
            EXPECT_NE(module.error().message.find("truncated module file"), std::string::npos);
        }
    }
}

TEST(ModuleFile, CorruptCompressedStreamIsAnError)
{
    std::vector<std::uint8_t> fake_xz = { 0xFD, '7', 'z', 'X', 'Z', 0x00, 1, 2, 3, 4, 5, 6, 7, 8 };
    auto module = ModuleFile::from_bytes(fake_xz, "fake xz module");
    ASSERT_FALSE(module);
    EXPECT_NE(module.error().message.find("fake xz module"), std::string::npos);
}

TEST(ModuleFile, MissingFileAndDirectory)
{
    EXPECT_FALSE(ModuleFile::open("/nonexistent/module.ko"));
    auto directory = ModuleFile::open("/tmp");
    ASSERT_FALSE(directory);
    EXPECT_NE(directory.error().message.find("/tmp"), std::string::npos);
}

// Against kmod on a real module: __versions as `modprobe --dump-modversions` prints them.
TEST(ModuleFile, VersionsMatchKmodOnARealModule)
{
    std::string path = corpus_module("fs/fat/vfat.ko");
    auto module = ModuleFile::open(path);
    if (!module)
        GTEST_SKIP() << "no corpus module " << path;
    std::string expected = run("modprobe --dump-modversions '" + path + "' 2>/dev/null");
    if (expected.empty())
        GTEST_SKIP() << "kmod's modprobe not available";
    auto versions = module->versions();
    ASSERT_TRUE(versions);
    std::string ours;
    for (const VersionRecord& record : *versions) {
        char line[128];
        std::snprintf(line, sizeof line, "0x%08llx\t", static_cast<unsigned long long>(record.crc));
        ours += line;
        ours += record.name;
        ours += '\n';
    }
    EXPECT_EQ(ours, expected);
    ASSERT_TRUE(module->signature());
    EXPECT_EQ(module->signature()->id_type, 2);
}

TEST(ModuleFile, ExportedSymbolsMatchNmOnARealModule)
{
    std::string path = corpus_module("fs/fat/fat.ko");
    auto module = ModuleFile::open(path);
    if (!module)
        GTEST_SKIP() << "no corpus module " << path;
    std::string nm = run("nm '" + path + "' 2>/dev/null | awk '$3 ~ /^__crc_/ {sub(/^__crc_/, \"\", $3); print $3}' | LC_ALL=C sort");
    if (nm.empty())
        GTEST_SKIP() << "nm not available";
    auto exported = module->exported_symbols();
    ASSERT_TRUE(exported);
    std::vector<std::string> names;
    for (const ExportedSymbol& symbol : *exported)
        names.emplace_back(symbol.name);
    std::sort(names.begin(), names.end());
    std::string ours;
    for (const std::string& name : names)
        ours += name + "\n";
    EXPECT_EQ(ours, nm);
}
