#include "rules/detector.h"

#include <algorithm>
#include <cstring>

#include "rules/address.h"

namespace otsentry::rules {

namespace {

constexpr uint8_t ip_tcp = 6, ip_udp = 17, ip_icmp = 1, ip_icmp6 = 58;

bool proto_matches(const Rule& r, const PacketView& pkt)
{
    switch (r.proto) {
        case HeaderProto::Ip:
            return true;
        case HeaderProto::Tcp:
            return pkt.ip_proto == ip_tcp;
        case HeaderProto::Udp:
            return pkt.ip_proto == ip_udp;
        case HeaderProto::Icmp:
            return pkt.ip_proto == ip_icmp || pkt.ip_proto == ip_icmp6;
        case HeaderProto::App:
            return true;  // checked against the flow's protocol below
    }
    return false;
}

bool ends_match(const Rule& r, const std::array<uint8_t, 16>& src, uint16_t sport,
                const std::array<uint8_t, 16>& dst, uint16_t dport)
{
    return address_matches(r.src, src) && port_matches(r.src_ports, sport) && address_matches(r.dst, dst) &&
           port_matches(r.dst_ports, dport);
}

bool tcp_flags_match(const TcpFlags& f, uint8_t flags)
{
    const uint8_t v = flags & static_cast<uint8_t>(~f.ignore);
    switch (f.mode) {
        case TcpFlags::Mode::Exact:
            return v == f.bits;
        case TcpFlags::Mode::All:
            return (v & f.bits) == f.bits;
        case TcpFlags::Mode::Any:
            return (v & f.bits) != 0;
        case TcpFlags::Mode::Not:
            return (v & f.bits) == 0;
    }
    return false;
}

bool bit_set(const FlowRuleState* flow, uint16_t id)
{
    return flow != nullptr && id / 64 < flow->bits.size() && (flow->bits[id / 64] >> (id % 64) & 1u) != 0;
}

}  // namespace

// ---- thresholds ---------------------------------------------------------------------------------

size_t ThresholdTable::KeyHash::operator()(const Key& k) const noexcept
{
    uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t{k.gid} << 32 | k.sid);
    for (const uint8_t b : k.a)
        h = (h ^ b) * 0x100000001b3ull;
    for (const uint8_t b : k.b)
        h = (h ^ b) * 0x100000001b3ull;
    return static_cast<size_t>(h);
}

// Snort/Suricata semantics, with a window that starts at the first match and lasts `seconds`:
// limit: the first `count` matches of a window alert; threshold: every `count`-th match alerts;
// both: the `count`-th match of a window alerts, once; detection_filter: every match after the
// first `count` of a window alerts.
bool ThresholdTable::decide(const Threshold& t, Entry& e, int64_t ts_us, bool detection_filter)
{
    const int64_t window_us = int64_t{t.seconds} * 1'000'000;
    if (e.count == 0 || ts_us - e.window_start_us >= window_us) {
        e.window_start_us = ts_us;
        e.count = 0;
    }
    ++e.count;
    if (detection_filter) return e.count > t.count;
    switch (t.type) {
        case Threshold::Type::Limit:
            return e.count <= t.count;
        case Threshold::Type::Threshold:
            if (e.count >= t.count) {
                e.count = 0;
                return true;
            }
            return false;
        case Threshold::Type::Both:
            return e.count == t.count;
        case Threshold::Type::DetectionFilter:
            return e.count > t.count;
    }
    return true;
}

bool ThresholdTable::allow(const CompiledRule& c, const std::array<uint8_t, 16>& src,
                           const std::array<uint8_t, 16>& dst, int64_t ts_us)
{
    const Rule& r = c.rule;
    if (!r.threshold && !r.detection_filter) return true;
    auto key_for = [&](const Threshold& t) {
        Key k{r.gid, r.sid, {}, {}};
        switch (t.track) {
            case Threshold::Track::BySrc:
                k.a = src;
                break;
            case Threshold::Track::ByDst:
                k.a = dst;
                break;
            case Threshold::Track::ByBoth:
                k.a = src;
                k.b = dst;
                break;
            case Threshold::Track::ByRule:
                break;
        }
        return k;
    };
    std::lock_guard lock{mu_};
    if (entries_.size() >= max_entries) expire(ts_us);
    bool ok = true;
    if (r.detection_filter) {
        Key k = key_for(*r.detection_filter);
        k.gid |= 0x8000'0000u;  // its own counter, apart from a threshold on the same rule
        if (entries_.size() < max_entries || entries_.count(k) != 0)
            ok = decide(*r.detection_filter, entries_[k], ts_us, true);
    }
    if (ok && r.threshold) {
        const Key k = key_for(*r.threshold);
        if (entries_.size() < max_entries || entries_.count(k) != 0)
            ok = decide(*r.threshold, entries_[k], ts_us, false);
    }
    return ok;
}

void ThresholdTable::expire(int64_t ts_us)
{
    // Windows are at most a day in any sane rule; an entry idle that long is forgotten. Called
    // with the lock held from allow(), or by a worker's housekeeping without it.
    constexpr int64_t horizon_us = 86'400'000'000;
    if (ts_us - last_expire_us_ < 1'000'000 && entries_.size() < max_entries) return;
    last_expire_us_ = ts_us;
    std::erase_if(entries_, [&](const auto& kv) { return ts_us - kv.second.window_start_us > horizon_us; });
    if (entries_.size() >= max_entries) entries_.clear();
}

size_t ThresholdTable::size() const
{
    std::lock_guard lock{mu_};
    return entries_.size();
}

// ---- detector -----------------------------------------------------------------------------------

Detector::Detector(std::shared_ptr<const RuleSet> set, ThresholdTable& thresholds)
    : set_{std::move(set)}, thresholds_{thresholds}
{
    seen_.assign(set_->rules().size(), 0);
    set_->reserve(scratch_);
    ++pdu_stamp_;
}

void Detector::reset(std::shared_ptr<const RuleSet> set)
{
    set_ = std::move(set);
    seen_.assign(set_->rules().size(), 0);
    stamp_ = 0;
    set_->reserve(scratch_);
}

void Detector::prepare_flow(FlowRuleState* flow) const
{
    if (flow == nullptr || flow->generation == set_->generation()) return;
    flow->generation = set_->generation();
    flow->bits.assign((set_->flowbit_count() + 63) / 64, 0);
}

bool Detector::header_matches(const CompiledRule& c, const PacketView& pkt, Direction dir) const
{
    const Rule& r = c.rule;
    if (!proto_matches(r, pkt)) return false;
    if (r.app != Protocol::Unknown && (pkt.app == r.app) == r.app_negated) return false;
    // The one-flag tests first: a transaction rule is tried on every PDU of its bucket, and
    // `flow:to_client` alone turns away every request before its addresses are looked at.
    const FlowOpt& f = r.flow;
    if (f.to_server && dir != Direction::ToServer) return false;
    if (f.to_client && dir != Direction::ToClient) return false;
    if (f.established && !pkt.established) return false;
    if (f.not_established && pkt.established) return false;
    if (r.dsize && !r.dsize->matches(pkt.payload.size())) return false;
    if (r.tcp_flags && (pkt.ip_proto != ip_tcp || !tcp_flags_match(*r.tcp_flags, pkt.tcp_flags)))
        return false;
    const bool fwd = dir == Direction::ToServer;
    const auto& src = fwd ? pkt.client_ip : pkt.server_ip;
    const auto& dst = fwd ? pkt.server_ip : pkt.client_ip;
    const uint16_t sport = fwd ? pkt.client_port : pkt.server_port;
    const uint16_t dport = fwd ? pkt.server_port : pkt.client_port;
    return ends_match(r, src, sport, dst, dport) ||
           (r.bidirectional && ends_match(r, dst, dport, src, sport));
}

bool Detector::state_matches(const CompiledRule& c, const FlowRuleState* flow) const
{
    size_t id = 0;
    for (const Flowbit& f : c.rule.flowbits) {
        const auto ids = std::span{c.flowbit_ids}.subspan(id, f.names.size());
        id += f.names.size();
        if (f.op != FlowbitOp::IsSet && f.op != FlowbitOp::IsNotSet) continue;
        const bool want = f.op == FlowbitOp::IsSet;
        bool ok;
        if (f.any_of) {
            ok = std::any_of(ids.begin(), ids.end(), [&](uint16_t b) { return bit_set(flow, b) == want; });
        } else {
            ok = std::all_of(ids.begin(), ids.end(), [&](uint16_t b) { return bit_set(flow, b) == want; });
        }
        if (!ok) return false;
    }
    return true;
}

namespace {

bool test_value(const FieldTest& t, const dissect::FieldValue& v)
{
    if (!v.present) return false;
    if (t.field->type == dissect::FieldType::String || t.field->type == dissect::FieldType::Name) {
        const bool eq = v.str.size() == t.text.size() &&
                        std::equal(v.str.begin(), v.str.end(), t.text.begin(), [](char a, char b) {
                            return std::tolower(static_cast<unsigned char>(a)) ==
                                   std::tolower(static_cast<unsigned char>(b));
                        });
        return eq != t.text_negated;
    }
    return t.cmp.matches(v.u);
}

// False only when no value in [lo, hi] can satisfy `m` (a cheap, conservative pre-check).
bool may_hold_within(const IntMatch& m, uint64_t lo, uint64_t hi)
{
    if (m.negated) return true;
    switch (m.op) {
        case CmpOp::Eq:
            return lo <= m.a && m.a <= hi;
        case CmpOp::Lt:
            return lo < m.a;
        case CmpOp::Le:
            return lo <= m.a;
        case CmpOp::Gt:
            return hi > m.a;
        case CmpOp::Ge:
            return hi >= m.a;
        case CmpOp::Range:
            return m.a <= hi && lo <= m.b;
        case CmpOp::RangeExclusive:
            return m.b > m.a + 1 && m.a + 1 <= hi && lo <= m.b - 1;
        case CmpOp::AnyOf:
            return std::any_of(m.list.begin(), m.list.end(), [&](uint64_t v) { return lo <= v && v <= hi; });
        case CmpOp::Ne:
        case CmpOp::MaskAny:
            break;
    }
    return true;
}

bool is_text(const dissect::FieldDesc& f)
{
    return f.type == dissect::FieldType::String || f.type == dissect::FieldType::Name ||
           f.type == dissect::FieldType::Bytes;
}

}  // namespace

const Detector::Column& Detector::column_values(const dissect::ProtocolFields& table, const void* pdu,
                                                const dissect::FieldDesc& f)
{
    if (columns_.size() < table.fields.size()) columns_.resize(table.fields.size());
    Column& col = columns_[f.index];
    if (col.values_stamp == pdu_stamp_) return col;
    col.values_stamp = pdu_stamp_;
    col.range_stamp = pdu_stamp_;
    col.values.clear();
    col.any = false;
    col.lo = UINT64_MAX;
    col.hi = 0;
    const size_t n = table.list_size(pdu, f.list);
    for (size_t e = 0; e < n; ++e) {
        const dissect::FieldValue v = table.get(pdu, f.index, e);
        col.values.push_back(v);
        if (!v.present) continue;
        col.any = true;
        col.lo = std::min(col.lo, v.u);
        col.hi = std::max(col.hi, v.u);
    }
    return col;
}

const Detector::Column& Detector::column_range(const dissect::ProtocolFields& table, const void* pdu,
                                               const dissect::FieldDesc& f)
{
    if (columns_.size() < table.fields.size()) columns_.resize(table.fields.size());
    Column& col = columns_[f.index];
    if (col.range_stamp == pdu_stamp_) return col;
    uint64_t lo = 0, hi = 0;
    if (table.element_range != nullptr && table.element_range(pdu, f.index, lo, hi)) {
        col.range_stamp = pdu_stamp_;
        col.any = lo <= hi;
        col.lo = lo;
        col.hi = hi;
        return col;
    }
    return column_values(table, pdu, f);
}

bool Detector::fields_match(const CompiledRule& c, const dissect::ProtocolFields& table, const void* pdu)
{
    const auto& tests = c.rule.fields;
    // Scalars first; then, per list the rule tests, one element must satisfy all of its tests.
    uint32_t lists = 0;
    for (const FieldTest& t : tests) {
        if (t.field->proto != table.proto) return false;
        if (t.field->list != 0) {
            lists |= 1u << (t.field->list & 31);
            continue;
        }
        if (!test_value(t, table.get(pdu, t.field->index, 0))) return false;
    }
    if (lists == 0) return true;
    // Every element test must be possible somewhere before any element is walked.
    for (const FieldTest& t : tests) {
        if (t.field->list == 0) continue;
        const Column& col = column_range(table, pdu, *t.field);
        if (!col.any) return false;
        if (!is_text(*t.field) && !may_hold_within(t.cmp, col.lo, col.hi)) return false;
    }
    for (uint8_t list = 1; lists != 0; ++list) {
        if ((lists & (1u << list)) == 0) continue;
        lists &= ~(1u << list);
        const size_t n = table.list_size(pdu, list);
        for (const FieldTest& t : tests)
            if (t.field->list == list) column_values(table, pdu, *t.field);
        bool found = false;
        for (size_t e = 0; e < n && !found; ++e) {
            found = std::all_of(tests.begin(), tests.end(), [&](const FieldTest& t) {
                if (t.field->list != list) return true;
                const Column& col = columns_[t.field->index];
                return e < col.values.size() && test_value(t, col.values[e]);
            });
        }
        if (!found) return false;
    }
    return true;
}

void Detector::try_rule(uint32_t index, const PacketView& pkt, Direction dir, FlowRuleState* flow,
                        const dissect::ProtocolFields* table, const dissect::PduRef* pdu)
{
    if (seen_[index] == stamp_) return;
    seen_[index] = stamp_;
    ++stats_.rules_evaluated;
    const CompiledRule& c = set_->rules()[index];
    if (!header_matches(c, pkt, dir) || !state_matches(c, flow)) return;
    if (pdu != nullptr && !fields_match(c, *table, pdu->pdu)) return;
    if (!c.program.empty()) {
        Buffers bufs{pkt.payload, table, pdu != nullptr ? pdu->pdu : nullptr};
        if (!c.program.match(bufs, scratch_)) return;
    }
    ++stats_.matches;
    matches_.push_back(Match{index, dir, pdu != nullptr ? *pdu : dissect::PduRef{}, pdu != nullptr});
}

// Applies the flowbit actions of what matched and reports what is to be reported. A matching
// `pass` rule silences the others for this packet or transaction (Suricata's action order).
void Detector::report(const PacketView& pkt, FlowRuleState* flow, AlertSink& sink)
{
    if (matches_.empty()) return;
    const auto& rules = set_->rules();
    const bool pass = std::any_of(matches_.begin(), matches_.end(),
                                  [&](const Match& m) { return rules[m.rule].rule.action == Action::Pass; });
    for (const Match& m : matches_) {
        const CompiledRule& c = rules[m.rule];
        if (flow != nullptr) {
            size_t id = 0;
            for (const Flowbit& f : c.rule.flowbits) {
                for (size_t i = 0; i < f.names.size(); ++i) {
                    const uint16_t b = c.flowbit_ids[id++];
                    uint64_t& word = flow->bits[b / 64];
                    const uint64_t bit = uint64_t{1} << (b % 64);
                    if (f.op == FlowbitOp::Set) word |= bit;
                    if (f.op == FlowbitOp::Unset) word &= ~bit;
                    if (f.op == FlowbitOp::Toggle) word ^= bit;
                }
            }
        }
        if (pass || c.noalert || c.rule.action == Action::Pass) {
            ++stats_.suppressed;
            continue;
        }
        const bool fwd = m.dir == Direction::ToServer;
        if (!thresholds_.allow(c, fwd ? pkt.client_ip : pkt.server_ip, fwd ? pkt.server_ip : pkt.client_ip,
                               pkt.ts_us)) {
            ++stats_.suppressed;
            continue;
        }
        ++stats_.alerts;
        sink.on_rule_alert(c, m.dir, m.has_pdu ? &m.pdu : nullptr);
    }
    matches_.clear();
}

void Detector::collect_packet_group(const RuleSet::Group& g, const PacketView& pkt, FlowRuleState* flow)
{
    for (const uint32_t idx : g.always)
        try_rule(idx, pkt, pkt.dir, flow, nullptr, nullptr);
    if (g.by_pattern.empty() || pkt.payload.empty()) return;
    hits_.clear();
    g.db.scan(pkt.payload, scratch_, hits_);
    for (const uint32_t id : hits_)
        try_rule(g.by_pattern[id], pkt, pkt.dir, flow, nullptr, nullptr);
}

void Detector::inspect_packet(const PacketView& pkt, FlowRuleState* flow, AlertSink& sink)
{
    if (!set_->has_packet_rules()) return;
    ++stats_.packets_inspected;
    prepare_flow(flow);
    ++stamp_;
    const bool fwd = pkt.dir == Direction::ToServer;
    const uint16_t dport = fwd ? pkt.server_port : pkt.client_port;
    // Groups are keyed by the destination port a rule names; a rule that names the source port
    // sits in the any-port group, which every port group contains.
    const RuleSet::Group* g = set_->packet_group(pkt.ip_proto, dport);
    collect_packet_group(*g, pkt, flow);
    // Evaluation order is rule order (flowbit setters first), whatever order the scan found them.
    std::sort(matches_.begin(), matches_.end(),
              [](const Match& a, const Match& b) { return a.rule < b.rule; });
    report(pkt, flow, sink);
}

void Detector::inspect_transaction(const PacketView& packet, Protocol proto, const dissect::EventBody& tx,
                                   FlowRuleState* flow, AlertSink& sink)
{
    // The transaction is of `proto`, whatever the caller knew of the flow so far.
    PacketView pkt = packet;
    pkt.app = proto;
    const auto& pr = set_->transaction_rules(proto);
    if (pr.empty()) return;
    const dissect::ProtocolFields* table = dissect::field_table(proto);
    if (table == nullptr) return;
    ++stats_.transactions_inspected;
    prepare_flow(flow);
    std::array<dissect::PduRef, dissect::max_pdus> pdus{};
    const size_t n = tx.pdus(pdus);
    // A rule alerts at most once per transaction, on the first PDU it matches.
    auto matched = [&](uint32_t idx) {
        return std::any_of(matches_.begin(), matches_.end(), [&](const Match& m) { return m.rule == idx; });
    };
    for (size_t i = 0; i < n; ++i) {
        const dissect::PduRef& pdu = pdus[i];
        ++stamp_;
        ++pdu_stamp_;
        auto eval = [&](const RuleSet::Bucket& b) {
            for (const uint32_t idx : b.rules)
                if (!matched(idx)) try_rule(idx, pkt, pdu.dir, flow, table, &pdu);
            if (b.ranges.empty()) return;
            // Only the rules whose required range overlaps the values this PDU carries.
            uint64_t lo = 0, hi = 0;
            if (b.range_field->list == 0) {
                const dissect::FieldValue v = table->get(pdu.pdu, b.range_field->index, 0);
                if (!v.present) return;
                lo = hi = v.u;
            } else {
                const Column& col = column_range(*table, pdu.pdu, *b.range_field);
                if (!col.any) return;
                lo = col.lo;
                hi = col.hi;
            }
            for (const auto& r : b.ranges) {
                if (r.lo > hi) break;
                if (r.hi >= lo && !matched(r.rule)) try_rule(r.rule, pkt, pdu.dir, flow, table, &pdu);
            }
        };
        if (pr.key != nullptr) {
            const dissect::FieldValue k = table->get(pdu.pdu, pr.key->index, 0);
            if (k.present) {
                if (const auto it = pr.by_key.find(k.u); it != pr.by_key.end()) eval(it->second);
            }
        }
        eval(pr.unindexed);
    }
    std::sort(matches_.begin(), matches_.end(),
              [](const Match& a, const Match& b) { return a.rule < b.rule; });
    report(pkt, flow, sink);
}

void Detector::inspect_anomaly(const PacketView& packet, Protocol proto, uint16_t code, FlowRuleState* flow,
                               AlertSink& sink)
{
    PacketView pkt = packet;
    pkt.app = proto;
    const auto* list = set_->event_rules(proto, code);
    if (list == nullptr) return;
    prepare_flow(flow);
    ++stamp_;
    for (const uint32_t idx : *list)
        try_rule(idx, pkt, pkt.dir, flow, nullptr, nullptr);
    report(pkt, flow, sink);
}

}  // namespace otsentry::rules
