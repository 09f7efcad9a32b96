// Anomalies of TCP reassembly. They become alerts like protocol anomalies, in the sid block of
// protocol 0 (transport): sid 2000000 + code, gid 2.
#pragma once

#include <array>
#include <cstdint>

#include "dissectors/common/anomaly.h"

namespace otsentry::capture {

enum class StreamAnomaly : uint16_t {
    OverlapConflict = 1,
    HeldDataOverflow = 2,
    Memcap = 3,
};

inline constexpr std::array<dissect::AnomalyInfo, 3> stream_anomaly_table = {{
    {1, "stream.overlap_conflict",
     "TCP segments overlap with different bytes; the bytes seen first were kept (evasion or a broken stack).",
     2},
    {2, "stream.held_data_overflow",
     "Too many out-of-order bytes waited for a hole in one TCP direction; the hole was given up as lost.", 3},
    {3, "stream.memcap",
     "Out-of-order bytes held across all flows reached the global cap; this direction's holes were given up.",
     2},
}};

constexpr const dissect::AnomalyInfo& info(StreamAnomaly a) noexcept
{
    return stream_anomaly_table[static_cast<size_t>(a) - 1];
}

}  // namespace otsentry::capture
