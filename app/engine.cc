#include "app/engine.h"

#include <algorithm>

#include "app/eve.h"
#include "dissectors/registry.h"

namespace otsentry::app {

namespace {

using dissect::DissectorInfo;
using dissect::ProbeResult;

constexpr std::string_view anomaly_category = "Protocol Anomaly";

// Addresses as the rules see them: 16 bytes, IPv4 mapped into ::ffff:0:0/96.
std::array<uint8_t, 16> rule_address(const capture::IpAddr& a) noexcept
{
    if (a.version != 4) return a.bytes;
    std::array<uint8_t, 16> out{};
    out[10] = 0xFF;
    out[11] = 0xFF;
    std::copy_n(a.bytes.begin(), 4, out.begin() + 12);
    return out;
}

bool port_suggests(const DissectorInfo& d, uint16_t port)
{
    return std::find(d.ports.begin(), d.ports.end(), port) != d.ports.end();
}

// Per-flow state above the capture layer: protocol detection, the dissector session, and the
// rendering of what the session reports into EVE records.
class FlowState final : public capture::FlowData,
                        public capture::StreamReceiver,
                        public dissect::EventSink,
                        private rules::AlertSink {
public:
    FlowState(const capture::Flow& flow, dissect::Transport transport, EngineCounters& counters,
              RecordOutput& out, LineBuffers& lines, size_t probe_limit, rules::Detector* detector,
              EvidenceBudget& evidence)
        : flow_{flow},
          transport_{transport},
          counters_{counters},
          out_{out},
          lines_{lines},
          probe_limit_{probe_limit},
          detector_{detector},
          evidence_budget_{evidence},
          client_ip_{capture::to_string(flow.client_ip)},
          server_ip_{capture::to_string(flow.server_ip)},
          client_port_{flow.client_port},
          server_port_{flow.server_port}
    {
        view_.client_ip = rule_address(flow.client_ip);
        view_.server_ip = rule_address(flow.server_ip);
        view_.client_port = flow.client_port;
        view_.server_port = flow.server_port;
        // A flow to a port its protocol is registered on is given to that dissector at once; an
        // anomaly from it (non-Modbus bytes on 502) is then worth reporting.
        for (const DissectorInfo* d : dissect::all_dissectors()) {
            if (d->transport == transport_ && port_suggests(*d, flow.server_port)) {
                start_session(*d);
                return;
            }
        }
        // The side on the service port opened the connection (a device that dials out, or a
        // crafted flow): the protocol's roles follow the port, not the SYN, so the dissector
        // and the records see the service-port side as the server.
        for (const DissectorInfo* d : dissect::all_dissectors()) {
            if (d->transport == transport_ && port_suggests(*d, flow.client_port)) {
                flipped_ = true;
                std::swap(client_ip_, server_ip_);
                std::swap(client_port_, server_port_);
                std::swap(view_.client_ip, view_.server_ip);
                std::swap(view_.client_port, view_.server_port);
                start_session(*d);
                return;
            }
        }
    }

    // The packet being processed, as the rules see it: set before the stream or the session
    // sees it, so transactions it completes are matched with its payload and direction.
    void set_packet(const capture::Decoded& d, Direction flow_dir, const PacketCtx& ctx)
    {
        if (detector_ == nullptr) return;
        view_.ip_proto = d.ip_proto;
        view_.dir = role(flow_dir);
        view_.tcp_flags = d.tcp_flags;
        view_.payload = d.payload;
        view_.ts_us = ctx.ts_us;
        // Suricata's notion: TCP is established once past the handshake's SYNs (a flow picked up
        // mid-stream counts as established); UDP once both sides have spoken.
        if (transport_ == dissect::Transport::Tcp) {
            view_.established = (d.tcp_flags & capture::tcp_flags::syn) == 0;
        } else {
            view_.established = flow_.packets[0] > 0 && flow_.packets[1] > 0;
        }
        view_.app = app_proto();
    }

    [[nodiscard]] Protocol app_proto() const noexcept
    {
        return dissector_ != nullptr && session_ && session_->active() ? dissector_->proto
                                                                       : Protocol::Unknown;
    }

    // Keeps the packet for the evidence of alerts raised on this flow.
    void keep_evidence(const capture::RawPacket& pkt)
    {
        if (!evidence_) evidence_ = std::make_unique<EvidenceRing>(evidence_budget_);
        evidence_->add(pkt);
    }

    // Packet rules on the packet set by set_packet().
    void inspect_packet(const PacketCtx& ctx)
    {
        if (detector_ == nullptr) return;
        current_ctx_ = ctx;
        current_tx_ = nullptr;
        view_.app = app_proto();
        current_proto_ = view_.app;
        detector_->inspect_packet(view_, &rule_state_, *this);
    }

    void on_data(Direction flow_dir, std::span<const uint8_t> data, const PacketCtx& ctx) override
    {
        const Direction dir = role(flow_dir);
        cur_dir_ = dir;
        if (session_) {
            if (session_->active()) session_->on_data(dir, data, ctx);
            return;
        }
        // Probes read the first bytes of a direction: once a direction said NoMatch, later bytes
        // of it (mid-stream, anything) are not a start to recognise.
        if (!gave_up_ && !probe_done_[index_of(dir)]) probe(dir, data, ctx);
    }

    void on_gap(Direction flow_dir, uint64_t bytes, const PacketCtx& ctx) override
    {
        const Direction dir = role(flow_dir);
        cur_dir_ = dir;
        if (session_ && session_->active()) {
            session_->on_gap(dir, bytes, ctx);
            return;
        }
        // A gap while probing: what was buffered is no longer contiguous with what follows.
        drop_held(dir);
    }

    void on_event(Protocol proto, const PacketCtx& ctx, const dissect::EventBody& body) override
    {
        ++counters_.events[static_cast<size_t>(proto)];
        alerts::Record r = base_record(alerts::RecordKind::Event, ctx, Direction::ToServer, proto);
        r.pcap_cnt = body.pcap_cnt();
        r.eve_json = lines_.take(1024);
        render_event(r.eve_json, ctx.ts_us, endpoints(Direction::ToServer), proto, body);
        out_.submit(std::move(r));
        if (detector_ != nullptr) {
            current_ctx_ = ctx;
            current_tx_ = &body;
            current_proto_ = proto;
            view_.app = proto;
            detector_->inspect_transaction(view_, proto, body, &rule_state_, *this);
            current_tx_ = nullptr;
        }
    }

    void on_anomaly(Protocol proto, const PacketCtx& ctx, const dissect::AnomalyInfo& anomaly,
                    const dissect::EventBody* context) override
    {
        raise(dissect::anomaly_sid(proto, anomaly.code), proto, ctx, cur_dir_, anomaly, context);
        if (detector_ != nullptr) {
            current_ctx_ = ctx;
            current_tx_ = context;
            current_proto_ = proto;
            view_.app = proto;
            const Direction packet_dir = view_.dir;
            view_.dir = cur_dir_;
            detector_->inspect_anomaly(view_, proto, anomaly.code, &rule_state_, *this);
            view_.dir = packet_dir;
            current_tx_ = nullptr;
        }
    }

    void on_stream_anomaly(Direction flow_dir, capture::StreamAnomaly a, const PacketCtx& ctx) override
    {
        // Transport anomalies have their own sid block (protocol 0); the record still names the
        // flow's application protocol when one was recognised.
        const auto& anomaly = capture::info(a);
        const Protocol app = dissector_ != nullptr ? dissector_->proto : Protocol::Unknown;
        raise(dissect::anomaly_sid(Protocol::Unknown, anomaly.code), app, ctx, role(flow_dir), anomaly,
              nullptr);
    }

    // The flow's last packet: records completed by the flow's end point at it.
    PacketCtx last_packet{};

    void end(const PacketCtx& ctx)
    {
        cur_dir_ = Direction::ToServer;
        if (session_ && session_->active()) session_->on_end(ctx);
    }

private:
    // The flow's direction as the protocol sees it (requests travel ToServer).
    [[nodiscard]] Direction role(Direction flow_dir) const noexcept
    {
        return flipped_ ? opposite(flow_dir) : flow_dir;
    }

    // A rule matched: its alert carries the transaction it matched (or, for an app-layer-event
    // rule, the transaction the anomaly belongs to).
    void on_rule_alert(const rules::CompiledRule& c, Direction dir, const dissect::PduRef* /*pdu*/) override
    {
        ++counters_.alerts;
        ++counters_.rule_alerts;
        ++counters_.rule_alert_counts[c.rule.sid];
        const rules::Rule& rule = c.rule;
        alerts::Record r = base_record(alerts::RecordKind::Alert, current_ctx_, dir, current_proto_);
        r.gid = rule.gid;
        r.sid = rule.sid;
        r.rev = rule.rev;
        r.signature = rule.msg;
        r.category = c.category;
        r.severity = c.severity;
        AlertInfo info{r.gid, r.sid, r.rev, r.signature, r.category, r.severity, dir};
        info.metadata = rule.metadata;
        r.eve_json = lines_.take(768);
        render_alert(r.eve_json, current_ctx_.ts_us, current_ctx_.pcap_cnt, endpoints(dir), current_proto_,
                     info, {}, current_tx_);
        attach_evidence(r);
        out_.submit(std::move(r));
    }

    void start_session(const DissectorInfo& d)
    {
        dissector_ = &d;
        session_ = d.make_session(*this);
        ++counters_.flows_by_proto[static_cast<size_t>(d.proto)];
    }

    void probe(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx)
    {
        auto& buf = probe_buf_[index_of(dir)];
        std::span<const uint8_t> view = data;
        if (!buf.empty()) {
            buf.insert(buf.end(), data.begin(), data.end());
            view = buf;
        }
        bool need_more = false;
        for (const DissectorInfo* d : dissect::all_dissectors()) {
            if (d->transport != transport_) continue;
            const ProbeResult r = d->probe(view, dir);
            if (r == ProbeResult::Match) {
                start_session(*d);
                // The bytes held while we waited go first, both directions in the order their
                // packets came and each with its own packet (so e.g. a COTP connect keeps its
                // frame number), then this packet's.
                std::array<size_t, 2> used{};
                for (const Held& h : held_) {
                    if (!session_->active()) break;
                    const auto i = index_of(h.dir);
                    session_->on_data(h.dir, std::span<const uint8_t>{probe_buf_[i]}.subspan(used[i], h.len),
                                      h.ctx);
                    used[i] += h.len;
                }
                if (session_->active()) session_->on_data(dir, data, ctx);
                probe_buf_ = {};
                held_.clear();
                return;
            }
            need_more = need_more || r == ProbeResult::NeedMore;
        }
        if (need_more && view.size() < probe_limit_) {
            if (buf.empty()) buf.assign(data.begin(), data.end());
            held_.push_back(Held{dir, ctx, data.size()});
            return;
        }
        drop_held(dir);
        probe_done_[index_of(dir)] = true;
        gave_up_ = probe_done_[0] && probe_done_[1];
    }

    alerts::Record base_record(alerts::RecordKind kind, const PacketCtx& ctx, Direction dir,
                               Protocol proto) const
    {
        alerts::Record r;
        r.kind = kind;
        r.ts_us = ctx.ts_us;
        r.flow_id = flow_.id;
        const bool fwd = dir == Direction::ToServer;
        r.src_ip = fwd ? client_ip_ : server_ip_;
        r.dest_ip = fwd ? server_ip_ : client_ip_;
        r.src_port = fwd ? client_port_ : server_port_;
        r.dest_port = fwd ? server_port_ : client_port_;
        r.proto = transport_name();
        if (proto != Protocol::Unknown) r.app_proto = protocol_name(proto);
        r.pcap_cnt = ctx.pcap_cnt;
        return r;
    }

    void raise(uint32_t sid, Protocol proto, const PacketCtx& ctx, Direction dir,
               const dissect::AnomalyInfo& anomaly, const dissect::EventBody* context)
    {
        ++counters_.anomalies;
        ++counters_.alerts;
        ++counters_.anomaly_counts[&anomaly];
        alerts::Record r = base_record(alerts::RecordKind::Alert, ctx, dir, proto);
        r.gid = dissect::anomaly_gid;
        r.sid = sid;
        r.rev = 1;
        r.signature = anomaly.text;
        r.category = anomaly_category;
        r.severity = anomaly.severity;
        const AlertInfo info{r.gid, r.sid, r.rev, r.signature, r.category, r.severity, dir};
        r.eve_json = lines_.take(640);
        render_alert(r.eve_json, ctx.ts_us, ctx.pcap_cnt, endpoints(dir), proto, info, anomaly.name, context);
        attach_evidence(r);
        out_.submit(std::move(r));
    }

    void attach_evidence(alerts::Record& r)
    {
        if (!evidence_) return;
        r.evidence_pcap = evidence_->pcap();
        if (!r.evidence_pcap.empty()) ++evidence_budget_.stats().pcaps;
    }

    [[nodiscard]] EveEndpoints endpoints(Direction dir) const
    {
        const bool fwd = dir == Direction::ToServer;
        return EveEndpoints{flow_id_text_,
                            fwd ? client_ip_ : server_ip_,
                            fwd ? server_ip_ : client_ip_,
                            fwd ? client_port_ : server_port_,
                            fwd ? server_port_ : client_port_,
                            transport_name()};
    }

    [[nodiscard]] std::string_view transport_name() const
    {
        return transport_ == dissect::Transport::Tcp ? "TCP" : "UDP";
    }

    const capture::Flow& flow_;
    dissect::Transport transport_;
    EngineCounters& counters_;
    RecordOutput& out_;
    LineBuffers& lines_;
    size_t probe_limit_;
    rules::Detector* detector_;
    EvidenceBudget& evidence_budget_;
    std::unique_ptr<EvidenceRing> evidence_;
    rules::PacketView view_;
    rules::FlowRuleState rule_state_;
    PacketCtx current_ctx_{};
    const dissect::EventBody* current_tx_ = nullptr;
    Protocol current_proto_ = Protocol::Unknown;
    FlowIdText flow_id_text_{flow_.id};
    std::string client_ip_, server_ip_;  // in the protocol's roles (see flipped_)
    uint16_t client_port_, server_port_;
    bool flipped_ = false;  // the protocol's client is the flow's server
    const DissectorInfo* dissector_ = nullptr;
    std::unique_ptr<dissect::Session> session_;
    // Forgets what one direction holds for probing.
    void drop_held(Direction dir)
    {
        probe_buf_[index_of(dir)].clear();
        std::erase_if(held_, [dir](const Held& h) { return h.dir == dir; });
    }

    // Bytes held while probing: per direction contiguous (what the probes read), and which packet
    // brought each piece, in arrival order over both directions.
    struct Held {
        Direction dir;
        PacketCtx ctx;
        size_t len;
    };
    std::array<std::vector<uint8_t>, 2> probe_buf_;
    std::vector<Held> held_;
    std::array<bool, 2> probe_done_{};
    bool gave_up_ = false;
    Direction cur_dir_ = Direction::ToServer;
};

std::vector<uint16_t> service_ports(std::vector<uint16_t> ports)
{
    for (const DissectorInfo* d : dissect::all_dissectors())
        ports.insert(ports.end(), d->ports.begin(), d->ports.end());
    std::sort(ports.begin(), ports.end());
    ports.erase(std::unique(ports.begin(), ports.end()), ports.end());
    return ports;
}

}  // namespace

Engine::Engine(EngineConfig cfg, RecordOutput& out)
    : cfg_{std::move(cfg)}, out_{out}, front_{cfg_.defrag}, evidence_{cfg_.evidence}
{
    cfg_.flows.service_ports = service_ports(std::move(cfg_.flows.service_ports));
    flows_ = std::make_unique<capture::FlowTable>(
        cfg_.flows, [this](capture::Flow& f, capture::FlowEnd why) { end_flow(f, why); });
    if (cfg_.rules != nullptr)
        detector_ = std::make_unique<rules::Detector>(cfg_.rules->current(), cfg_.rules->thresholds());
}

rules::DetectorStats Engine::rule_stats() const noexcept
{
    return detector_ ? detector_->stats() : rules::DetectorStats{};
}

Engine::~Engine() = default;

const capture::FlowStats& Engine::flow_stats() const noexcept
{
    return flows_->stats();
}

EngineTotals Engine::totals() const
{
    return EngineTotals{counters_, front_.decode_stats(), front_.defrag_stats(), stream_stats_,
                        flows_->stats()};
}

size_t Engine::active_flows() const noexcept
{
    return flows_->size();
}

void EngineTotals::add(const EngineTotals& o)
{
    auto& c = counters;
    const auto& oc = o.counters;
    c.packets += oc.packets;
    c.bytes += oc.bytes;
    c.wire_bytes += oc.wire_bytes;
    c.tcp_flows += oc.tcp_flows;
    c.udp_flows += oc.udp_flows;
    for (size_t i = 0; i < protocol_count; ++i) {
        c.flows_by_proto[i] += oc.flows_by_proto[i];
        c.events[i] += oc.events[i];
    }
    c.alerts += oc.alerts;
    c.rule_alerts += oc.rule_alerts;
    for (const auto& [sid, n] : oc.rule_alert_counts)
        c.rule_alert_counts[sid] += n;
    c.anomalies += oc.anomalies;
    for (const auto& [a, n] : oc.anomaly_counts)
        c.anomaly_counts[a] += n;
    c.non_flow_packets += oc.non_flow_packets;

    decode.packets += o.decode.packets;
    decode.ipv4 += o.decode.ipv4;
    decode.ipv6 += o.decode.ipv6;
    decode.tcp += o.decode.tcp;
    decode.udp += o.decode.udp;
    decode.icmp += o.decode.icmp;
    decode.other_l4 += o.decode.other_l4;
    decode.non_ip += o.decode.non_ip;
    decode.fragments += o.decode.fragments;
    decode.vlan += o.decode.vlan;
    for (size_t i = 0; i < decode.errors.size(); ++i)
        decode.errors[i] += o.decode.errors[i];

    defrag.fragments += o.defrag.fragments;
    defrag.reassembled += o.defrag.reassembled;
    defrag.overlaps += o.defrag.overlaps;
    defrag.duplicates += o.defrag.duplicates;
    for (size_t i = 0; i < defrag.anomalies.size(); ++i)
        defrag.anomalies[i] += o.defrag.anomalies[i];
    defrag.timeouts += o.defrag.timeouts;
    defrag.memcap_drops += o.defrag.memcap_drops;
    defrag.discarded += o.defrag.discarded;
    defrag.dropped_fragments += o.defrag.dropped_fragments;
    defrag.truncated += o.defrag.truncated;
    defrag.incomplete_at_end += o.defrag.incomplete_at_end;
    defrag.bytes_held += o.defrag.bytes_held;
    defrag.peak_bytes_held += o.defrag.peak_bytes_held;
    defrag.active += o.defrag.active;
    defrag.peak_active += o.defrag.peak_active;

    stream.segments += o.stream.segments;
    stream.bytes_delivered += o.stream.bytes_delivered;
    stream.retransmissions += o.stream.retransmissions;
    stream.overlaps += o.stream.overlaps;
    stream.overlap_conflicts += o.stream.overlap_conflicts;
    stream.out_of_order += o.stream.out_of_order;
    stream.buffer_overflows += o.stream.buffer_overflows;
    stream.gaps += o.stream.gaps;
    stream.gap_bytes += o.stream.gap_bytes;
    stream.midstream += o.stream.midstream;
    stream.memcap_hits += o.stream.memcap_hits;
    stream.held_bytes_total += o.stream.held_bytes_total;

    flows.created += o.flows.created;
    flows.closed += o.flows.closed;
    flows.timed_out += o.flows.timed_out;
    flows.evicted += o.flows.evicted;
    flows.active += o.flows.active;
    flows.peak_active += o.flows.peak_active;
}

void Engine::process(const capture::RawPacket& pkt)
{
    ++counters_.packets;
    counters_.bytes += pkt.caplen;
    counters_.wire_bytes += pkt.wire_len;
    flows_->expire(pkt.ts_us);

    // A fragment is held until its datagram is complete; the datagram then goes on in its place,
    // with the packet context of the fragment that completed it.
    if (detector_) cfg_.rules->refresh(*detector_);
    if (!front_.process(pkt, decoded_, *this)) {
        ++counters_.non_flow_packets;
        return;
    }
    if (decoded_.l4 != capture::L4::Tcp && decoded_.l4 != capture::L4::Udp) {
        ++counters_.non_flow_packets;
        if (detector_ && decoded_.ip_version != 0) {
            current_raw_ = &pkt;
            inspect_flowless(PacketCtx{pkt.pcap_cnt, pkt.ts_us});
            current_raw_ = nullptr;
        }
        return;
    }
    const auto lk = flows_->lookup(decoded_, pkt.ts_us);
    if (lk.flow == nullptr) {
        ++counters_.non_flow_packets;
        return;
    }
    capture::Flow& flow = *lk.flow;
    const bool tcp = decoded_.l4 == capture::L4::Tcp;
    if (lk.created) {
        ++(tcp ? counters_.tcp_flows : counters_.udp_flows);
        flow.data = std::make_unique<FlowState>(flow, tcp ? dissect::Transport::Tcp : dissect::Transport::Udp,
                                                counters_, out_, lines_, cfg_.probe_limit, detector_.get(),
                                                evidence_);
    }
    auto& state = static_cast<FlowState&>(*flow.data);
    const PacketCtx ctx{pkt.pcap_cnt, pkt.ts_us};
    state.last_packet = ctx;
    if (evidence_.enabled()) state.keep_evidence(pkt);
    if (detector_) state.set_packet(decoded_, lk.dir, ctx);
    if (tcp) {
        // Data that acknowledges bytes of the other direction we never saw answers them: those
        // are lost, and the dissector learns it before it sees this answer.
        if ((decoded_.tcp_flags & capture::tcp_flags::ack) != 0 && !decoded_.payload.empty()) {
            const Direction other = opposite(lk.dir);
            flow.tcp[index_of(other)].on_peer_answered(other, decoded_.ack, ctx, state, stream_stats_);
        }
        flow.tcp[index_of(lk.dir)].on_segment(lk.dir, decoded_.seq, decoded_.tcp_flags, decoded_.payload, ctx,
                                              state, stream_stats_);
    } else if (!decoded_.payload.empty()) {
        state.on_data(lk.dir, decoded_.payload, ctx);
    }
    // After the session saw the packet, so a flow recognised by this very packet's bytes already
    // counts as its protocol (as Suricata runs detection after the app-layer parser).
    if (detector_) state.inspect_packet(ctx);
}

void Engine::end_flow(capture::Flow& flow, capture::FlowEnd /*why*/)
{
    if (!flow.data) return;
    // The flow ends at its own last packet (timeouts fire later, on other flows' packets).
    auto& state = static_cast<FlowState&>(*flow.data);
    // What the streams still hold is delivered, its holes reported, before the session ends.
    for (const Direction d : {Direction::ToServer, Direction::ToClient})
        flow.tcp[index_of(d)].flush(d, state.last_packet, state, stream_stats_);
    state.end(state.last_packet);
}

void Engine::on_defrag_anomaly(const capture::DefragReport& r)
{
    const auto& anomaly = capture::info(r.anomaly);
    ++counters_.anomalies;
    ++counters_.alerts;
    ++counters_.anomaly_counts[&anomaly];
    out_.submit(defrag_alert(r));
}

void Engine::inspect_flowless(const PacketCtx& ctx)
{
    // A packet of no flow: the rules see it oriented as sent, with no flow state.
    class Sink final : public rules::AlertSink {
    public:
        Sink(Engine& e, const PacketCtx& c) : engine_{e}, ctx_{c} {}
        void on_rule_alert(const rules::CompiledRule& c, Direction /*dir*/,
                           const dissect::PduRef* /*pdu*/) override
        {
            const capture::Decoded& d = engine_.decoded_;
            ++engine_.counters_.alerts;
            ++engine_.counters_.rule_alerts;
            ++engine_.counters_.rule_alert_counts[c.rule.sid];
            alerts::Record rec;
            rec.kind = alerts::RecordKind::Alert;
            rec.ts_us = ctx_.ts_us;
            rec.src_ip = capture::to_string(d.src);
            rec.dest_ip = capture::to_string(d.dst);
            rec.proto = ip_proto_name(d.ip_proto);
            rec.pcap_cnt = ctx_.pcap_cnt;
            rec.gid = c.rule.gid;
            rec.sid = c.rule.sid;
            rec.rev = c.rule.rev;
            rec.signature = c.rule.msg;
            rec.category = c.category;
            rec.severity = c.severity;
            AlertInfo info{
                rec.gid, rec.sid, rec.rev, rec.signature, rec.category, rec.severity, Direction::ToServer};
            info.metadata = c.rule.metadata;
            const EveEndpoints ep{0, rec.src_ip, rec.dest_ip, 0, 0, rec.proto};
            render_packet_alert(rec.eve_json, rec.ts_us, rec.pcap_cnt, ep,
                                std::span<const uint16_t>{d.vlan.data(), d.vlan_count}, info, {});
            if (engine_.evidence_.enabled() && engine_.current_raw_ != nullptr) {
                rec.evidence_pcap =
                    single_packet_pcap(*engine_.current_raw_, engine_.evidence_.config().snaplen);
                ++engine_.evidence_.stats().pcaps;
            }
            engine_.out_.submit(std::move(rec));
        }

    private:
        Engine& engine_;
        const PacketCtx& ctx_;
    };
    rules::PacketView view;
    view.ip_proto = decoded_.ip_proto;
    view.client_ip = rule_address(decoded_.src);
    view.server_ip = rule_address(decoded_.dst);
    view.payload = decoded_.payload;
    view.ts_us = ctx.ts_us;
    Sink sink{*this, ctx};
    detector_->inspect_packet(view, nullptr, sink);
}

void Engine::advance_time(int64_t now_us)
{
    flows_->expire(now_us);
    front_.expire(now_us, *this);
}

void Engine::finish()
{
    flows_->end_all(capture::FlowEnd::Shutdown);
    front_.finish();
}

}  // namespace otsentry::app
