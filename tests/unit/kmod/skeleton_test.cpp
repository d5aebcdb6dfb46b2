#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

#include "kmod/skeleton.h"

using namespace ringside::kmod;

TEST(Skeleton, FilesCarryTheRequestedMetadata)
{
    SkeletonRequest request;
    request.name = "blinky";
    request.license = "Dual MIT/GPL";
    request.author = "Ada <ada@example.org>";
    request.description = "Blinks";
    ASSERT_TRUE(validate_skeleton_request(request));
    auto files = skeleton_files(request);
    ASSERT_EQ(files.size(), 4u);
    EXPECT_EQ(files[0].name, "blinky.c");
    const std::string& source = files[0].content;
    EXPECT_NE(source.find("MODULE_LICENSE(\"Dual MIT/GPL\");"), std::string::npos);
    EXPECT_NE(source.find("MODULE_AUTHOR(\"Ada <ada@example.org>\");"), std::string::npos);
    EXPECT_NE(source.find("MODULE_DESCRIPTION(\"Blinks\");"), std::string::npos);
    EXPECT_NE(source.find("module_init(blinky_init);"), std::string::npos);
    EXPECT_NE(source.find("SPDX-License-Identifier: GPL-2.0 OR MIT"), std::string::npos);
    EXPECT_EQ(source.find('@'), source.find("@example.org"));  // no placeholder left
    EXPECT_EQ(files[1].content, "obj-m += blinky.o\n");
    EXPECT_NE(files[2].content.find("M=$(CURDIR) modules"), std::string::npos);
}

TEST(Skeleton, RejectsNamesLicensesAndTextThatWouldNotBuild)
{
    SkeletonRequest request;
    request.name = "2fast";
    EXPECT_FALSE(validate_skeleton_request(request));
    request.name = "has-dash";
    EXPECT_FALSE(validate_skeleton_request(request));
    request.name = std::string(56, 'a');
    EXPECT_FALSE(validate_skeleton_request(request));
    request.name = "ok_name";
    EXPECT_TRUE(validate_skeleton_request(request));
    request.license = "WTFPL";
    auto bad_license = validate_skeleton_request(request);
    ASSERT_FALSE(bad_license);
    EXPECT_NE(bad_license.error().message.find("\"GPL\""), std::string::npos);
    request.license = "GPL";
    request.author = "Evil \" injection";
    EXPECT_FALSE(validate_skeleton_request(request));
}

TEST(Skeleton, WritesANewFolderAndRefusesAnExistingOne)
{
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("rs-skeleton-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    SkeletonRequest request;
    request.name = "demo";
    request.directory = dir.string();
    auto folder = write_skeleton(request);
    ASSERT_TRUE(folder) << folder.error().message;
    for (const char* file : { "demo.c", "Kbuild", "Makefile", "README.md" })
        EXPECT_TRUE(fs::is_regular_file(dir / "demo" / file)) << file;
    std::ifstream source(dir / "demo" / "demo.c");
    std::stringstream text;
    text << source.rdbuf();
    EXPECT_NE(text.str().find("MODULE_DESCRIPTION(\"The demo kernel module\");"), std::string::npos);
    auto again = write_skeleton(request);
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().message.find("already exists"), std::string::npos);
    fs::remove_all(dir);
}
