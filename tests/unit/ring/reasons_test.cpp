#include <cerrno>
#include <csignal>
#include <gtest/gtest.h>

#include "ring/ring_report.h"

using namespace ringside::ring;

namespace {

const ProbeSpec& spec(std::string_view name)
{
    const ProbeSpec* found = find_probe(name);
    EXPECT_NE(found, nullptr) << name;
    return *found;
}

ChildReport faulted(int signal_number, int code)
{
    ChildReport report;
    report.outcome = ChildOutcome::Faulted;
    report.signal_number = signal_number;
    report.si_code = code;
    return report;
}

bool contains(const std::string& text, std::string_view part)
{
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST(InterpretChild, PrivilegedFaultSaysCplZeroOnly)
{
    KernelSettings settings;
    ProbeResult result = interpret_child(spec("wrmsr"), faulted(SIGSEGV, SI_KERNEL), settings);
    EXPECT_EQ(result.outcome, ProbeOutcome::Faulted);
    ASSERT_TRUE(result.fault);
    EXPECT_EQ(result.fault->exception, "#GP");
    EXPECT_TRUE(contains(result.reason, "CPL 0 only")) << result.reason;
}

TEST(InterpretChild, UmipDecidesWhatAnAllowedSgdtMeans)
{
    ChildReport allowed;
    allowed.outcome = ChildOutcome::Allowed;
    allowed.values.word[0] = 0xfffffffffffe0000ull;
    allowed.values.word[1] = 0;
    KernelSettings with_umip;
    with_umip.umip = true;
    ProbeResult emulated = interpret_child(spec("sgdt"), allowed, with_umip);
    EXPECT_EQ(emulated.value, "base 0xfffffffffffe0000, limit 0x0");
    EXPECT_TRUE(contains(emulated.reason, "emulated")) << emulated.reason;

    KernelSettings without_umip;
    ProbeResult real = interpret_child(spec("sgdt"), allowed, without_umip);
    EXPECT_TRUE(contains(real.reason, "no UMIP")) << real.reason;

    ProbeResult refused = interpret_child(spec("sidt"), faulted(SIGSEGV, SI_KERNEL), with_umip);
    EXPECT_TRUE(contains(refused.reason, "UMIP is on")) << refused.reason;
}

TEST(InterpretChild, RdtscReasonNamesTheTscMode)
{
    KernelSettings settings;
    settings.tsc = TscMode::Faulting;
    ProbeResult result = interpret_child(spec("rdtsc"), faulted(SIGSEGV, SI_KERNEL), settings);
    EXPECT_TRUE(contains(result.reason, "PR_TSC_SIGSEGV")) << result.reason;
}

TEST(InterpretChild, RdpmcReasonNamesTheSysfsSetting)
{
    KernelSettings settings;
    settings.rdpmc = RdpmcSetting::MmapOnly;
    ProbeResult result = interpret_child(spec("rdpmc"), faulted(SIGSEGV, SI_KERNEL), settings);
    EXPECT_TRUE(contains(result.reason, "CR4.PCE is clear")) << result.reason;
    EXPECT_TRUE(contains(result.reason, "mmapped")) << result.reason;
}

TEST(InterpretChild, HypervisorIsMentionedForCpuid)
{
    ChildReport allowed;
    allowed.outcome = ChildOutcome::Allowed;
    allowed.values.word[0] = 0x756e6547;
    allowed.values.word[1] = 0x49656e69;
    allowed.values.word[2] = 0x6c65746e;
    KernelSettings settings;
    settings.hypervisor = { true, "KVMKVMKVM", "KVM" };
    ProbeResult result = interpret_child(spec("cpuid"), allowed, settings);
    EXPECT_EQ(result.value, "GenuineIntel");
    EXPECT_TRUE(contains(result.reason, "under KVM")) << result.reason;
}

TEST(InterpretChild, RefusedSetupsSayWhy)
{
    KernelSettings settings;
    ChildReport report;
    report.outcome = ChildOutcome::NotRun;
    report.setup_errno = EPERM;
    ProbeResult eperm = interpret_child(spec("in_ioperm"), report, settings);
    EXPECT_EQ(eperm.outcome, ProbeOutcome::NotRun);
    EXPECT_TRUE(contains(eperm.reason, "CAP_SYS_RAWIO")) << eperm.reason;

    report.setup_errno = ENOSYS;
    EXPECT_TRUE(contains(interpret_child(spec("out_ioperm"), report, settings).reason, "CONFIG_X86_IOPL_IOPERM"));

    report.setup_errno = ENODEV;
    EXPECT_TRUE(contains(interpret_child(spec("cpuid_faulting"), report, settings).reason, "no CPUID faulting"));
}

TEST(InterpretChild, ChildThatNeverAnswers)
{
    ChildReport report;
    report.outcome = ChildOutcome::Died;
    report.died_signal = SIGALRM;
    ProbeResult result = interpret_child(spec("hlt"), report, {});
    EXPECT_EQ(result.outcome, ProbeOutcome::Died);
    EXPECT_TRUE(contains(result.reason, "no answer in time"));

    report.died_signal = SIGKILL;
    result = interpret_child(spec("hlt"), report, {});
    ASSERT_TRUE(result.fault);
    EXPECT_EQ(result.fault->signal_name, "SIGKILL");
}

TEST(InterpretChild, InvalidOpcodeIsNotReportedAsGeneralProtection)
{
    ProbeResult result = interpret_child(spec("rdpmc"), faulted(SIGILL, ILL_ILLOPN), {});
    EXPECT_TRUE(contains(result.reason, "invalid opcode")) << result.reason;
}
