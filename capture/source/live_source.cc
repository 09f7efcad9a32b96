// LiveSource: libpcap live capture on one or more interfaces, read through poll() so that one
// thread serves them all and next() returns within the configured timeout.
#include "capture/source/live_source.h"

#include <net/if.h>
#include <pcap.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "capture/source/link_types.h"

namespace otsentry::capture {

namespace {

using Clock = std::chrono::steady_clock;
using ErrBuf = std::array<char, PCAP_ERRBUF_SIZE>;

// libpcap's device that captures on every interface (Linux cooked capture); it has no ifindex.
constexpr std::string_view any_device = "any";

// What pcap_activate's error codes mean to the person starting the monitor.
std::string activate_error_reason(int rc, pcap_t* p, const std::string& name)
{
    switch (rc) {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            return "no such device";
        case PCAP_ERROR_PERM_DENIED:
            return "you don't have permission to capture (need root or CAP_NET_RAW)";
        case PCAP_ERROR_PROMISC_PERM_DENIED:
            return "you don't have permission to capture in promiscuous mode (need root or CAP_NET_RAW)";
        case PCAP_ERROR_IFACE_NOT_UP:
            return "interface is down (bring it up: ip link set " + name + " up)";
        default:
            break;
    }
    const char* msg = pcap_geterr(p);
    return std::string("cannot capture: ") + (msg != nullptr && *msg != '\0' ? msg : pcap_statustostr(rc));
}

std::string activate_warning(int rc, pcap_t* p, const std::string& name)
{
    switch (rc) {
        case PCAP_WARNING_PROMISC_NOTSUP:
            return name + ": promiscuous mode is not supported; only frames addressed to this host are seen";
        case PCAP_WARNING_TSTAMP_TYPE_NOTSUP:
            return name + ": the requested time stamp type is not supported";
        default:
            return name + ": " + pcap_geterr(p);
    }
}

// A filter that does not even parse is reported once, before any interface is opened (and so
// without needing the right to capture). It is compiled for each link type we decode and
// refused only when none accepts it: the real compile, for the interface's own link type,
// follows when the interface is open.
std::optional<std::string> filter_syntax_error(const std::string& expr, int snaplen)
{
    constexpr std::array<int, 4> dlts{DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW};
    std::optional<std::string> first_error;
    for (const int dlt : dlts) {
        pcap_t* dead = pcap_open_dead(dlt, snaplen);
        if (dead == nullptr) return std::nullopt;  // cannot check here; the real compile will
        bpf_program prog{};
        const bool ok = pcap_compile(dead, &prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0;
        if (ok)
            pcap_freecode(&prog);
        else if (!first_error)
            first_error = pcap_geterr(dead);
        pcap_close(dead);
        if (ok) return std::nullopt;
    }
    return first_error;
}

bool interface_exists(const std::string& name)
{
    return name == any_device || if_nametoindex(name.c_str()) != 0;
}

std::string bad_filter(const std::string& expr)
{
    return "bad BPF filter '" + expr + "'";
}

}  // namespace

struct LiveSource::Handle {
    std::string name;
    pcap_t* pcap = nullptr;
    int fd = -1;
    LinkType link = LinkType::Ethernet;
    uint64_t packets = 0;
    bool poll_error = false;  // poll() said POLLERR/POLLHUP: look at it once the ring is drained
    bool down = false;        // the link went down; the kernel resumes the capture when it is up
    // pcap_stats counters are 32-bit (u_int) and wrap; the totals are widened by adding deltas.
    pcap_stat last{};
    InterfaceStats total;

    Handle() = default;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle()
    {
        if (pcap != nullptr) pcap_close(pcap);
    }
};

LiveSource::LiveSource(LiveConfig cfg) : cfg_(std::move(cfg)) {}

LiveSource::~LiveSource()
{
    close();
}

void LiveSource::close() noexcept
{
    handles_.clear();
}

std::vector<SourceError> LiveSource::open()
{
    std::vector<SourceError> errors;
    close();
    if (cfg_.interfaces.empty()) {
        errors.push_back({"live capture", "no interface given"});
        return errors;
    }
    if (!cfg_.bpf.empty()) {
        if (auto err = filter_syntax_error(cfg_.bpf, cfg_.snaplen)) {
            errors.push_back({bad_filter(cfg_.bpf), *err});
            return errors;
        }
    }

    const int buffer_bytes = static_cast<int>(std::min<size_t>(cfg_.buffer_bytes, INT_MAX));
    const int timeout_ms =
        static_cast<int>(std::max<std::chrono::milliseconds::rep>(cfg_.timeout.count(), 1));
    for (const auto& name : cfg_.interfaces) {
        auto h = std::make_unique<Handle>();
        h->name = name;
        h->total.name = name;
        // Checked before libpcap, which would report a missing device to an unprivileged user
        // as a permission problem (it opens the packet socket first).
        if (!interface_exists(name)) {
            errors.push_back({name, "no such device"});
            continue;
        }
        ErrBuf errbuf{};
        h->pcap = pcap_create(name.c_str(), errbuf.data());
        if (h->pcap == nullptr) {
            errors.push_back({name, std::string("cannot capture: ") + errbuf.data()});
            continue;
        }
        pcap_set_snaplen(h->pcap, cfg_.snaplen);
        pcap_set_promisc(h->pcap, cfg_.promiscuous ? 1 : 0);
        // Not immediate: the kernel hands over whole ring blocks (fewer wake-ups at high rates),
        // and the timeout bounds how long a frame waits in a half-full block.
        pcap_set_immediate_mode(h->pcap, 0);
        pcap_set_timeout(h->pcap, timeout_ms);
        pcap_set_buffer_size(h->pcap, buffer_bytes);
        pcap_set_tstamp_precision(h->pcap, PCAP_TSTAMP_PRECISION_MICRO);

        const int rc = pcap_activate(h->pcap);
        if (rc < 0) {
            errors.push_back({name, activate_error_reason(rc, h->pcap, name)});
            continue;
        }
        if (rc > 0) warnings_.push_back(activate_warning(rc, h->pcap, name));

        const int dlt = pcap_datalink(h->pcap);
        if (const auto link = detail::link_type_from_dlt(dlt)) {
            h->link = *link;
        } else {
            errors.push_back({name, detail::unsupported_link_reason(dlt)});
            continue;
        }

        if (!cfg_.bpf.empty()) {
            // The netmask only matters for "ip broadcast"; an interface without IPv4 has none.
            bpf_u_int32 net = 0, mask = 0;
            if (pcap_lookupnet(name.c_str(), &net, &mask, errbuf.data()) != 0) mask = PCAP_NETMASK_UNKNOWN;
            bpf_program prog{};
            if (pcap_compile(h->pcap, &prog, cfg_.bpf.c_str(), 1, mask) != 0) {
                errors.push_back({name, bad_filter(cfg_.bpf) + ": " + pcap_geterr(h->pcap)});
                continue;
            }
            const int set = pcap_setfilter(h->pcap, &prog);
            pcap_freecode(&prog);
            if (set != 0) {
                errors.push_back(
                    {name, "cannot install the BPF filter: " + std::string(pcap_geterr(h->pcap))});
                continue;
            }
        }

        // Non-blocking reads: one thread polls every interface and never waits inside libpcap.
        if (pcap_setnonblock(h->pcap, 1, errbuf.data()) != 0) {
            errors.push_back({name, std::string("cannot capture: ") + errbuf.data()});
            continue;
        }
        h->fd = pcap_get_selectable_fd(h->pcap);
        if (h->fd < 0) {
            errors.push_back({name, "cannot capture: this device cannot be polled"});
            continue;
        }
        handles_.push_back(std::move(h));
    }
    if (!errors.empty()) close();
    return errors;
}

// The socket reported an error and the ring is drained. When the link went down (ENETDOWN;
// libpcap may have taken the error already) the capture goes on: the kernel hands frames over
// again once the link is back up, so a flapping mirror port does not stop the monitor. Any
// other error, or an interface that no longer exists, ends the capture.
bool LiveSource::socket_error_is_link_down(Handle& h)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(h.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (!interface_exists(h.name)) {
        error_ = SourceError{h.name, "capture failed: the interface disappeared"};
        return false;
    }
    if (err != 0 && err != ENETDOWN) {
        error_ = SourceError{h.name, std::string("capture failed: ") + std::strerror(err)};
        return false;
    }
    if (!h.down) {
        h.down = true;
        warnings_.push_back(h.name + ": the interface went down; capturing resumes when it is up again");
    }
    return true;
}

LinkType LiveSource::link(size_t index) const
{
    return handles_.at(index)->link;
}

LiveSource::Status LiveSource::next(RawPacket& out)
{
    error_.reset();
    if (handles_.empty()) {
        error_ = SourceError{"live capture", "not open"};
        return Status::Error;
    }
    const size_t n = handles_.size();
    // Set when the first round finds nothing, so that a busy capture does not read the clock.
    std::optional<Clock::time_point> deadline;
    std::array<pollfd, 16> small_fds{};
    std::vector<pollfd> many_fds;
    pollfd* fds = small_fds.data();
    if (n > small_fds.size()) {
        many_fds.resize(n);
        fds = many_fds.data();
    }
    for (;;) {
        for (size_t k = 0; k < n; ++k) {
            const size_t i = (next_handle_ + k) % n;
            Handle& h = *handles_[i];
            pcap_pkthdr* hdr = nullptr;
            const u_char* data = nullptr;
            const int rc = pcap_next_ex(h.pcap, &hdr, &data);
            if (rc == 1) {
                // The next call starts with the interface after this one: fair under load.
                next_handle_ = (i + 1) % n;
                out.ts_us = static_cast<int64_t>(hdr->ts.tv_sec) * 1'000'000 + hdr->ts.tv_usec;
                out.caplen = hdr->caplen;
                out.wire_len = hdr->len;
                out.data = {data, hdr->caplen};
                out.link = h.link;
                out.pcap_cnt = ++h.packets;
                out.file_index = static_cast<uint32_t>(i);
                if (h.down) {
                    h.down = false;
                    warnings_.push_back(h.name + ": the interface is up again; capturing");
                }
                return Status::Packet;
            }
            if (rc == 0) {
                if (h.poll_error) {
                    h.poll_error = false;
                    if (!socket_error_is_link_down(h)) return Status::Error;
                }
                continue;
            }
            error_ = SourceError{h.name, std::string("capture failed: ") + pcap_geterr(h.pcap)};
            return Status::Error;
        }

        const auto now = Clock::now();
        if (!deadline) deadline = now + cfg_.timeout;
        if (now >= *deadline) {
            // A link that went down raises no further socket error if it is then removed.
            for (const auto& h : handles_) {
                if (h->down && !interface_exists(h->name)) {
                    error_ = SourceError{h->name, "capture failed: the interface disappeared"};
                    return Status::Error;
                }
            }
            return Status::Timeout;
        }
        auto wait = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now);
        for (size_t i = 0; i < n; ++i) {
            fds[i] = pollfd{handles_[i]->fd, POLLIN, 0};
            // Some kernels do not wake poll() when a ring block times out; libpcap then says
            // how often to look anyway.
            if (const timeval* t = pcap_get_required_select_timeout(handles_[i]->pcap)) {
                const auto required = std::chrono::milliseconds(t->tv_sec * 1000 + t->tv_usec / 1000);
                wait = std::min(wait, std::max(required, std::chrono::milliseconds(1)));
            }
        }
        const int rc = ::poll(fds, static_cast<nfds_t>(n), static_cast<int>(wait.count()));
        if (rc < 0) {
            if (errno == EINTR) continue;
            error_ = SourceError{"live capture", std::string("poll failed: ") + std::strerror(errno)};
            return Status::Error;
        }
        for (size_t i = 0; i < n; ++i)
            if ((fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) handles_[i]->poll_error = true;
    }
}

std::vector<InterfaceStats> LiveSource::stats()
{
    std::vector<InterfaceStats> out;
    out.reserve(handles_.size());
    for (auto& hp : handles_) {
        Handle& h = *hp;
        pcap_stat now{};
        if (pcap_stats(h.pcap, &now) == 0) {
            // Unsigned 32-bit subtraction gives the increase even across a wrap.
            h.total.received += static_cast<u_int>(now.ps_recv - h.last.ps_recv);
            h.total.kernel_dropped += static_cast<u_int>(now.ps_drop - h.last.ps_drop);
            h.total.if_dropped += static_cast<u_int>(now.ps_ifdrop - h.last.ps_ifdrop);
            h.last = now;
        }
        out.push_back(h.total);
    }
    return out;
}

}  // namespace otsentry::capture
