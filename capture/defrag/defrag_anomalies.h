// Anomalies of IP defragmentation. They become alerts like the stream's, in the sid block of
// protocol 0 (transport): sid 2000000 + code, gid 2. TCP reassembly uses codes 1-3
// (stream_anomalies.h); defragmentation uses 11 and up. capture/defrag/README.md says exactly
// when each is raised and what happens to the datagram.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "dissectors/common/anomaly.h"

namespace otsentry::capture {

enum class DefragAnomaly : uint16_t {
    OverlapConflict = 11,
    Teardrop = 12,
    Oversize = 13,
    TinyFragment = 14,
    InconsistentEnd = 15,
    TooManyFragments = 16,
    Timeout = 17,
    Memcap = 18,
};

inline constexpr uint16_t defrag_first_code = 11;
inline constexpr size_t defrag_anomaly_count = 8;

inline constexpr std::array<dissect::AnomalyInfo, defrag_anomaly_count> defrag_anomaly_table = {{
    {11, "defrag.overlap_conflict",
     "IP fragments overlap with different bytes; the bytes seen first were kept (evasion: targets "
     "reassemble such overlaps differently).",
     1},
    {12, "defrag.teardrop",
     "An IP fragment lies inside another fragment of the datagram without being its duplicate (teardrop); "
     "the datagram was discarded.",
     1},
    {13, "defrag.oversize",
     "An IP fragment reaches past the largest possible datagram, 65535 bytes (ping of death); the datagram "
     "was discarded.",
     1},
    {14, "defrag.tiny_fragment",
     "The first IP fragment does not hold the whole transport header, or a TCP fragment overwrites it "
     "(tiny fragment attack, RFC 1858 / RFC 7112).",
     2},
    {15, "defrag.inconsistent_end",
     "IP fragments disagree on the datagram's end (a non-last fragment not a multiple of 8 bytes, two "
     "different last fragments, or data past the end); the datagram was discarded.",
     2},
    {16, "defrag.too_many_fragments",
     "An IP datagram came in more fragments than the defragmenter allows; the datagram was discarded.", 2},
    {17, "defrag.timeout",
     "An IP datagram was still incomplete when its reassembly timeout expired; its fragments were never "
     "inspected.",
     3},
    {18, "defrag.memcap",
     "The defragmenter's memory cap or datagram table was full; the oldest incomplete datagram was dropped "
     "uninspected.",
     2},
}};

constexpr const dissect::AnomalyInfo& info(DefragAnomaly a) noexcept
{
    return defrag_anomaly_table[static_cast<size_t>(a) - defrag_first_code];
}

constexpr size_t anomaly_index(DefragAnomaly a) noexcept
{
    return static_cast<size_t>(a) - defrag_first_code;
}

}  // namespace otsentry::capture
