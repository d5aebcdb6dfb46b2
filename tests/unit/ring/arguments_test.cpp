#include <gtest/gtest.h>

#include "ring/ring_report.h"

using namespace ringside::ring;

TEST(RingArguments, DefaultsToAllProbesAsATable)
{
    auto request = parse_ring_arguments({});
    ASSERT_TRUE(request);
    EXPECT_FALSE(request->json);
    EXPECT_FALSE(request->help);
    EXPECT_TRUE(request->probes.empty());
}

TEST(RingArguments, ShortAndLongFlags)
{
    auto request = parse_ring_arguments({ "-j", "--list", "-h" });
    ASSERT_TRUE(request);
    EXPECT_TRUE(request->json);
    EXPECT_TRUE(request->list);
    EXPECT_TRUE(request->help);
}

TEST(RingArguments, OnlyTakesACommaSeparatedList)
{
    auto request = parse_ring_arguments({ "--only", "hlt,cpuid", "--only=rdtsc" });
    ASSERT_TRUE(request);
    ASSERT_EQ(request->probes.size(), 3u);
    EXPECT_EQ(request->probes[0]->name, "hlt");
    EXPECT_EQ(request->probes[1]->name, "cpuid");
    EXPECT_EQ(request->probes[2]->name, "rdtsc");
}

TEST(RingArguments, RejectsUnknownProbesAndOptions)
{
    auto unknown_probe = parse_ring_arguments({ "--only", "hlt,frobnicate" });
    ASSERT_FALSE(unknown_probe);
    EXPECT_EQ(unknown_probe.error().kind, ringside::ErrorKind::InvalidArgument);
    EXPECT_NE(unknown_probe.error().message.find("frobnicate"), std::string::npos);

    EXPECT_FALSE(parse_ring_arguments({ "--only" }));
    EXPECT_FALSE(parse_ring_arguments({ "--only", "hlt," }));
    EXPECT_FALSE(parse_ring_arguments({ "--only=" }));
    auto unknown_option = parse_ring_arguments({ "--verbose" });
    ASSERT_FALSE(unknown_option);
    EXPECT_NE(unknown_option.error().message.find("--verbose"), std::string::npos);
}

TEST(ProbeTable, NamesAreUniqueAndFindable)
{
    for (const ProbeSpec& spec : probe_specs()) {
        EXPECT_EQ(find_probe(spec.name), &spec);
        EXPECT_FALSE(spec.instruction.empty());
        EXPECT_FALSE(spec.action.empty());
    }
    EXPECT_EQ(find_probe("nope"), nullptr);
}
