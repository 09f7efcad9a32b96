// FlowTable: a chained hash table over preallocated, index-linked nodes. Each flow is on one of
// three intrusive lists (open TCP, UDP, closed), each kept in last-seen order, so expiry walks
// from the oldest end and stops at the first live flow, and eviction takes the oldest head:
// both O(1) per flow. Nodes live in fixed-size chunks that are never moved, so a Flow* handed
// out stays valid until the flow leaves the table.
#include "capture/flow/flow_table.h"
#include "capture/decode/hash.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cstring>
#include <limits>
#include <tuple>

namespace otsentry::capture {

namespace {

constexpr uint32_t nil = std::numeric_limits<uint32_t>::max();
constexpr size_t chunk_bits = 10;
constexpr size_t chunk_size = size_t{1} << chunk_bits;
// Timeouts are checked at most this often in packet time: expire() is called per packet.
constexpr int64_t expire_interval_us = 1'000'000;

constexpr auto mix = hash_mix;

}  // namespace

uint64_t flow_id(uint64_t key_hash, int64_t first_ts_us) noexcept
{
    // 53 bits: exact in every JSON reader (IEEE doubles); never 0.
    const uint64_t id = mix(key_hash ^ mix(static_cast<uint64_t>(first_ts_us))) & ((uint64_t{1} << 53) - 1);
    return id != 0 ? id : 1;
}

uint64_t hash(const FlowKey& k) noexcept
{
    uint64_t h = mix(load64(k.a.bytes.data()) ^ 0x9e3779b97f4a7c15ULL);
    h = mix(h ^ load64(k.a.bytes.data() + 8));
    h = mix(h ^ load64(k.b.bytes.data()));
    h = mix(h ^ load64(k.b.bytes.data() + 8));
    h = mix(h ^ (uint64_t{k.a_port} | uint64_t{k.b_port} << 16 | uint64_t{k.ip_proto} << 32 |
                 uint64_t{k.vlan} << 40 | uint64_t{k.a.version} << 56));
    return h;
}

FlowKey flow_key_of(const Decoded& pkt) noexcept
{
    FlowKey k;
    k.ip_proto = pkt.ip_proto;
    k.vlan = pkt.vlan_count ? pkt.vlan[pkt.vlan_count - 1] : 0;
    const bool src_first = std::tie(pkt.src, pkt.src_port) <= std::tie(pkt.dst, pkt.dst_port);
    if (src_first) {
        k.a = pkt.src;
        k.a_port = pkt.src_port;
        k.b = pkt.dst;
        k.b_port = pkt.dst_port;
    } else {
        k.a = pkt.dst;
        k.a_port = pkt.dst_port;
        k.b = pkt.src;
        k.b_port = pkt.src_port;
    }
    return k;
}

struct FlowTable::Impl {
    enum ListId : uint8_t { TcpOpen = 0, Udp = 1, Closed = 2, ListCount = 3 };

    struct Node {
        Flow flow;
        uint64_t hash = 0;
        uint32_t chain_next = nil;        // hash bucket chain, or the free list
        uint32_t prev = nil, next = nil;  // last-seen list: prev is older
        uint8_t list = ListCount;
        std::array<bool, 2> fin{};  // FIN seen, per Direction
    };
    struct List {
        uint32_t head = nil;  // oldest
        uint32_t tail = nil;  // most recently seen
    };

    FlowConfig cfg;
    EndCallback on_end;
    FlowStats& stats;
    std::vector<std::unique_ptr<Node[]>> chunks;
    size_t allocated = 0;  // nodes ever handed out (free ones included)
    uint32_t free_head = nil;
    std::vector<uint32_t> buckets;
    uint64_t bucket_mask = 0;
    std::array<List, ListCount> lists{};
    std::bitset<65536> service_ports;
    bool expired_once = false;
    int64_t last_expire_us = 0;
    size_t count = 0;

    Impl(FlowConfig c, EndCallback cb, FlowStats& s) : cfg(std::move(c)), on_end(std::move(cb)), stats(s)
    {
        cfg.capacity = std::clamp<size_t>(cfg.capacity, 1, nil - 1);
        size_t n = 16;
        while (n < cfg.capacity)
            n <<= 1;
        buckets.assign(n, nil);
        bucket_mask = n - 1;
        chunks.reserve((cfg.capacity + chunk_size - 1) / chunk_size);
        for (uint16_t p : cfg.service_ports)
            service_ports.set(p);
    }

    Node& node(uint32_t i) noexcept { return chunks[i >> chunk_bits][i & (chunk_size - 1)]; }

    uint32_t alloc_node()
    {
        if (free_head != nil) {
            const uint32_t i = free_head;
            free_head = node(i).chain_next;
            return i;
        }
        if (allocated % chunk_size == 0) chunks.push_back(std::make_unique<Node[]>(chunk_size));
        return static_cast<uint32_t>(allocated++);
    }

    void list_unlink(uint32_t i) noexcept
    {
        Node& n = node(i);
        List& l = lists[n.list];
        (n.prev == nil ? l.head : node(n.prev).next) = n.next;
        (n.next == nil ? l.tail : node(n.next).prev) = n.prev;
        n.prev = n.next = nil;
        n.list = ListCount;
    }

    void list_append(uint32_t i, uint8_t list) noexcept
    {
        Node& n = node(i);
        List& l = lists[list];
        n.list = list;
        n.prev = l.tail;
        n.next = nil;
        (l.tail == nil ? l.head : node(l.tail).next) = i;
        l.tail = i;
    }

    uint32_t find(const FlowKey& key, uint64_t h) noexcept
    {
        for (uint32_t i = buckets[h & bucket_mask]; i != nil; i = node(i).chain_next) {
            const Node& n = node(i);
            if (n.hash == h && n.flow.key == key) return i;
        }
        return nil;
    }

    void bucket_remove(uint32_t i) noexcept
    {
        uint32_t* link = &buckets[node(i).hash & bucket_mask];
        while (*link != i)
            link = &node(*link).chain_next;
        *link = node(i).chain_next;
    }

    void end_flow(uint32_t i, FlowEnd why)
    {
        Node& n = node(i);
        if (on_end) on_end(n.flow, why);
        switch (why) {
            case FlowEnd::Closed:
                ++stats.closed;
                break;
            case FlowEnd::TimedOut:
                ++stats.timed_out;
                break;
            case FlowEnd::Evicted:
                ++stats.evicted;
                break;
            case FlowEnd::Shutdown:
                break;
        }
        list_unlink(i);
        bucket_remove(i);
        n.flow = Flow{};  // destroys the app's FlowData now, not when the slot is reused
        n.fin = {};
        n.chain_next = free_head;
        free_head = i;
        --count;
        --stats.active;
    }

    void evict_oldest()
    {
        uint32_t victim = nil;
        for (const List& l : lists) {
            if (l.head != nil &&
                (victim == nil || node(l.head).flow.last_ts_us < node(victim).flow.last_ts_us))
                victim = l.head;
        }
        if (victim != nil) end_flow(victim, FlowEnd::Evicted);
    }

    // Which side opened the flow, from its first packet (rules in flow_table.h on Flow).
    bool sender_is_client(const Decoded& pkt) const noexcept
    {
        if (pkt.l4 == L4::Tcp && (pkt.tcp_flags & tcp_flags::syn)) return !(pkt.tcp_flags & tcp_flags::ack);
        const bool src_service = service_ports.test(pkt.src_port);
        const bool dst_service = service_ports.test(pkt.dst_port);
        if (src_service != dst_service) return dst_service;
        if (pkt.src_port != pkt.dst_port) return pkt.src_port > pkt.dst_port;
        return true;
    }

    uint32_t create(const FlowKey& key, uint64_t h, const Decoded& pkt, int64_t now_us)
    {
        if (count >= cfg.capacity) evict_oldest();
        const uint32_t i = alloc_node();
        Node& n = node(i);
        n.hash = h;
        Flow& f = n.flow;
        f.id = flow_id(h, now_us);
        f.key = key;
        if (sender_is_client(pkt)) {
            f.client_ip = pkt.src;
            f.client_port = pkt.src_port;
            f.server_ip = pkt.dst;
            f.server_port = pkt.dst_port;
        } else {
            f.client_ip = pkt.dst;
            f.client_port = pkt.dst_port;
            f.server_ip = pkt.src;
            f.server_port = pkt.src_port;
        }
        f.first_ts_us = f.last_ts_us = now_us;
        n.chain_next = buckets[h & bucket_mask];
        buckets[h & bucket_mask] = i;
        list_append(i, pkt.l4 == L4::Tcp ? TcpOpen : Udp);
        ++count;
        ++stats.created;
        ++stats.active;
        stats.peak_active = std::max(stats.peak_active, stats.active);
        return i;
    }

    int64_t timeout_of(uint8_t list) const noexcept
    {
        switch (list) {
            case TcpOpen:
                return cfg.tcp_timeout_us;
            case Udp:
                return cfg.udp_timeout_us;
            default:
                return cfg.closed_timeout_us;
        }
    }
};

FlowTable::FlowTable(FlowConfig cfg, EndCallback on_end)
    : impl_(std::make_unique<Impl>(std::move(cfg), std::move(on_end), stats_))
{
}

FlowTable::~FlowTable() = default;

size_t FlowTable::size() const noexcept
{
    return impl_->count;
}

FlowTable::Lookup FlowTable::lookup(const Decoded& pkt, int64_t now_us)
{
    if (pkt.l4 != L4::Tcp && pkt.l4 != L4::Udp) return {};
    Impl& t = *impl_;
    const FlowKey key = flow_key_of(pkt);
    const uint64_t h = hash(key);
    const bool tcp = pkt.l4 == L4::Tcp;
    const bool new_syn = tcp && (pkt.tcp_flags & tcp_flags::syn) && !(pkt.tcp_flags & tcp_flags::ack);

    Lookup res;
    uint32_t i = t.find(key, h);
    // A new SYN on a finished connection is the port being reused: start a new flow rather than
    // feeding a new handshake into the old streams.
    if (i != nil && new_syn && t.node(i).flow.closed) {
        t.end_flow(i, FlowEnd::Closed);
        i = nil;
    }
    // A flow idle past its timeout ends here even if expire() has not run yet (it runs once per
    // second of packet time): whether a packet continues a flow or starts a new one depends only
    // on the flow's own packets, never on which other packets a table sees (one per worker).
    if (i != nil) {
        const Impl::Node& found = t.node(i);
        if (now_us - found.flow.last_ts_us > t.timeout_of(found.list)) {
            t.end_flow(i, found.list == Impl::Closed ? FlowEnd::Closed : FlowEnd::TimedOut);
            i = nil;
        }
    }
    if (i == nil) {
        i = t.create(key, h, pkt, now_us);
        res.created = true;
    }
    Impl::Node& n = t.node(i);
    Flow& f = n.flow;
    const bool to_server = pkt.src == f.client_ip && pkt.src_port == f.client_port;
    res.dir = to_server ? Direction::ToServer : Direction::ToClient;
    res.flow = &f;

    const unsigned d = index_of(res.dir);
    ++f.packets[d];
    f.bytes[d] += pkt.payload.size();
    f.last_ts_us = std::max(f.last_ts_us, now_us);
    if (tcp) {
        if (pkt.tcp_flags & tcp_flags::fin) n.fin[d] = true;
        if ((pkt.tcp_flags & tcp_flags::rst) || (n.fin[0] && n.fin[1])) f.closed = true;
    }
    t.list_unlink(i);
    t.list_append(i, f.closed ? Impl::Closed : (tcp ? Impl::TcpOpen : Impl::Udp));
    return res;
}

void FlowTable::expire(int64_t now_us)
{
    Impl& t = *impl_;
    if (t.expired_once && now_us - t.last_expire_us < expire_interval_us) return;
    t.expired_once = true;
    t.last_expire_us = now_us;
    for (uint8_t l = 0; l < Impl::ListCount; ++l) {
        const int64_t timeout = t.timeout_of(l);
        const FlowEnd why = l == Impl::Closed ? FlowEnd::Closed : FlowEnd::TimedOut;
        while (t.lists[l].head != nil) {
            const uint32_t i = t.lists[l].head;
            if (now_us - t.node(i).flow.last_ts_us <= timeout) break;
            t.end_flow(i, why);
        }
    }
}

void FlowTable::end_all(FlowEnd why)
{
    Impl& t = *impl_;
    for (auto& l : t.lists)
        while (l.head != nil)
            t.end_flow(l.head, why);
}

}  // namespace otsentry::capture
