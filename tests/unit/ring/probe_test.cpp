// Runs real probes in children: what holds on every x86-64 Linux.
#include <gtest/gtest.h>

#include "base/mapped_file.h"
#include "ring/child.h"
#include "ring/cpu.h"
#include "ring/ring_render.h"
#include "ring/ring_report.h"

using namespace ringside::ring;

#if defined(__x86_64__)

TEST(RunInChild, HltFaultsWithGeneralProtection)
{
    ChildReport report = run_in_child(*find_probe("hlt"));
    ASSERT_EQ(report.outcome, ChildOutcome::Faulted);
    EXPECT_EQ(report.signal_number, SIGSEGV);
    EXPECT_EQ(report.si_code, SI_KERNEL);
}

TEST(RunInChild, CpuidVendorMatchesProcCpuinfo)
{
    ChildReport report = run_in_child(*find_probe("cpuid"));
    auto cpuinfo = ringside::read_small_file("/proc/cpuinfo");
    ASSERT_TRUE(cpuinfo);
    if (report.outcome != ChildOutcome::Allowed)
        GTEST_SKIP() << "CPUID faulting is on for this process";
    std::string vendor = format_probe_value(ValueKind::Vendor, report.values);
    EXPECT_NE(cpuinfo->find("vendor_id\t: " + vendor + "\n"), std::string::npos) << vendor;
}

TEST(RunInChild, RdtscFaultsAfterPrSetTsc)
{
    ChildReport report = run_in_child(*find_probe("rdtsc_tsd"));
    ASSERT_EQ(report.outcome, ChildOutcome::Faulted);
    EXPECT_EQ(report.signal_number, SIGSEGV);
}

TEST(RingJson, FollowsTheContractAndCoversEveryProbe)
{
    auto report = run_ring({});
    ASSERT_TRUE(report);
    ringside::Json json = ring_json(*report);
    ASSERT_TRUE(json.is_object());
    EXPECT_EQ(json.begin().key(), "schema_version");
    EXPECT_EQ(json["tool"], "ring");
    EXPECT_EQ(json["current_privilege_level"], 3);
    EXPECT_EQ(json["probes"].size(), probe_specs().size());
    for (const auto& probe : json["probes"]) {
        if (probe["class"] == "privileged") {
            EXPECT_EQ(probe["outcome"], "fault") << probe["name"];
        }
    }
}

#endif
