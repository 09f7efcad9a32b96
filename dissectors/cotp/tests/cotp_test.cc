// TPKT/COTP framing shared by the TCP 102 dissectors: TPDU parsing, the probe helper and the
// stream (segmentation, DT reassembly, resynchronisation).
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dissectors/cotp/cotp.h"

namespace otsentry::cotp {
namespace {

constexpr uint8_t connect_request[] = {
    0x03, 0x00, 0x00, 0x16,  // TPKT: version 3, reserved, length 22
    0x11,                    // COTP LI 17
    0xE0,                    // CR, credit 0
    0x00, 0x00,              // destination reference
    0x00, 0x01,              // source reference
    0x00,                    // class 0
    0xC0, 0x01, 0x0A,        // TPDU size 1024
    0xC1, 0x02, 0x01, 0x00,  // source TSAP 0x0100
    0xC2, 0x02, 0x01, 0x02,  // destination TSAP 0x0102: PG, rack 0 slot 2
};

constexpr uint8_t data_two[] = {
    0x03, 0x00, 0x00, 0x09,  // TPKT length 9
    0x02, 0xF0, 0x80,        // DT, EOT
    0x32, 0x01,              // user data
};

TEST(Cotp, ConnectRequest)
{
    Tpdu t;
    const auto r = parse_tpkt(connect_request, t);
    ASSERT_EQ(r.kind, FrameResult::Kind::Ok);
    EXPECT_EQ(r.size, sizeof connect_request);
    EXPECT_EQ(t.type, TpduType::ConnectRequest);
    EXPECT_EQ(t.src_ref, 1);
    EXPECT_EQ(t.tpdu_size_code, 0x0A);
    EXPECT_EQ(tsap_value(t.src_tsap), 0x0100);
    EXPECT_EQ(tsap_value(t.dst_tsap), 0x0102);
}

TEST(Cotp, DataAndPrefixes)
{
    Tpdu t;
    ASSERT_EQ(parse_tpkt(data_two, t).kind, FrameResult::Kind::Ok);
    EXPECT_TRUE(t.eot);
    EXPECT_EQ(t.user_data.size(), 2u);
    for (size_t n = 0; n < sizeof data_two; ++n)
        EXPECT_EQ(parse_tpkt(std::span{data_two, n}, t).kind, FrameResult::Kind::NeedMore) << n;
}

TEST(Cotp, BadFrames)
{
    Tpdu t;
    constexpr uint8_t bad_version[] = {0x04, 0x00, 0x00, 0x09};
    EXPECT_EQ(parse_tpkt(bad_version, t).kind, FrameResult::Kind::NotTpkt);
    constexpr uint8_t short_len[] = {0x03, 0x00, 0x00, 0x05, 0x02};
    EXPECT_EQ(parse_tpkt(short_len, t).error, FrameError::BadTpkt);
    constexpr uint8_t bad_li[] = {0x03, 0x00, 0x00, 0x08, 0x09, 0xF0, 0x80, 0x32};
    EXPECT_EQ(parse_tpkt(bad_li, t).error, FrameError::BadCotp);
    constexpr uint8_t bad_code[] = {0x03, 0x00, 0x00, 0x08, 0x02, 0x30, 0x80, 0x32};
    EXPECT_EQ(parse_tpkt(bad_code, t).error, FrameError::BadCotp);
}

TEST(Cotp, FirstOctetSkipsConnect)
{
    std::vector<uint8_t> v(std::begin(connect_request), std::end(connect_request));
    EXPECT_EQ(first_dt_octet(v).result, dissect::ProbeResult::NeedMore);
    v.insert(v.end(), std::begin(data_two), std::end(data_two));
    for (size_t n = 1; n < v.size() - 1; ++n)
        EXPECT_EQ(first_dt_octet(std::span{v.data(), n}).result, dissect::ProbeResult::NeedMore) << n;
    const auto f = first_dt_octet(v);
    EXPECT_EQ(f.result, dissect::ProbeResult::Match);
    EXPECT_EQ(f.octet, 0x32);
    // Mid-stream: garbage, then a DT.
    std::vector<uint8_t> mid = {0x11, 0x22, 0x33};
    mid.insert(mid.end(), std::begin(data_two), std::end(data_two));
    EXPECT_EQ(first_dt_octet(mid).octet, 0x32);
    constexpr uint8_t http[] = {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '1'};
    EXPECT_EQ(first_dt_octet(http).result, dissect::ProbeResult::NoMatch);
}

class Collect final : public CotpHandler {
public:
    void on_tpdu(Direction, const Tpdu& t, const PacketCtx&) override
    {
        tpdus.push_back(static_cast<int>(t.type));
    }
    void on_user_pdu(Direction, std::span<const uint8_t> p, const PacketCtx&) override
    {
        pdus.emplace_back(p.begin(), p.end());
    }
    void on_frame_error(Direction, FrameError, const PacketCtx&) override { ++errors; }
    void on_reassembly_overflow(Direction, const PacketCtx&) override { ++overflows; }
    void on_not_tpkt() override { not_tpkt = true; }
    std::vector<int> tpdus;
    std::vector<std::vector<uint8_t>> pdus;
    int errors = 0;
    int overflows = 0;
    bool not_tpkt = false;
};

TEST(Cotp, StreamReassemblesSegmentedDt)
{
    constexpr uint8_t seg[] = {
        0x03, 0x00, 0x00, 0x09, 0x02, 0xF0, 0x00, 0x32, 0x01,  // DT without EOT
        0x03, 0x00, 0x00, 0x09, 0x02, 0xF0, 0x80, 0x02, 0x03,  // DT with EOT
    };
    for (size_t piece = 1; piece <= sizeof seg; ++piece) {
        Collect c;
        CotpStream s{c, 0x32};
        for (size_t off = 0; off < sizeof seg; off += piece)
            s.on_data(Direction::ToServer, std::span{seg}.subspan(off, std::min(piece, sizeof seg - off)),
                      {});
        ASSERT_EQ(c.pdus.size(), 1u) << piece;
        EXPECT_EQ(c.pdus[0], (std::vector<uint8_t>{0x32, 0x01, 0x02, 0x03}));
        EXPECT_FALSE(s.partial(Direction::ToServer));
    }
}

TEST(Cotp, StreamResyncAfterGapDropsContinuation)
{
    constexpr uint8_t cont[] = {0x03, 0x00, 0x00, 0x09, 0x02, 0xF0, 0x80, 0x77, 0x01};  // tail of a lost PDU
    Collect c;
    CotpStream s{c, 0x32};
    s.on_gap(Direction::ToServer);
    s.on_data(Direction::ToServer, std::span<const uint8_t>{connect_request}.subspan(3), {});
    s.on_data(Direction::ToServer, cont, {});
    s.on_data(Direction::ToServer, data_two, {});
    ASSERT_EQ(c.pdus.size(), 1u);
    EXPECT_EQ(c.pdus[0][0], 0x32);
}

TEST(Cotp, StreamGivesUpOnNonTpkt)
{
    Collect c;
    CotpStream s{c, 0x32};
    const std::vector<uint8_t> junk(max_frame_len + 16, 0x41);
    s.on_data(Direction::ToServer, junk, {});
    EXPECT_TRUE(c.not_tpkt);
}

}  // namespace
}  // namespace otsentry::cotp
