#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "kmod/modinfo.h"

using namespace ringside;
using namespace ringside::kmod;

namespace {

ModuleReport sample_report()
{
    ModuleReport r;
    r.name = "sample";
    r.filename = "/lib/modules/x/sample.ko";
    r.fields = {
        { "license", "GPL" },
        { "parm", "alpha:First (really)" },
        { "parmtype", "alpha:int" },
        { "parmtype", "beta:bool" },
        { "fifteen_chars__", "v" },
        { "averyverylongkeyname", "val" },
        { "parm", "gamma:Only described" },
    };
    return r;
}

std::string format(const ModuleReport& report, ModinfoFormat how, std::vector<std::string>* diagnostics = nullptr)
{
    std::string out;
    std::vector<std::string> ignored;
    format_report(report, how, out, diagnostics ? *diagnostics : ignored);
    return out;
}

std::string source_dir()
{
    std::string file = __FILE__;
    return file.substr(0, file.rfind("/tests/unit/"));
}

}  // namespace

TEST(Modinfo, FullOutputLayout)
{
    EXPECT_EQ(format(sample_report(), {}),
        "filename:       /lib/modules/x/sample.ko\n"
        "license:        GPL\n"
        "fifteen_chars__:v\n"
        "averyverylongkeyname:     val\n"  // kmod 30: |15 - length| spaces
        "parm:           gamma:Only described\n"
        "parm:           beta:bool\n"
        "parm:           alpha:First (really) (int)\n");
}

TEST(Modinfo, NullSeparatorKeepsPaddedHeaderAndParms)
{
    ModinfoFormat how;
    how.separator = '\0';
    std::string out = format(sample_report(), how);
    static const char expected[] = "filename:       /lib/modules/x/sample.ko\0license=GPL\0fifteen_chars__=v\0"
                                   "averyverylongkeyname=val\0parm:           gamma:Only described\0"
                                   "parm:           beta:bool\0parm:           alpha:First (really) (int)\0";
    EXPECT_EQ(out, std::string(expected, sizeof expected - 1));
}

TEST(Modinfo, FieldParmAndOtherFields)
{
    ModinfoFormat parm;
    parm.field = "parm";
    EXPECT_EQ(format(sample_report(), parm), "gamma:Only described\nbeta: (bool)\nalpha:First (really) (int)\n");
    ModinfoFormat license;
    license.field = "license";
    EXPECT_EQ(format(sample_report(), license), "GPL\n");
    ModinfoFormat filename;
    filename.field = "filename";
    EXPECT_EQ(format(sample_report(), filename), "/lib/modules/x/sample.ko\n");
    ModinfoFormat upper;
    upper.field = "LICENSE";  // case-sensitive, as kmod's code is
    EXPECT_EQ(format(sample_report(), upper), "");
}

TEST(Modinfo, InvalidParmIsReportedAndSkipped)
{
    ModuleReport r;
    r.filename = "/m.ko";
    r.fields = { { "parm", "no colon here" }, { "parm", "ok:fine" } };
    std::vector<std::string> diagnostics;
    EXPECT_EQ(format(r, {}, &diagnostics), "filename:       /m.ko\nparm:           ok:fine\n");
    ASSERT_EQ(diagnostics.size(), 1u);
    EXPECT_EQ(diagnostics[0], "Found invalid \"parm=no colon here\": missing ':'");
}

TEST(Modinfo, BuiltinNameFirst)
{
    ModuleReport r;
    r.name = "ext4";
    r.filename = "(builtin)";
    r.builtin = true;
    r.fields = { { "license", "GPL" } };
    EXPECT_EQ(format(r, {}), "name:           ext4\nfilename:       (builtin)\nlicense:        GPL\n");
    ModinfoFormat name;
    name.field = "name";
    EXPECT_EQ(format(r, name), "ext4\n");
}

TEST(Modinfo, ErrorAfterFilenameLine)
{
    ModuleReport r;
    r.filename = "/broken.ko";
    r.error = Error { ErrorKind::Malformed, "/broken.ko: bad" };
    std::vector<std::string> diagnostics;
    EXPECT_EQ(format(r, {}, &diagnostics), "filename:       /broken.ko\n");
    EXPECT_EQ(diagnostics.size(), 1u);
}

TEST(Modinfo, ModuleExtensions)
{
    EXPECT_TRUE(has_module_extension("a.ko"));
    EXPECT_TRUE(has_module_extension("/x/a.ko.xz"));
    EXPECT_TRUE(has_module_extension("a.ko.zst"));
    EXPECT_TRUE(has_module_extension("a.ko.gz"));
    EXPECT_FALSE(has_module_extension(".ko"));
    EXPECT_FALSE(has_module_extension("a.ko.bz2"));
    EXPECT_FALSE(has_module_extension("fat"));
}

TEST(Modinfo, JsonHasEveryField)
{
    ModuleReport r = sample_report();
    r.compression = "none";
    Json json = report_json(r);
    EXPECT_EQ(json["filename"], "/lib/modules/x/sample.ko");
    EXPECT_EQ(json["fields"].size(), 7u);
    ASSERT_EQ(json["parameters"].size(), 3u);
    EXPECT_EQ(json["parameters"][2]["name"], "alpha");
    EXPECT_EQ(json["parameters"][2]["type"], "int");
    EXPECT_TRUE(json["signature"].is_null());
}

// Against kmod's modinfo on real modules, when the corpus and kmod are there.
TEST(Modinfo, MatchesKmodOnRealModules)
{
    std::ifstream version(source_dir() + "/corpus/VERSION");
    std::string release;
    std::getline(version, release);
    std::string tree = source_dir() + "/corpus/plain/lib/modules/" + release + "/kernel/";
    for (const char* relative : { "fs/fat/vfat.ko", "net/netfilter/nf_conntrack.ko", "drivers/net/ethernet/intel/e1000e/e1000e.ko" }) {
        std::string path = tree + relative;
        if (!std::ifstream(path))
            GTEST_SKIP() << "no corpus module " << path;
        FILE* pipe = ::popen(("modinfo '" + path + "' 2>/dev/null").c_str(), "r");
        ASSERT_NE(pipe, nullptr);
        std::string expected;
        char buffer[4096];
        std::size_t n;
        while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
            expected.append(buffer, n);
        if (::pclose(pipe) != 0 || expected.empty())
            GTEST_SKIP() << "kmod's modinfo not available";
        ModuleReport report = report_for_path(path);
        ASSERT_FALSE(report.error) << report.error->message;
        EXPECT_EQ(format(report, {}), expected) << path;
    }
}
