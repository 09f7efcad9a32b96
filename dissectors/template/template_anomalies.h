// TEMPLATE: the protocol's anomalies. Codes are stable (they form the built-in sids, see
// dissectors/common/anomaly.h); a new anomaly takes the next free code; severity 1 (high) .. 3.
#pragma once

#include <array>
#include <cstdint>

#include "dissectors/common/anomaly.h"

namespace otsentry::tpl {

enum class Anomaly : uint16_t {
    BadVersion = 1,
    BadLength = 2,
    UnknownFunction = 3,
    ResponseWithoutRequest = 4,
    TooManyOutstanding = 5,
    TruncatedFrame = 6,
    MalformedBody = 7,
};

inline constexpr std::array<dissect::AnomalyInfo, 7> anomaly_table = {{
    {1, "tpl.bad_version", "Header version is not 1 in a flow that carried the protocol.", 2},
    {2, "tpl.bad_length", "Body length is above the protocol maximum; the frame cannot be framed.", 2},
    {3, "tpl.unknown_function", "Function code is not defined by the protocol.", 2},
    {4, "tpl.response_without_request", "Response whose request id matches no outstanding request.", 3},
    {5, "tpl.too_many_outstanding", "Too many unanswered requests; the oldest was reported unanswered.", 2},
    {6, "tpl.truncated_frame", "The flow ended inside a frame: its header announced more bytes than arrived.",
     2},
    {7, "tpl.malformed_body", "The body does not have the layout its function requires.", 2},
}};

constexpr uint32_t bit(Anomaly a) noexcept
{
    return 1u << (static_cast<unsigned>(a) - 1);
}

}  // namespace otsentry::tpl
