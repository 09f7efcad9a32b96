#include "app/evidence.h"

#include <cstdio>
#include <cstring>
#include <fstream>

#include <gtest/gtest.h>

#include "capture/source/pcap_source.h"

namespace otsentry::app {
namespace {

capture::RawPacket packet(std::vector<uint8_t>& bytes, uint8_t tag, int64_t ts_us)
{
    bytes.assign(60, tag);
    capture::RawPacket p;
    p.ts_us = ts_us;
    p.caplen = static_cast<uint32_t>(bytes.size());
    p.wire_len = 60;
    p.data = bytes;
    return p;
}

// Reads a pcap file's packets back through our own reader: (first byte, timestamp) each.
std::vector<std::pair<uint8_t, int64_t>> read_back(const std::string& pcap)
{
    const std::string path = ::testing::TempDir() + "/evidence_test.pcap";
    std::ofstream{path, std::ios::binary} << pcap;
    capture::PcapFileSource src{{path}};
    EXPECT_TRUE(src.check_all().empty());
    std::vector<std::pair<uint8_t, int64_t>> out;
    capture::RawPacket p;
    while (src.next(p) == capture::PcapFileSource::Status::Packet)
        out.emplace_back(p.data[0], p.ts_us);
    std::remove(path.c_str());
    return out;
}

TEST(Evidence, RingKeepsTheLastKPacketsOldestFirst)
{
    EvidenceBudget budget{EvidenceConfig{3, 1600, 1 << 20}};
    EvidenceRing ring{budget};
    EXPECT_TRUE(ring.pcap().empty());
    std::vector<uint8_t> buf;
    for (uint8_t i = 1; i <= 5; ++i)
        ring.add(packet(buf, i, 1'700'000'000'000'000 + i * 1000));
    const auto got = read_back(ring.pcap());
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].first, 3);
    EXPECT_EQ(got[2].first, 5);
    EXPECT_EQ(got[2].second, 1'700'000'000'005'000);
}

TEST(Evidence, BudgetRefusesWholeRingsAndGivesThemBack)
{
    const EvidenceConfig cfg{2, 100, 400};  // one ring of 2 x (100 + slot) fits, two do not
    EvidenceBudget budget{cfg};
    std::vector<uint8_t> buf;
    {
        EvidenceRing a{budget};
        EvidenceRing b{budget};
        a.add(packet(buf, 1, 1));
        b.add(packet(buf, 2, 2));
        EXPECT_FALSE(a.pcap().empty());
        EXPECT_TRUE(b.pcap().empty());
        EXPECT_EQ(budget.stats().flows_without, 1u);
        EXPECT_GT(budget.stats().bytes_held, 0u);
    }
    EXPECT_EQ(budget.stats().bytes_held, 0u);
}

TEST(Evidence, SnaplenTruncatesButKeepsTheWireLength)
{
    EvidenceBudget budget{EvidenceConfig{1, 16, 1 << 20}};
    EvidenceRing ring{budget};
    std::vector<uint8_t> buf;
    ring.add(packet(buf, 7, 5));
    const std::string pcap = ring.pcap();
    ASSERT_EQ(pcap.size(), 24u + 16u + 16u);  // header, record header, 16 bytes
    uint32_t incl = 0, orig = 0;
    std::memcpy(&incl, pcap.data() + 24 + 8, 4);
    std::memcpy(&orig, pcap.data() + 24 + 12, 4);
    EXPECT_EQ(incl, 16u);
    EXPECT_EQ(orig, 60u);
}

}  // namespace
}  // namespace otsentry::app
