#include "capture/stream/tcp_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capture/decode/decoder.h"

namespace otsentry::capture {
namespace {

using namespace tcp_flags;

// Records what the stream delivers: data as text, gaps as "[gap N]".
class Recorder : public StreamReceiver {
public:
    void on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx) override
    {
        EXPECT_EQ(dir, Direction::ToServer);
        out.append(data.begin(), data.end());
        last_pcap_cnt = ctx.pcap_cnt;
    }
    void on_gap(Direction dir, uint64_t bytes, const PacketCtx& /*ctx*/) override
    {
        EXPECT_EQ(dir, Direction::ToServer);
        out += "[gap " + std::to_string(bytes) + "]";
    }
    std::string out;
    uint64_t last_pcap_cnt = 0;
};

class TcpStreamTest : public ::testing::Test {
protected:
    void seg(uint32_t seq, uint8_t flags, std::string_view text = {})
    {
        const std::vector<uint8_t> bytes(text.begin(), text.end());  // exactly sized heap copy
        const PacketCtx ctx{++pcap_cnt_, 0};
        stream.on_segment(Direction::ToServer, seq, flags, bytes, ctx, rx, stats);
    }
    TcpStream stream;
    Recorder rx;
    StreamStats stats;

private:
    uint64_t pcap_cnt_ = 0;
};

TEST_F(TcpStreamTest, InOrderAfterSyn)
{
    seg(100, syn);
    EXPECT_TRUE(stream.started());
    EXPECT_EQ(stream.next_seq(), 101u);
    seg(101, ack | psh, "abc");
    seg(104, ack | psh, "def");
    EXPECT_EQ(rx.out, "abcdef");
    EXPECT_EQ(rx.last_pcap_cnt, 3u);
    EXPECT_EQ(stream.next_seq(), 107u);
    EXPECT_EQ(stats.segments, 2u);
    EXPECT_EQ(stats.bytes_delivered, 6u);
    EXPECT_EQ(stats.midstream, 0u);
}

TEST_F(TcpStreamTest, RetransmissionIsDropped)
{
    seg(100, syn);
    seg(101, ack, "abc");
    seg(101, ack, "abc");
    seg(102, ack, "b");
    seg(104, ack, "d");
    EXPECT_EQ(rx.out, "abcd");
    EXPECT_EQ(stats.retransmissions, 2u);
    EXPECT_EQ(stats.overlaps, 0u);
}

TEST_F(TcpStreamTest, OverlapIsTrimmed)
{
    seg(100, syn);
    seg(101, ack, "abc");
    seg(102, ack, "bcdef");  // "bc" already delivered
    EXPECT_EQ(rx.out, "abcdef");
    EXPECT_EQ(stats.overlaps, 1u);
    EXPECT_EQ(stream.next_seq(), 107u);
}

TEST_F(TcpStreamTest, JumpAheadIsAGap)
{
    seg(100, syn);
    seg(101, ack, "abc");
    seg(110, ack, "xyz");  // 104..109 were not captured
    EXPECT_EQ(rx.out, "abc[gap 6]xyz");
    EXPECT_EQ(stats.gaps, 1u);
    EXPECT_EQ(stats.gap_bytes, 6u);
    EXPECT_EQ(stream.next_seq(), 113u);
}

TEST_F(TcpStreamTest, MidstreamPickup)
{
    seg(5000, ack | psh, "hello");
    EXPECT_TRUE(stream.started());
    EXPECT_EQ(stats.midstream, 1u);
    seg(5005, ack, "!");
    // An unknown amount came before the pickup: reported once, as a gap of 0, before the data.
    EXPECT_EQ(rx.out, "[gap 0]hello!");
}

TEST_F(TcpStreamTest, MidstreamGapWaitsForFirstData)
{
    seg(5000, ack);  // a pure ACK starts the direction: nothing to report yet
    EXPECT_EQ(rx.out, "");
    seg(5000, ack | psh, "xy");
    seg(5002, ack | psh, "z");
    EXPECT_EQ(rx.out, "[gap 0]xyz");
}

TEST_F(TcpStreamTest, SequenceWrapsAround)
{
    seg(0xfffffffdu, syn);          // data starts at 0xfffffffe
    seg(0xfffffffeu, ack, "abcd");  // crosses 2^32
    EXPECT_EQ(stream.next_seq(), 2u);
    seg(0xffffffffu, ack, "bcdef");  // overlap across the wrap
    seg(0xfffffffeu, ack, "ab");     // retransmission across the wrap
    seg(10, ack, "z");               // gap after the wrap: 4..9
    EXPECT_EQ(rx.out, "abcdef[gap 6]z");
    EXPECT_EQ(stats.overlaps, 1u);
    EXPECT_EQ(stats.retransmissions, 1u);
}

TEST_F(TcpStreamTest, FinEndsTheStream)
{
    seg(100, syn);
    seg(101, ack | fin, "bye");
    EXPECT_TRUE(stream.fin_seen());
    EXPECT_EQ(stream.next_seq(), 105u);  // FIN takes one sequence number
    seg(105, ack, "late");
    EXPECT_EQ(rx.out, "bye");
}

TEST_F(TcpStreamTest, RstEndsTheStream)
{
    seg(100, syn);
    seg(101, ack, "a");
    seg(102, rst | ack, "diagnostic");
    EXPECT_TRUE(stream.rst_seen());
    seg(102, ack, "b");
    EXPECT_EQ(rx.out, "a");
}

TEST_F(TcpStreamTest, DataOnSynStartsAfterIt)
{
    seg(100, syn, "tfo");  // TCP Fast Open data
    seg(101, ack, "tfo");  // a retransmission of it without SYN
    seg(104, ack, "!");
    EXPECT_EQ(rx.out, "tfo!");
}

}  // namespace
}  // namespace otsentry::capture
