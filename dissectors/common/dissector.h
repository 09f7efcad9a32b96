// The interface between the flow engine (app/) and every protocol dissector.
//
// A dissector is described once by a DissectorInfo: how to recognise its protocol from the first
// payload bytes of a flow (by content, so a non-standard port still works), which ports suggest
// it, and how to make a per-flow Session. The engine feeds a Session ordered bytes per direction
// (TCP, after reassembly) or whole datagrams (UDP), tells it about gaps, and ends it when the
// flow ends. The Session reports what it understood through an EventSink: one call per
// transaction (request and response together) and one per anomaly. Sinks render or evaluate
// synchronously, so a Session may pass references to data it owns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "dissectors/common/anomaly.h"
#include "dissectors/common/types.h"

namespace otsentry::dissect {

class JsonWriter;

// One PDU of a transaction, for the rule engine: its direction and a pointer to the protocol's
// Pdu (read through the protocol's ProtocolFields, dissectors/common/field_catalog.h).
struct PduRef {
    Direction dir = Direction::ToServer;
    const void* pdu = nullptr;
};
constexpr size_t max_pdus = 3;  // request, response, and IEC 104's termination

// One transaction of one protocol: a request and/or its response.
class EventBody {
public:
    virtual ~EventBody() = default;
    // Writes the protocol object of the EVE record: {"request":{...},"response":{...}}.
    virtual void write_json(JsonWriter& w) const = 0;
    // The packet that completed the last PDU of this transaction (for time and tracing).
    [[nodiscard]] virtual uint64_t pcap_cnt() const = 0;
    // The PDUs present, request first; returns how many were written to `out`.
    virtual size_t pdus(std::span<PduRef, max_pdus> out) const = 0;
};

// The usual pdus(): a request (ToServer) and responses (ToClient), each when present.
template <typename Pdu>
size_t collect_pdus(std::span<PduRef, max_pdus> out, const Pdu* request, const Pdu* response,
                    const Pdu* response2 = nullptr) noexcept
{
    size_t n = 0;
    if (request != nullptr) out[n++] = PduRef{Direction::ToServer, request};
    if (response != nullptr) out[n++] = PduRef{Direction::ToClient, response};
    if (response2 != nullptr) out[n++] = PduRef{Direction::ToClient, response2};
    return n;
}

class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void on_event(Protocol proto, const PacketCtx& ctx, const EventBody& event) = 0;
    // `context` is the transaction the anomaly belongs to, when there is one.
    virtual void on_anomaly(Protocol proto, const PacketCtx& ctx, const AnomalyInfo& anomaly,
                            const EventBody* context) = 0;
};

class Session {
public:
    virtual ~Session() = default;
    // In-order application bytes of one direction. Any segmentation must give the same events.
    virtual void on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx) = 0;
    // `bytes` application bytes of `dir` were lost (0: an unknown amount, e.g. the flow was
    // picked up mid-stream); resynchronise on the next plausible header.
    virtual void on_gap(Direction dir, uint64_t bytes, const PacketCtx& ctx) = 0;
    // The flow ended (FIN/RST, timeout, end of input): report unanswered requests.
    virtual void on_end(const PacketCtx& ctx) = 0;
    // False once the session decided the flow is not its protocol; the engine then stops
    // feeding it.
    [[nodiscard]] virtual bool active() const = 0;
};

enum class Transport : uint8_t { Tcp, Udp };

enum class ProbeResult : uint8_t { Match, NoMatch, NeedMore };

struct DissectorInfo {
    Protocol proto;
    Transport transport;
    std::span<const uint16_t> ports;  // ports that suggest the protocol (server side)
    // Looks at the first payload bytes a direction carried. Must be cheap and must not keep state.
    ProbeResult (*probe)(std::span<const uint8_t> data, Direction dir);
    std::unique_ptr<Session> (*make_session)(EventSink& sink);
    std::span<const AnomalyInfo> anomalies;
};

}  // namespace otsentry::dissect
