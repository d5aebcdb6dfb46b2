#include <gtest/gtest.h>

#include "ring/cpu.h"
#include "ring/settings.h"

using namespace ringside::ring;

TEST(CpuFlags, ReadsTheFirstFlagsLine)
{
    auto flags = cpu_flags_from_cpuinfo("processor\t: 0\nvendor_id\t: GenuineIntel\n"
                                        "flags\t\t: fpu vme umip  cpuid_fault hypervisor\n"
                                        "bugs\t\t: spectre_v1\n"
                                        "flags\t\t: other\n");
    EXPECT_TRUE(flags.contains("umip"));
    EXPECT_TRUE(flags.contains("cpuid_fault"));
    EXPECT_TRUE(flags.contains("hypervisor"));
    EXPECT_FALSE(flags.contains("other"));
    EXPECT_FALSE(flags.contains("spectre_v1"));
    EXPECT_EQ(flags.size(), 5u);
}

TEST(CpuFlags, VmxFlagsLineIsNotTheFlagsLine)
{
    auto flags = cpu_flags_from_cpuinfo("vmx flags\t: vnmi\nflags : a b\n");
    EXPECT_FALSE(flags.contains("vnmi"));
    EXPECT_TRUE(flags.contains("a"));
}

TEST(CpuFlags, EmptyOrMissing)
{
    EXPECT_TRUE(cpu_flags_from_cpuinfo("").empty());
    EXPECT_TRUE(cpu_flags_from_cpuinfo("processor : 0\nflags").empty());
}

TEST(RdpmcSetting, ParsesSysfsValues)
{
    EXPECT_EQ(rdpmc_from_sysfs("0\n"), RdpmcSetting::Never);
    EXPECT_EQ(rdpmc_from_sysfs("1\n"), RdpmcSetting::MmapOnly);
    EXPECT_EQ(rdpmc_from_sysfs("2"), RdpmcSetting::Always);
    EXPECT_EQ(rdpmc_from_sysfs(""), RdpmcSetting::Absent);
    EXPECT_EQ(rdpmc_from_sysfs("12\n"), RdpmcSetting::Absent);
}

TEST(Capabilities, ReadsCapEffInHex)
{
    auto caps = effective_capabilities("Name:\tx\nCapInh:\t0000000000000000\nCapEff:\t000001fffeffffff\nCapBnd:\t0\n");
    ASSERT_TRUE(caps.has_value());
    EXPECT_EQ(*caps, 0x1fffeffffffull);
    EXPECT_TRUE((*caps >> cap_sys_rawio_bit) & 1u);
    auto none = effective_capabilities("CapEff:\t0000000000000000\n");
    ASSERT_TRUE(none.has_value());
    EXPECT_EQ(*none, 0u);
}

TEST(Capabilities, RejectsGarbage)
{
    EXPECT_FALSE(effective_capabilities("").has_value());
    EXPECT_FALSE(effective_capabilities("CapEff:\t\n").has_value());
    EXPECT_FALSE(effective_capabilities("CapEff:\tzz\n").has_value());
    EXPECT_FALSE(effective_capabilities("XCapEff:\t1\n").has_value());
}

TEST(Lockdown, TakesTheBracketedMode)
{
    EXPECT_EQ(lockdown_from_securityfs("[none] integrity confidentiality\n"), "none");
    EXPECT_EQ(lockdown_from_securityfs("none [integrity] confidentiality\n"), "integrity");
    EXPECT_EQ(lockdown_from_securityfs(""), "");
    EXPECT_EQ(lockdown_from_securityfs("[unclosed"), "");
}

TEST(Hypervisor, KnownSignaturesHaveNames)
{
    EXPECT_EQ(hypervisor_name("KVMKVMKVM"), "KVM");
    EXPECT_EQ(hypervisor_name("Microsoft Hv"), "Microsoft Hyper-V");
    EXPECT_EQ(hypervisor_name("VMwareVMware"), "VMware");
    EXPECT_EQ(hypervisor_name("SomethingNew"), "SomethingNew");
}

TEST(VendorString, OrdersRegistersAndDropsNuls)
{
    // "KVMKVMKVM\0\0\0" as KVM puts it in EBX, ECX, EDX of leaf 0x40000000.
    EXPECT_EQ(vendor_string(0x4b4d564b, 0x564b4d56, 0x0000004d), "KVMKVMKVM");
    // "GenuineIntel" from leaf 0: EBX "Genu", EDX "ineI", ECX "ntel".
    EXPECT_EQ(vendor_string(0x756e6547, 0x49656e69, 0x6c65746e), "GenuineIntel");
}
