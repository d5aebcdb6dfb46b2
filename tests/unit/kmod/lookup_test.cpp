#include <gtest/gtest.h>

#include "kmod/lookup.h"

using namespace ringside;
using namespace ringside::kmod;

TEST(Lookup, NormalizeAlias)
{
    EXPECT_EQ(normalize_alias("snd-hda-intel").value(), "snd_hda_intel");
    EXPECT_EQ(normalize_alias("pci:v*d[a-f]*-x").value(), "pci:v*d[a-f]*_x");  // '-' kept inside [...]
    EXPECT_FALSE(normalize_alias("a]b"));
    EXPECT_FALSE(normalize_alias("a[b"));
}

TEST(Lookup, NormalizeModuleName)
{
    EXPECT_EQ(normalize_module_name("snd-hda-intel"), "snd_hda_intel");
    EXPECT_EQ(normalize_module_name("vfat.ko.xz"), "vfat");
    EXPECT_EQ(module_name_from_path("/lib/modules/x/kernel/fs/fat/vfat.ko"), "vfat");
    EXPECT_EQ(module_name_from_path("intel-uncore.ko.zst"), "intel_uncore");
}

TEST(Lookup, MissingIndexes)
{
    ModuleLookup lookup(LookupContext { "/nonexistent/lib/modules/0", {}, {} });
    // No modules.dep.bin: nothing by name; no modules.alias.bin: an error, as in kmod.
    auto by_name = lookup.lookup_module_name("fat");
    ASSERT_TRUE(by_name);
    EXPECT_FALSE(*by_name);
    EXPECT_FALSE(lookup.lookup("fat"));
}

TEST(Lookup, ConfigAliasWinsAndCommandsArePseudoModules)
{
    LookupContext context { "/nonexistent/lib/modules/0", { { "my_alias*", "real_module" } }, { "fake_mod" } };
    ModuleLookup lookup(std::move(context));
    auto found = lookup.lookup("my-alias-1");
    ASSERT_TRUE(found) << found.error().message;
    ASSERT_EQ(found->size(), 1u);
    EXPECT_EQ((*found)[0].name, "real_module");
    EXPECT_EQ((*found)[0].source, LookupSource::ConfigAlias);
    EXPECT_FALSE((*found)[0].path);
    auto command = lookup.lookup("fake-mod");
    ASSERT_TRUE(command);
    ASSERT_EQ(command->size(), 1u);
    EXPECT_TRUE((*command)[0].command);
}
