// lsmod over a fake /proc and /sys: kmod's columns, sizes from coresize, holders from the
// holders/ directory, the negative errno kmod prints when refcnt cannot be read.
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

#include "kmod/lsmod.h"
#include "kmod/rmmod.h"

using namespace ringside::kmod;
namespace fs = std::filesystem;

TEST(Lsmod, FormatsLikeKmod)
{
    std::vector<LoadedModule> modules = {
        { "ext4", 983040, 0, {} },
        { "jbd2", 167936, 1, { "ext4" } },
        { "a_module_with_a_very_long_name", 16384, 2, { "x", "y" } },
        { "racing", 4096, -2, {} },
    };
    EXPECT_EQ(format_lsmod(modules),
        "Module                  Size  Used by\n"
        "ext4                  983040  0\n"
        "jbd2                  167936  1 ext4\n"
        "a_module_with_a_very_long_name    16384  2 x,y\n"
        "racing                  4096  -2\n");
    auto json = lsmod_json(modules);
    EXPECT_EQ(json["modules"][1]["used_by"][0], "ext4");
    EXPECT_EQ(json["modules"][0]["size"], 983040);
}

TEST(Lsmod, ReadsProcAndSysLikeKmod)
{
    fs::path root = fs::temp_directory_path() / ("rs-lsmod-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "proc");
    fs::create_directories(root / "sys/module/jbd2/holders/ext4");
    fs::create_directories(root / "sys/module/ext4/holders");
    std::ofstream(root / "proc/modules") << "ext4 983040 0 - Live 0xffffffffc0600000\n"
                                            "jbd2 167936 1 ext4, Live 0xffffffffc05d6000\n";
    std::ofstream(root / "sys/module/ext4/refcnt") << "0\n";
    std::ofstream(root / "sys/module/ext4/coresize") << "999424\n";
    std::ofstream(root / "sys/module/ext4/initstate") << "live\n";
    std::ofstream(root / "sys/module/jbd2/initstate") << "live\n";
    std::ofstream(root / "sys/module/jbd2/refcnt") << "1\n";
    KernelPaths paths { (root / "proc").string(), (root / "sys").string() };
    auto modules = list_loaded_modules(paths);
    ASSERT_TRUE(modules);
    ASSERT_EQ(modules->size(), 2u);
    EXPECT_EQ((*modules)[0].size, 999424u);  // coresize wins over /proc/modules
    EXPECT_EQ((*modules)[1].size, 167936u);
    EXPECT_EQ((*modules)[1].holders, (std::vector<std::string> { "ext4" }));

    // rmmod's checks read the same files.
    RemoveRequest request;
    request.kernel = paths;
    request.name = "jbd2";
    auto in_use = remove_module(request);
    EXPECT_EQ(in_use.problem, RemoveProblem::InUseBy);
    EXPECT_EQ(describe_remove_problem("jbd2", in_use).rfind("Module jbd2 is in use by: ext4", 0), 0u);
    request.name = "absent";
    EXPECT_EQ(remove_module(request).problem, RemoveProblem::NotLoaded);
    request.name = "unix";
    request.builtin = { "unix" };
    EXPECT_EQ(remove_module(request).problem, RemoveProblem::Builtin);
    fs::remove_all(root);

    KernelPaths nowhere { "/nonexistent-proc", "/nonexistent-sys" };
    EXPECT_FALSE(list_loaded_modules(nowhere));
}
