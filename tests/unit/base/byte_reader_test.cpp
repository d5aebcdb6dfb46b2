#include <gtest/gtest.h>

#include "base/byte_reader.h"

using namespace ringside;

TEST(ByteReader, ReadsBothByteOrders)
{
    const std::uint8_t data[] = { 0x12, 0x34, 0x56, 0x78 };
    ByteReader r(data, "test");
    EXPECT_EQ(*r.u32(0, Endian::Big), 0x12345678u);
    EXPECT_EQ(*r.u32(0, Endian::Little), 0x78563412u);
    EXPECT_EQ(*r.u16(2, Endian::Big), 0x5678u);
}

TEST(ByteReader, RefusesReadsPastTheEnd)
{
    const std::uint8_t data[] = { 1, 2, 3 };
    ByteReader r(data, "test");
    auto result = r.u32(0, Endian::Little);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().kind, ErrorKind::Truncated);
    EXPECT_NE(result.error().message.find("offset 0"), std::string::npos);
}

TEST(ByteReader, RefusesOffsetsThatWrapAround)
{
    const std::uint8_t data[] = { 1, 2, 3, 4 };
    ByteReader r(data, "test");
    EXPECT_FALSE(r.slice(UINT64_MAX - 1, 4));
    EXPECT_FALSE(r.slice(2, UINT64_MAX));
}

TEST(ByteReader, CStringNeedsTerminator)
{
    const std::uint8_t data[] = { 'a', 'b', 0, 'c', 'd' };
    ByteReader r(data, "test");
    EXPECT_EQ(*r.c_string(0), "ab");
    auto unterminated = r.c_string(3);
    ASSERT_FALSE(unterminated);
    EXPECT_EQ(unterminated.error().kind, ErrorKind::Malformed);
    EXPECT_FALSE(r.c_string(0, 2));  // terminator lies beyond the limit
    EXPECT_FALSE(r.c_string(9));
}
