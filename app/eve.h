// Rendering of EVE JSON lines (DESIGN.md, "Output contract"): the common header every record
// carries, and the two record kinds the engine produces today, protocol events and alerts.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "dissectors/common/anomaly.h"
#include "dissectors/common/dissector.h"
#include "dissectors/common/json_writer.h"

namespace otsentry::app {

// ISO 8601 UTC with microseconds, in the form Suricata writes: 2024-05-01T12:00:00.123456+0000.
constexpr size_t timestamp_len = 31;
std::string format_timestamp(int64_t ts_us);
// Writes exactly timestamp_len characters (no terminator).
void format_timestamp(char* out, int64_t ts_us);

// The flow endpoints as a record shows them: src is the sender of the request (the client) for
// protocol events, the sender of the packet for alerts.
// A flow id in decimal. A flow keeps it, formatted once, and each of its records copies it:
// formatting 16-20 digits costs more than the rest of the record head together.
class FlowIdText {
public:
    // Implicit: a record's id may be given as the number.
    FlowIdText(uint64_t id = 0) noexcept
    {
        len_ = static_cast<uint8_t>(dissect::JsonWriter::put_u64(digits_.data(), id) - digits_.data());
    }
    [[nodiscard]] std::string_view view() const noexcept { return {digits_.data(), len_}; }

private:
    std::array<char, 20> digits_;
    uint8_t len_;
};

struct EveEndpoints {
    FlowIdText flow_id;
    std::string_view src_ip, dest_ip;
    uint16_t src_port = 0, dest_port = 0;
    std::string_view proto;  // "TCP" / "UDP"
};

// {"timestamp":..,"flow_id":..,"pcap_cnt":..,"event_type":..,"src_ip":..,"src_port":..,
//  "dest_ip":..,"dest_port":..,"proto":..,"app_proto":..  — the object is left open.
void begin_record(dissect::JsonWriter& w, int64_t ts_us, uint64_t pcap_cnt, std::string_view event_type,
                  const EveEndpoints& ep, std::string_view app_proto);

// A complete protocol event line.
void render_event(std::string& out, int64_t ts_us, const EveEndpoints& ep, Protocol proto,
                  const dissect::EventBody& body);

struct AlertInfo {
    uint32_t gid = 0, sid = 0, rev = 1;
    std::string_view signature, category;
    uint8_t severity = 3;
    Direction direction = Direction::ToServer;
    // Rule metadata (`metadata: mitre_ics_technique T0816, ...`), written as Suricata does:
    // {"metadata":{"key":["value", ...]}}.
    std::span<const std::pair<std::string, std::string>> metadata{};
};

// A complete alert line; `context` (may be null) is the transaction it is about, written as the
// protocol object; `anomaly_name` (may be empty) adds {"anomaly":{"event":name}}.
void render_alert(std::string& out, int64_t ts_us, uint64_t pcap_cnt, const EveEndpoints& ep, Protocol proto,
                  const AlertInfo& alert, std::string_view anomaly_name, const dissect::EventBody* context);

// A complete packet-level alert line (no flow: flow_id 0, no app_proto, no direction), as for
// defragmentation anomalies: {"anomaly":{"type":"decode","event":name}}, and "vlan" (outer
// first) when the packet was tagged.
void render_packet_alert(std::string& out, int64_t ts_us, uint64_t pcap_cnt, const EveEndpoints& ep,
                         std::span<const uint16_t> vlan, const AlertInfo& alert,
                         std::string_view anomaly_name);

}  // namespace otsentry::app
