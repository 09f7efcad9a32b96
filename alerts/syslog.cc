#include "alerts/syslog.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace otsentry::alerts {

namespace {

// RFC 5424 §6.2.4-6.2.7: HOSTNAME 255, APP-NAME 48, PROCID 128, MSGID 32 characters of
// PRINTUSASCII (%d33-126); "-" stands for an empty field.
std::string header_field(std::string_view s, size_t max_len)
{
    if (s.empty()) return "-";
    std::string out;
    out.reserve(std::min(s.size(), max_len));
    for (char c : s.substr(0, max_len)) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(u >= 33 && u <= 126 ? c : '_');
    }
    return out;
}

// RFC 5424 §6.3.3: inside PARAM-VALUE, '"', '\' and ']' are escaped with a backslash.
void append_sd_param(std::string& out, std::string_view name, std::string_view value)
{
    out += ' ';
    out += name;
    out += "=\"";
    for (char c : value) {
        if (c == '"' || c == '\\' || c == ']') out += '\\';
        out += c;
    }
    out += '"';
}

void append_sd_param(std::string& out, std::string_view name, uint64_t value)
{
    append_sd_param(out, name, std::to_string(value));
}

// "2026-11-24T09:23:17.123456Z" (RFC 5424 §6.2.3: at most six fractional digits).
std::string rfc3339(int64_t ts_us)
{
    int64_t secs = ts_us / 1'000'000;
    int64_t frac = ts_us % 1'000'000;
    if (frac < 0) {
        frac += 1'000'000;
        --secs;
    }
    const auto t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[80];
    const int len = std::snprintf(out, sizeof out, "%.*s.%06lldZ", static_cast<int>(n), buf,
                                  static_cast<long long>(frac));
    return std::string(out, static_cast<size_t>(std::max(len, 0)));
}

// Severity as in Suricata rules: 1 is the most severe. RFC 5424 §6.2.1 table 2: 2 critical,
// 3 error, 4 warning, 5 notice, 6 informational.
int syslog_severity(const Record& r)
{
    if (r.kind != RecordKind::Alert) return 6;
    switch (r.severity) {
        case 1:
            return 2;
        case 2:
            return 3;
        case 3:
            return 4;
        default:
            return 5;
    }
}

// CEF severity 0-10 (0-3 low, 4-6 medium, 7-8 high, 9-10 very high).
int cef_severity(const Record& r)
{
    if (r.kind != RecordKind::Alert) return 1;
    switch (r.severity) {
        case 1:
            return 9;
        case 2:
            return 7;
        case 3:
            return 5;
        default:
            return 3;
    }
}

std::string msgid(const Record& r)
{
    if (r.kind == RecordKind::Alert) return "alert";
    return r.app_proto.empty() ? "event" : r.app_proto;
}

std::string local_hostname()
{
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "-";
    return buf;
}

}  // namespace

bool parse_syslog_format(std::string_view name, SyslogFormat& out)
{
    if (name == "rfc5424") {
        out = SyslogFormat::Rfc5424;
        return true;
    }
    if (name == "cef") {
        out = SyslogFormat::Cef;
        return true;
    }
    return false;
}

bool parse_syslog_target(std::string_view url, SyslogTarget& out, std::string& err)
{
    SyslogTarget t;
    std::string_view rest;
    if (url.starts_with("udp://")) {
        t.transport = SyslogTransport::Udp;
        rest = url.substr(6);
    } else if (url.starts_with("tcp://")) {
        t.transport = SyslogTransport::Tcp;
        rest = url.substr(6);
    } else {
        err = "syslog target '" + std::string(url) + "': expected udp://HOST[:PORT] or tcp://HOST[:PORT]";
        return false;
    }
    std::string_view port;
    if (rest.starts_with("[")) {
        const size_t close = rest.find(']');
        if (close == std::string_view::npos) {
            err = "syslog target '" + std::string(url) + "': missing ']'";
            return false;
        }
        t.host = std::string(rest.substr(1, close - 1));
        rest = rest.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':') {
                err = "syslog target '" + std::string(url) + "': expected ':' after ']'";
                return false;
            }
            port = rest.substr(1);
        }
    } else {
        const size_t colon = rest.rfind(':');
        if (colon != std::string_view::npos) {
            t.host = std::string(rest.substr(0, colon));
            port = rest.substr(colon + 1);
        } else {
            t.host = std::string(rest);
        }
    }
    if (t.host.empty() || t.host.find('/') != std::string::npos) {
        err = "syslog target '" + std::string(url) + "': missing host";
        return false;
    }
    if (!port.empty() || rest.ends_with(":")) {
        unsigned value = 0;
        const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
            err = "syslog target '" + std::string(url) + "': bad port '" + std::string(port) + "'";
            return false;
        }
        t.port = static_cast<uint16_t>(value);
    }
    out = std::move(t);
    return true;
}

std::string cef_escape_header(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (c == '\\' || c == '|') out += '\\';
        // A header is one line: a newline would end the record.
        out += (c == '\n' || c == '\r') ? ' ' : c;
    }
    return out;
}

std::string cef_escape_value(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '=':
                out += "\\=";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string format_cef(const Record& r, std::string_view product_version)
{
    const bool alert = r.kind == RecordKind::Alert;
    std::string out = "CEF:0|otsentry|otsentry|";
    out += cef_escape_header(product_version);
    out += '|';
    out += alert ? std::to_string(r.sid) : cef_escape_header(msgid(r));
    out += '|';
    out += cef_escape_header(alert ? r.signature : msgid(r) + " event");
    out += '|';
    out += std::to_string(cef_severity(r));
    out += '|';
    // Extension: key=value pairs separated by spaces; keys are fixed CEF names.
    bool first = true;
    const auto ext = [&](std::string_view key, std::string_view value) {
        if (value.empty()) return;
        if (!first) out += ' ';
        first = false;
        out += key;
        out += '=';
        out += cef_escape_value(value);
    };
    ext("rt", std::to_string(r.ts_us / 1000));
    const bool v6 = r.src_ip.find(':') != std::string::npos || r.dest_ip.find(':') != std::string::npos;
    if (v6) {
        ext("c6a2Label", "Source IPv6 Address");
        ext("c6a2", r.src_ip);
        ext("c6a3Label", "Destination IPv6 Address");
        ext("c6a3", r.dest_ip);
    } else {
        ext("src", r.src_ip);
        ext("dst", r.dest_ip);
    }
    if (r.src_port != 0) ext("spt", std::to_string(r.src_port));
    if (r.dest_port != 0) ext("dpt", std::to_string(r.dest_port));
    ext("proto", r.proto);
    if (!r.app_proto.empty()) {
        ext("cs1Label", "app_proto");
        ext("cs1", r.app_proto);
    }
    if (alert && !r.category.empty()) {
        ext("cs2Label", "category");
        ext("cs2", r.category);
    }
    ext("cs3Label", "flow_id");
    ext("cs3", std::to_string(r.flow_id));
    if (alert) {
        ext("cn1Label", "gid");
        ext("cn1", std::to_string(r.gid));
        ext("cn2Label", "rev");
        ext("cn2", std::to_string(r.rev));
    }
    if (r.pcap_cnt != 0) {
        ext("cn3Label", "pcap_cnt");
        ext("cn3", std::to_string(r.pcap_cnt));
    }
    return out;
}

std::string format_rfc5424(const Record& r, const SyslogConfig& cfg, std::string_view hostname, int pid)
{
    const int pri = cfg.facility * 8 + syslog_severity(r);
    std::string out = "<" + std::to_string(pri) + ">1 ";
    out += rfc3339(r.ts_us);
    out += ' ';
    out += header_field(hostname, 255);
    out += ' ';
    out += header_field(cfg.app_name, 48);
    out += ' ';
    out += std::to_string(pid);
    out += ' ';
    out += header_field(msgid(r), 32);
    out += " [";
    out += header_field(cfg.sd_id, 32);
    if (r.flow_id != 0) append_sd_param(out, "flow_id", r.flow_id);
    if (!r.src_ip.empty()) append_sd_param(out, "src_ip", r.src_ip);
    if (r.src_port != 0) append_sd_param(out, "src_port", r.src_port);
    if (!r.dest_ip.empty()) append_sd_param(out, "dest_ip", r.dest_ip);
    if (r.dest_port != 0) append_sd_param(out, "dest_port", r.dest_port);
    if (!r.proto.empty()) append_sd_param(out, "proto", r.proto);
    if (!r.app_proto.empty()) append_sd_param(out, "app_proto", r.app_proto);
    if (r.pcap_cnt != 0) append_sd_param(out, "pcap_cnt", r.pcap_cnt);
    if (r.kind == RecordKind::Alert) {
        append_sd_param(out, "gid", r.gid);
        append_sd_param(out, "sid", r.sid);
        append_sd_param(out, "rev", r.rev);
        append_sd_param(out, "severity", r.severity);
        append_sd_param(out, "signature", r.signature);
        if (!r.category.empty()) append_sd_param(out, "category", r.category);
    }
    out += "] ";
    // MSG: no BOM (RFC 5424 §6.4 allows MSG-ANY); JSON and CEF consumers do not expect one.
    out += cfg.format == SyslogFormat::Cef ? format_cef(r, cfg.product_version) : r.eve_json;
    return out;
}

SyslogExporter::SyslogExporter(SyslogConfig cfg) : cfg_(std::move(cfg))
{
    std::string err;
    if (!parse_syslog_target(cfg_.target, target_, err)) throw std::runtime_error(err);
    hostname_ = cfg_.hostname.empty() ? local_hostname() : cfg_.hostname;
    pid_ = static_cast<int>(::getpid());
    cfg_.buffer_bytes = std::max<size_t>(cfg_.buffer_bytes, 1024);

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = target_.transport == SyslogTransport::Udp ? SOCK_DGRAM : SOCK_STREAM;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(target_.port);
    if (const int rc = ::getaddrinfo(target_.host.c_str(), port.c_str(), &hints, &res); rc != 0 || !res)
        throw std::runtime_error("syslog target '" + cfg_.target + "': " + ::gai_strerror(rc));
    addr_.assign(reinterpret_cast<const char*>(res->ai_addr), res->ai_addrlen);
    ::freeaddrinfo(res);

    if (target_.transport == SyslogTransport::Udp) {
        start_connect();
        if (fd_ < 0) throw std::runtime_error("syslog target '" + cfg_.target + "': " + std::strerror(errno));
    } else {
        // The collector may come up later: connecting goes on in the background.
        start_connect();
    }
}

SyslogExporter::~SyslogExporter()
{
    disconnect();
}

void SyslogExporter::start_connect()
{
    const auto* sa = reinterpret_cast<const sockaddr*>(addr_.data());
    const int type = target_.transport == SyslogTransport::Udp ? SOCK_DGRAM : SOCK_STREAM;
    const int fd = ::socket(sa->sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        ++stats_.errors;
        return;
    }
    // Non-blocking: UDP "connects" at once; TCP answers EINPROGRESS and finishes in pump().
    if (::connect(fd, sa, static_cast<socklen_t>(addr_.size())) == 0) {
        fd_ = fd;
        connecting_ = false;
        if (target_.transport == SyslogTransport::Tcp) ++stats_.connects;
        return;
    }
    if (errno == EINPROGRESS) {
        fd_ = fd;
        connecting_ = true;
        return;
    }
    ::close(fd);
    ++stats_.errors;
}

void SyslogExporter::disconnect()
{
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    connecting_ = false;
    // A partly sent frame is sent again whole on the next connection: the collector drops the
    // torn one with the old connection, so the message arrives (at least) once.
    head_sent_ = 0;
}

bool SyslogExporter::finish_connect()
{
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, 0) <= 0) return false;  // still in progress
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0 || so_error != 0) {
        ++stats_.errors;
        disconnect();
        return false;
    }
    connecting_ = false;
    ++stats_.connects;
    return true;
}

void SyslogExporter::enqueue(std::string msg)
{
    if (target_.transport == SyslogTransport::Tcp) {
        // RFC 6587 §3.4.1 octet counting: MSG-LEN SP SYSLOG-MSG.
        msg.insert(0, std::to_string(msg.size()) + " ");
    } else if (msg.size() > cfg_.udp_max) {
        msg.resize(cfg_.udp_max);
        ++stats_.truncated;
    }
    if (queued_bytes_ + msg.size() > cfg_.buffer_bytes) {
        ++stats_.dropped;
        return;
    }
    queued_bytes_ += msg.size();
    queue_.push_back(std::move(msg));
}

void SyslogExporter::submit(const Record& r)
{
    if (r.kind == RecordKind::Stats) return;
    if (r.kind == RecordKind::Event && !cfg_.events) return;
    enqueue(format_rfc5424(r, cfg_, hostname_, pid_));
}

void SyslogExporter::pump(std::chrono::steady_clock::time_point now)
{
    if (fd_ < 0) {
        if (now < next_connect_) return;
        start_connect();
        if (fd_ < 0) {
            next_connect_ = now + cfg_.reconnect_interval;
            return;
        }
    }
    if (connecting_ && !finish_connect()) {
        if (fd_ < 0) next_connect_ = now + cfg_.reconnect_interval;
        return;
    }
    while (!queue_.empty()) {
        const std::string& m = queue_.front();
        if (target_.transport == SyslogTransport::Udp) {
            ssize_t n = ::send(fd_, m.data(), m.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
            // A connected UDP socket reports an earlier datagram's ICMP error on the next send,
            // which then did not go out: try it once more.
            if (n < 0 && errno == ECONNREFUSED)
                n = ::send(fd_, m.data(), m.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return;
                ++stats_.errors;
                ++stats_.dropped;
            } else {
                ++stats_.sent;
            }
            queued_bytes_ -= m.size();
            queue_.pop_front();
            continue;
        }
        const ssize_t n =
            ::send(fd_, m.data() + head_sent_, m.size() - head_sent_, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            ++stats_.errors;
            disconnect();
            next_connect_ = now + cfg_.reconnect_interval;
            return;
        }
        head_sent_ += static_cast<size_t>(n);
        if (head_sent_ == m.size()) {
            ++stats_.sent;
            queued_bytes_ -= m.size();
            queue_.pop_front();
            head_sent_ = 0;
        }
    }
}

void SyslogExporter::drain(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto now = std::chrono::steady_clock::now();
        pump(now);
        if (queue_.empty() || now >= deadline) return;
        if (fd_ >= 0) {
            pollfd p{fd_, POLLOUT, 0};
            (void)::poll(&p, 1, 10);
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
}

SyslogStats SyslogExporter::stats() const
{
    SyslogStats s = stats_;
    s.queued_bytes = queued_bytes_;
    return s;
}

}  // namespace otsentry::alerts
