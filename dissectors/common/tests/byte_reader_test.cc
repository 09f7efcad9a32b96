#include "dissectors/common/byte_reader.h"

#include <gtest/gtest.h>

namespace otsentry::dissect {
namespace {

constexpr uint8_t bytes[] = {0x01, 0x02, 0x03, 0x04, 0x05};

TEST(ByteReader, ReadsBigAndLittleEndian)
{
    ByteReader r{bytes};
    EXPECT_EQ(r.read_be<uint16_t>(), 0x0102);
    EXPECT_EQ(r.read_le<uint16_t>(), 0x0403);
    EXPECT_EQ(r.read_u8(), 0x05);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.empty());
}

TEST(ByteReader, ReadPastEndFailsAndStaysFailed)
{
    ByteReader r{bytes};
    EXPECT_EQ(r.read_be<uint32_t>(), 0x01020304u);
    EXPECT_EQ(r.read_be<uint16_t>(), 0u);  // one byte left: fails without reading it
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.read_u8(), 0u);  // sticky: the byte that was there is not returned
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(r.rest().empty());
}

TEST(ByteReader, BytesAndSkip)
{
    ByteReader r{bytes};
    r.skip(1);
    auto s = r.read_bytes(3);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0], 0x02);
    EXPECT_EQ(r.rest().size(), 1u);
    EXPECT_TRUE(r.read_bytes(2).empty());
    EXPECT_FALSE(r.ok());
}

TEST(ByteReader, EmptyInput)
{
    ByteReader r{std::span<const uint8_t>{}};
    EXPECT_TRUE(r.empty());
    EXPECT_EQ(r.read_le<uint64_t>(), 0u);
    EXPECT_FALSE(r.ok());
}

TEST(ByteReader, EveryWidthInBothOrdersAtEveryOffset)
{
    // Unaligned loads, every width: the same values as assembling the bytes one at a time.
    constexpr uint8_t b[] = {0x81, 0x02, 0xf3, 0x04, 0x05, 0x96, 0x07, 0xe8, 0x09, 0x0a, 0xbb};
    for (size_t at = 0; at < 3; ++at) {
        const std::span<const uint8_t> in{b + at, sizeof b - at};
        auto be = [&](size_t n) {
            uint64_t v = 0;
            for (size_t i = 0; i < n; ++i)
                v = v << 8 | in[i];
            return v;
        };
        auto le = [&](size_t n) {
            uint64_t v = 0;
            for (size_t i = n; i-- > 0;)
                v = v << 8 | in[i];
            return v;
        };
        EXPECT_EQ(ByteReader{in}.read_be<uint8_t>(), be(1));
        EXPECT_EQ(ByteReader{in}.read_be<uint16_t>(), be(2));
        EXPECT_EQ(ByteReader{in}.read_be<uint32_t>(), be(4));
        EXPECT_EQ(ByteReader{in}.read_be<uint64_t>(), be(8));
        EXPECT_EQ(ByteReader{in}.read_le<uint16_t>(), le(2));
        EXPECT_EQ(ByteReader{in}.read_le<uint32_t>(), le(4));
        EXPECT_EQ(ByteReader{in}.read_le<uint64_t>(), le(8));
        ByteReader r{in.first(7)};
        EXPECT_EQ(r.read_be<uint64_t>(), 0u);  // one byte short: no read at all
        EXPECT_FALSE(r.ok());
    }
}

}  // namespace
}  // namespace otsentry::dissect
