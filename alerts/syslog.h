// Syslog export: one RFC 5424 message per alert (and optionally per protocol event) to a
// collector over UDP (RFC 5426, one message per datagram) or TCP (RFC 6587 octet counting,
// "LEN SP MSG"). The message is the EVE JSON line, or a CEF record (ArcSight Common Event Format
// rev. 25) for SIEMs that parse CEF. Sending never blocks the writer thread: messages wait in a
// bounded buffer, a full buffer drops the newest message (counted), and a lost TCP connection is
// re-established every `reconnect_interval`.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "alerts/record.h"

namespace otsentry::alerts {

enum class SyslogTransport : uint8_t { Udp, Tcp };
enum class SyslogFormat : uint8_t { Rfc5424, Cef };  // MSG is the EVE JSON line, or CEF

struct SyslogTarget {
    SyslogTransport transport = SyslogTransport::Udp;
    std::string host;
    uint16_t port = 514;
};

// "udp://host:514", "tcp://host:6514", "udp://[::1]:514"; the port defaults to 514. Returns
// false with a reason in `err` for anything else.
bool parse_syslog_target(std::string_view url, SyslogTarget& out, std::string& err);
bool parse_syslog_format(std::string_view name, SyslogFormat& out);

struct SyslogConfig {
    std::string target;  // URL as above
    SyslogFormat format = SyslogFormat::Rfc5424;
    bool events = false;   // also export protocol events (alerts always)
    int facility = 16;     // local0
    std::string hostname;  // empty: gethostname()
    std::string app_name = "otsentry";
    // Our structured-data ID. 32473 is the enterprise number RFC 5612 reserves for
    // documentation; a deployment with its own private enterprise number sets it here.
    std::string sd_id = "otsentry@32473";
    std::string product_version = "0.1.0";  // CEF header "Device Version"
    size_t buffer_bytes = size_t{4} << 20;  // bytes waiting to be sent, at most
    size_t udp_max = 65000;                 // a longer message is truncated (counted) to fit one datagram
    std::chrono::milliseconds reconnect_interval{2000};
};

struct SyslogStats {
    uint64_t sent = 0;          // messages handed whole to the kernel
    uint64_t dropped = 0;       // messages dropped: buffer full, or a UDP send error
    uint64_t truncated = 0;     // UDP messages cut to udp_max
    uint64_t connects = 0;      // TCP connections established
    uint64_t errors = 0;        // send / connect failures
    uint64_t queued_bytes = 0;  // waiting now
};

// The message text, without transport framing. Exposed for tests.
std::string format_rfc5424(const Record& r, const SyslogConfig& cfg, std::string_view hostname, int pid);
std::string format_cef(const Record& r, std::string_view product_version);
// CEF escaping: header fields escape '\' and '|'; extension values escape '\', '=', and turn
// CR/LF into \r \n.
std::string cef_escape_header(std::string_view s);
std::string cef_escape_value(std::string_view s);

class SyslogExporter {
public:
    // Resolves the target and opens the socket (TCP connects in the background); throws
    // std::runtime_error naming the target when the URL or the host is bad.
    explicit SyslogExporter(SyslogConfig cfg);
    ~SyslogExporter();
    SyslogExporter(const SyslogExporter&) = delete;
    SyslogExporter& operator=(const SyslogExporter&) = delete;

    // Formats and queues the record (events only when cfg.events; stats records never).
    void submit(const Record& r);
    // Sends what the socket takes now without blocking; reconnects TCP when it is time.
    void pump(std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
    [[nodiscard]] bool has_pending() const noexcept { return !queue_.empty() || connecting_; }
    [[nodiscard]] SyslogStats stats() const;
    // Blocks up to `timeout` until the queue is empty (used when the writer closes).
    void drain(std::chrono::milliseconds timeout);

private:
    void enqueue(std::string msg);
    void start_connect();
    void disconnect();
    bool finish_connect();

    SyslogConfig cfg_;
    SyslogTarget target_;
    std::string hostname_;
    int pid_ = 0;
    int fd_ = -1;
    bool connecting_ = false;
    // sockaddr_storage bytes of the resolved collector address.
    std::string addr_;
    std::chrono::steady_clock::time_point next_connect_{};
    std::deque<std::string> queue_;  // framed messages (TCP) or datagrams (UDP)
    size_t head_sent_ = 0;           // bytes of queue_.front() already sent (TCP)
    size_t queued_bytes_ = 0;
    SyslogStats stats_;
};

}  // namespace otsentry::alerts
