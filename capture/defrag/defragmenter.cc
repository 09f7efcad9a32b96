// Defragmenter: datagrams in a hash map, each also on a list per IP version kept in creation
// order, so expiry looks only at the list heads and eviction takes the older head. A datagram
// keeps its fragments' ranges as they arrived (for the duplicate and containment rules) and its
// bytes as sorted, non-overlapping pieces appended to one buffer: the bytes seen first win, and
// memory grows with the bytes received, not with the offsets an attacker picks.
#include "capture/defrag/defragmenter.h"
#include "capture/decode/hash.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <list>
#include <numeric>
#include <unordered_map>
#include <vector>

namespace otsentry::capture {

namespace {

constexpr size_t ipv4_min_header_len = 20;
constexpr size_t ipv6_header_len = 40;
constexpr size_t ipv6_fragment_header_len = 8;
constexpr uint8_t ipv6_fragment = 44;
constexpr uint16_t ipv4_more_fragments = 0x2000;
constexpr uint16_t ipv4_offset_mask = 0x1fff;
constexpr uint16_t ipv4_flags_kept = 0xc000;  // the reserved bit and DF survive reassembly
constexpr uint8_t proto_icmp = 1, proto_tcp = 6, proto_udp = 17, proto_icmpv6 = 58;
constexpr size_t tcp_min_header_len = 20;
constexpr size_t udp_header_len = 8;
constexpr size_t icmp_header_len = 8;
constexpr unsigned max_extension_headers = 8;  // as capture/decode/ipv6.cc
// Bookkeeping charged against the memory cap besides the bytes held.
constexpr size_t tracker_cost = 256;
constexpr size_t fragment_cost = 32;

uint16_t be16(std::span<const uint8_t> b, size_t at) noexcept
{
    return static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
}

uint32_t be32(std::span<const uint8_t> b, size_t at) noexcept
{
    return uint32_t{be16(b, at)} << 16 | be16(b, at + 2);
}

void put16(std::span<uint8_t> b, size_t at, uint16_t v) noexcept
{
    b[at] = static_cast<uint8_t>(v >> 8);
    b[at + 1] = static_cast<uint8_t>(v);
}

// RFC 791 header checksum: ones' complement of the ones' complement sum of the 16-bit words.
uint16_t ipv4_checksum(std::span<const uint8_t> header) noexcept
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < header.size(); i += 2)
        sum += be16(header, i);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

// Length of the IPv6 extension header `nh` at the start of `b`; 0 when `nh` is not an extension
// header (the chain ends) or the header runs past `b`. The kinds are those decode_ipv6 follows.
size_t ipv6_ext_len(uint8_t nh, std::span<const uint8_t> b) noexcept
{
    size_t len = 0;
    switch (nh) {
        case 0:    // hop-by-hop options
        case 43:   // routing
        case 60:   // destination options
        case 135:  // mobility
            if (b.size() < 2) return 0;
            len = (size_t{b[1]} + 1) * 8;
            break;
        case 51:  // AH: length in 4-byte units (RFC 4302)
            if (b.size() < 2) return 0;
            len = (size_t{b[1]} + 2) * 4;
            break;
        case ipv6_fragment:
            len = ipv6_fragment_header_len;
            break;
        default:
            return 0;
    }
    return len <= b.size() ? len : 0;
}

bool is_ipv6_ext(uint8_t nh) noexcept
{
    return nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 51 || nh == ipv6_fragment;
}

// One fragment as its packet describes it.
struct Parsed {
    uint32_t id = 0;
    uint32_t offset = 0;  // bytes
    bool more = false;
    uint8_t next = 0;  // IPv4: protocol; IPv6: the fragment header's next header
    // IPv4: the IP header. IPv6: the IPv6 header and the extension headers before the fragment
    // header, with `next_pos` the byte among them that names the fragment header.
    std::span<const uint8_t> unfragmentable;
    size_t next_pos = 0;
    std::span<const uint8_t> payload;  // the fragmentable bytes this fragment carries
};

bool parse_ipv4(std::span<const uint8_t> l3, Parsed& p) noexcept
{
    if (l3.size() < ipv4_min_header_len || (l3[0] >> 4) != 4) return false;
    const size_t header_len = size_t{l3[0] & 0x0fu} * 4;
    if (header_len < ipv4_min_header_len || header_len > l3.size()) return false;
    const uint16_t flags_offset = be16(l3, 6);
    p.id = be16(l3, 4);
    p.offset = static_cast<uint32_t>(flags_offset & ipv4_offset_mask) * 8;
    p.more = (flags_offset & ipv4_more_fragments) != 0;
    p.next = l3[9];
    p.unfragmentable = l3.first(header_len);
    p.payload = l3.subspan(header_len);
    return true;
}

bool parse_ipv6(std::span<const uint8_t> l3, Parsed& p) noexcept
{
    if (l3.size() < ipv6_header_len || (l3[0] >> 4) != 6) return false;
    size_t next_pos = 6;
    size_t at = ipv6_header_len;
    for (unsigned n = 0; n <= max_extension_headers; ++n) {
        const uint8_t nh = l3[next_pos];
        if (nh == ipv6_fragment) {
            if (l3.size() - at < ipv6_fragment_header_len) return false;
            const uint16_t offset_flags = be16(l3, at + 2);
            p.next = l3[at];
            p.offset = offset_flags & 0xfff8u;  // 13-bit offset in 8-byte units, already shifted by 3
            p.more = (offset_flags & 0x1) != 0;
            p.id = be32(l3, at + 4);
            p.unfragmentable = l3.first(at);
            p.next_pos = next_pos;
            p.payload = l3.subspan(at + ipv6_fragment_header_len);
            return true;
        }
        const size_t len = ipv6_ext_len(nh, l3.subspan(at));
        if (len == 0) return false;
        next_pos = at;
        at += len;
    }
    return false;
}

// What the first fragment shows of the transport layer.
struct FirstFragmentL4 {
    bool complete = true;  // the header chain and the transport header fit in the fragment
    uint8_t proto = 0;
    bool has_ports = false;
    uint16_t src_port = 0, dst_port = 0;
};

// RFC 1858 (TCP: the first fragment must hold the whole TCP header, options included) and RFC
// 7112 (IPv6: the first fragment must hold the whole header chain through the upper-layer
// header). UDP and ICMP headers are 8 bytes; other protocols are not checked.
FirstFragmentL4 first_fragment_l4(uint8_t version, uint8_t next, std::span<const uint8_t> payload) noexcept
{
    FirstFragmentL4 l4;
    uint8_t proto = next;
    size_t at = 0;
    if (version == 6) {
        for (unsigned n = 0; is_ipv6_ext(proto) && n < max_extension_headers; ++n) {
            const size_t len = ipv6_ext_len(proto, payload.subspan(at));
            if (len == 0) {
                l4.complete = false;
                l4.proto = proto;
                return l4;
            }
            proto = payload[at];
            at += len;
        }
    }
    l4.proto = proto;
    const size_t avail = payload.size() - at;
    size_t need = 0;
    if (proto == proto_tcp) {
        need = tcp_min_header_len;
        if (avail > 12) need = std::max(need, static_cast<size_t>(payload[at + 12] >> 4) * 4);
    } else if (proto == proto_udp) {
        need = udp_header_len;
    } else if (proto == proto_icmp || proto == proto_icmpv6) {
        need = icmp_header_len;
    }
    l4.complete = avail >= need;
    if ((proto == proto_tcp || proto == proto_udp) && avail >= 4) {
        l4.has_ports = true;
        l4.src_port = be16(payload, at);
        l4.dst_port = be16(payload, at + 2);
    }
    return l4;
}

struct DefragKey {
    IpAddr src, dst;
    uint32_t id = 0;
    std::array<uint16_t, 2> vlan{};
    uint8_t vlan_count = 0;
    uint8_t proto = 0;  // IPv4 only: RFC 791 keys on the protocol, RFC 8200 does not
    uint8_t version = 0;

    friend bool operator==(const DefragKey&, const DefragKey&) = default;
};

constexpr auto mix = hash_mix;

struct KeyHash {
    size_t operator()(const DefragKey& k) const noexcept
    {
        uint64_t h = mix(load64(k.src.bytes.data()) ^ 0x9e3779b97f4a7c15ULL);
        h = mix(h ^ load64(k.src.bytes.data() + 8));
        h = mix(h ^ load64(k.dst.bytes.data()));
        h = mix(h ^ load64(k.dst.bytes.data() + 8));
        h = mix(h ^ (uint64_t{k.id} | uint64_t{k.proto} << 32 | uint64_t{k.version} << 40 |
                     uint64_t{k.vlan_count} << 48));
        h = mix(h ^ (uint64_t{k.vlan[0]} | uint64_t{k.vlan[1]} << 16));
        return static_cast<size_t>(h);
    }
};

struct Range {
    uint32_t begin = 0, end = 0;
    friend bool operator==(const Range&, const Range&) = default;
};

// A fragment as it arrived: its range and a digest of its bytes (FNV-1a), so that once the
// datagram is complete a late copy is told apart from a new datagram reusing the identification.
struct Received {
    Range range;
    uint64_t digest = 0;
};

uint64_t digest_of(std::span<const uint8_t> bytes) noexcept
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const uint8_t b : bytes)
        h = (h ^ b) * 0x100000001b3ULL;
    return h;
}

// Datagram bytes [begin, end) are bytes[at, at + end - begin).
struct Piece {
    uint32_t begin = 0, end = 0;
    uint32_t at = 0;
};

enum class State : uint8_t {
    Live,       // collecting fragments
    Done,       // reassembled: remembered until its timeout so late duplicates are not a new datagram
    Discarded,  // an anomaly discarded it: later fragments are dropped quietly until its timeout
};

struct Tracker {
    DefragKey key;
    int64_t first_us = 0, deadline_us = 0;
    PacketCtx last;  // the latest fragment
    State state = State::Live;
    uint8_t frag_next = 0;           // IPv6: the fragment header's next header of the first fragment seen
    std::vector<Received> received;  // distinct fragment ranges as they arrived
    std::vector<Piece> pieces;       // sorted by begin, never overlapping
    std::vector<uint8_t> bytes;
    // From the offset-0 fragment: the unfragmentable part (IPv4 header, or IPv6 header + the
    // extension headers before the fragment header), and for IPv6 the next header to restore.
    std::vector<uint8_t> header;
    size_t next_pos = 0;
    uint8_t next = 0;
    FirstFragmentL4 l4;  // from the first offset-0 fragment, once one came (l4_known)
    bool l4_known = false;
    bool first_seen = false;  // an offset-0 fragment was accepted: `header` is set
    bool end_known = false;
    bool tiny_reported = false;
    uint32_t end = 0;      // datagram payload length, once the last fragment came
    uint32_t max_end = 0;  // furthest byte received
    uint32_t covered = 0;  // bytes held
    size_t fragments = 0;  // received, duplicates included
    size_t charged = 0;    // bytes counted against the cap
};

bool has_range(const std::vector<Received>& v, Range r) noexcept
{
    return std::any_of(v.begin(), v.end(), [r](const Received& x) { return x.range == r; });
}

bool has_copy(const std::vector<Received>& v, Range r, uint64_t digest) noexcept
{
    return std::any_of(v.begin(), v.end(),
                       [r, digest](const Received& x) { return x.range == r && x.digest == digest; });
}

// One fragment lies inside another (or the other way round) without being its duplicate: a
// sender cuts a datagram once, so its fragments never nest.
bool nests(const std::vector<Received>& v, Range r) noexcept
{
    if (r.begin == r.end) return false;
    return std::any_of(v.begin(), v.end(), [r](const Received& x) {
        const Range o = x.range;
        if (o.begin == o.end || o == r) return false;
        return (o.begin <= r.begin && r.end <= o.end) || (r.begin <= o.begin && o.end <= r.end);
    });
}

}  // namespace

uint64_t DefragStats::total_anomalies() const noexcept
{
    return std::accumulate(anomalies.begin(), anomalies.end(), uint64_t{0});
}

struct Defragmenter::Impl {
    using List = std::list<Tracker>;

    Impl(const DefragConfig& c, DefragStats& s) : cfg{c}, stats{s}
    {
        // The largest datagram we build; reserved once so completing one never allocates.
        out.reserve(ipv6_header_len + 65535 + 256);
    }

    std::span<const uint8_t> add(const Decoded& d, const PacketCtx& ctx, DefragSink& sink);
    void expire(int64_t now_us, DefragSink& sink);
    void flush();

    Tracker* find(const DefragKey& key)
    {
        const auto it = index.find(key);
        return it == index.end() ? nullptr : &*it->second;
    }
    Tracker& create(const DefragKey& key, const Parsed& p, int64_t ts_us, DefragSink& sink);
    void remove(Tracker& t);
    void charge(Tracker& t);
    void release(Tracker& t, State state);
    bool evict_oldest(const Tracker* keep, DefragSink& sink);
    bool make_room(size_t need, const Tracker& keep, DefragSink& sink);
    void raise(const Tracker& t, DefragAnomaly a, const PacketCtx& ctx, DefragSink& sink);
    std::span<const uint8_t> reject(Tracker& t, DefragAnomaly a, const PacketCtx& ctx, DefragSink& sink);
    std::span<const uint8_t> complete(Tracker& t);
    std::span<const uint8_t> whole(uint8_t version, const Parsed& p);

    const DefragConfig& cfg;
    DefragStats& stats;
    std::array<List, 2> lists;  // IPv4, IPv6; creation order is deadline order
    std::unordered_map<DefragKey, List::iterator, KeyHash> index;
    std::vector<Range> gaps;  // scratch: the parts of a fragment not held yet
    std::vector<uint8_t> out;
};

Tracker& Defragmenter::Impl::create(const DefragKey& key, const Parsed& p, int64_t ts_us, DefragSink& sink)
{
    while ((index.size() >= cfg.max_datagrams || stats.bytes_held + tracker_cost > cfg.memcap) &&
           evict_oldest(nullptr, sink)) {}
    const bool v4 = key.version == 4;
    List& list = lists[v4 ? 0 : 1];
    Tracker& t = list.emplace_back();
    t.key = key;
    t.first_us = ts_us;
    t.deadline_us = ts_us + (v4 ? cfg.ipv4_timeout_us : cfg.ipv6_timeout_us);
    t.frag_next = p.next;
    index.emplace(key, std::prev(list.end()));
    stats.active = index.size();
    stats.peak_active = std::max(stats.peak_active, stats.active);
    charge(t);
    return t;
}

void Defragmenter::Impl::remove(Tracker& t)
{
    stats.bytes_held -= t.charged;
    const auto it = index.find(t.key);
    lists[t.key.version == 4 ? 0 : 1].erase(it->second);
    index.erase(it);
    stats.active = index.size();
}

void Defragmenter::Impl::charge(Tracker& t)
{
    const size_t now = tracker_cost + t.header.size() + t.bytes.size() +
                       fragment_cost * (t.received.size() + t.pieces.size());
    stats.bytes_held = stats.bytes_held - t.charged + now;
    t.charged = now;
    stats.peak_bytes_held = std::max(stats.peak_bytes_held, stats.bytes_held);
}

// Frees what a datagram holds, keeping its key and deadline (and for a completed one, its
// fragment ranges, to recognise late duplicates).
void Defragmenter::Impl::release(Tracker& t, State state)
{
    t.state = state;
    std::vector<Piece>().swap(t.pieces);
    std::vector<uint8_t>().swap(t.bytes);
    std::vector<uint8_t>().swap(t.header);
    if (state != State::Done) std::vector<Received>().swap(t.received);
    charge(t);
}

// Drops the oldest datagram other than `keep`. Losing an incomplete one is an anomaly; a
// completed or discarded one goes quietly.
bool Defragmenter::Impl::evict_oldest(const Tracker* keep, DefragSink& sink)
{
    Tracker* oldest = nullptr;
    for (List& list : lists) {
        for (Tracker& t : list) {
            if (&t == keep) continue;
            if (oldest == nullptr || t.first_us < oldest->first_us) oldest = &t;
            break;
        }
    }
    if (oldest == nullptr) return false;
    if (oldest->state == State::Live) {
        ++stats.memcap_drops;
        raise(*oldest, DefragAnomaly::Memcap, oldest->last, sink);
    }
    remove(*oldest);
    return true;
}

bool Defragmenter::Impl::make_room(size_t need, const Tracker& keep, DefragSink& sink)
{
    while (stats.bytes_held + need > cfg.memcap)
        if (!evict_oldest(&keep, sink)) return false;
    return true;
}

void Defragmenter::Impl::raise(const Tracker& t, DefragAnomaly a, const PacketCtx& ctx, DefragSink& sink)
{
    ++stats.anomalies[anomaly_index(a)];
    DefragReport r;
    r.anomaly = a;
    r.ctx = ctx;
    r.ip_version = t.key.version;
    r.ip_proto = t.key.version == 4 ? t.key.proto : (t.l4_known ? t.l4.proto : t.frag_next);
    r.src = t.key.src;
    r.dst = t.key.dst;
    r.id = t.key.id;
    r.vlan = t.key.vlan;
    r.vlan_count = t.key.vlan_count;
    if (t.l4_known && t.l4.has_ports) {
        r.src_port = t.l4.src_port;
        r.dst_port = t.l4.dst_port;
    }
    sink.on_defrag_anomaly(r);
}

std::span<const uint8_t> Defragmenter::Impl::reject(Tracker& t, DefragAnomaly a, const PacketCtx& ctx,
                                                    DefragSink& sink)
{
    raise(t, a, ctx, sink);
    ++stats.discarded;
    release(t, State::Discarded);
    return {};
}

std::span<const uint8_t> Defragmenter::Impl::complete(Tracker& t)
{
    const size_t header_len = t.header.size();
    out.assign(t.header.begin(), t.header.end());
    out.resize(header_len + t.end);
    for (const Piece& p : t.pieces)
        std::memcpy(out.data() + header_len + p.begin, t.bytes.data() + p.at, p.end - p.begin);
    const std::span<uint8_t> h{out.data(), header_len};
    if (t.key.version == 4) {
        put16(h, 2, static_cast<uint16_t>(header_len + t.end));
        put16(h, 6, be16(h, 6) & ipv4_flags_kept);  // MF 0, offset 0
        put16(h, 10, 0);
        put16(h, 10, ipv4_checksum(h));
    } else {
        put16(h, 4, static_cast<uint16_t>(header_len - ipv6_header_len + t.end));
        h[t.next_pos] = t.next;  // RFC 8200 §4.5: from the first fragment's fragment header
    }
    ++stats.reassembled;
    release(t, State::Done);
    return out;
}

// An IPv6 atomic fragment (RFC 6946): the packet without its fragment header.
std::span<const uint8_t> Defragmenter::Impl::whole(uint8_t version, const Parsed& p)
{
    out.assign(p.unfragmentable.begin(), p.unfragmentable.end());
    out.insert(out.end(), p.payload.begin(), p.payload.end());
    if (version == 6) {
        put16(out, 4, static_cast<uint16_t>(out.size() - ipv6_header_len));
        out[p.next_pos] = p.next;
    }
    return out;
}

std::span<const uint8_t> Defragmenter::Impl::add(const Decoded& d, const PacketCtx& ctx, DefragSink& sink)
{
    ++stats.fragments;
    Parsed p;
    const bool v4 = d.ip_version == 4;
    if (!(v4 ? parse_ipv4(d.l3, p) : d.ip_version == 6 && parse_ipv6(d.l3, p))) {
        ++stats.dropped_fragments;
        return {};
    }
    if (!p.more && p.offset == 0) return whole(d.ip_version, p);

    DefragKey key;
    key.src = d.src;
    key.dst = d.dst;
    key.id = p.id;
    key.vlan = d.vlan;
    key.vlan_count = d.vlan_count;
    key.proto = v4 ? p.next : 0;
    key.version = d.ip_version;

    const size_t end = size_t{p.offset} + p.payload.size();
    // A fragment cannot reach past 0x1fff * 8 + 65535; stored as uint32_t, checked below.
    const Range r{p.offset, static_cast<uint32_t>(end)};

    const uint64_t digest = digest_of(p.payload);
    Tracker* t = find(key);
    if (t != nullptr && t->state == State::Done) {
        if (has_copy(t->received, r, digest)) {
            ++stats.overlaps;
            ++stats.duplicates;
            ++stats.dropped_fragments;
            return {};
        }
        remove(*t);  // the identification is in use again: a new datagram
        t = nullptr;
    }
    if (t != nullptr && t->state == State::Discarded) {
        t->last = ctx;
        ++stats.dropped_fragments;
        return {};
    }
    if (t == nullptr) t = &create(key, p, ctx.ts_us, sink);
    t->last = ctx;
    if (d.truncated) {
        // Cut by the snap length: the datagram can never be whole. Not the sender's doing, so
        // no anomaly, and its other fragments are dropped quietly.
        ++stats.truncated;
        release(*t, State::Discarded);
        return {};
    }

    // The first fragment names the transport layer, for reports even if it is rejected below.
    if (r.begin == 0 && !t->l4_known) {
        t->l4 = first_fragment_l4(d.ip_version, p.next, p.payload);
        t->l4_known = true;
    }

    // Limits and shape, in this order: the first rule broken discards the datagram.
    if (++t->fragments > cfg.max_fragments) return reject(*t, DefragAnomaly::TooManyFragments, ctx, sink);
    const size_t size = v4 ? p.unfragmentable.size() + end : p.unfragmentable.size() - ipv6_header_len + end;
    if (size > (v4 ? cfg.max_ipv4_datagram : cfg.max_ipv6_payload))
        return reject(*t, DefragAnomaly::Oversize, ctx, sink);
    if (nests(t->received, r)) return reject(*t, DefragAnomaly::Teardrop, ctx, sink);
    const bool bad_end = p.more ? (p.payload.size() % 8 != 0 || (t->end_known && r.end > t->end))
                                : ((t->end_known && t->end != r.end) || t->max_end > r.end);
    if (bad_end) return reject(*t, DefragAnomaly::InconsistentEnd, ctx, sink);

    // The parts of this fragment not held yet, and whether the held parts it overlaps agree.
    gaps.clear();
    bool overlap = false, conflict = false;
    uint32_t cur = r.begin;
    for (const Piece& piece : t->pieces) {
        if (cur >= r.end) break;
        if (piece.end <= cur) continue;
        if (piece.begin >= r.end) break;
        if (piece.begin > cur) gaps.push_back({cur, piece.begin});
        const uint32_t from = std::max(cur, piece.begin);
        const uint32_t to = std::min(r.end, piece.end);
        overlap = true;
        conflict = conflict || std::memcmp(t->bytes.data() + piece.at + (from - piece.begin),
                                           p.payload.data() + (from - r.begin), to - from) != 0;
        cur = to;
    }
    if (cur < r.end) gaps.push_back({cur, r.end});

    size_t need = fragment_cost * (1 + gaps.size());
    for (const Range& g : gaps)
        need += g.end - g.begin;
    if (r.begin == 0 && !t->first_seen) need += p.unfragmentable.size();
    if (!make_room(need, *t, sink)) {
        ++stats.memcap_drops;
        raise(*t, DefragAnomaly::Memcap, ctx, sink);
        remove(*t);
        return {};
    }

    if (overlap) {
        ++stats.overlaps;
        if (has_range(t->received, r)) ++stats.duplicates;
    }
    if (conflict) raise(*t, DefragAnomaly::OverlapConflict, ctx, sink);
    for (const Range& g : gaps) {
        t->pieces.push_back({g.begin, g.end, static_cast<uint32_t>(t->bytes.size())});
        const auto from = p.payload.begin() + (g.begin - r.begin);
        t->bytes.insert(t->bytes.end(), from, from + (g.end - g.begin));
        t->covered += g.end - g.begin;
    }
    if (!gaps.empty())
        std::sort(t->pieces.begin(), t->pieces.end(),
                  [](const Piece& a, const Piece& b) { return a.begin < b.begin; });
    if (!has_range(t->received, r)) t->received.push_back({r, digest});
    t->max_end = std::max(t->max_end, r.end);
    if (!p.more) {
        t->end_known = true;
        t->end = r.end;
    }

    // Tiny fragments (RFC 1858 §3, RFC 3128, RFC 7112): reported once per datagram; the
    // datagram is still reassembled, as the receiving host would.
    bool tiny = false;
    if (r.begin == 0 && !t->first_seen) {
        t->first_seen = true;
        t->header.assign(p.unfragmentable.begin(), p.unfragmentable.end());
        t->next = p.next;
        t->next_pos = p.next_pos;
        tiny = !t->l4.complete;
    }
    // A TCP fragment at offset 8 or 16 rewrites the TCP header of the first (RFC 1858 §4).
    if (p.next == proto_tcp && r.begin > 0 && r.begin < tcp_min_header_len) tiny = true;
    if (tiny && !t->tiny_reported) {
        t->tiny_reported = true;
        raise(*t, DefragAnomaly::TinyFragment, ctx, sink);
    }
    charge(*t);

    if (t->first_seen && t->end_known && t->covered == t->end) return complete(*t);
    return {};
}

void Defragmenter::Impl::expire(int64_t now_us, DefragSink& sink)
{
    for (List& list : lists) {
        while (!list.empty() && list.front().deadline_us <= now_us) {
            Tracker& t = list.front();
            if (t.state == State::Live) {
                ++stats.timeouts;
                raise(t, DefragAnomaly::Timeout, t.last, sink);
            }
            remove(t);
        }
    }
}

void Defragmenter::Impl::flush()
{
    for (List& list : lists) {
        for (const Tracker& t : list)
            if (t.state == State::Live) ++stats.incomplete_at_end;
        list.clear();
    }
    index.clear();
    stats.bytes_held = 0;
    stats.active = 0;
}

Defragmenter::Defragmenter(DefragConfig cfg) : cfg_{cfg}, impl_{std::make_unique<Impl>(cfg_, stats_)} {}

Defragmenter::~Defragmenter() = default;

std::span<const uint8_t> Defragmenter::add(const Decoded& frag, const PacketCtx& ctx, DefragSink& sink)
{
    return impl_->add(frag, ctx, sink);
}

void Defragmenter::expire(int64_t now_us, DefragSink& sink)
{
    impl_->expire(now_us, sink);
}

void Defragmenter::flush()
{
    impl_->flush();
}

}  // namespace otsentry::capture
