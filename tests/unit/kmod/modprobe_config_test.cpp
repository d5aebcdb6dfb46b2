// The modprobe.d parser against what kmod 30 was seen to do with the same text (each case
// below was run through `modprobe -c -C <file>` on Debian 12 and its output written down).
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

#include "kmod/modprobe_config.h"

using namespace ringside::kmod;

namespace {

ModprobeConfig parse(std::string_view text)
{
    ModprobeConfig config;
    parse_config_text(config, text, "test.conf");
    return config;
}

ModprobeConfig cmdline(std::string_view text)
{
    ModprobeConfig config;
    parse_kernel_cmdline(config, text);
    return config;
}

}  // namespace

TEST(ModprobeConfig, EveryDirectiveInKmodDumpOrder)
{
    auto config = parse(
        "softdep ext4 pre: crc16 post: fat\n"
        "alias my-alias ext4\n"
        "options ext4 a=1\tb=2\n"
        "install fake-mod echo hi $CMDLINE_OPTS\n"
        "remove fake-mod echo bye\n"
        "blacklist some-thing\n");
    EXPECT_TRUE(config.diagnostics.empty());
    EXPECT_EQ(format_config_dump(config),
        "blacklist some_thing\n"
        "install fake_mod echo hi $CMDLINE_OPTS\n"
        "remove fake_mod echo bye\n"
        "alias my_alias ext4\n"
        "options ext4 a=1 b=2\n"
        "softdep ext4 pre: crc16post: fat\n");
}

TEST(ModprobeConfig, SoftdepListsAccumulateAndLeadingWordsAreIgnored)
{
    auto config = parse("softdep a-b junk pre: x post: y pre: z\nsoftdep cifs nothing\nsoftdep m\tpre:a pre: b\tc post:\n");
    ASSERT_EQ(config.softdeps.size(), 3u);
    EXPECT_EQ(config.softdeps[0].module, "a_b");
    EXPECT_EQ(config.softdeps[0].pre, (std::vector<std::string> { "x", "z" }));
    EXPECT_EQ(config.softdeps[0].post, (std::vector<std::string> { "y" }));
    EXPECT_EQ(format_config_dump(config),
        "softdep a_b pre: x y zpost: y\n"
        "softdep cifs \n"
        "softdep m pre: b c\n");
}

// kmod prints each list as the run of names from its first to its last entry, other list's
// names included (it copies a contiguous buffer); these lines are what kmod 30 printed.
TEST(ModprobeConfig, InterleavedSoftdepListsDumpLikeKmod)
{
    auto config = parse("softdep m1 pre: aa post: bbb pre: c\nsoftdep m2 post: p1 pre: q1 q2\n"
                        "softdep m3 pre: a post: b c pre: d e\n");
    EXPECT_EQ(config.softdeps[0].pre, (std::vector<std::string> { "aa", "c" }));
    EXPECT_EQ(format_config_dump(config),
        "softdep m1 pre: aa bbb cpost: bbb\n"
        "softdep m2 pre: q1 q2post: p1\n"
        "softdep m3 pre: a b c d epost: b c\n");
}

TEST(ModprobeConfig, RestOfLineKeepsExtraBlanksVerbatim)
{
    auto config = parse("options ext4   a=1\noptions ext4\t\tb=2\ninstall x  \tcmd  \n");
    EXPECT_EQ(format_config_dump(config), "install x  \tcmd  \noptions ext4   a=1\noptions ext4  b=2\n");
}

TEST(ModprobeConfig, BadLinesAreReportedAndSkipped)
{
    auto config = parse("options vfat \nalias onlyone\nbogus line\n  # indented comment\ninclude foo\nweakdep x y\nblacklist ok\n");
    EXPECT_EQ(config.blacklist, (std::vector<std::string> { "ok" }));
    ASSERT_EQ(config.diagnostics.size(), 6u);
    EXPECT_EQ(config.diagnostics[0].line, 1u);
    EXPECT_EQ(config.diagnostics[0].message, "ignoring bad line starting with 'options'");
    EXPECT_EQ(config.diagnostics[3].message, "ignoring bad line starting with '#'");
    EXPECT_EQ(config.diagnostics[4].message, "command include is deprecated and not parsed anymore");
    EXPECT_EQ(config.diagnostics[5].message, "ignoring bad line starting with 'weakdep'");
}

TEST(ModprobeConfig, ContinuationLinesJoinAndCountPhysicalLines)
{
    auto config = parse("install a echo one \\\ntwo\n# c\nbogus\n");
    ASSERT_EQ(config.install.size(), 1u);
    EXPECT_EQ(config.install[0].command, "echo one two");
    ASSERT_EQ(config.diagnostics.size(), 1u);
    EXPECT_EQ(config.diagnostics[0].line, 4u);
}

TEST(ModprobeConfig, LastLineWithoutNewlineCounts)
{
    auto config = parse("blacklist a\nblacklist b");
    EXPECT_EQ(config.blacklist, (std::vector<std::string> { "a", "b" }));
}

TEST(ModprobeConfig, UnderscoresLeaveCharacterClassesAlone)
{
    EXPECT_EQ(normalize_config_name("snd-hda-[a-z]*-x"), "snd_hda_[a-z]*_x");
    EXPECT_FALSE(normalize_config_name("a]b").has_value());
    EXPECT_FALSE(normalize_config_name("a[b-c").has_value());
    auto config = parse("alias pci:v[0-9]*-x my-mod\n");
    ASSERT_EQ(config.aliases.size(), 1u);
    EXPECT_EQ(config.aliases[0].pattern, "pci:v[0-9]*_x");
    EXPECT_EQ(config.aliases[0].module, "my_mod");
}

TEST(ModprobeConfig, QueriesUseFirstMatchOrAllOptions)
{
    auto config = parse(
        "install snd* echo first\ninstall snd_x echo second\n"
        "softdep e* pre: a\nsoftdep ext4 pre: b\n"
        "options ext4 a=1\noptions my_alias b=2\noptions ext4 c=3\n"
        "blacklist pcspkr\n");
    ASSERT_NE(config.install_command("snd_x"), nullptr);
    EXPECT_EQ(config.install_command("snd_x")->command, "echo first");
    EXPECT_EQ(config.install_command("ext4"), nullptr);
    ASSERT_NE(config.softdep("ext4"), nullptr);
    EXPECT_EQ(config.softdep("ext4")->pre, (std::vector<std::string> { "a" }));
    EXPECT_EQ(config.options_for("ext4"), "a=1 c=3");
    EXPECT_EQ(config.options_for("ext4", "my_alias"), "a=1 b=2 c=3");
    EXPECT_TRUE(config.is_blacklisted("pcspkr"));
    EXPECT_FALSE(config.is_blacklisted("pcspk"));
}

// Each expectation is what kmod 30 printed for the same /proc/cmdline (bind-mounted).
TEST(KernelCmdline, AcceptedForms)
{
    auto config = cmdline("a.b=1 c.d \"e.f=x y\" g.h=\"p q\" i.j k.l.m=2 modprobe.blacklist=foo-bar,baz "
                          "x-y.z=3 n.o=a.b -- p.q=7\n");
    EXPECT_EQ(config.blacklist, (std::vector<std::string> { "foo-bar", "baz" }));
    EXPECT_EQ(format_config_dump(config),
        "blacklist foo-bar\nblacklist baz\n"
        "options a b=1\noptions c d\noptions e f=\"x y\"\noptions g h=\"p q\"\noptions i j\n"
        "options x_y z=3\noptions n o=a.b\noptions p q=7\n");
}

TEST(KernelCmdline, OddForms)
{
    auto config = cmdline(".a=1 b.=2 c..d=1 =e.f g=h.i j.k= \"l.m\" n.\"o=p\" q\"r.s=t\" u.v=w\"x y\"z "
                          "modprobe.blacklist= modprobe.blacklist=a,,b modprobe.foo=1 A-B.c-d=e-f\tt.u=1\n");
    EXPECT_EQ(format_config_dump(config),
        "blacklist \nblacklist a\nblacklist \nblacklist b\n"
        "options  a=1\noptions b =2\noptions j k=\noptions u v=w\"x y\"z\noptions modprobe foo=1\n"
        "options A_B c-d=e-f\noptions t u=1\n");
}

TEST(KernelCmdline, RealHostLine)
{
    auto config = cmdline("mitigations=auto,no_guest_host console=ttyS0 random.trust_cpu=1 nomodule "
                          "page_reporting.page_reporting_order=11 -- --addr 0.0.0.0:2024\n");
    EXPECT_EQ(format_config_dump(config),
        "options random trust_cpu=1\noptions page_reporting page_reporting_order=11\n");
}

TEST(ConfigFiles, SortedByNameFirstDirectoryWinsAndModulesSoftdepJoins)
{
    namespace fs = std::filesystem;
    fs::path root = fs::temp_directory_path() / ("rs-modprobe-config-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "etc");
    fs::create_directories(root / "lib");
    fs::create_directories(root / "moddir");
    fs::create_directories(root / "etc" / "sub.conf");
    auto write = [](const fs::path& path, const std::string& text) { std::ofstream(path) << text; };
    write(root / "etc" / "b.conf", "blacklist from_etc_b\n");
    write(root / "lib" / "b.conf", "blacklist from_lib_b\n");
    write(root / "lib" / "a.conf", "blacklist from_lib_a\n");
    write(root / "lib" / "z.alias", "blacklist from_lib_z_alias\n");
    write(root / "lib" / ".hidden.conf", "blacklist hidden\n");
    write(root / "lib" / "notes.txt", "blacklist txt\n");
    write(root / "moddir" / "modules.softdep", "softdep ext4 pre: crc16\n");
    write(root / "cmdline", "m.p=1 modprobe.blacklist=cmd\n");

    ConfigSources sources;
    sources.paths = { (root / "etc").string(), (root / "missing").string(), (root / "lib").string() };
    sources.module_dir = (root / "moddir").string();
    sources.cmdline_path = (root / "cmdline").string();
    auto config = load_modprobe_config(sources);
    EXPECT_EQ(config.blacklist,
        (std::vector<std::string> { "from_lib_a", "from_etc_b", "from_lib_z_alias", "cmd" }));
    ASSERT_EQ(config.files.size(), 4u);
    EXPECT_EQ(config.files[2], (root / "moddir" / "modules.softdep").string());
    ASSERT_EQ(config.softdeps.size(), 1u);
    EXPECT_EQ(config.options_for("m"), "p=1");
    ASSERT_EQ(config.diagnostics.size(), 1u);  // the sub-directory named like a config file
    EXPECT_NE(config.diagnostics[0].message.find("directories"), std::string::npos);
    fs::remove_all(root);
}
