#include "app/packet_front.h"

#include <array>
#include <string>

#include "app/eve.h"

namespace otsentry::app {

namespace {

// Category of the built-in anomaly alerts (as FlowState's in engine.cc).
constexpr std::string_view anomaly_category = "Protocol Anomaly";

}  // namespace

// IANA protocol keywords, as Suricata writes them in EVE `proto`; others as the decimal number.
std::string ip_proto_name(uint8_t proto)
{
    switch (proto) {
        case 0:
            return "HOPOPT";
        case 1:
            return "ICMP";
        case 2:
            return "IGMP";
        case 6:
            return "TCP";
        case 17:
            return "UDP";
        case 41:
            return "IPv6";
        case 43:
            return "IPv6-Route";
        case 44:
            return "IPv6-Frag";
        case 47:
            return "GRE";
        case 50:
            return "ESP";
        case 51:
            return "AH";
        case 58:
            return "IPv6-ICMP";
        case 59:
            return "IPv6-NoNxt";
        case 60:
            return "IPv6-Opts";
        case 132:
            return "SCTP";
        default:
            return std::to_string(proto);
    }
}

bool PacketFront::process(const capture::RawPacket& pkt, capture::Decoded& out, capture::DefragSink& sink)
{
    reassembled_ = false;
    defrag_.expire(pkt.ts_us, sink);
    error_ = capture::decode(pkt.link, pkt.data, out, decode_stats_);
    if (error_ != capture::DecodeError::None) return false;
    if (!out.fragment) return true;

    const auto datagram = defrag_.add(out, PacketCtx{pkt.pcap_cnt, pkt.ts_us}, sink);
    if (datagram.empty()) return false;
    const auto vlan = out.vlan;
    const uint8_t vlan_count = out.vlan_count;
    const uint16_t ethertype = out.ethertype;
    const auto link = out.ip_version == 4 ? capture::LinkType::RawIpv4 : capture::LinkType::RawIpv6;
    // The fragments were counted as IP packets already; the datagram adds its transport layer.
    capture::DecodeStats inner;
    error_ = capture::decode(link, datagram, out, inner);
    decode_stats_.tcp += inner.tcp;
    decode_stats_.udp += inner.udp;
    decode_stats_.icmp += inner.icmp;
    decode_stats_.other_l4 += inner.other_l4;
    for (size_t i = 0; i < inner.errors.size(); ++i)
        decode_stats_.errors[i] += inner.errors[i];
    out.vlan = vlan;
    out.vlan_count = vlan_count;
    out.ethertype = ethertype;
    reassembled_ = true;
    return error_ == capture::DecodeError::None;
}

alerts::Record defrag_alert(const capture::DefragReport& r)
{
    const dissect::AnomalyInfo& anomaly = capture::info(r.anomaly);
    alerts::Record rec;
    rec.kind = alerts::RecordKind::Alert;
    rec.ts_us = r.ctx.ts_us;
    rec.flow_id = 0;
    rec.src_ip = capture::to_string(r.src);
    rec.dest_ip = capture::to_string(r.dst);
    rec.src_port = r.src_port;
    rec.dest_port = r.dst_port;
    rec.proto = ip_proto_name(r.ip_proto);
    rec.pcap_cnt = r.ctx.pcap_cnt;
    rec.gid = dissect::anomaly_gid;
    rec.sid = dissect::anomaly_sid(Protocol::Unknown, anomaly.code);
    rec.rev = 1;
    rec.signature = anomaly.text;
    rec.category = anomaly_category;
    rec.severity = anomaly.severity;
    const AlertInfo info{
        rec.gid, rec.sid, rec.rev, rec.signature, rec.category, rec.severity, Direction::ToServer};
    const EveEndpoints ep{0, rec.src_ip, rec.dest_ip, rec.src_port, rec.dest_port, rec.proto};
    rec.eve_json.reserve(640);
    render_packet_alert(rec.eve_json, rec.ts_us, rec.pcap_cnt, ep,
                        std::span<const uint16_t>{r.vlan.data(), r.vlan_count}, info, anomaly.name);
    return rec;
}

}  // namespace otsentry::app
