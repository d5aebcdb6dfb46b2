#include <gtest/gtest.h>

#include "maps/meminfo.h"
#include "maps/smaps.h"

using namespace ringside;
using namespace ringside::maps;

namespace {

const char* sample =
    "55d0c8a3b000-55d0c8a5c000 rw-p 00000000 00:00 0                          [heap]\n"
    "Size:                132 kB\n"
    "KernelPageSize:        4 kB\n"
    "Rss:                  12 kB\n"
    "Pss:                   6 kB\n"
    "Shared_Dirty:          8 kB\n"
    "Private_Dirty:         4 kB\n"
    "FutureField:          77 kB\n"
    "THPeligible:           1\n"
    "VmFlags: rd wr mr mw me ac gu \n"
    "7f0000000000-7f0000001000 r--s 00000000 fe:00 7    /tmp/a file (deleted)\n"
    "Size:                  4 kB\n"
    "Rss:                   4 kB\n"
    "VmFlags: rd mr me ms sh\n";

}  // namespace

TEST(Smaps, KeepsEveryFieldInKernelOrderAndKnownOnesByName)
{
    auto smaps = Smaps::parse(sample);
    ASSERT_TRUE(smaps) << smaps.error().message;
    ASSERT_EQ(smaps->entries().size(), 2u);
    const SmapsEntry& heap = smaps->entries()[0];
    EXPECT_EQ(heap.line.name, "[heap]");
    EXPECT_EQ(heap.get(Field::Rss), 12u);
    EXPECT_EQ(heap.get(Field::Shared_Dirty) + heap.get(Field::Private_Dirty), 12u);
    EXPECT_EQ(heap.get(Field::THPeligible), 1u);
    auto values = smaps->values_of(heap);
    ASSERT_EQ(values.size(), 8u);
    EXPECT_EQ(values[6].key, "FutureField");   // unknown fields survive, for pmap -XX
    EXPECT_TRUE(values[6].in_kb);
    EXPECT_FALSE(values[7].in_kb);
    EXPECT_EQ(heap.vm_flags, "rd wr mr mw me ac gu");  // unknown flags kept as text
    EXPECT_EQ(smaps->entries()[1].line.name, "/tmp/a file (deleted)");
    EXPECT_EQ(smaps->values_of(smaps->entries()[1]).size(), 2u);
}

TEST(Smaps, PlainMapsIsSmapsWithoutFields)
{
    auto maps = Smaps::parse("00400000-00401000 r-xp 00000000 fe:00 12 /bin/x\n00600000-00601000 rw-p 00000000 00:00 0\n");
    ASSERT_TRUE(maps);
    EXPECT_EQ(maps->entries().size(), 2u);
    EXPECT_FALSE(maps->has_fields());
}

TEST(Smaps, EmptyTextIsNoMappings)
{
    auto maps = Smaps::parse("");
    ASSERT_TRUE(maps);
    EXPECT_TRUE(maps->entries().empty());
}

TEST(Smaps, FieldBeforeAnyMappingIsMalformed)
{
    auto maps = Smaps::parse("Rss: 4 kB\n");
    ASSERT_FALSE(maps);
    EXPECT_EQ(maps.error().kind, ErrorKind::Malformed);
}

TEST(Smaps, TruncatedAnywhereNeverCrashesAndKeepsWholeMappings)
{
    std::string text = sample;
    for (std::size_t n = 0; n <= text.size(); ++n) {
        auto smaps = Smaps::parse(text.substr(0, n));
        if (smaps) {
            EXPECT_LE(smaps->entries().size(), 2u);
        }
    }
}

TEST(Smaps, ViewsStayValidAfterMove)
{
    auto smaps = Smaps::parse("00400000-00401000 r-xp 00000000 fe:00 12 /b\nRss: 4 kB\n");
    ASSERT_TRUE(smaps);
    Smaps moved = std::move(*smaps);
    EXPECT_EQ(moved.entries()[0].line.name, "/b");
    EXPECT_EQ(moved.values_of(moved.entries()[0])[0].key, "Rss");
}

TEST(Meminfo, ReadsFieldsWithAndWithoutUnits)
{
    auto info = Meminfo::parse("MemTotal:       24683656 kB\nAnonPages:  100 kB\nHugePages_Total:       0\n");
    ASSERT_TRUE(info);
    EXPECT_EQ(info->kb("MemTotal"), 24683656u);
    EXPECT_EQ(info->kb("AnonPages"), 100u);
    EXPECT_TRUE(info->has("HugePages_Total"));
    EXPECT_EQ(info->kb("Mapped"), 0u);
    EXPECT_FALSE(Meminfo::parse("AnonPages: 1 kB\n"));
}
