// The flow table: one entry per bidirectional conversation, keyed symmetrically (both
// directions find the same entry), VLAN aware. Timeouts run on packet time so a replay gives
// the same result as live capture. Capacity is hard: when full, the least recently seen flow is
// evicted (counted). A flow id is a hash of the flow's key and its first packet's time: the same
// flow gets the same id in every run, whichever worker's table holds it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "capture/decode/decoder.h"
#include "capture/stream/tcp_stream.h"

namespace otsentry::capture {

struct FlowKey {
    IpAddr a, b;  // a <= b (by address, then port)
    uint16_t a_port = 0, b_port = 0;
    uint8_t ip_proto = 0;
    uint16_t vlan = 0;  // innermost VLAN id, 0 when untagged

    friend bool operator==(const FlowKey&, const FlowKey&) = default;
};
uint64_t hash(const FlowKey& k) noexcept;
// The id of a flow (EVE flow_id): 53 bits of hash(key) mixed with the first packet's time.
uint64_t flow_id(uint64_t key_hash, int64_t first_ts_us) noexcept;
// The symmetric key of a decoded TCP/UDP packet (both directions give the same key). The app
// may hash it to pick the worker that owns the flow.
FlowKey flow_key_of(const Decoded& pkt) noexcept;

// Per-flow state owned by the layers above capture (the dissector session, ...). Destroyed
// with the flow.
class FlowData {
public:
    virtual ~FlowData() = default;
};

enum class FlowEnd : uint8_t { Closed, TimedOut, Evicted, Shutdown };

struct Flow {
    uint64_t id = 0;
    FlowKey key;
    // Orientation: the client opened the connection (SYN sender), or, when that was not seen,
    // is the side not on a known service port, else the side with the higher port, else the
    // sender of the first packet.
    IpAddr client_ip, server_ip;
    uint16_t client_port = 0, server_port = 0;
    int64_t first_ts_us = 0, last_ts_us = 0;
    uint64_t packets[2] = {0, 0};  // indexed by Direction
    uint64_t bytes[2] = {0, 0};
    TcpStream tcp[2];
    bool closed = false;  // FIN seen both ways, or RST
    std::unique_ptr<FlowData> data;
};

struct FlowConfig {
    size_t capacity = 1 << 18;              // flows held at once
    int64_t tcp_timeout_us = 3600'000'000;  // established TCP idle timeout
    int64_t udp_timeout_us = 120'000'000;
    int64_t closed_timeout_us = 10'000'000;  // after FIN/RST both ways
    // Ports on which a server is expected (used to orient flows whose start was not seen).
    std::vector<uint16_t> service_ports;
};

struct FlowStats {
    uint64_t created = 0, closed = 0, timed_out = 0, evicted = 0;
    uint64_t active = 0, peak_active = 0;
};

class FlowTable {
public:
    // Called once for every flow that leaves the table, before it is destroyed.
    using EndCallback = std::function<void(Flow&, FlowEnd)>;

    FlowTable(FlowConfig cfg, EndCallback on_end);
    ~FlowTable();
    FlowTable(const FlowTable&) = delete;
    FlowTable& operator=(const FlowTable&) = delete;

    struct Lookup {
        Flow* flow = nullptr;
        Direction dir = Direction::ToServer;
        bool created = false;
    };
    // Finds or creates the flow of a decoded TCP/UDP packet and says which way it travels.
    // Updates last-seen time and per-direction counters (bytes = payload bytes) and `closed`
    // from the TCP flags. Other packets (l4 not Tcp/Udp, fragments) get flow == nullptr. It does
    // not feed Flow::tcp: the caller calls flow->tcp[index_of(dir)].on_segment(...) itself.
    // A SYN without ACK on a closed flow ends it (Closed) and starts a new one (port reuse).
    // Creating a flow in a full table first evicts the least recently seen flow (EndCallback).
    // The callback must not call back into the table.
    Lookup lookup(const Decoded& pkt, int64_t now_us);

    // Ends flows idle past their timeout at packet time `now_us` (cheap to call per packet: it
    // does real work at most once per second of packet time).
    void expire(int64_t now_us);
    // Ends every flow (end of input or shutdown). The destructor does not call the callback:
    // call end_all() first when the flows' ends matter.
    void end_all(FlowEnd why = FlowEnd::Shutdown);

    [[nodiscard]] const FlowStats& stats() const noexcept { return stats_; }
    [[nodiscard]] size_t size() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    FlowStats stats_;
};

}  // namespace otsentry::capture
