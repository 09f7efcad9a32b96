#include "app/evidence.h"

#include <algorithm>
#include <cstring>

namespace otsentry::app {

namespace {

// libpcap's LINKTYPE_ values (www.tcpdump.org/linktypes.html) of the link types we read.
uint32_t linktype(capture::LinkType link) noexcept
{
    switch (link) {
        case capture::LinkType::Ethernet:
            return 1;
        case capture::LinkType::LinuxSll:
            return 113;
        case capture::LinkType::LinuxSll2:
            return 276;
        case capture::LinkType::RawIp:
            return 101;
        case capture::LinkType::RawIpv4:
            return 228;
        case capture::LinkType::RawIpv6:
            return 229;
        case capture::LinkType::Null:
            return 0;
        case capture::LinkType::Loop:
            return 108;
    }
    return 1;
}

template <typename T>
void put(std::string& out, T v)
{
    // The classic pcap format in the writer's byte order; the magic number tells readers which.
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out.append(b, sizeof(T));
}

void put_header(std::string& out, capture::LinkType link, uint32_t snaplen)
{
    put<uint32_t>(out, 0xa1b2c3d4u);  // microsecond timestamps
    put<uint16_t>(out, 2);
    put<uint16_t>(out, 4);
    put<int32_t>(out, 0);
    put<uint32_t>(out, 0);
    put<uint32_t>(out, snaplen);
    put<uint32_t>(out, linktype(link));
}

void put_record(std::string& out, int64_t ts_us, uint32_t wire_len, std::span<const uint8_t> data)
{
    const int64_t secs = ts_us >= 0 ? ts_us / 1'000'000 : (ts_us - 999'999) / 1'000'000;
    put<uint32_t>(out, static_cast<uint32_t>(secs));
    put<uint32_t>(out, static_cast<uint32_t>(ts_us - secs * 1'000'000));
    put<uint32_t>(out, static_cast<uint32_t>(data.size()));
    put<uint32_t>(out, std::max<uint32_t>(wire_len, static_cast<uint32_t>(data.size())));
    out.append(reinterpret_cast<const char*>(data.data()), data.size());
}

}  // namespace

bool EvidenceBudget::take(size_t bytes) noexcept
{
    if (stats_.bytes_held + bytes > cfg_.budget_bytes) return false;
    stats_.bytes_held += bytes;
    return true;
}

EvidenceRing::~EvidenceRing()
{
    budget_.give_back(reserved_);
}

void EvidenceRing::add(const capture::RawPacket& pkt)
{
    const EvidenceConfig& cfg = budget_.config();
    if (refused_ || cfg.packets == 0) return;
    if (slots_.empty()) {
        // The whole ring's worst case is reserved at once, so a flow either keeps evidence for
        // its whole life or never does: no half rings when the budget runs out.
        const size_t need = size_t{cfg.packets} * (cfg.snaplen + sizeof(Slot));
        if (!budget_.take(need)) {
            refused_ = true;
            ++budget_.stats().flows_without;
            return;
        }
        reserved_ = need;
        slots_.resize(cfg.packets);
    }
    if (count_ != 0 && pkt.link != link_) count_ = 0;  // one pcap file holds one link type
    Slot& s = slots_[next_];
    const size_t n = std::min<size_t>(pkt.data.size(), cfg.snaplen);
    s.ts_us = pkt.ts_us;
    s.wire_len = pkt.wire_len;
    s.data.assign(pkt.data.begin(), pkt.data.begin() + static_cast<std::ptrdiff_t>(n));
    link_ = pkt.link;
    next_ = (next_ + 1) % slots_.size();
    count_ = std::min(count_ + 1, slots_.size());
}

std::string EvidenceRing::pcap() const
{
    if (count_ == 0) return {};
    std::string out;
    put_header(out, link_, budget_.config().snaplen);
    const size_t first = (next_ + slots_.size() - count_) % slots_.size();
    for (size_t i = 0; i < count_; ++i) {
        const Slot& s = slots_[(first + i) % slots_.size()];
        put_record(out, s.ts_us, s.wire_len, s.data);
    }
    return out;
}

std::string single_packet_pcap(const capture::RawPacket& pkt, uint32_t snaplen)
{
    std::string out;
    put_header(out, pkt.link, snaplen);
    put_record(out, pkt.ts_us, pkt.wire_len, pkt.data.first(std::min<size_t>(pkt.data.size(), snaplen)));
    return out;
}

}  // namespace otsentry::app
