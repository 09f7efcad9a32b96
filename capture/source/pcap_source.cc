// PcapFileSource: libpcap offline reading of pcap/pcapng files, one after the other.
#include "capture/source/pcap_source.h"

#include <pcap.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "capture/source/link_types.h"

namespace otsentry::capture {

namespace {

namespace fs = std::filesystem;
using detail::link_type_from_dlt;
using detail::unsupported_link_reason;

constexpr std::string_view stdin_path = "-";

// A file that libpcap refuses at open time: turn its message into the reason the user needs.
std::string open_failure_reason(const std::string& libpcap_msg, uintmax_t size)
{
    // libpcap reads a 4-byte magic number first; anything shorter, or an unknown magic, is not
    // a capture at all.
    if (libpcap_msg.find("unknown file format") != std::string::npos || size < 4)
        return "not a pcap or pcapng capture";
    return "cannot read capture: " + libpcap_msg;
}

struct Opened {
    pcap_t* handle = nullptr;
    LinkType link = LinkType::Ethernet;
    std::optional<std::string> reason;  // set when the file cannot be used
};

// Checks a regular path and opens it. The checks come before libpcap so each bad file gets
// one clear reason instead of libpcap's generic read error.
Opened open_path(const std::string& path)
{
    Opened r;
    std::error_code ec;
    const auto st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
        if (ec == std::errc::permission_denied)  // a directory on the way is not searchable
            r.reason = "permission denied";
        else
            r.reason = ec && ec != std::errc::no_such_file_or_directory ? ec.message() : "no such file";
        return r;
    }
    if (fs::is_directory(st)) {
        r.reason = "is a directory";
        return r;
    }
    uintmax_t size = 0;
    if (fs::is_regular_file(st)) {
        size = fs::file_size(path, ec);
        if (!ec && size == 0) {
            r.reason = "empty file (0 bytes)";
            return r;
        }
    }
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        r.reason = errno == EACCES ? std::string("permission denied") : std::string(std::strerror(errno));
        return r;
    }
    std::array<char, PCAP_ERRBUF_SIZE> errbuf{};
    // MICRO: libpcap scales nanosecond-precision files down, so ts is always microseconds.
    r.handle = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf.data());
    if (!r.handle) {
        std::fclose(f);
        r.reason = open_failure_reason(errbuf.data(), fs::is_regular_file(st) ? size : 4);
        return r;
    }
    const int dlt = pcap_datalink(r.handle);
    if (const auto link = link_type_from_dlt(dlt)) {
        r.link = *link;
    } else {
        r.reason = unsupported_link_reason(dlt);
        pcap_close(r.handle);
        r.handle = nullptr;
    }
    return r;
}

}  // namespace

struct PcapFileSource::Impl {
    pcap_t* handle = nullptr;
    LinkType link = LinkType::Ethernet;
    uint32_t file_index = 0;
    uint64_t pcap_cnt = 0;
    bool is_stdin = false;

    void close() noexcept
    {
        if (handle) pcap_close(handle);
        handle = nullptr;
    }
    ~Impl() { close(); }
};

PcapFileSource::PcapFileSource(std::vector<std::string> paths)
    : paths_(std::move(paths)), impl_(std::make_unique<Impl>())
{
    for (const auto& p : paths_) {
        if (p == stdin_path) continue;
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) {
            const auto size = fs::file_size(p, ec);
            if (!ec) bytes_total_ += size;
        }
    }
}

PcapFileSource::~PcapFileSource() = default;

std::vector<SourceError> PcapFileSource::check_all() const
{
    std::vector<SourceError> errors;
    for (const auto& p : paths_) {
        if (p == stdin_path) continue;
        Opened o = open_path(p);
        if (o.handle) pcap_close(o.handle);
        if (o.reason) errors.push_back({p, *o.reason});
    }
    return errors;
}

bool PcapFileSource::open_next()
{
    const size_t index = next_file_++;
    const std::string& path = paths_[index];
    impl_->file_index = static_cast<uint32_t>(index);
    impl_->pcap_cnt = 0;
    impl_->is_stdin = path == stdin_path;

    Opened o;
    if (impl_->is_stdin) {
        // A duplicate descriptor, so that pcap_close() does not close the process's stdin.
        const int fd = dup(STDIN_FILENO);
        FILE* f = fd >= 0 ? fdopen(fd, "rb") : nullptr;
        if (!f) {
            if (fd >= 0) ::close(fd);
            error_ = SourceError{path, std::string("cannot read standard input: ") + std::strerror(errno)};
            return false;
        }
        std::array<char, PCAP_ERRBUF_SIZE> errbuf{};
        o.handle = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf.data());
        if (!o.handle) {
            std::fclose(f);
            o.reason = open_failure_reason(errbuf.data(), 4);
        } else if (const auto link = link_type_from_dlt(pcap_datalink(o.handle))) {
            o.link = *link;
        } else {
            o.reason = unsupported_link_reason(pcap_datalink(o.handle));
            pcap_close(o.handle);
            o.handle = nullptr;
        }
    } else {
        o = open_path(path);
    }
    if (!o.handle) {
        error_ = SourceError{path, o.reason.value_or("cannot open")};
        // Count the skipped file as done, so progress still reaches bytes_total().
        std::error_code ec;
        if (!impl_->is_stdin && fs::is_regular_file(path, ec)) {
            const auto size = fs::file_size(path, ec);
            if (!ec) bytes_before_current_ += size;
        }
        return false;
    }
    impl_->handle = o.handle;
    impl_->link = o.link;
    return true;
}

PcapFileSource::Status PcapFileSource::next(RawPacket& out)
{
    error_.reset();
    for (;;) {
        if (!impl_->handle) {
            if (next_file_ >= paths_.size()) return Status::End;
            if (!open_next()) return Status::Error;
        }
        pcap_pkthdr* hdr = nullptr;
        const u_char* data = nullptr;
        const int rc = pcap_next_ex(impl_->handle, &hdr, &data);
        if (rc == 1) {
            ++impl_->pcap_cnt;
            out.ts_us = static_cast<int64_t>(hdr->ts.tv_sec) * 1'000'000 + hdr->ts.tv_usec;
            out.caplen = hdr->caplen;
            out.wire_len = hdr->len;
            out.data = {data, hdr->caplen};
            out.link = impl_->link;
            out.pcap_cnt = impl_->pcap_cnt;
            out.file_index = impl_->file_index;
            return Status::Packet;
        }
        if (rc == 0) continue;  // live-capture timeout; cannot happen offline
        const std::string& path = paths_[impl_->file_index];
        const bool had_error = rc == PCAP_ERROR;
        const std::string msg = had_error ? pcap_geterr(impl_->handle) : std::string();
        finish_current_file();
        if (!had_error) continue;  // PCAP_ERROR_BREAK: end of this file
        // A capture cut off while being written (or copied) is common; what came before it is
        // still good, so this is a warning and the replay goes on.
        if (msg.find("truncated") != std::string::npos) {
            warnings_.push_back(path + ": truncated last record after " + std::to_string(impl_->pcap_cnt) +
                                " packets; the packets before it were kept");
            continue;
        }
        error_ =
            SourceError{path, "read error after " + std::to_string(impl_->pcap_cnt) + " packets: " + msg};
        return Status::Error;
    }
}

void PcapFileSource::finish_current_file() noexcept
{
    if (!impl_->is_stdin) {
        std::error_code ec;
        const auto size = fs::file_size(paths_[impl_->file_index], ec);
        if (!ec) bytes_before_current_ += size;
    }
    impl_->close();
}

uint64_t PcapFileSource::bytes_done() const noexcept
{
    if (!impl_->handle || impl_->is_stdin) return bytes_before_current_;
    const long pos = std::ftell(pcap_file(impl_->handle));
    return bytes_before_current_ + (pos > 0 ? static_cast<uint64_t>(pos) : 0);
}

}  // namespace otsentry::capture
