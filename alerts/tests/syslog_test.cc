#include "alerts/syslog.h"

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "alerts/tests/scratch_dir.h"
#include "alerts/writer.h"

namespace otsentry::alerts {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

Record alert(int n)
{
    Record r;
    r.kind = RecordKind::Alert;
    r.ts_us = 1'700'000'000'123'456 + n;  // 2023-11-14T22:13:20.123456Z
    r.flow_id = 42;
    r.src_ip = "10.0.0.1";
    r.dest_ip = "10.0.0.2";
    r.src_port = 40000;
    r.dest_port = 502;
    r.proto = "TCP";
    r.app_proto = "modbus";
    r.pcap_cnt = static_cast<uint64_t>(n) + 1;
    r.gid = 1;
    r.sid = 9000 + static_cast<uint32_t>(n);
    r.rev = 2;
    r.severity = 1;
    r.signature = R"(Modbus write | "quoted" ] a=b \ end)";
    r.category = "Attempted Administrator Privilege Gain";
    r.eve_json = nlohmann::json{{"event_type", "alert"}, {"n", n}}.dump();
    return r;
}

Record event(int n)
{
    Record r = alert(n);
    r.kind = RecordKind::Event;
    r.eve_json = nlohmann::json{{"event_type", "modbus"}, {"n", n}}.dump();
    return r;
}

// A local collector: a UDP or TCP socket on 127.0.0.1, port chosen by the kernel.
class Collector {
public:
    explicit Collector(int type)
    {
        fd_ = ::socket(AF_INET, type, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = 0;
        ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        if (type == SOCK_STREAM) ::listen(fd_, 4);
    }
    ~Collector()
    {
        if (conn_ >= 0) ::close(conn_);
        ::close(fd_);
    }
    Collector(const Collector&) = delete;
    Collector& operator=(const Collector&) = delete;

    [[nodiscard]] uint16_t port() const { return port_; }

    // One datagram, or "" after the timeout.
    std::string recv_datagram(std::chrono::milliseconds timeout = 2000ms)
    {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return {};
        std::string buf(70000, '\0');
        const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
        buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
        return buf;
    }

    // Accepts a connection (closing the previous one), with a timeout.
    bool accept_one(std::chrono::milliseconds timeout = 2000ms)
    {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
        if (conn_ >= 0) ::close(conn_);
        conn_ = ::accept(fd_, nullptr, nullptr);
        stream_.clear();
        return conn_ >= 0;
    }
    void close_connection()
    {
        if (conn_ >= 0) ::close(conn_);
        conn_ = -1;
    }

    // RFC 6587 octet-counted frames: "LEN SP MSG". Reads until `count` frames or the timeout,
    // pumping the exporter meanwhile (it runs on this thread).
    std::vector<std::string> read_frames(size_t count, SyslogExporter& exporter,
                                         std::chrono::milliseconds timeout = 3000ms)
    {
        std::vector<std::string> frames;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (frames.size() < count && std::chrono::steady_clock::now() < deadline) {
            exporter.pump();
            pollfd p{conn_, POLLIN, 0};
            if (::poll(&p, 1, 10) > 0) {
                char buf[65536];
                const ssize_t n = ::recv(conn_, buf, sizeof buf, 0);
                if (n <= 0) break;
                stream_.append(buf, static_cast<size_t>(n));
            }
            for (;;) {
                const size_t sp = stream_.find(' ');
                if (sp == std::string::npos) break;
                const std::string len_text = stream_.substr(0, sp);
                EXPECT_THAT(len_text, ::testing::MatchesRegex("[1-9][0-9]*")) << "bad frame length";
                const size_t len = std::stoul(len_text);
                if (stream_.size() < sp + 1 + len) break;
                frames.push_back(stream_.substr(sp + 1, len));
                stream_.erase(0, sp + 1 + len);
            }
        }
        return frames;
    }

private:
    int fd_ = -1;
    int conn_ = -1;
    uint16_t port_ = 0;
    std::string stream_;
};

// The parts of an RFC 5424 message (§6): PRI VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
// STRUCTURED-DATA MSG, with the SD-PARAMs unescaped.
struct Parsed {
    int pri = -1;
    std::string timestamp, hostname, app, procid, msgid, sd_id, msg;
    std::map<std::string, std::string> params;
};

Parsed parse_5424(const std::string& m)
{
    Parsed p;
    // "<PRI>1 " then five space-separated header fields, then "[".
    if (m.size() < 4 || m[0] != '<') return p;
    const size_t gt = m.find('>');
    if (gt == std::string::npos || gt < 2 || gt > 4 || m.compare(gt + 1, 2, "1 ") != 0) return p;
    for (size_t k = 1; k < gt; ++k)
        if (m[k] < '0' || m[k] > '9') return p;
    size_t i = gt + 3;
    std::string* fields[] = {&p.timestamp, &p.hostname, &p.app, &p.procid, &p.msgid};
    for (std::string* f : fields) {
        const size_t sp = m.find(' ', i);
        if (sp == std::string::npos || sp == i) return p;
        *f = m.substr(i, sp - i);
        i = sp + 1;
    }
    if (i >= m.size() || m[i] != '[') return p;
    ++i;
    p.pri = std::stoi(m.substr(1, gt - 1));
    const size_t id_end = m.find_first_of(" ]", i);
    p.sd_id = m.substr(i, id_end - i);
    i = id_end;
    while (i < m.size() && m[i] == ' ') {
        const size_t eq = m.find('=', i);
        const std::string name = m.substr(i + 1, eq - i - 1);
        std::string value;
        size_t j = eq + 2;  // past ="
        for (; j < m.size() && m[j] != '"'; ++j) {
            if (m[j] == '\\' && j + 1 < m.size()) ++j;
            value += m[j];
        }
        p.params[name] = value;
        i = j + 1;
    }
    if (i < m.size() && m[i] == ']' && i + 1 < m.size() && m[i + 1] == ' ') p.msg = m.substr(i + 2);
    return p;
}

// CEF: 7 '|'-separated header fields ('\|' and '\\' escaped), then key=value extensions.
struct Cef {
    std::vector<std::string> header;
    std::map<std::string, std::string> ext;
};

Cef parse_cef(const std::string& s)
{
    Cef c;
    std::string field;
    size_t i = 0;
    for (; i < s.size() && c.header.size() < 7; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            field += s[++i];
        } else if (s[i] == '|') {
            c.header.push_back(field);
            field.clear();
        } else {
            field += s[i];
        }
    }
    // Extension: a key starts after a space and ends at an unescaped '='.
    std::string rest = s.substr(i);
    std::string key, value;
    bool in_value = false;
    const auto flush = [&] {
        if (!key.empty()) c.ext[key] = value;
        key.clear();
        value.clear();
    };
    for (size_t k = 0; k < rest.size(); ++k) {
        const char ch = rest[k];
        if (!in_value) {
            if (ch == '=') {
                in_value = true;
            } else {
                key += ch;
            }
            continue;
        }
        if (ch == '\\' && k + 1 < rest.size()) {
            const char e = rest[++k];
            value += e == 'n' ? '\n' : e == 'r' ? '\r' : e;
            continue;
        }
        // A space followed by "key=" starts the next pair.
        if (ch == ' ') {
            const size_t eq = rest.find('=', k + 1);
            const size_t sp = rest.find(' ', k + 1);
            if (eq != std::string::npos && (sp == std::string::npos || eq < sp)) {
                flush();
                in_value = false;
                continue;
            }
        }
        value += ch;
    }
    flush();
    return c;
}

TEST(SyslogTarget, ParsesUrls)
{
    SyslogTarget t;
    std::string err;
    ASSERT_TRUE(parse_syslog_target("udp://collector.example:5514", t, err)) << err;
    EXPECT_EQ(t.transport, SyslogTransport::Udp);
    EXPECT_EQ(t.host, "collector.example");
    EXPECT_EQ(t.port, 5514);
    ASSERT_TRUE(parse_syslog_target("tcp://10.1.2.3", t, err)) << err;
    EXPECT_EQ(t.transport, SyslogTransport::Tcp);
    EXPECT_EQ(t.port, 514);
    ASSERT_TRUE(parse_syslog_target("tcp://[2001:db8::1]:6514", t, err)) << err;
    EXPECT_EQ(t.host, "2001:db8::1");
    EXPECT_EQ(t.port, 6514);
    for (const char* bad : {"http://x:1", "udp://", "udp://:514", "udp://h:0", "udp://h:70000",
                            "udp://h:", "tcp://[::1", "udp://h:5x"}) {
        EXPECT_FALSE(parse_syslog_target(bad, t, err)) << bad;
        EXPECT_THAT(err, HasSubstr(bad));
    }
    SyslogFormat f{};
    EXPECT_TRUE(parse_syslog_format("cef", f));
    EXPECT_EQ(f, SyslogFormat::Cef);
    EXPECT_TRUE(parse_syslog_format("rfc5424", f));
    EXPECT_EQ(f, SyslogFormat::Rfc5424);
    EXPECT_FALSE(parse_syslog_format("json", f));
}

TEST(SyslogFormat, CefEscaping)
{
    EXPECT_EQ(cef_escape_header(R"(a|b\c=d)"), R"(a\|b\\c=d)");
    EXPECT_EQ(cef_escape_value("a|b\\c=d\ne\rf"), R"(a|b\\c\=d\ne\rf)");
}

TEST(SyslogFormat, Rfc5424HeaderAndStructuredData)
{
    SyslogConfig cfg;
    cfg.facility = 16;
    const auto m = format_rfc5424(alert(0), cfg, "sensor 1", 1234);
    const Parsed p = parse_5424(m);
    EXPECT_EQ(p.pri, 16 * 8 + 2);  // local0, critical (rule severity 1)
    EXPECT_EQ(p.timestamp, "2023-11-14T22:13:20.123456Z");
    EXPECT_EQ(p.hostname, "sensor_1");  // no spaces in HOSTNAME
    EXPECT_EQ(p.app, "otsentry");
    EXPECT_EQ(p.procid, "1234");
    EXPECT_EQ(p.msgid, "alert");
    EXPECT_EQ(p.sd_id, "otsentry@32473");
    EXPECT_EQ(p.params.at("sid"), "9000");
    EXPECT_EQ(p.params.at("gid"), "1");
    EXPECT_EQ(p.params.at("signature"), alert(0).signature);  // '"', ']' and '\' round-trip
    EXPECT_EQ(p.params.at("src_ip"), "10.0.0.1");
    EXPECT_EQ(p.params.at("dest_port"), "502");
    EXPECT_EQ(p.params.at("app_proto"), "modbus");
    EXPECT_EQ(nlohmann::json::parse(p.msg).at("n"), 0);

    const Parsed e = parse_5424(format_rfc5424(event(1), cfg, "h", 1));
    EXPECT_EQ(e.pri, 16 * 8 + 6);  // informational
    EXPECT_EQ(e.msgid, "modbus");
    EXPECT_EQ(e.params.count("sid"), 0u);
}

TEST(SyslogFormat, CefFields)
{
    const Cef c = parse_cef(format_cef(alert(3), "1.2|3"));
    ASSERT_EQ(c.header.size(), 7u);
    EXPECT_EQ(c.header[0], "CEF:0");
    EXPECT_EQ(c.header[1], "otsentry");
    EXPECT_EQ(c.header[2], "otsentry");
    EXPECT_EQ(c.header[3], "1.2|3");
    EXPECT_EQ(c.header[4], "9003");
    EXPECT_EQ(c.header[5], alert(3).signature);
    EXPECT_EQ(c.header[6], "9");
    EXPECT_EQ(c.ext.at("src"), "10.0.0.1");
    EXPECT_EQ(c.ext.at("dst"), "10.0.0.2");
    EXPECT_EQ(c.ext.at("spt"), "40000");
    EXPECT_EQ(c.ext.at("dpt"), "502");
    EXPECT_EQ(c.ext.at("proto"), "TCP");
    EXPECT_EQ(c.ext.at("cs1Label"), "app_proto");
    EXPECT_EQ(c.ext.at("cs1"), "modbus");
    EXPECT_EQ(c.ext.at("cs2"), "Attempted Administrator Privilege Gain");
    EXPECT_EQ(c.ext.at("rt"), "1700000000123");

    Record v6 = alert(0);
    v6.src_ip = "2001:db8::1";
    v6.dest_ip = "2001:db8::2";
    v6.category = "a=b\nc";
    const Cef c6 = parse_cef(format_cef(v6, "1"));
    EXPECT_EQ(c6.ext.at("c6a2"), "2001:db8::1");
    EXPECT_EQ(c6.ext.at("c6a3"), "2001:db8::2");
    EXPECT_EQ(c6.ext.count("src"), 0u);
    EXPECT_EQ(c6.ext.at("cs2"), "a=b\nc");
}

TEST(SyslogExporter, UdpOneDatagramPerAlert)
{
    Collector col(SOCK_DGRAM);
    SyslogConfig cfg;
    cfg.target = "udp://127.0.0.1:" + std::to_string(col.port());
    cfg.hostname = "sensor1";
    SyslogExporter ex(cfg);
    for (int n = 0; n < 5; ++n)
        ex.submit(alert(n));
    ex.submit(event(9));  // events are not exported unless asked for
    ex.pump();
    for (int n = 0; n < 5; ++n) {
        const Parsed p = parse_5424(col.recv_datagram());
        EXPECT_EQ(p.hostname, "sensor1");
        EXPECT_EQ(p.params.at("sid"), std::to_string(9000 + n));
        EXPECT_EQ(nlohmann::json::parse(p.msg).at("n"), n);
    }
    EXPECT_EQ(col.recv_datagram(200ms), "");
    EXPECT_EQ(ex.stats().sent, 5u);
    EXPECT_EQ(ex.stats().dropped, 0u);
}

TEST(SyslogExporter, UdpTruncatesToOneDatagram)
{
    Collector col(SOCK_DGRAM);
    SyslogConfig cfg;
    cfg.target = "udp://127.0.0.1:" + std::to_string(col.port());
    cfg.udp_max = 200;
    SyslogExporter ex(cfg);
    Record r = alert(0);
    r.eve_json = std::string(1000, 'x');
    ex.submit(r);
    ex.pump();
    EXPECT_EQ(col.recv_datagram().size(), 200u);
    EXPECT_EQ(ex.stats().truncated, 1u);
}

TEST(SyslogExporter, TcpOctetCountingCefAndReconnect)
{
    Collector col(SOCK_STREAM);
    SyslogConfig cfg;
    cfg.target = "tcp://127.0.0.1:" + std::to_string(col.port());
    cfg.format = SyslogFormat::Cef;
    cfg.events = true;
    cfg.reconnect_interval = 20ms;
    SyslogExporter ex(cfg);
    for (int n = 0; n < 50; ++n)
        ex.submit(n % 10 == 9 ? event(n) : alert(n));
    ex.pump();
    ASSERT_TRUE(col.accept_one());
    auto frames = col.read_frames(50, ex);
    ASSERT_EQ(frames.size(), 50u);
    for (int n = 0; n < 50; ++n) {
        const Parsed p = parse_5424(frames[static_cast<size_t>(n)]);
        ASSERT_THAT(p.msg, ::testing::StartsWith("CEF:0|otsentry|otsentry|"));
        const Cef c = parse_cef(p.msg);
        ASSERT_EQ(c.header.size(), 7u);
        EXPECT_EQ(c.header[4], n % 10 == 9 ? "modbus" : std::to_string(9000 + n));
        EXPECT_EQ(c.ext.at("cn3"), std::to_string(n + 1));  // pcap_cnt
    }
    EXPECT_EQ(ex.stats().connects, 1u);

    // The collector goes away and comes back (same listening socket): the exporter notices on
    // a failed send and connects again; what is submitted after that arrives.
    col.close_connection();
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    int n = 100;
    while (ex.stats().connects < 2 && std::chrono::steady_clock::now() < deadline) {
        ex.submit(alert(n++));
        ex.pump();
        std::this_thread::sleep_for(5ms);
    }
    ASSERT_EQ(ex.stats().connects, 2u);
    EXPECT_GE(ex.stats().errors, 1u);
    ASSERT_TRUE(col.accept_one());
    ex.submit(alert(999));
    frames = col.read_frames(1000, ex, 500ms);
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(parse_cef(parse_5424(frames.back()).msg).header[4], "9999");
}

TEST(SyslogExporter, BoundedBufferDropsWhenTheCollectorIsDown)
{
    // A port that had a listener a moment ago and has none now: connections are refused.
    uint16_t port = 0;
    {
        Collector gone(SOCK_STREAM);
        port = gone.port();
    }
    SyslogConfig cfg;
    cfg.target = "tcp://127.0.0.1:" + std::to_string(port);
    cfg.buffer_bytes = 2048;
    SyslogExporter ex(cfg);
    for (int n = 0; n < 100; ++n) {
        ex.submit(alert(n));
        ex.pump();
    }
    const auto st = ex.stats();
    EXPECT_LE(st.queued_bytes, 2048u);
    EXPECT_GT(st.dropped, 80u);
    EXPECT_EQ(st.sent, 0u);
    EXPECT_EQ(st.connects, 0u);
}

TEST(SyslogExporter, BadTargetThrows)
{
    SyslogConfig cfg;
    cfg.target = "udp://no-such-host.invalid:514";
    EXPECT_THROW(SyslogExporter{cfg}, std::runtime_error);
    cfg.target = "smtp://x";
    EXPECT_THROW(SyslogExporter{cfg}, std::runtime_error);
}

TEST(SyslogExporter, WriterSendsEveryAlert)
{
    Collector col(SOCK_DGRAM);
    test::ScratchDir dir;
    WriterConfig cfg;
    cfg.eve_path = dir.file("eve.json");
    cfg.syslog = SyslogConfig{};
    cfg.syslog->target = "udp://127.0.0.1:" + std::to_string(col.port());
    Writer w(cfg);
    for (int n = 0; n < 20; ++n)
        w.submit(n % 2 == 0 ? alert(n) : event(n));
    w.close();
    std::vector<int> got;
    for (std::string d; !(d = col.recv_datagram(300ms)).empty();)
        got.push_back(nlohmann::json::parse(parse_5424(d).msg).at("n").get<int>());
    EXPECT_EQ(got, (std::vector<int>{0, 2, 4, 6, 8, 10, 12, 14, 16, 18}));
    EXPECT_EQ(w.stats().syslog.sent, 10u);
}

}  // namespace
}  // namespace otsentry::alerts
