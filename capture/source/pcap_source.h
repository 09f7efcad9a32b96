// Reads packets from pcap and pcapng files (or standard input, "-") through libpcap. This is
// the only code in the project that includes <pcap.h>. It knows nothing about protocols: it
// hands out frames with their link type, capture time and 1-based number within the file.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture/source/raw_packet.h"

namespace otsentry::capture {

// Reads several files one after the other, as one packet sequence.
class PcapFileSource {
public:
    explicit PcapFileSource(std::vector<std::string> paths);
    ~PcapFileSource();
    PcapFileSource(const PcapFileSource&) = delete;
    PcapFileSource& operator=(const PcapFileSource&) = delete;

    // Checks every input before any packet is read: missing file, a directory, an empty file,
    // a file that is not a capture, an unsupported link type. Returns one error per bad file.
    // "-" (stdin) is checked when it is opened.
    std::vector<SourceError> check_all() const;

    enum class Status : uint8_t { Packet, End, Error };
    // The next packet; End after the last packet of the last file. Error when a file fails to
    // open or read (error() says why); the caller decides whether to go on (next() again moves
    // to the following file). error() is cleared at the start of every call.
    Status next(RawPacket& out);

    [[nodiscard]] const std::optional<SourceError>& error() const noexcept { return error_; }
    // Warnings that do not stop the replay, e.g. "<file>: truncated last record after 1234
    // packets; the packets before it were kept".
    [[nodiscard]] const std::vector<std::string>& warnings() const noexcept { return warnings_; }

    // For progress display: bytes of regular input files read so far and in total (0 when
    // unknown, e.g. stdin).
    [[nodiscard]] uint64_t bytes_done() const noexcept;
    [[nodiscard]] uint64_t bytes_total() const noexcept { return bytes_total_; }
    [[nodiscard]] const std::vector<std::string>& paths() const noexcept { return paths_; }

private:
    struct Impl;
    bool open_next();
    void finish_current_file() noexcept;

    std::vector<std::string> paths_;
    std::unique_ptr<Impl> impl_;
    size_t next_file_ = 0;
    uint64_t bytes_total_ = 0;
    uint64_t bytes_before_current_ = 0;
    std::optional<SourceError> error_;
    std::vector<std::string> warnings_;
};

}  // namespace otsentry::capture
