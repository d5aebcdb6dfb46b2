#include <gtest/gtest.h>

#include "maps/mapping_kind.h"
#include "maps/maps_line.h"

using namespace ringside;
using namespace ringside::maps;

TEST(MapsLine, ParsesEveryColumnAndKeepsSpacesInTheName)
{
    auto line = parse_maps_line("7f2523700000-7f2523800000 rw-s 00001000 fe:01 1028                       /tmp/data file.bin");
    ASSERT_TRUE(line) << line.error().message;
    EXPECT_EQ(line->start, 0x7f2523700000u);
    EXPECT_EQ(line->end, 0x7f2523800000u);
    EXPECT_EQ(line->perms_text(), "rw-s");
    EXPECT_TRUE(line->is_shared());
    EXPECT_EQ(line->offset, 0x1000u);
    EXPECT_EQ(line->dev_major, 0xfeu);
    EXPECT_EQ(line->dev_minor, 1u);
    EXPECT_EQ(line->inode, 1028u);
    EXPECT_EQ(line->name, "/tmp/data file.bin");
    EXPECT_EQ(line->size(), 0x100000u);
}

TEST(MapsLine, KeepsTrailingSpacesAndDecodesNewlines)
{
    auto line = parse_maps_line("00400000-00401000 r--p 00000000 fe:00 12 /tmp/new\\012line.bin ");
    ASSERT_TRUE(line);
    EXPECT_EQ(line->name, "/tmp/new\\012line.bin ");
    EXPECT_EQ(decode_mapping_name(line->name), "/tmp/new\nline.bin ");
}

TEST(MapsLine, AnonymousMappingHasAnEmptyName)
{
    auto line = parse_maps_line("7ffd6e1de000-7ffd6e1fe000 rw-p 00000000 00:00 0 ");
    ASSERT_TRUE(line);
    EXPECT_EQ(line->name, "");
    EXPECT_EQ(classify_mapping(*line), MappingKind::Anonymous);
    auto bare = parse_maps_line("7ffd6e1de000-7ffd6e1fe000 rw-p 00000000 00:00 0");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->name, "");
}

TEST(MapsLine, ClassifiesTheSpecialNames)
{
    auto kind = [](const char* text) {
        auto line = parse_maps_line(text);
        EXPECT_TRUE(line) << text;
        return line ? classify_mapping(*line) : MappingKind::Other;
    };
    EXPECT_EQ(kind("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]"), MappingKind::KernelPage);
    EXPECT_EQ(kind("7ffd6e1de000-7ffd6e1fe000 rw-p 00000000 00:00 0  [stack]"), MappingKind::Stack);
    EXPECT_EQ(kind("55d0c8a3b000-55d0c8a5c000 rw-p 00000000 00:00 0  [heap]"), MappingKind::Heap);
    EXPECT_EQ(kind("7f0000000000-7f0000001000 rw-p 00000000 00:00 0  [anon:jit cache]"), MappingKind::Anonymous);
    EXPECT_EQ(kind("7f0000000000-7f0000001000 rw-s 00000000 00:01 1025  /dev/zero (deleted)"), MappingKind::SharedAnon);
    EXPECT_EQ(kind("7f0000000000-7f0000001000 rw-s 00000000 00:01 1026  /memfd:demo (deleted)"), MappingKind::Memfd);
    EXPECT_EQ(kind("7f0000000000-7f0000001000 rw-s 00000000 00:01 0  /SYSV00000000 (deleted)"), MappingKind::SysV);
    EXPECT_EQ(kind("7f0000000000-7f0000200000 rw-s 00000000 00:0f 4  /anon_hugepage (deleted)"), MappingKind::Hugetlb);
    EXPECT_EQ(kind("7f0000000000-7f0000001000 r--p 00000000 fe:00 7  /usr/lib/libc.so.6"), MappingKind::File);
    EXPECT_EQ(kind("7f0000000000-7f0000001000 r--p 00000000 fe:00 7  /tmp/x.bin (deleted)"), MappingKind::DeletedFile);
}

TEST(MapsLine, RejectsEveryTruncatedPrefixBeforeTheInode)
{
    const std::string full = "7f2523700000-7f2523800000 rw-s 00001000 fe:01 1028 /x";
    const std::size_t inode_end = full.find(" /x");
    for (std::size_t n = 0; n < inode_end; ++n) {
        auto line = parse_maps_line(std::string_view(full).substr(0, n));
        // A prefix that stops inside the inode still parses (a shorter inode); all others fail.
        if (n > full.find("1028"))
            continue;
        EXPECT_FALSE(line) << "prefix of " << n << " bytes parsed";
        if (!line) {
            EXPECT_EQ(line.error().kind, ErrorKind::Malformed);
        }
    }
}

TEST(MapsLine, RejectsCorruptColumns)
{
    const char* bad[] = {
        "7f25-7f24 rw-p 00000000 00:00 0",                  // ends before it starts
        "zz-7f24 rw-p 00000000 00:00 0",                    // not hex
        "1000-2000 rw-p 00000000 0000 0",                   // device without ':'
        "1000-2000 rw-p 00000000 00:00 x",                  // inode not a number
        "1000-2000 rw-p 00000000 00:00 99999999999999999999999",  // inode overflows
        "1000-2000 rw-p 00000000 100000000:00 0",           // major out of range
        "10000000000000000000-2000 rw-p 00000000 00:00 0",  // address overflows
    };
    for (const char* text : bad)
        EXPECT_FALSE(parse_maps_line(text)) << text;
}
