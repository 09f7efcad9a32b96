#include "capture/source/pcap_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace otsentry::capture {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t linktype_ethernet = 1;
constexpr uint32_t linktype_ieee802_11 = 105;

struct Record {
    uint32_t ts_sec;
    uint32_t ts_frac;  // microseconds, or nanoseconds in a nanosecond file
    std::vector<uint8_t> data;
    uint32_t wire_len = 0;  // 0: same as data.size()
};

void put32(std::string& out, uint32_t v)  // little-endian, as written by an x86 host
{
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<char>(v >> (8 * i)));
}

void put16(std::string& out, uint16_t v)
{
    out.push_back(static_cast<char>(v));
    out.push_back(static_cast<char>(v >> 8));
}

// A classic pcap file (pcap-savefile(5)), built by hand so the test controls every byte.
std::string pcap_bytes(uint32_t linktype, const std::vector<Record>& records, bool nanosecond = false)
{
    std::string out;
    put32(out, nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);  // magic: byte order and time precision
    put16(out, 2);                                     // version major
    put16(out, 4);                                     // version minor
    put32(out, 0);                                     // reserved (thiszone)
    put32(out, 0);                                     // reserved (sigfigs)
    put32(out, 65535);                                 // snap length
    put32(out, linktype);                              // link type
    for (const auto& r : records) {
        put32(out, r.ts_sec);
        put32(out, r.ts_frac);
        put32(out, static_cast<uint32_t>(r.data.size()));                            // captured length
        put32(out, r.wire_len ? r.wire_len : static_cast<uint32_t>(r.data.size()));  // wire length
        out.append(r.data.begin(), r.data.end());
    }
    return out;
}

std::vector<uint8_t> bytes_of(size_t n, uint8_t first)
{
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = static_cast<uint8_t>(first + i);
    return v;
}

const std::vector<Record> three_records{
    {1'700'000'000, 1, bytes_of(60, 0x10)},
    {1'700'000'000, 999'999, bytes_of(64, 0x20), 1514},  // cut by a snap length
    {1'700'000'001, 0, bytes_of(42, 0x30)},
};

class PcapSourceTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("otsentry_pcap_source_" + std::to_string(getpid()) + "_" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override
    {
        std::error_code ec;
        fs::permissions(dir_ / "locked.pcap", fs::perms::owner_all, ec);
        fs::remove_all(dir_, ec);
    }
    std::string write(const std::string& name, const std::string& content)
    {
        const auto path = (dir_ / name).string();
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }
    static std::vector<RawPacket> read_all(PcapFileSource& src,
                                           std::vector<std::vector<uint8_t>>* data = nullptr)
    {
        std::vector<RawPacket> out;
        RawPacket p;
        PcapFileSource::Status s;
        while ((s = src.next(p)) != PcapFileSource::Status::End) {
            if (s != PcapFileSource::Status::Packet) {
                ADD_FAILURE() << "unexpected error: " << (src.error() ? src.error()->message() : "?");
                continue;
            }
            out.push_back(p);
            if (data) data->emplace_back(p.data.begin(), p.data.end());
        }
        return out;
    }
    fs::path dir_;
};

TEST_F(PcapSourceTest, ReadsAGoodFile)
{
    const auto path = write("good.pcap", pcap_bytes(linktype_ethernet, three_records));
    PcapFileSource src({path});
    EXPECT_TRUE(src.check_all().empty());
    EXPECT_EQ(src.bytes_total(), fs::file_size(path));
    EXPECT_EQ(src.bytes_done(), 0u);
    std::vector<std::vector<uint8_t>> data;
    const auto pkts = read_all(src, &data);
    ASSERT_EQ(pkts.size(), 3u);
    for (size_t i = 0; i < pkts.size(); ++i) {
        EXPECT_EQ(pkts[i].pcap_cnt, i + 1);
        EXPECT_EQ(pkts[i].file_index, 0u);
        EXPECT_EQ(pkts[i].link, LinkType::Ethernet);
        EXPECT_EQ(pkts[i].caplen, three_records[i].data.size());
        EXPECT_EQ(data[i], three_records[i].data);
    }
    EXPECT_EQ(pkts[0].ts_us, 1'700'000'000'000'001);
    EXPECT_EQ(pkts[1].ts_us, 1'700'000'000'999'999);
    EXPECT_EQ(pkts[2].ts_us, 1'700'000'001'000'000);
    EXPECT_EQ(pkts[1].wire_len, 1514u);
    EXPECT_EQ(pkts[0].wire_len, 60u);
    EXPECT_EQ(src.bytes_done(), src.bytes_total());
    EXPECT_TRUE(src.warnings().empty());
    RawPacket p;
    EXPECT_EQ(src.next(p), PcapFileSource::Status::End);  // End stays End
}

TEST_F(PcapSourceTest, NanosecondTimestampsBecomeMicroseconds)
{
    const auto path = write(
        "ns.pcap", pcap_bytes(linktype_ethernet, {{1'700'000'000, 123'456'789, bytes_of(60, 0)}}, true));
    PcapFileSource src({path});
    const auto pkts = read_all(src);
    ASSERT_EQ(pkts.size(), 1u);
    EXPECT_EQ(pkts[0].ts_us, 1'700'000'000'123'456);
}

TEST_F(PcapSourceTest, TwoFilesInOrder)
{
    const auto first = write("a.pcap", pcap_bytes(linktype_ethernet, three_records));
    const auto second =
        write("b.pcap", pcap_bytes(101, {{5, 0, bytes_of(20, 0x45)}, {6, 0, bytes_of(20, 0x45)}}));
    PcapFileSource src({first, second});
    EXPECT_EQ(src.bytes_total(), fs::file_size(first) + fs::file_size(second));
    const auto pkts = read_all(src);
    ASSERT_EQ(pkts.size(), 5u);
    EXPECT_EQ(pkts[2].file_index, 0u);
    EXPECT_EQ(pkts[2].pcap_cnt, 3u);
    EXPECT_EQ(pkts[3].file_index, 1u);
    EXPECT_EQ(pkts[3].pcap_cnt, 1u);  // numbering restarts per file, as in Wireshark
    EXPECT_EQ(pkts[4].pcap_cnt, 2u);
    EXPECT_EQ(pkts[3].link, LinkType::RawIp);
    EXPECT_EQ(pkts[3].ts_us, 5'000'000);
    EXPECT_EQ(src.bytes_done(), src.bytes_total());
}

TEST_F(PcapSourceTest, LinkTypesAreMapped)
{
    const std::pair<uint32_t, LinkType> cases[] = {
        {1, LinkType::Ethernet},  {113, LinkType::LinuxSll}, {276, LinkType::LinuxSll2},
        {12, LinkType::RawIp},    {14, LinkType::RawIp},     {101, LinkType::RawIp},
        {228, LinkType::RawIpv4}, {229, LinkType::RawIpv6},  {0, LinkType::Null},
        {108, LinkType::Loop},
    };
    for (const auto& [linktype, want] : cases) {
        const auto path = write("link" + std::to_string(linktype) + ".pcap",
                                pcap_bytes(linktype, {{1, 0, bytes_of(40, 0)}}));
        PcapFileSource src({path});
        EXPECT_TRUE(src.check_all().empty()) << linktype;
        RawPacket p;
        ASSERT_EQ(src.next(p), PcapFileSource::Status::Packet) << linktype;
        EXPECT_EQ(p.link, want) << linktype;
    }
}

TEST_F(PcapSourceTest, CheckAllGivesOneReasonPerBadFile)
{
    const auto good = write("good.pcap", pcap_bytes(linktype_ethernet, three_records));
    const auto missing = (dir_ / "missing.pcap").string();
    const auto empty = write("empty.pcap", "");
    const auto text = write("notes.txt", "this is not a capture, just some text\n");
    const auto tiny = write("tiny.pcap", "ab");
    const auto wifi = write("wifi.pcap", pcap_bytes(linktype_ieee802_11, three_records));
    PcapFileSource src({good, missing, dir_.string(), empty, text, tiny, wifi, "-"});
    const auto errors = src.check_all();
    ASSERT_EQ(errors.size(), 6u);
    EXPECT_EQ(errors[0].message(), missing + ": no such file");
    EXPECT_EQ(errors[1].message(), dir_.string() + ": is a directory");
    EXPECT_EQ(errors[2].message(), empty + ": empty file (0 bytes)");
    EXPECT_EQ(errors[3].message(), text + ": not a pcap or pcapng capture");
    EXPECT_EQ(errors[4].message(), tiny + ": not a pcap or pcapng capture");
    EXPECT_EQ(errors[5].message(), wifi + ": unsupported link type IEEE802_11 (105)");
}

TEST_F(PcapSourceTest, PermissionDenied)
{
    if (geteuid() == 0) GTEST_SKIP() << "root can read any file, so the check cannot be provoked";
    const auto path = write("locked.pcap", pcap_bytes(linktype_ethernet, three_records));
    fs::permissions(path, fs::perms::none);
    PcapFileSource src({path});
    const auto errors = src.check_all();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].reason, "permission denied");
}

TEST_F(PcapSourceTest, BadFileIsAnErrorAndReadingGoesOn)
{
    const auto text = write("notes.txt", "not a capture");
    const auto good = write("good.pcap", pcap_bytes(linktype_ethernet, three_records));
    PcapFileSource src({(dir_ / "missing.pcap").string(), text, good});
    RawPacket p;
    ASSERT_EQ(src.next(p), PcapFileSource::Status::Error);
    ASSERT_TRUE(src.error());
    EXPECT_EQ(src.error()->reason, "no such file");
    ASSERT_EQ(src.next(p), PcapFileSource::Status::Error);
    EXPECT_EQ(src.error()->message(), text + ": not a pcap or pcapng capture");
    ASSERT_EQ(src.next(p), PcapFileSource::Status::Packet);
    EXPECT_FALSE(src.error());
    EXPECT_EQ(p.file_index, 2u);
    EXPECT_EQ(p.pcap_cnt, 1u);
}

TEST_F(PcapSourceTest, TruncatedLastRecordIsAWarning)
{
    const std::string full = pcap_bytes(linktype_ethernet, three_records);
    const size_t cut_in_data = full.size() - three_records[2].data.size() / 2;
    const size_t cut_in_header = full.size() - three_records[2].data.size() - 8;
    for (const size_t cut : {cut_in_data, cut_in_header}) {
        const auto path = write("cut.pcap", full.substr(0, cut));
        const auto next = write("next.pcap", pcap_bytes(linktype_ethernet, three_records));
        PcapFileSource src({path, next});
        EXPECT_TRUE(src.check_all().empty());
        const auto pkts = read_all(src);
        ASSERT_EQ(pkts.size(), 5u) << "cut at " << cut;
        EXPECT_EQ(pkts[1].file_index, 0u);
        EXPECT_EQ(pkts[2].file_index, 1u);  // the next file is still read
        ASSERT_EQ(src.warnings().size(), 1u);
        EXPECT_EQ(src.warnings()[0],
                  path + ": truncated last record after 2 packets; the packets before it were kept");
    }
}

TEST_F(PcapSourceTest, ReadsPcapng)
{
    if (std::system("command -v editcap >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "editcap (wireshark-common) is not installed; it converts the pcap to pcapng";
    const auto pcap = write("in.pcap", pcap_bytes(linktype_ethernet, three_records));
    const auto pcapng = (dir_ / "out.pcapng").string();
    ASSERT_EQ(std::system(("editcap -F pcapng '" + pcap + "' '" + pcapng + "'").c_str()), 0);
    PcapFileSource src({pcapng});
    EXPECT_TRUE(src.check_all().empty());
    std::vector<std::vector<uint8_t>> data;
    const auto pkts = read_all(src, &data);
    ASSERT_EQ(pkts.size(), 3u);
    EXPECT_EQ(pkts[1].ts_us, 1'700'000'000'999'999);
    EXPECT_EQ(pkts[1].wire_len, 1514u);
    EXPECT_EQ(pkts[2].pcap_cnt, 3u);
    EXPECT_EQ(data[2], three_records[2].data);
    EXPECT_EQ(src.bytes_done(), fs::file_size(pcapng));
}

TEST_F(PcapSourceTest, ReadsStandardInput)
{
    const auto path = write("stdin.pcap", pcap_bytes(linktype_ethernet, three_records));
    const int saved = dup(STDIN_FILENO);
    const int fd = open(path.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    dup2(fd, STDIN_FILENO);
    close(fd);
    PcapFileSource src({"-"});
    EXPECT_TRUE(src.check_all().empty());
    EXPECT_EQ(src.bytes_total(), 0u);  // unknown for a stream
    const auto pkts = read_all(src);
    dup2(saved, STDIN_FILENO);
    close(saved);
    ASSERT_EQ(pkts.size(), 3u);
    EXPECT_EQ(pkts[2].pcap_cnt, 3u);
}

}  // namespace
}  // namespace otsentry::capture
