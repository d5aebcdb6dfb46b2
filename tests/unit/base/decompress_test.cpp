#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "base/decompress.h"

using namespace ringside;

namespace {

// Compresses `text` with the real command-line tool, so the test checks interoperability
// with the formats as they are written in the wild.
std::vector<std::uint8_t> compress_with(const std::string& tool, const std::string& text)
{
    char dir[] = "/tmp/ringside-decompress-XXXXXX";
    EXPECT_NE(mkdtemp(dir), nullptr);
    std::string in = std::string(dir) + "/in";
    std::ofstream(in) << text;
    std::string command = tool + " -c " + in + " > " + in + ".out 2>/dev/null";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    std::ifstream file(in + ".out", std::ios::binary);
    std::stringstream buffer;
    buffer << file.rdbuf();
    std::string s = buffer.str();
    std::system(("rm -rf " + std::string(dir)).c_str());
    return { s.begin(), s.end() };
}

std::string repeated_text()
{
    std::string text;
    for (int i = 0; i < 20000; ++i)
        text += "line " + std::to_string(i) + " of a module-sized text\n";
    return text;
}

}  // namespace

class DecompressRoundTrip : public ::testing::TestWithParam<std::pair<const char*, Compression>> {};

TEST_P(DecompressRoundTrip, MatchesTheToolsOutput)
{
    auto [tool, kind] = GetParam();
    std::string text = repeated_text();
    auto packed = compress_with(tool, text);
    ASSERT_EQ(detect_compression(packed), kind);
    auto result = decompress(packed, kind, "sample");
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(std::string(result->begin(), result->end()), text);
}

TEST_P(DecompressRoundTrip, EveryTruncationIsAnErrorNotACrash)
{
    auto [tool, kind] = GetParam();
    auto packed = compress_with(tool, repeated_text());
    for (std::size_t cut = 0; cut + 1 < packed.size(); cut += 1 + cut / 7) {
        auto result = decompress(Bytes(packed.data(), cut), kind, "cut");
        EXPECT_FALSE(result) << tool << " truncated at " << cut;
    }
}

TEST_P(DecompressRoundTrip, RefusesOutputPastTheLimit)
{
    auto [tool, kind] = GetParam();
    auto packed = compress_with(tool, repeated_text());
    auto result = decompress(packed, kind, "bomb", 4096);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::TooLarge);
}

INSTANTIATE_TEST_SUITE_P(Formats, DecompressRoundTrip,
    ::testing::Values(std::pair { "xz", Compression::Xz }, std::pair { "zstd -q", Compression::Zstd },
        std::pair { "gzip", Compression::Gzip }),
    [](const auto& info) { return std::string(compression_name(info.param.second)); });

TEST(Decompress, UnknownMagicIsPlain)
{
    const std::uint8_t elf[] = { 0x7f, 'E', 'L', 'F', 2, 1 };
    EXPECT_EQ(detect_compression(elf), Compression::None);
}
