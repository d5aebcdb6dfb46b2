#include "base/atomic_file.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>

#include "base/mapped_file.h"

namespace ringside {
namespace {

class AtomicFileTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        char pattern[] = "/tmp/ringside-atomic-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        m_dir = pattern;
    }
    void TearDown() override
    {
        for (const std::string& name : entries())
            ::unlink((m_dir + "/" + name).c_str());
        ::rmdir(m_dir.c_str());
    }
    std::vector<std::string> entries() const
    {
        std::vector<std::string> names;
        if (DIR* d = ::opendir(m_dir.c_str())) {
            while (dirent* e = ::readdir(d))
                if (e->d_name[0] != '.')
                    names.emplace_back(e->d_name);
            ::closedir(d);
        }
        return names;
    }
    std::string m_dir;
};

TEST_F(AtomicFileTest, WriterBuffersPiecesPatchesTheHeaderAndRenames)
{
    std::string path = m_dir + "/out";
    ASSERT_TRUE(write_file_atomically(path, "old").has_value());
    auto writer = AtomicFileWriter::create(path);
    ASSERT_TRUE(writer.has_value());
    ASSERT_TRUE(writer->write("HDR:").has_value());
    std::string big(3u << 20, 'x');  // larger than the buffer: written through
    ASSERT_TRUE(writer->write("small").has_value());
    ASSERT_TRUE(writer->write(big).has_value());
    ASSERT_TRUE(writer->write("tail").has_value());
    EXPECT_EQ(writer->size(), 4 + 5 + big.size() + 4);
    // Until commit, readers see the old file.
    EXPECT_EQ(read_small_file(path).value_or(""), "old");
    ASSERT_TRUE(writer->write_at(0, "hdr!").has_value());
    EXPECT_FALSE(writer->write_at(writer->size() - 2, "too far").has_value());
    ASSERT_TRUE(writer->commit(Durability::Unsynced).has_value());
    EXPECT_EQ(read_small_file(path).value_or(""), "hdr!small" + big + "tail");
    EXPECT_EQ(entries(), std::vector<std::string> { "out" });
}

TEST_F(AtomicFileTest, AbandonedWriterLeavesTheOldFileAndNoTemporary)
{
    std::string path = m_dir + "/out";
    ASSERT_TRUE(write_file_atomically(path, "old").has_value());
    {
        auto writer = AtomicFileWriter::create(path);
        ASSERT_TRUE(writer.has_value());
        ASSERT_TRUE(writer->write("never committed").has_value());
    }
    EXPECT_EQ(read_small_file(path).value_or(""), "old");
    EXPECT_EQ(entries(), std::vector<std::string> { "out" });
}

TEST_F(AtomicFileTest, UnwritableDirectoryIsAnError)
{
    EXPECT_FALSE(AtomicFileWriter::create(m_dir + "/missing/out").has_value());
    EXPECT_FALSE(write_file_atomically(m_dir + "/missing/out", "x").has_value());
}

}  // namespace
}  // namespace ringside
