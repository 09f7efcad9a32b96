#include "rules/ruleset.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>

#include "dissectors/registry.h"

namespace otsentry::rules {

namespace {

std::atomic<uint64_t> next_generation{1};

// The field a protocol's transaction rules are indexed by: the one nearly every ICS rule tests.
constexpr std::pair<Protocol, std::string_view> key_fields[] = {
    {Protocol::Modbus, "modbus.function"},         {Protocol::Dnp3, "dnp3.function"},
    {Protocol::Iec104, "iec104.type_id"},          {Protocol::S7comm, "s7comm.function"},
    {Protocol::S7commPlus, "s7commplus.function"},
};

const dissect::FieldDesc* key_field(Protocol p)
{
    for (const auto& [proto, name] : key_fields)
        if (proto == p) return dissect::find_field(name);
    return nullptr;
}

bool on_payload(const PayloadOp& op)
{
    return std::visit([](const auto& o) { return o.buffer.field == nullptr; }, op);
}

// A transaction rule tests application fields or inspects a field buffer; everything else that
// inspects bytes looks at packets.
bool is_transaction_rule(const Rule& r)
{
    if (!r.fields.empty()) return true;
    if (std::any_of(r.payload.begin(), r.payload.end(), [](const PayloadOp& op) { return !on_payload(op); }))
        return true;
    // `alert modbus any any -> any any (msg:...; sid:...;)`: every transaction of the protocol.
    return r.proto == HeaderProto::App && r.payload.empty() && !r.dsize && !r.tcp_flags;
}

// The content whose presence the prefilter looks for: an explicit fast_pattern, else the longest
// positive content on the payload (longer literals are rarer).
const Content* fast_pattern(const Rule& r)
{
    const Content* best = nullptr;
    for (const PayloadOp& op : r.payload) {
        const auto* c = std::get_if<Content>(&op);
        if (c == nullptr || c->negated || c->buffer.field != nullptr || c->bytes.empty()) continue;
        if (c->fast_pattern) return c;
        if (best == nullptr || c->bytes.size() > best->bytes.size()) best = c;
    }
    return best;
}

// Transport class of a packet group: 0 TCP, 1 UDP, 2 anything else.
size_t transport_class(uint8_t ip_proto) noexcept
{
    return ip_proto == 6 ? 0 : ip_proto == 17 ? 1 : 2;
}

// The transport classes a rule's header protocol can see.
std::vector<size_t> transport_classes(const Rule& r)
{
    switch (r.proto) {
        case HeaderProto::Tcp:
            return {0};
        case HeaderProto::Udp:
            return {1};
        case HeaderProto::Icmp:
            return {2};
        case HeaderProto::App: {
            // DNP3 runs over TCP and UDP; the others we dissect over TCP.
            if (r.app == Protocol::Dnp3) return {0, 1};
            return {0};
        }
        case HeaderProto::Ip:
            break;
    }
    return {0, 1, 2};
}

// The single port a packet rule is grouped under: its destination port when it names exactly
// one (the service side, as almost every ICS rule does), else none.
std::optional<uint16_t> group_port(const Rule& r)
{
    if (r.bidirectional) return std::nullopt;
    const PortSet& p = r.dst_ports;
    if (p.any || p.include.size() != 1 || !p.exclude.empty() || p.include[0].lo != p.include[0].hi)
        return std::nullopt;
    return p.include[0].lo;
}

// The equality values a rule requires of the protocol's key field, when it requires some.
std::optional<std::vector<uint64_t>> key_values(const Rule& r, const dissect::FieldDesc* key)
{
    if (key == nullptr) return std::nullopt;
    for (const FieldTest& t : r.fields) {
        if (t.field != key || t.cmp.negated) continue;
        if (t.cmp.op == CmpOp::Eq) return std::vector<uint64_t>{t.cmp.a};
        if (t.cmp.op == CmpOp::AnyOf) return t.cmp.list;
        if (t.cmp.op == CmpOp::Range && t.cmp.b >= t.cmp.a && t.cmp.b - t.cmp.a < 256) {
            std::vector<uint64_t> v;
            for (uint64_t x = t.cmp.a; x <= t.cmp.b; ++x)
                v.push_back(x);
            return v;
        }
    }
    return std::nullopt;
}

// The values a non-negated integer test on `f` allows, as one interval (a necessary condition).
std::optional<std::pair<uint64_t, uint64_t>> required_range(const Rule& r, const dissect::FieldDesc* f)
{
    for (const FieldTest& t : r.fields) {
        if (t.field != f || t.cmp.negated) continue;
        const IntMatch& m = t.cmp;
        switch (m.op) {
            case CmpOp::Eq:
                return std::pair{m.a, m.a};
            case CmpOp::Range:
                if (m.a <= m.b) return std::pair{m.a, m.b};
                break;
            case CmpOp::RangeExclusive:
                if (m.b > m.a + 1) return std::pair{m.a + 1, m.b - 1};
                break;
            case CmpOp::Lt:
                if (m.a > 0) return std::pair{uint64_t{0}, m.a - 1};
                break;
            case CmpOp::Le:
                return std::pair{uint64_t{0}, m.a};
            case CmpOp::Gt:
                if (m.a < UINT64_MAX) return std::pair{m.a + 1, UINT64_MAX};
                break;
            case CmpOp::Ge:
                return std::pair{m.a, UINT64_MAX};
            case CmpOp::AnyOf:
                if (!m.list.empty())
                    return std::pair{*std::min_element(m.list.begin(), m.list.end()),
                                     *std::max_element(m.list.begin(), m.list.end())};
                break;
            case CmpOp::Ne:
            case CmpOp::MaskAny:
                break;
        }
    }
    return std::nullopt;
}

// Moves the bucket's rules that require a range of its most tested integer field (other than
// the key) into the bucket's sorted range list.
void index_ranges(RuleSet::Bucket& b, const std::vector<CompiledRule>& rules, const dissect::FieldDesc* key)
{
    std::unordered_map<const dissect::FieldDesc*, size_t> votes;
    for (const uint32_t idx : b.rules)
        for (const FieldTest& t : rules[idx].rule.fields)
            if (t.field != key && t.field->type != dissect::FieldType::String &&
                t.field->type != dissect::FieldType::Name && t.field->type != dissect::FieldType::Bytes &&
                required_range(rules[idx].rule, t.field))
                ++votes[t.field];
    const dissect::FieldDesc* best = nullptr;
    size_t best_votes = 0;
    for (const auto& [f, n] : votes)
        if (n > best_votes || (n == best_votes && best != nullptr && f->index < best->index)) {
            best = f;
            best_votes = n;
        }
    if (best == nullptr || best_votes < 2) return;  // not worth a second look-up
    b.range_field = best;
    std::vector<uint32_t> rest;
    for (const uint32_t idx : b.rules) {
        if (const auto r = required_range(rules[idx].rule, best)) {
            b.ranges.push_back(RuleSet::Bucket::Range{r->first, r->second, idx});
        } else {
            rest.push_back(idx);
        }
    }
    b.rules = std::move(rest);
    std::sort(b.ranges.begin(), b.ranges.end(),
              [](const auto& x, const auto& y) { return x.lo != y.lo ? x.lo < y.lo : x.rule < y.rule; });
}

}  // namespace

std::shared_ptr<const RuleSet> RuleSet::compile(std::vector<Rule> rules, const Classifications& classes,
                                                std::vector<CompileError>& errors)
{
    const auto t0 = std::chrono::steady_clock::now();
    std::shared_ptr<RuleSet> set{new RuleSet{}};
    set->generation_ = next_generation.fetch_add(1);

    // Rules that set flowbits without testing any go first, so a rule testing a bit set by
    // another rule on the same packet sees it (the order Suricata and Snort use).
    std::stable_sort(rules.begin(), rules.end(), [](const Rule& a, const Rule& b) {
        auto setter = [](const Rule& r) {
            bool sets = false, tests = false;
            for (const Flowbit& f : r.flowbits) {
                tests = tests || f.op == FlowbitOp::IsSet || f.op == FlowbitOp::IsNotSet;
                sets =
                    sets || f.op == FlowbitOp::Set || f.op == FlowbitOp::Unset || f.op == FlowbitOp::Toggle;
            }
            return sets && !tests;
        };
        return setter(a) && !setter(b);
    });

    std::unordered_map<std::string, uint16_t> bit_ids;
    auto& stats = set->stats_;
    for (Rule& r : rules) {
        ++stats.rules;
        if (!r.unavailable.empty()) {
            ++stats.unavailable;
            continue;
        }
        CompiledRule c;
        std::string error;
        auto program = PayloadProgram::compile(r.payload, error);
        if (!program) {
            errors.push_back(CompileError{r.file, r.line, r.sid, error, r.text});
            continue;
        }
        c.program = std::move(*program);
        c.uses_pcre2 = c.program.uses_pcre2();
        if (c.uses_pcre2) ++stats.pcre2_fallbacks;
        uint8_t class_priority = 3;
        if (!r.classtype.empty()) {
            if (const ClassType* ct = classes.find(r.classtype); ct != nullptr) {
                c.category = ct->description;
                class_priority = ct->priority;
            }
        }
        c.severity = severity_of(r, class_priority);
        for (const Flowbit& f : r.flowbits) {
            if (f.op == FlowbitOp::NoAlert) c.noalert = true;
            for (const std::string& name : f.names) {
                auto [it, added] = bit_ids.try_emplace(name, static_cast<uint16_t>(bit_ids.size()));
                if (added) set->flowbit_names_.push_back(name);
                c.flowbit_ids.push_back(it->second);
            }
        }
        c.index = static_cast<uint32_t>(set->rules_.size());
        c.rule = std::move(r);
        set->rules_.push_back(std::move(c));
    }

    // Distribute the rules over the groups.
    std::vector<std::pair<Group*, uint32_t>> pattern_members;
    for (const CompiledRule& c : set->rules_) {
        const Rule& r = c.rule;
        if (!r.app_events.empty()) {
            ++stats.event_rules;
            for (const AppEvent& e : r.app_events)
                set->events_[static_cast<uint32_t>(e.proto) << 16 | e.code].push_back(c.index);
            continue;
        }
        if (is_transaction_rule(r)) {
            ++stats.transaction_rules;
            const Protocol p = r.app;
            auto& pr = set->by_protocol_[static_cast<size_t>(p)];
            if (pr.key == nullptr) pr.key = key_field(p);
            if (auto values = key_values(r, pr.key)) {
                for (const uint64_t v : *values)
                    pr.by_key[v].rules.push_back(c.index);
            } else {
                pr.unindexed.rules.push_back(c.index);
            }
            continue;
        }
        ++stats.packet_rules;
        const auto port = group_port(r);
        for (const size_t t : transport_classes(r)) {
            TransportGroups& tg = set->packet_[t];
            if (port) {
                pattern_members.emplace_back(&tg.by_port[*port], c.index);
            } else {
                pattern_members.emplace_back(&tg.any, c.index);
            }
        }
    }
    for (ProtocolRules& pr : set->by_protocol_) {
        index_ranges(pr.unindexed, set->rules_, pr.key);
        for (auto& [value, bucket] : pr.by_key)
            index_ranges(bucket, set->rules_, pr.key);
    }
    // A port group also holds every any-port rule of its transport, so a packet meets one group
    // and one scan.
    for (size_t t = 0; t < set->packet_.size(); ++t) {
        TransportGroups& tg = set->packet_[t];
        for (auto& [port, group] : tg.by_port) {
            for (const auto& [g, idx] : std::vector(pattern_members)) {
                if (g == &tg.any) pattern_members.emplace_back(&group, idx);
            }
        }
    }
    std::unordered_map<Group*, std::vector<uint32_t>> members;
    for (const auto& [g, idx] : pattern_members)
        members[g].push_back(idx);
    for (auto& [g, idxs] : members) {
        std::sort(idxs.begin(), idxs.end());
        idxs.erase(std::unique(idxs.begin(), idxs.end()), idxs.end());
        for (const uint32_t idx : idxs) {
            const Content* fp = fast_pattern(set->rules_[idx].rule);
            if (fp == nullptr) {
                g->always.push_back(idx);
                continue;
            }
            g->db.add(static_cast<uint32_t>(g->by_pattern.size()), fp->bytes, fp->nocase);
            g->by_pattern.push_back(idx);
            ++stats.prefilter_patterns;
        }
        std::string error;
        if (!g->db.compile(error)) {
            // A literal database failing is our bug, not the rule's: evaluate the group's rules
            // without the prefilter rather than lose them.
            errors.push_back(CompileError{"", 0, 0, "prefilter database: " + error, {}});
            g->always.insert(g->always.end(), g->by_pattern.begin(), g->by_pattern.end());
            std::sort(g->always.begin(), g->always.end());
            g->by_pattern.clear();
        } else if (!g->by_pattern.empty()) {
            ++stats.databases;
            stats.hs_bytes += g->db.size_bytes();
        }
    }
    for (CompiledRule& c : set->rules_) {
        c.has_fast_pattern = fast_pattern(c.rule) != nullptr;
        stats.hs_bytes += c.program.hs_bytes();
    }
    stats.compile_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return set;
}

void RuleSet::reserve(MatchScratch& scratch) const
{
    for (const TransportGroups& tg : packet_) {
        if (tg.any.db.database() != nullptr) scratch.reserve(tg.any.db.database());
        for (const auto& [port, g] : tg.by_port)
            if (g.db.database() != nullptr) scratch.reserve(g.db.database());
    }
    for (const CompiledRule& c : rules_)
        c.program.reserve(scratch);
}

const RuleSet::Group* RuleSet::packet_group(uint8_t ip_proto, uint16_t dst_port) const noexcept
{
    const TransportGroups& tg = packet_[transport_class(ip_proto)];
    if (const auto it = tg.by_port.find(dst_port); it != tg.by_port.end()) return &it->second;
    return &tg.any;
}

const std::vector<uint32_t>* RuleSet::event_rules(Protocol p, uint16_t code) const noexcept
{
    const auto it = events_.find(static_cast<uint32_t>(p) << 16 | code);
    return it == events_.end() ? nullptr : &it->second;
}

}  // namespace otsentry::rules
