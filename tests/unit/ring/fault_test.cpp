#include <csignal>
#include <gtest/gtest.h>

#include "ring/fault.h"

using namespace ringside::ring;

TEST(ExplainFault, GeneralProtectionIsSigsegvWithSiKernel)
{
    FaultExplanation fault = explain_fault(SIGSEGV, SI_KERNEL);
    EXPECT_EQ(fault.signal_name, "SIGSEGV");
    EXPECT_EQ(fault.code_name, "SI_KERNEL");
    EXPECT_EQ(fault.exception, "#GP");
    EXPECT_NE(fault.meaning.find("general protection"), std::string::npos);
}

TEST(ExplainFault, InvalidOpcodeIsSigill)
{
    for (int code : { ILL_ILLOPN, ILL_ILLOPC }) {
        FaultExplanation fault = explain_fault(SIGILL, code);
        EXPECT_EQ(fault.signal_name, "SIGILL");
        EXPECT_EQ(fault.exception, "#UD");
        EXPECT_NE(fault.meaning.find("invalid opcode"), std::string::npos);
    }
}

TEST(ExplainFault, PageFaultsAreNotGeneralProtection)
{
    EXPECT_EQ(explain_fault(SIGSEGV, SEGV_MAPERR).exception, "#PF");
    EXPECT_EQ(explain_fault(SIGSEGV, SEGV_MAPERR).code_name, "SEGV_MAPERR");
    EXPECT_EQ(explain_fault(SIGSEGV, SEGV_ACCERR).code_name, "SEGV_ACCERR");
}

TEST(ExplainFault, SignalSentByAProcessIsNotACpuException)
{
    FaultExplanation fault = explain_fault(SIGSEGV, SI_USER);
    EXPECT_EQ(fault.code_name, "SI_USER");
    EXPECT_EQ(fault.exception, "");
    EXPECT_NE(fault.meaning.find("sent by a process"), std::string::npos);
}

TEST(ExplainFault, UnknownCodeFallsBackToTheSignal)
{
    FaultExplanation fault = explain_fault(SIGBUS, 9999);
    EXPECT_EQ(fault.signal_name, "SIGBUS");
    EXPECT_EQ(fault.code_name, "9999");
    EXPECT_EQ(fault.exception, "");
    EXPECT_EQ(fault.meaning, "bus error");
}

TEST(SignalName, NamesAndNumbers)
{
    EXPECT_EQ(signal_name(SIGILL), "SIGILL");
    EXPECT_EQ(signal_name(SIGALRM), "SIGALRM");
    EXPECT_EQ(signal_name(63), "signal 63");
}
