#include <gtest/gtest.h>

#include <vector>

#include "base/elf.h"
#include "base/mapped_file.h"

using namespace ringside;

namespace {

// The test binary itself is a real ELF64 x86-64 file with a symbol table.
std::vector<std::uint8_t> own_binary()
{
    auto file = MappedFile::open("/proc/self/exe");
    EXPECT_TRUE(file);
    return { file->bytes().begin(), file->bytes().end() };
}

}  // namespace

TEST(Elf, FindsSectionsAndSymbols)
{
    auto bytes = own_binary();
    auto elf = ElfFile::parse(bytes, "self");
    ASSERT_TRUE(elf) << elf.error().message;
    EXPECT_NE(elf->find_section(".text"), nullptr);
    EXPECT_EQ(elf->find_section(".no-such-section"), nullptr);
    auto symbols = elf->symbols();
    ASSERT_TRUE(symbols);
    bool found_main = false;
    for (const auto& symbol : *symbols)
        found_main |= symbol.name == "main";
    EXPECT_TRUE(found_main);
}

TEST(Elf, EveryTruncatedHeaderIsRejected)
{
    auto bytes = own_binary();
    for (std::size_t cut = 0; cut < 64; ++cut)
        EXPECT_FALSE(ElfFile::parse(Bytes(bytes.data(), cut), "cut")) << cut;
    // Cutting before the section table (which sits at the end) must fail too.
    EXPECT_FALSE(ElfFile::parse(Bytes(bytes.data(), bytes.size() - 1), "cut"));
}

TEST(Elf, RejectsOtherClassesAndMachines)
{
    auto bytes = own_binary();
    auto other_class = bytes;
    other_class[4] = 1;
    auto result = ElfFile::parse(other_class, "x");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::Unsupported);
    auto big_endian = bytes;
    big_endian[5] = 2;
    EXPECT_EQ(ElfFile::parse(big_endian, "x").error().kind, ErrorKind::Unsupported);
    auto arm = bytes;
    arm[18] = 183;
    arm[19] = 0;
    EXPECT_EQ(ElfFile::parse(arm, "x").error().kind, ErrorKind::Unsupported);
}

TEST(Elf, RejectsSectionNameTableWithoutTerminator)
{
    auto bytes = own_binary();
    auto elf = ElfFile::parse(bytes, "self");
    ASSERT_TRUE(elf);
    const ElfSection* names = elf->find_section(".shstrtab");
    ASSERT_NE(names, nullptr);
    bytes[names->offset + names->size - 1] = 'x';
    auto result = ElfFile::parse(bytes, "self");
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("NUL"), std::string::npos);
}
