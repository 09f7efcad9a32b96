#include "capture/stream/tcp_stream.h"

#include <gtest/gtest.h>

#include <random>
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
    void on_stream_anomaly(Direction /*dir*/, StreamAnomaly a, const PacketCtx& /*ctx*/) override
    {
        anomalies.emplace_back(info(a).name);
    }
    std::vector<std::string_view> anomalies;
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
    void end() { stream.flush(Direction::ToServer, PacketCtx{++pcap_cnt_, 0}, rx, stats); }
    void peer_answered(uint32_t ack)
    {
        stream.on_peer_answered(Direction::ToServer, ack, PacketCtx{++pcap_cnt_, 0}, rx, stats);
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

TEST_F(TcpStreamTest, JumpAheadIsHeldThenAGapAtFlush)
{
    seg(100, syn);
    seg(101, ack, "abc");
    seg(110, ack, "xyz");      // 104..109 were not captured
    EXPECT_EQ(rx.out, "abc");  // held: the hole may still fill
    EXPECT_EQ(stream.held_bytes(), 3u);
    end();
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
    seg(10, ack, "z");               // held after the wrap: 4..9 missing
    end();
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

TEST_F(TcpStreamTest, OutOfOrderIsReordered)
{
    seg(100, syn);
    seg(104, ack, "def");
    seg(107, ack, "g");
    EXPECT_EQ(rx.out, "");
    seg(101, ack, "abc");
    EXPECT_EQ(rx.out, "abcdefg");
    EXPECT_EQ(stats.out_of_order, 2u);
    EXPECT_EQ(stats.gaps, 0u);
    EXPECT_EQ(stream.held_bytes(), 0u);
}

TEST_F(TcpStreamTest, HeldBytesSeenFirstWinAndConflictsAreCounted)
{
    seg(100, syn);
    seg(104, ack, "XYZ");     // held
    seg(101, ack, "abcdef");  // overlaps the held bytes with different ones
    EXPECT_EQ(rx.out, "abcXYZ");
    EXPECT_EQ(stats.overlap_conflicts, 1u);
    EXPECT_EQ(rx.anomalies, std::vector<std::string_view>{"stream.overlap_conflict"});
}

TEST_F(TcpStreamTest, OverlappingHeldSegmentsAreMerged)
{
    seg(100, syn);
    seg(104, ack, "def");
    seg(105, ack, "efgh");  // "ef" held already, same bytes: only "gh" is new
    seg(103, ack, "cd");    // starts before next_seq? no: 101..102 still missing; held, "d" overlaps
    EXPECT_EQ(stats.overlap_conflicts, 0u);
    EXPECT_TRUE(rx.anomalies.empty());
    EXPECT_EQ(stream.held_bytes(), 6u);  // c d e f g h
    seg(101, ack, "ab");
    EXPECT_EQ(rx.out, "abcdefgh");
}

TEST_F(TcpStreamTest, RandomSegmentationReorderingAndDuplicationGiveTheSameBytes)
{
    std::string text;
    for (int i = 0; i < 2000; ++i)
        text += static_cast<char>('a' + (i * 7) % 26);
    for (uint32_t seed = 1; seed <= 20; ++seed) {
        TcpStream s;
        Recorder r;
        StreamStats st;
        std::mt19937 rng{seed};
        // Cut at random points.
        std::vector<std::pair<uint32_t, std::string>> segs;
        for (size_t pos = 0; pos < text.size();) {
            const size_t n = std::min<size_t>(1 + rng() % 40, text.size() - pos);
            segs.emplace_back(static_cast<uint32_t>(1001 + pos), text.substr(pos, n));
            pos += n;
        }
        // Duplicate some, then shuffle within a window of 8.
        std::vector<std::pair<uint32_t, std::string>> sent;
        for (const auto& x : segs) {
            sent.push_back(x);
            if (rng() % 5 == 0) sent.push_back(x);
        }
        for (size_t i = 0; i + 1 < sent.size(); ++i)
            std::swap(sent[i], sent[std::min(sent.size() - 1, i + rng() % 8)]);
        uint64_t cnt = 0;
        s.on_segment(Direction::ToServer, 1000, syn, {}, PacketCtx{++cnt, 0}, r, st);
        for (const auto& [sq, data] : sent) {
            const std::vector<uint8_t> bytes(data.begin(), data.end());
            s.on_segment(Direction::ToServer, sq, ack, bytes, PacketCtx{++cnt, 0}, r, st);
        }
        s.flush(Direction::ToServer, PacketCtx{++cnt, 0}, r, st);
        EXPECT_EQ(r.out, text) << "seed " << seed;
        EXPECT_EQ(st.gaps, 0u) << "seed " << seed;
        EXPECT_EQ(st.overlap_conflicts, 0u) << "seed " << seed;
    }
}

TEST_F(TcpStreamTest, TooMuchHeldGivesUpTheHole)
{
    seg(100, syn);
    // 101 is lost; more segments than a direction may hold arrive after it.
    for (uint32_t i = 0; i <= TcpStream::max_held_segments; ++i)
        seg(102 + i, ack, "x");
    EXPECT_EQ(stats.buffer_overflows, 1u);
    EXPECT_EQ(rx.anomalies, std::vector<std::string_view>{"stream.held_data_overflow"});
    EXPECT_EQ(stats.gaps, 1u);
    EXPECT_EQ(rx.out.substr(0, 7), "[gap 1]");
    EXPECT_EQ(rx.out.size(), 7 + TcpStream::max_held_segments + 1);
}

TEST_F(TcpStreamTest, GlobalCapGivesUpEverythingThisDirectionHolds)
{
    stats.max_held_bytes_total = 10;  // shared by every stream of an engine
    seg(100, syn);
    seg(104, ack, "defgh");  // 5 bytes held, 101..103 missing
    EXPECT_EQ(stats.held_bytes_total, 5u);
    seg(111, ack, "klmnop");  // 11 held in total: over the cap
    EXPECT_EQ(stats.memcap_hits, 1u);
    EXPECT_EQ(rx.anomalies, std::vector<std::string_view>{"stream.memcap"});
    EXPECT_EQ(rx.out, "[gap 3]defgh[gap 2]klmnop");
    EXPECT_EQ(stats.held_bytes_total, 0u);
    EXPECT_EQ(stream.held_bytes(), 0u);
}

TEST_F(TcpStreamTest, HeldTotalFollowsDeliveryAndFin)
{
    seg(100, syn);
    seg(104, ack, "def");
    seg(110, ack, "jk");
    EXPECT_EQ(stats.held_bytes_total, 5u);
    seg(101, ack, "abc");  // delivers "def"
    EXPECT_EQ(stats.held_bytes_total, 2u);
    seg(107, ack | fin, "g");  // FIN at 108: "jk" at 110 lies beyond it and is dropped
    EXPECT_EQ(stats.held_bytes_total, 0u);
}

TEST_F(TcpStreamTest, PeerAnswerGivesUpBytesNeverSeen)
{
    seg(100, syn);
    seg(101, ack, "abc");
    // 104..106 lost; the peer answers with data acknowledging up to 107.
    peer_answered(107);
    EXPECT_EQ(rx.out, "abc[gap 3]");
    EXPECT_EQ(stream.next_seq(), 107u);
    peer_answered(105);  // an older acknowledgement: nothing to do
    seg(107, ack, "h");
    EXPECT_EQ(rx.out, "abc[gap 3]h");
}

TEST_F(TcpStreamTest, PeerAnswerAfterTheFinIsNotAGap)
{
    // Found by tcp_stream_fuzz: once the FIN is consumed, an acknowledgement far past it (half the
    // sequence space away, so the FIN clamp's modular comparison does not apply) must not report
    // bytes lost after the end of the stream.
    seg(100, syn);
    seg(101, ack | fin, "abc");
    ASSERT_TRUE(stream.finished());
    peer_answered(105);
    peer_answered(105 + 0x7fffffffu);
    peer_answered(105 + 0x80000005u);
    EXPECT_EQ(rx.out, "abc");
    EXPECT_EQ(stats.gaps, 0u);
    EXPECT_EQ(stream.next_seq(), 105u);
}

TEST_F(TcpStreamTest, PeerAnswerDeliversHeldDataAcrossHoles)
{
    seg(100, syn);
    seg(104, ack, "d");  // held, 101..103 missing
    seg(107, ack, "g");  // held, 105..106 missing
    peer_answered(108);
    EXPECT_EQ(rx.out, "[gap 3]d[gap 2]g");
}

TEST_F(TcpStreamTest, FinWaitsForTheHoleBeforeIt)
{
    seg(100, syn);
    seg(101, ack, "abc");
    seg(107, ack | fin, "g");  // FIN at 108, 104..106 still missing
    EXPECT_TRUE(stream.fin_seen());
    EXPECT_FALSE(stream.finished());
    seg(104, ack, "def");
    EXPECT_EQ(rx.out, "abcdefg");
    EXPECT_TRUE(stream.finished());
    EXPECT_EQ(stream.next_seq(), 109u);
}

TEST_F(TcpStreamTest, HeldBytesAfterALaterFinAreDropped)
{
    seg(100, syn);
    seg(105, ack, "efgh");      // held before any FIN was seen
    seg(101, ack | fin, "ab");  // FIN at 103: "efgh" lies beyond it
    EXPECT_EQ(stream.held_bytes(), 0u);
    EXPECT_EQ(rx.out, "ab");
    EXPECT_TRUE(stream.finished());
}

TEST_F(TcpStreamTest, RstDeliversWhatIsHeld)
{
    seg(100, syn);
    seg(101, ack, "a");
    seg(103, ack, "c");
    seg(104, rst | ack);
    EXPECT_EQ(rx.out, "a[gap 1]c");
    EXPECT_TRUE(stream.finished());
}

}  // namespace
}  // namespace otsentry::capture
