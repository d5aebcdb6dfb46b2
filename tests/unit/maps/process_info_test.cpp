#include <gtest/gtest.h>

#include "maps/mem_report.h"
#include "maps/pagemap.h"
#include "maps/process_info.h"
#include "maps/prometheus.h"
#include "maps/watch_pacing.h"

using namespace ringside;
using namespace ringside::maps;

TEST(ProcessStat, CommWithSpacesAndParentheses)
{
    std::string stat = "42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 100 1000 10 "
                       "18446744073709551615 1 1 140737488347136 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";
    auto parsed = parse_stat(stat);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->comm, "a (b) c");
    EXPECT_EQ(parsed->state, 'S');
    EXPECT_EQ(parsed->start_stack, 140737488347136u);
    EXPECT_FALSE(parse_stat("42 (x) S 1 2"));
}

TEST(ProcessStatus, KernelThreadsHaveNoMemory)
{
    auto user = parse_status("Name:\tsleep\nTgid:\t7\nPPid:\t1\nUid:\t1000\t1000\t1000\t1000\nVmRSS:\t  512 kB\nVmSwap:\t 4 kB\n");
    ASSERT_TRUE(user);
    EXPECT_EQ(user->uid, 1000u);
    EXPECT_TRUE(user->has_mm);
    EXPECT_EQ(user->vm_rss_kb, 512u);
    EXPECT_EQ(user->vm_swap_kb, 4u);
    auto kernel = parse_status("Name:\tkthreadd\nUid:\t0\t0\t0\t0\n");
    ASSERT_TRUE(kernel);
    EXPECT_FALSE(kernel->has_mm);
}

TEST(ProcpsCmdline, MatchesLibproc2InBothLocales)
{
    ProcessStat stat;
    stat.comm = "sleep";
    std::string raw("weird\nname\ttab \xc3\xa9\x01\0" "100\0", 22);
    EXPECT_EQ(procps_cmdline(raw, stat, true), "weird name?tab \xc3\xa9? 100");
    EXPECT_EQ(procps_cmdline(raw, stat, false), "weird name.tab ??. 100");
    EXPECT_EQ(procps_cmdline("", stat, true), "[sleep]");
    stat.state = 'Z';
    EXPECT_EQ(procps_cmdline("", stat, true), "[sleep] <defunct>");
}

TEST(Rollup, UssIsPrivateCleanPlusDirty)
{
    ProcessMemory memory;
    ASSERT_TRUE(apply_rollup("55d0c8a3b000-7ffd6e1fe000 ---p 00000000 00:00 0      [rollup]\n"
                             "Rss: 100 kB\nPss: 60 kB\nPss_Anon: 40 kB\nShared_Clean: 40 kB\n"
                             "Private_Clean: 10 kB\nPrivate_Dirty: 50 kB\nSwap: 8 kB\nSwapPss: 4 kB\n",
        memory));
    EXPECT_EQ(memory.rss, 100u);
    EXPECT_EQ(memory.pss, 60u);
    EXPECT_EQ(memory.uss, 60u);
    EXPECT_EQ(memory.swap, 8u);
    EXPECT_EQ(memory.swap_pss, 4u);
    EXPECT_EQ(memory.pss_anon, 40u);
    auto empty = apply_rollup("", memory);
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().kind, ErrorKind::NotFound);
}

TEST(Prometheus, EscapesLabelValues)
{
    EXPECT_EQ(prometheus_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(WatchPacing, LargeProcessesWaitLonger)
{
    WatchPacing pacing(1'000'000'000, 0.01);  // 1 s, 1 % duty
    EXPECT_TRUE(pacing.due(7, 0));
    // A 20 ms read (4 GiB resident) may repeat only every 2 s; a 10 us one every second.
    EXPECT_EQ(pacing.record(7, 0, 20'000'000), 2'000'000'000u);
    EXPECT_EQ(pacing.record(8, 0, 10'000), 1'000'000'000u);
    EXPECT_FALSE(pacing.due(7, 1'500'000'000));
    EXPECT_TRUE(pacing.due(8, 1'500'000'000));
    EXPECT_TRUE(pacing.due(7, 2'000'000'000));
}

TEST(Pagemap, DecodesBitsAndRejectsPartialEntries)
{
    std::uint8_t bytes[16] = {};
    std::uint64_t present_shared = (1ull << 63) | 0x1234;
    std::uint64_t present_exclusive = (1ull << 63) | (1ull << 56) | (1ull << 61);
    std::memcpy(bytes, &present_shared, 8);
    std::memcpy(bytes + 8, &present_exclusive, 8);
    auto entries = decode_pagemap(Bytes(bytes, 16));
    ASSERT_TRUE(entries);
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_TRUE((*entries)[0].present());
    EXPECT_FALSE((*entries)[0].exclusive());
    EXPECT_EQ((*entries)[0].frame(), 0x1234u);
    EXPECT_TRUE((*entries)[1].exclusive());
    EXPECT_TRUE((*entries)[1].file_or_shared());
    EXPECT_FALSE(decode_pagemap(Bytes(bytes, 12)));
}
