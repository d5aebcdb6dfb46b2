// The index reader and writer against the byte-exact example of kmod's format (spec §2.3)
// and against each other; corrupt input must give errors, not crashes.
#include <gtest/gtest.h>

#include <random>

#include "kmod/index_reader.h"
#include "kmod/index_writer.h"

using namespace ringside;
using namespace ringside::kmod;

namespace {

std::vector<std::uint8_t> bytes_of(const std::string& s) { return { s.begin(), s.end() }; }

std::string hex(const std::string& s)
{
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

IndexReader reader_of(const std::string& s)
{
    auto r = IndexReader::from_bytes(bytes_of(s), "test.bin");
    EXPECT_TRUE(r) << r.error().message;
    return std::move(r).value();
}

IndexWriter builtin_example()
{
    IndexWriter w;
    EXPECT_FALSE(*w.add("bi_one", "", 0));
    EXPECT_FALSE(*w.add("bi_two", "", 0));
    return w;
}

}  // namespace

// modules.builtin.bin for bi-one/bi_two as kmod 30 and kmod 34 write it (71 bytes each).
TEST(IndexWriter, WritesKmod30PostOrderByteForByte)
{
    // Produced by Debian's depmod (kmod 30) from a modules.builtin with these two lines.
    std::string expected = "b007f45700020001200000416e6500000000010000000000776f00000000010000000000"
                           "695f006f74c000000c00000000000000000000000000000000c00000186262a0000024";
    EXPECT_EQ(hex(builtin_example().serialize(IndexLayout::PostOrder)), expected);
}

TEST(IndexWriter, WritesKmod34PreOrderByteForByte)
{
    std::string expected = "b007f457000200012000000c6262a0000012695f006f74c000002f"
                           "00000000000000000000000000000000c000003b"
                           "6e6500000000010000000000776f00000000010000000000";
    EXPECT_EQ(hex(builtin_example().serialize(IndexLayout::PreOrder)), expected);
}

TEST(IndexWriter, EmptyIndexIsTheHeaderOnly)
{
    IndexWriter w;
    EXPECT_EQ(hex(w.serialize()), "b007f457000200010000000c");
    auto r = reader_of(w.serialize());
    EXPECT_TRUE(r.dump()->empty());
    EXPECT_FALSE(r.lookup("x")->has_value());
}

TEST(IndexWriter, ShapeIsIndependentOfInsertionOrder)
{
    std::vector<std::string> keys = { "a", "ab", "abc", "abd", "b", "ba", "x_y", "x_yz", "snd_hda", "snd", "sn" };
    std::string reference;
    std::mt19937 rng(7);
    for (int round = 0; round < 20; round++) {
        IndexWriter w;
        for (const auto& k : keys)
            ASSERT_TRUE(w.add(k, k + "!", 1));
        std::string out = w.serialize();
        if (round == 0)
            reference = out;
        EXPECT_EQ(out, reference);
        std::shuffle(keys.begin(), keys.end(), rng);
    }
}

TEST(IndexWriter, EqualPriorityValuesAreStoredNewestFirstAndDuplicatesReported)
{
    IndexWriter w;
    EXPECT_FALSE(*w.add("k", "old", 0));
    EXPECT_FALSE(*w.add("k", "new", 0));
    EXPECT_FALSE(*w.add("k", "low", 5));
    EXPECT_TRUE(*w.add("k", "old", 3));
    auto r = reader_of(w.serialize());
    auto values = r.lookup_all("k");
    ASSERT_TRUE(values);
    std::vector<IndexValue> expected = { { 0, "new" }, { 0, "old" }, { 3, "old" }, { 5, "low" } };
    EXPECT_EQ(*values, expected);
    EXPECT_EQ(r.lookup("k")->value(), "new");
}

TEST(IndexWriter, RejectsKeysOutside7BitAscii)
{
    IndexWriter w;
    EXPECT_FALSE(w.add("caf\xc3\xa9", "x", 0));
}

TEST(IndexReader, ReadsBothLayouts)
{
    IndexWriter w;
    std::vector<std::pair<std::string, std::string>> pairs = { { "snd_hda_intel", "snd-hda-intel" },
        { "snd_hda_codec", "codec" }, { "snd", "sound" }, { "e1000", "e1000" }, { "e1000e", "e1000e" } };
    for (std::size_t i = 0; i < pairs.size(); i++)
        ASSERT_TRUE(w.add(pairs[i].first, pairs[i].second, static_cast<std::uint32_t>(i)));
    for (auto layout : { IndexLayout::PostOrder, IndexLayout::PreOrder }) {
        auto r = reader_of(w.serialize(layout));
        for (const auto& [k, v] : pairs)
            EXPECT_EQ(r.lookup(k)->value_or("<none>"), v) << k;
        EXPECT_FALSE(r.lookup("snd_hda")->has_value());
        EXPECT_FALSE(r.lookup("e100")->has_value());
        EXPECT_FALSE(r.lookup("snd_hda_intelx")->has_value());
        auto all = r.dump();
        ASSERT_TRUE(all);
        std::vector<std::string> keys;
        for (const auto& e : *all)
            keys.push_back(e.key);
        EXPECT_EQ(keys, (std::vector<std::string> { "e1000", "e1000e", "snd", "snd_hda_codec", "snd_hda_intel" }));
    }
}

TEST(IndexReader, WildcardLookupMergesByPriority)
{
    IndexWriter w;
    ASSERT_TRUE(w.add("pci:v00008086d*sv*sd*bc*sc*i*", "intel_any", 7));
    ASSERT_TRUE(w.add("pci:v00008086d00001234sv*sd*bc*sc*i*", "intel_1234", 3));
    ASSERT_TRUE(w.add("pci:v*d*sv*sd*bc03sc*i*", "vga", 5));
    ASSERT_TRUE(w.add("fake_?", "fake_q", 1));
    ASSERT_TRUE(w.add("fake_[ab]", "fake_ab", 2));
    ASSERT_TRUE(w.add("fake_a", "fake_exact", 9));
    ASSERT_TRUE(w.add("*", "everything", 4));
    // A wildcard inside a node's prefix, reached after a wildcard child was explored above it.
    ASSERT_TRUE(w.add("mdio:0110????", "phy_a", 6));
    ASSERT_TRUE(w.add("mdio:0111????", "phy_b", 8));
    for (auto layout : { IndexLayout::PostOrder, IndexLayout::PreOrder }) {
        auto r = reader_of(w.serialize(layout));
        auto names = [&](const char* q) {
            std::vector<std::string> out;
            auto found = r.lookup_wildcard(q);
            EXPECT_TRUE(found);
            for (const auto& v : *found)
                out.push_back(v.value + "@" + std::to_string(v.priority));
            return out;
        };
        EXPECT_EQ(names("pci:v00008086d00001234sv00000000sd00000000bc03sc00i00"),
            (std::vector<std::string> { "intel_1234@3", "everything@4", "vga@5", "intel_any@7" }));
        EXPECT_EQ(names("fake_a"),
            (std::vector<std::string> { "fake_q@1", "fake_ab@2", "everything@4", "fake_exact@9" }));
        EXPECT_EQ(names("fake_c"), (std::vector<std::string> { "fake_q@1", "everything@4" }));
        EXPECT_EQ(names(""), (std::vector<std::string> { "everything@4" }));
        EXPECT_EQ(names("mdio:01100000"), (std::vector<std::string> { "everything@4", "phy_a@6" }));
    }
}

TEST(IndexReader, MergeInsertsBeforeEqualPriorities)
{
    std::vector<IndexValue> out;
    IndexReader::merge_value(out, { 0, "a" });
    IndexReader::merge_value(out, { 0, "b" });
    IndexReader::merge_value(out, { 1, "c" });
    IndexReader::merge_value(out, { 0, "d" });
    EXPECT_EQ(out, (std::vector<IndexValue> { { 0, "d" }, { 0, "b" }, { 0, "a" }, { 1, "c" } }));
}

TEST(IndexReader, RejectsBadHeaders)
{
    EXPECT_FALSE(IndexReader::from_bytes({}, "x"));
    EXPECT_FALSE(IndexReader::from_bytes(bytes_of(std::string("\xb0\x07\xf4\x57\x00\x02", 6)), "x"));
    auto wrong_magic = IndexReader::from_bytes(bytes_of(std::string("\xb0\x07\xf4\x58\x00\x02\x00\x01\x00\x00\x00\x0c", 12)), "x.bin");
    ASSERT_FALSE(wrong_magic);
    EXPECT_NE(wrong_magic.error().message.find("x.bin"), std::string::npos);
    EXPECT_FALSE(IndexReader::from_bytes(bytes_of(std::string("\xb0\x07\xf4\x57\x00\x03\x00\x01\x00\x00\x00\x0c", 12)), "x"));
}

TEST(IndexReader, CorruptionIsAnErrorNamingFileAndOffset)
{
    IndexWriter w;
    for (std::string k : { "alpha", "alps", "beta", "b*", "gamma?" })
        ASSERT_TRUE(w.add(k, "v_" + k, 1));
    std::string good = w.serialize();
    // Truncations, cut anywhere.
    for (std::size_t n = 12; n < good.size(); n++) {
        auto r = IndexReader::from_bytes(bytes_of(good.substr(0, n)), "cut.bin");
        ASSERT_TRUE(r);
        auto d = r->dump();
        if (!d) {
            EXPECT_NE(d.error().message.find("cut.bin: corrupt index at offset"), std::string::npos) << d.error().message;
        }
        (void)r->lookup_wildcard("alpha");
        (void)r->lookup("beta");
    }
    // Every single byte flipped in every possible way must not crash or hang.
    for (std::size_t i = 8; i < good.size(); i++) {
        for (int bit = 0; bit < 8; bit++) {
            std::string bad = good;
            bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
            auto r = IndexReader::from_bytes(bytes_of(bad), "flip.bin");
            ASSERT_TRUE(r);
            (void)r->dump();
            (void)r->lookup_wildcard("alpha");
            (void)r->lookup_wildcard("bx");
            (void)r->lookup("alps");
        }
    }
}

TEST(IndexReader, SelfReferenceIsACycleError)
{
    // Root at 12 with children '*'..'*' pointing back at itself.
    std::string s("\xb0\x07\xf4\x57\x00\x02\x00\x01\x20\x00\x00\x0c**\x20\x00\x00\x0c", 18);
    auto r = reader_of(s);
    auto d = r.dump();
    ASSERT_FALSE(d);
    EXPECT_NE(d.error().message.find("offset 12"), std::string::npos) << d.error().message;
    EXPECT_FALSE(r.lookup_wildcard("abc"));
    EXPECT_FALSE(r.lookup("******************************"));
}

TEST(IndexReader, MergedOrdersLikeMergingOneByOne)
{
    std::mt19937 random(7);
    for (int round = 0; round < 50; round++) {
        std::vector<IndexValue> found;
        std::vector<IndexValue> one_by_one;
        for (int i = 0; i < round; i++) {
            IndexValue v { static_cast<std::uint32_t>(random() % 4), std::to_string(i) };
            found.push_back(v);
            IndexReader::merge_value(one_by_one, v);
        }
        EXPECT_EQ(IndexReader::merged(found), one_by_one);
    }
}

TEST(IndexReader, SharedNodeWithManyValuesIsAnErrorNotAHang)
{
    // Root at 12 with one child '*' -> node A at 18, whose 26 children 'a'..'z' are all the
    // same leaf B at 124: prefix "*" and 200 empty values. Every pattern "*?*" matches the
    // alphabet, so a wildcard walk reads B's values 26 times.
    // Without a bound on values a file of a few KB yielded hundreds of thousands of them,
    // merged in quadratic time (a hang found by fuzz_index).
    std::string s("\xb0\x07\xf4\x57\x00\x02\x00\x01\x20\x00\x00\x0c**\x20\x00\x00\x12", 18);
    s += "az";
    for (int i = 0; i < 26; i++)
        s += std::string("\xc0\x00\x00\x7c", 4);
    ASSERT_EQ(s.size(), 124u);
    s += std::string("*\0", 2);
    s += std::string("\x00\x00\x00\xc8", 4);  // 200 values
    for (int i = 0; i < 200; i++)
        s += std::string("\x00\x00\x00\x00\x00", 5);
    auto r = reader_of(s);
    auto found = r.lookup_wildcard("abcdefghijklmnopqrstuvwxyz");
    ASSERT_FALSE(found);
    EXPECT_NE(found.error().message.find("more values reached than the file can hold"), std::string::npos)
        << found.error().message;
    // Each of B's values alone is fine: the exact lookup reads them once.
    auto one = r.lookup_all("*a*");
    ASSERT_TRUE(one) << one.error().message;
    EXPECT_EQ(one->size(), 200u);
}
