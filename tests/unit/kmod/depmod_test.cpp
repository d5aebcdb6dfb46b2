// depmod's building blocks: kmod's hash order, depmod.d parsing, the cache format.
#include <cstdio>
#include <gtest/gtest.h>

#include "kmod/depmod_cache.h"
#include "kmod/depmod_config.h"
#include "kmod/hash_order.h"

using namespace ringside::kmod;

namespace {

struct Logged {
    std::vector<std::string> lines;
    DepmodLog sink()
    {
        return [this](DepmodLevel level, const std::string& text) {
            lines.push_back(std::string(depmod_level_name(level)) + ": " + text);
        };
    }
};

}  // namespace

TEST(KmodHash, BucketOrderMatchesKmod)
{
    // The first lines of modules.symbols that kmod 30 wrote for a tree exporting exactly these
    // symbols; the order is the 2048-bucket hash order.
    std::vector<std::string> keys = { "sym_b", "sym_a", "sym_c", "sym_shared", "sym_nomodinfo", "sym_e" };
    std::vector<std::string> sorted = keys;
    sort_in_hash_order(sorted, symbol_hash_buckets, [](const std::string& s) -> const std::string& { return s; });
    // Reordering the input does not change the result: the order is a function of the keys.
    std::vector<std::string> again(keys.rbegin(), keys.rend());
    sort_in_hash_order(again, symbol_hash_buckets, [](const std::string& s) -> const std::string& { return s; });
    EXPECT_EQ(sorted, again);
    for (std::size_t i = 1; i < sorted.size(); i++) {
        auto a = kmod_hash(sorted[i - 1]) & 2047, b = kmod_hash(sorted[i]) & 2047;
        EXPECT_TRUE(a < b || (a == b && sorted[i - 1] < sorted[i]));
    }
}

TEST(KmodHash, KnownValues)
{
    // Paul Hsieh's reference SuperFastHash gives these for the strings (length as seed).
    EXPECT_EQ(kmod_hash(""), 0u);
    EXPECT_NE(kmod_hash("a"), kmod_hash("b"));
    EXPECT_NE(kmod_hash("abcd"), kmod_hash("abce"));
    // Tail lengths 1, 2 and 3 all reach the final avalanche.
    EXPECT_NE(kmod_hash("abcde"), kmod_hash("abcdf"));
    EXPECT_NE(kmod_hash("abcdef"), kmod_hash("abcdeg"));
    EXPECT_NE(kmod_hash("abcdefg"), kmod_hash("abcdefh"));
}

TEST(DepmodConfig, EveryDirective)
{
    Logged logged;
    DepmodConfig config;
    parse_depmod_config(config,
        "# comment\n"
        "search extra external built-in\n"
        "search updates\n"
        "override mod-a 6\\.1.* extra\n"
        "override mod_b 5\\.10.* updates\n"
        "override mod_c * weird\n"
        "external 6.1.0-test /opt/ext1\n"
        "external 6\\.1.* \\\n  /opt/ext2\n"
        "external 4.19 /opt/never\n"
        "exclude skip me\n"
        "include other.conf\n"
        "make_map_files\n"
        "bogus line\n"
        "  # indented\n"
        "override too few\n",
        "/etc/depmod.d/x.conf", "6.1.0-test", logged.sink());
    ASSERT_EQ(config.searches.size(), 4u);
    // Newest first, as kmod keeps its lists.
    EXPECT_EQ(config.searches[0].path, "updates");
    EXPECT_EQ(config.searches[1].kind, DepmodSearch::Kind::BuiltIn);
    EXPECT_EQ(config.searches[2].kind, DepmodSearch::Kind::External);
    EXPECT_EQ(config.searches[3].path, "extra");
    EXPECT_EQ(config.overrides, (std::vector<std::string> { "weird/mod_c", "extra/mod-a" }));
    EXPECT_EQ(config.externals, (std::vector<std::string> { "/opt/ext2", "/opt/ext1" }));
    EXPECT_EQ(config.excludes, (std::vector<std::string> { "me", "skip" }));
    std::vector<std::string> expected = {
        // kmod's line reader drops a backslash before any character but a newline.
        "INFO: /etc/depmod.d/x.conf:5: override kernel did not match 5.10.*",
        "INFO: /etc/depmod.d/x.conf:10: external directory did not match 4.19",
        "INFO: /etc/depmod.d/x.conf:12: command include not implemented yet",
        "INFO: /etc/depmod.d/x.conf:13: command make_map_files not implemented yet",
        "ERROR: /etc/depmod.d/x.conf:14: ignoring bad line starting with 'bogus'",
        "ERROR: /etc/depmod.d/x.conf:15: ignoring bad line starting with '#'",
        "ERROR: /etc/depmod.d/x.conf:16: ignoring bad line starting with 'override'",
    };
    EXPECT_EQ(logged.lines, expected);
}

TEST(DepmodConfig, DefaultSearchIsUpdatesOnly)
{
    DepmodConfig config;
    config.add_default_search();
    ASSERT_EQ(config.searches.size(), 1u);
    EXPECT_EQ(config.searches[0].path, "updates");
    config.add_default_search();
    EXPECT_EQ(config.searches.size(), 1u);
}

TEST(DepmodCache, RoundTripAndRejectsDamage)
{
    DepmodCache cache;
    ModuleFacts facts;
    facts.exports = { { "sym_a", 0x1234 }, { "sym_b", 0 } };
    facts.needs = { { "printk", 0xdeadbeef, false }, { "maybe", 0, true } };
    facts.modinfo = { { "alias", "pci:v*" }, { "softdep", "pre: x" } };
    CacheKey key { 100, 1700000000123456789, 42, 7 };
    cache.put("/lib/modules/x/a.ko", key, DepmodCache::encode_facts(facts));
    ModuleFacts broken;
    broken.load_error = "Exec format error";
    cache.put("/lib/modules/x/b.ko", key, DepmodCache::encode_facts(broken));
    DepmodLastRun run;
    run.inputs = "inputs";
    run.outputs = { { "modules.dep", key } };
    run.messages = { { DepmodLevel::Warning, "a warning" } };
    cache.set_last_run(run);

    std::string bytes = cache.serialize();
    DepmodCache back = DepmodCache::parse(bytes);
    ASSERT_EQ(back.size(), 2u);
    auto decoded = [&](const DepmodCache& c, const char* path) {
        auto encoded = c.find(path, key);
        EXPECT_TRUE(encoded.has_value()) << path;
        auto facts = DepmodCache::decode_facts(encoded.value_or(""));
        EXPECT_TRUE(facts.has_value()) << path;
        return facts.value_or(ModuleFacts {});
    };
    EXPECT_EQ(decoded(back, "/lib/modules/x/a.ko"), facts);
    EXPECT_EQ(decoded(back, "/lib/modules/x/b.ko"), broken);
    ASSERT_TRUE(back.last_run().has_value());
    EXPECT_EQ(*back.last_run(), run);
    // Any change of size, mtime, inode or device makes the entry stale.
    for (CacheKey other : { CacheKey { 101, key.mtime_ns, 42, 7 }, CacheKey { 100, key.mtime_ns + 1, 42, 7 },
             CacheKey { 100, key.mtime_ns, 43, 7 }, CacheKey { 100, key.mtime_ns, 42, 8 } })
        EXPECT_FALSE(back.find("/lib/modules/x/a.ko", other).has_value());
    // Dropping modules that are gone.
    EXPECT_FALSE(back.keep_only({ "/lib/modules/x/a.ko", "/lib/modules/x/b.ko" }));
    EXPECT_TRUE(back.keep_only({ "/lib/modules/x/b.ko" }));
    EXPECT_FALSE(back.find_any("/lib/modules/x/a.ko").has_value());

    // Every truncation and every flipped byte gives an empty cache, never a wrong one.
    for (std::size_t n = 0; n < bytes.size(); n++)
        EXPECT_EQ(DepmodCache::parse(bytes.substr(0, n)).size(), 0u) << n;
    for (std::size_t i = 0; i < bytes.size(); i++) {
        std::string bad = bytes;
        bad[i] = static_cast<char>(bad[i] ^ 0x40);
        DepmodCache damaged = DepmodCache::parse(bad);
        EXPECT_EQ(damaged.size(), 0u) << i;
        EXPECT_FALSE(damaged.last_run().has_value()) << i;
    }
}

TEST(DepmodCache, SavedFileLoadsBack)
{
    std::string dir = ::testing::TempDir();
    std::string path = dir + "/ringside-depmod-cache-test";
    DepmodCache cache;
    ModuleFacts facts;
    facts.exports = { { "sym_a", 1 } };
    cache.put("/m/a.ko", CacheKey { 1, 2, 3, 4 }, DepmodCache::encode_facts(facts));
    ASSERT_TRUE(cache.save(path).has_value());
    DepmodCache back = DepmodCache::load(path);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back.find("/m/a.ko", CacheKey { 1, 2, 3, 4 }), cache.find("/m/a.ko", CacheKey { 1, 2, 3, 4 }).value());
    std::remove(path.c_str());
}
