#include "capture/source/live_source.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace otsentry::capture {
namespace {

using namespace std::chrono_literals;

LiveConfig config(std::vector<std::string> interfaces, std::string bpf = {})
{
    LiveConfig c;
    c.interfaces = std::move(interfaces);
    c.bpf = std::move(bpf);
    return c;
}

std::string joined(const std::vector<SourceError>& errors)
{
    std::string s;
    for (const auto& e : errors)
        s += e.message() + "\n";
    return s;
}

TEST(LiveSource, UnknownInterfaceIsNamed)
{
    LiveSource src{config({"nosuchif9"})};
    const auto errors = src.open();
    ASSERT_EQ(errors.size(), 1u) << joined(errors);
    EXPECT_EQ(errors[0].message(), "nosuchif9: no such device");
}

TEST(LiveSource, EveryBadInterfaceIsReported)
{
    LiveSource src{config({"nosuchif8", "nosuchif9"})};
    const auto errors = src.open();
    ASSERT_EQ(errors.size(), 2u) << joined(errors);
    EXPECT_EQ(errors[0].path, "nosuchif8");
    EXPECT_EQ(errors[1].path, "nosuchif9");
}

TEST(LiveSource, NoInterfaceIsAnError)
{
    LiveSource src{LiveConfig{}};
    EXPECT_EQ(src.open().size(), 1u);
}

// Checked before any interface is opened, so it needs no capture rights.
TEST(LiveSource, BadFilterGivesLibpcapsMessage)
{
    LiveSource src{config({"lo"}, "tcp prot 502")};
    const auto errors = src.open();
    ASSERT_EQ(errors.size(), 1u) << joined(errors);
    EXPECT_EQ(errors[0].path, "bad BPF filter 'tcp prot 502'");
    EXPECT_NE(errors[0].reason.find("syntax error"), std::string::npos) << errors[0].reason;
}

TEST(LiveSource, NextBeforeOpenIsAnError)
{
    LiveSource src{config({"lo"})};
    RawPacket p;
    EXPECT_EQ(src.next(p), LiveSource::Status::Error);
    ASSERT_TRUE(src.error().has_value());
}

// A UDP socket on 127.0.0.1 (port chosen by the kernel) and a sender: datagrams the test sends
// to itself, so the capture on lo has something known to see.
class LoopbackCapture : public ::testing::Test {
protected:
    void SetUp() override
    {
        rx_ = socket(AF_INET, SOCK_DGRAM, 0);
        tx_ = socket(AF_INET, SOCK_DGRAM, 0);
        ASSERT_GE(rx_, 0);
        ASSERT_GE(tx_, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        ASSERT_EQ(bind(rx_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
        socklen_t len = sizeof addr_;
        ASSERT_EQ(getsockname(rx_, reinterpret_cast<sockaddr*>(&addr_), &len), 0);
        port_ = ntohs(addr_.sin_port);
    }
    void TearDown() override
    {
        if (rx_ >= 0) ::close(rx_);
        if (tx_ >= 0) ::close(tx_);
    }

    // Opens `src`, or skips the test when this process may not capture on lo.
    void open_or_skip(LiveSource& src)
    {
        const auto errors = src.open();
        const bool denied = !errors.empty() && std::all_of(errors.begin(), errors.end(), [](const auto& e) {
            return e.reason.find("permission") != std::string::npos;
        });
        if (denied)
            GTEST_SKIP() << "capturing on lo is not permitted here (" << errors[0].message()
                         << "); run as root or with CAP_NET_RAW to run this test";
        ASSERT_TRUE(errors.empty()) << joined(errors);
    }

    [[nodiscard]] std::string filter() const
    {
        return "udp and dst host 127.0.0.1 and dst port " + std::to_string(port_);
    }

    void send(const std::string& payload)
    {
        ASSERT_EQ(sendto(tx_, payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&addr_),
                         sizeof addr_),
                  static_cast<ssize_t>(payload.size()));
    }

    // Reads until `want` packets arrived; the timeout is a guard against a hang, not a measure.
    static std::vector<std::pair<RawPacket, std::string>> read(LiveSource& src, size_t want)
    {
        std::vector<std::pair<RawPacket, std::string>> got;
        const auto guard = std::chrono::steady_clock::now() + 20s;
        RawPacket p;
        while (got.size() < want && std::chrono::steady_clock::now() < guard) {
            const auto st = src.next(p);
            if (st == LiveSource::Status::Error) {
                ADD_FAILURE() << src.error()->message();
                break;
            }
            if (st == LiveSource::Status::Packet)
                got.emplace_back(p, std::string(p.data.begin(), p.data.end()));
        }
        return got;
    }

    int rx_ = -1, tx_ = -1;
    sockaddr_in addr_{};
    uint16_t port_ = 0;
};

TEST_F(LoopbackCapture, SeesDatagramsSentToItself)
{
    LiveSource src{config({"lo"}, filter())};
    open_or_skip(src);
    if (IsSkipped() || HasFatalFailure()) return;
    EXPECT_EQ(src.link(0), LinkType::Ethernet);  // Linux shows lo as Ethernet with zeroed MACs

    constexpr int count = 5;
    for (int i = 0; i < count; ++i)
        send("otsentry live test " + std::to_string(i));
    const auto got = read(src, count);
    ASSERT_EQ(got.size(), static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
        const auto& [p, bytes] = got[static_cast<size_t>(i)];
        const std::string payload = "otsentry live test " + std::to_string(i);
        // Ethernet 14 + IPv4 20 + UDP 8 bytes of headers, then the datagram.
        EXPECT_EQ(bytes.size(), 42 + payload.size());
        EXPECT_TRUE(bytes.ends_with(payload)) << i;
        EXPECT_EQ(p.caplen, bytes.size());
        EXPECT_EQ(p.wire_len, p.caplen);
        EXPECT_EQ(p.pcap_cnt, static_cast<uint64_t>(i + 1));
        EXPECT_EQ(p.file_index, 0u);
        EXPECT_EQ(p.link, LinkType::Ethernet);
        EXPECT_GT(p.ts_us, 0);
    }

    // Nothing else matches the filter: the source says so instead of blocking.
    RawPacket p;
    EXPECT_EQ(src.next(p), LiveSource::Status::Timeout);

    const auto stats = src.stats();
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].name, "lo");
    EXPECT_GE(stats[0].received, static_cast<uint64_t>(count));
    EXPECT_EQ(stats[0].kernel_dropped, 0u);
}

TEST_F(LoopbackCapture, TwoInterfacesAreReadInTurn)
{
    // The same interface twice: two rings that each get a copy of every frame.
    LiveSource src{config({"lo", "lo"}, filter())};
    open_or_skip(src);
    if (IsSkipped() || HasFatalFailure()) return;

    constexpr int count = 4;
    for (int i = 0; i < count; ++i)
        send("twice " + std::to_string(i));
    // Let both rings hand their block over (the block timeout is 100 ms), so that both have
    // frames waiting when reading starts.
    std::this_thread::sleep_for(500ms);
    const auto got = read(src, 2 * count);
    ASSERT_EQ(got.size(), static_cast<size_t>(2 * count));
    int per_interface[2] = {0, 0};
    for (const auto& [p, bytes] : got) {
        ASSERT_LT(p.file_index, 2u);
        ++per_interface[p.file_index];
        EXPECT_EQ(p.pcap_cnt, static_cast<uint64_t>(per_interface[p.file_index]));
    }
    EXPECT_EQ(per_interface[0], count);
    EXPECT_EQ(per_interface[1], count);
    // Both have frames waiting: the second read comes from the other interface.
    EXPECT_NE(got[0].first.file_index, got[1].first.file_index);

    const auto stats = src.stats();
    ASSERT_EQ(stats.size(), 2u);
    EXPECT_GE(stats[1].received, static_cast<uint64_t>(count));
}

}  // namespace
}  // namespace otsentry::capture
