#include <gtest/gtest.h>

#include "maps/pmap_view.h"

using namespace ringside;
using namespace ringside::maps;

namespace {

PmapProcess process(pid_t pid, const char* smaps)
{
    PmapProcess p;
    p.pid = pid;
    p.cmdline = "demo";
    p.start_stack = 0x7ffd00000100;
    auto parsed = Smaps::parse(smaps);
    EXPECT_TRUE(parsed);
    p.maps = std::move(*parsed);
    return p;
}

const char* two_mappings =
    "00400000-00401000 r-xp 00000000 fe:00 12 /usr/bin/demo\n"
    "Size: 4 kB\nRss: 4 kB\nPss: 4 kB\nShared_Dirty: 0 kB\nPrivate_Dirty: 0 kB\nSwap: 0 kB\n"
    "VmFlags: rd ex mr mw me\n"
    "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]\n"
    "Size: 132 kB\nRss: 12 kB\nPss: 12 kB\nShared_Dirty: 0 kB\nPrivate_Dirty: 12 kB\nSwap: 0 kB\n"
    "VmFlags: rd wr mr mw me gd ac\n";

}  // namespace

TEST(PmapView, BasicViewNamesStackAndBasename)
{
    PmapRequest request;
    PmapPrinter printer(request);
    std::string out;
    ASSERT_TRUE(printer.render(process(9, two_mappings), out));
    EXPECT_EQ(out,
        "9:   demo\n"
        "0000000000400000      4K r-x-- demo\n"
        "00007ffd00000000    132K rw---   [ stack ]\n"
        " total              136K\n");
}

TEST(PmapView, ExtendedTotalsCountRssOutsideTheRange)
{
    PmapRequest request;
    request.format = PmapFormat::Extended;
    request.range_low = 0x7ffd00000000;
    PmapPrinter printer(request);
    std::string out;
    ASSERT_TRUE(printer.render(process(9, two_mappings), out));
    // procps adds the skipped mapping's RSS to the totals but not its size.
    EXPECT_NE(out.find("total kB             132      16      12\n"), std::string::npos) << out;
}

TEST(PmapView, AllFieldsTotalsCarryOverLikeProcps)
{
    PmapRequest request;
    request.format = PmapFormat::More;
    PmapPrinter printer(request);
    std::string first, second;
    ASSERT_TRUE(printer.render(process(9, two_mappings), first));
    ASSERT_TRUE(printer.render(process(10, two_mappings), second));
    EXPECT_NE(first.find(" 136  16  16    0 KB \n"), std::string::npos) << first;
    EXPECT_NE(second.find(" 272  32  32    0 KB \n"), std::string::npos) << second;
}

TEST(PmapView, ChangingFieldOrderIsAnError)
{
    PmapRequest request;
    request.format = PmapFormat::More;
    PmapPrinter printer(request);
    std::string out;
    auto result = printer.render(process(9, "00400000-00401000 r-xp 00000000 fe:00 12 /x\nSize: 4 kB\nRss: 4 kB\n"
                                             "00500000-00501000 r-xp 00000000 fe:00 12 /x\nRss: 4 kB\nSize: 4 kB\n"),
        out);
    EXPECT_FALSE(result);
}
