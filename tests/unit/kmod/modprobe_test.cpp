// The modprobe engine over a small module tree whose indexes are written here: load order
// (dependencies in reverse modules.dep order, soft dependencies around each), the resolution
// order (config alias before the indexes, then name, alias, built-in), options, install
// commands, blacklist. The expected lines follow what kmod 30 printed for the same situations
// on the Debian corpus (tests/e2e/kmod/modprobe_corpus_compare.sh checks every module there).
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

#include "kmod/index_writer.h"
#include "kmod/modprobe.h"

using namespace ringside::kmod;
namespace fs = std::filesystem;

namespace {

class ModprobeTree : public ::testing::Test {
protected:
    void SetUp() override
    {
        root = fs::temp_directory_path() / ("rs-modprobe-" + std::to_string(::getpid()));
        fs::remove_all(root);
        dir = root / "lib" / "modules" / "9.9.9";
        fs::create_directories(dir);
        fs::create_directories(root / "conf");
        // modules.dep lines: a module, then what it needs (closest first).
        const std::vector<std::pair<std::string, std::string>> dep = {
            { "kernel/fs/top.ko", "kernel/fs/mid.ko kernel/lib/base.ko" },
            { "kernel/fs/mid.ko", "kernel/lib/base.ko" },
            { "kernel/lib/base.ko", "" },
            { "kernel/lib/soft-a.ko", "" },
            { "kernel/lib/soft_b.ko", "kernel/lib/base.ko" },
            { "kernel/drivers/drv.ko.xz", "" },
        };
        IndexWriter deps, aliases, symbols, builtin, builtin_aliases;
        std::uint32_t priority = 0;
        for (const auto& [path, needs] : dep) {
            std::string name = fs::path(path).filename().string();
            name = name.substr(0, name.find('.'));
            std::replace(name.begin(), name.end(), '-', '_');
            ASSERT_TRUE(deps.add(name, path + ":" + (needs.empty() ? "" : " " + needs), priority++));
        }
        ASSERT_TRUE(aliases.add("pci:v1234d*", "drv", 5));
        ASSERT_TRUE(aliases.add("fancy_*", "mid", 1));
        ASSERT_TRUE(aliases.add("fancy_*", "top", 0));
        ASSERT_TRUE(aliases.add("crypto_soft", "soft_a", 3));
        ASSERT_TRUE(symbols.add("symbol:base_fn", "base", 2));
        ASSERT_TRUE(builtin.add("inside", "", 0));
        ASSERT_TRUE(builtin_aliases.add("net_pf_1", "inside", 0));
        write("modules.dep.bin", deps.serialize());
        write("modules.alias.bin", aliases.serialize());
        write("modules.symbols.bin", symbols.serialize());
        write("modules.builtin.bin", builtin.serialize());
        write("modules.builtin.alias.bin", builtin_aliases.serialize());
        write("modules.softdep", "softdep mid pre: crypto-soft post: soft_b\n");
    }
    void TearDown() override { fs::remove_all(root); }

    void write(const std::string& name, const std::string& text) { std::ofstream(dir / name, std::ios::binary) << text; }
    void config(const std::string& text) { std::ofstream(root / "conf" / "test.conf") << text; }

    // Runs modprobe with `flags` set on the settings and returns the actions it printed.
    std::vector<std::string> run(const std::string& name, const std::vector<std::string>& params,
        void (*flags)(ModprobeSettings&) = nullptr, bool resolve = false)
    {
        ModprobeSettings settings;
        settings.root = root.string();
        settings.release = "9.9.9";
        settings.config_paths = { (root / "conf").string() };
        settings.cmdline_path = "";
        settings.show_depends = true;
        if (flags)
            flags(settings);
        std::vector<std::string> actions;
        messages.clear();
        Modprobe modprobe(settings, { [&](const std::string& line) { actions.push_back(line); },
                                          [&](ModprobeLevel, const std::string& text) { messages.push_back(text); } });
        ok = resolve ? modprobe.resolve(name) : modprobe.run(name, params);
        return actions;
    }

    std::string path(const std::string& relative) { return (dir / relative).string(); }

    fs::path root, dir;
    std::vector<std::string> messages;
    bool ok = false;
};

}  // namespace

TEST_F(ModprobeTree, DependenciesLoadFirstWithSoftDependenciesAroundTheirModule)
{
    config("");
    auto actions = run("top", {});
    EXPECT_TRUE(ok);
    EXPECT_EQ(actions, (std::vector<std::string> {
                           "insmod " + path("kernel/lib/base.ko") + " ",
                           "insmod " + path("kernel/lib/soft-a.ko") + " ",  // mid's pre: via alias crypto-soft
                           "insmod " + path("kernel/fs/mid.ko") + " ",
                           "insmod " + path("kernel/lib/base.ko") + " ",  // soft_b's dependency, again
                           "insmod " + path("kernel/lib/soft_b.ko") + " ",
                           "insmod " + path("kernel/fs/top.ko") + " ",
                       }));
}

TEST_F(ModprobeTree, ConfigAliasShadowsTheIndexesAndOptionsFollowTheAlias)
{
    config("alias fancy_* base\noptions fancy_thing via=alias\noptions base own=1\n");
    auto actions = run("fancy-thing", { "cmd=2" });
    EXPECT_EQ(actions, (std::vector<std::string> { "insmod " + path("kernel/lib/base.ko") + " via=alias own=1 cmd=2" }));  // config order
}

TEST_F(ModprobeTree, ResolutionOrderNameSymbolAliasBuiltin)
{
    config("install pseudo echo hi\n");
    EXPECT_EQ(run("fancy_x", {}, nullptr, true), (std::vector<std::string> { "top", "mid" }));  // priority order
    EXPECT_EQ(run("symbol:base_fn", {}, nullptr, true), (std::vector<std::string> { "base" }));
    EXPECT_EQ(run("pseudo", {}, nullptr, true), (std::vector<std::string> { "pseudo" }));
    EXPECT_EQ(run("pci:v1234d0001", {}, nullptr, true), (std::vector<std::string> { "drv" }));
    EXPECT_EQ(run("inside", {}, nullptr, true), (std::vector<std::string> { "inside" }));
    EXPECT_EQ(run("net-pf-1", {}, nullptr, true), (std::vector<std::string> { "inside" }));
    EXPECT_EQ(run("inside", {}), (std::vector<std::string> { "builtin inside" }));
    EXPECT_TRUE(run("nothing", {}, nullptr, true).empty());
    EXPECT_FALSE(ok);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_NE(messages[0].find("Module nothing not found in directory"), std::string::npos);
}

TEST_F(ModprobeTree, InstallCommandsAndTheSoftdepQuirk)
{
    config("install base echo base-cmd $CMDLINE_OPTS\ninstall mid echo never\noptions base b=1\n");
    auto actions = run("top", { "t=1" });
    // mid has soft dependencies, which makes kmod ignore its install command.
    EXPECT_EQ(actions[0], "install echo base-cmd $CMDLINE_OPTS b=1 ");
    EXPECT_EQ(actions[2], "insmod " + path("kernel/fs/mid.ko") + " ");
    EXPECT_EQ(actions.back(), "insmod " + path("kernel/fs/top.ko") + " t=1");
    auto ignored = run("base", {}, [](ModprobeSettings& s) { s.ignore_commands = true; });
    EXPECT_EQ(ignored, (std::vector<std::string> { "insmod " + path("kernel/lib/base.ko") + " b=1 " }));
}

TEST_F(ModprobeTree, BlacklistFiltersAliasesAndNamesOnlyWithB)
{
    config("blacklist drv\n");
    EXPECT_TRUE(run("pci:v1234d0001", {}).empty());
    EXPECT_TRUE(ok);  // a blacklisted alias is no error
    EXPECT_EQ(run("drv", {}), (std::vector<std::string> { "insmod " + path("kernel/drivers/drv.ko.xz") + " " }));
    EXPECT_TRUE(run("drv", {}, [](ModprobeSettings& s) { s.use_blacklist = true; }).empty());
}

TEST_F(ModprobeTree, ShowConfigDumpsDirectivesThenIndexes)
{
    config("blacklist drv\n");
    ModprobeSettings settings;
    settings.root = root.string();
    settings.release = "9.9.9";
    settings.config_paths = { (root / "conf").string() };
    settings.cmdline_path = "";
    Modprobe modprobe(settings, {});
    auto dump = modprobe.show_config();
    ASSERT_TRUE(dump);
    EXPECT_EQ(*dump,
        "blacklist drv\n"
        "softdep mid pre: crypto-softpost: soft_b\n"
        "\n# End of configuration files. Dumping indexes now:\n\n"
        "alias crypto_soft soft_a\n"
        "alias fancy_* top\n"
        "alias fancy_* mid\n"
        "alias pci:v1234d* drv\n"
        "alias symbol:base_fn base\n");
}
