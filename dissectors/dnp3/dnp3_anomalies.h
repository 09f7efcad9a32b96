// DNP3 anomalies: stable codes and names (they form the built-in signature ids 2002000 + code,
// see dissectors/common/anomaly.h), one sentence for the analyst, severity 1 (high) .. 3 (low).
// Codes never change meaning; a new anomaly takes the next free code. Dangerous but well-formed
// operations (restarts, stop application, direct operate) are not anomalies: rules cover them.
#pragma once

#include <array>
#include <cstdint>

#include "dissectors/common/anomaly.h"

namespace otsentry::dnp3 {

enum class Anomaly : uint16_t {
    BadLinkCrc = 1,
    BadDataCrc = 2,
    BadLinkLength = 3,
    TransportSequence = 4,
    ReassemblyOverflow = 5,
    UnknownFunction = 6,
    UnknownObject = 7,
    MalformedObjectHeader = 8,
    TruncatedFragment = 9,
    ResponseWithoutRequest = 10,
    TooManyOutstanding = 11,
    TruncatedFrame = 12,
    UnknownLinkFunction = 13,
    BadStartBytes = 14,
    TooManyChannels = 15,
};

inline constexpr std::array<dissect::AnomalyInfo, 15> anomaly_table = {{
    {1, "dnp3.bad_link_crc",
     "Link header CRC does not match; the frame cannot be trusted and the stream was resynchronised.", 2},
    {2, "dnp3.bad_data_crc", "A user data block of a link frame fails its CRC (the frame was still parsed).",
     2},
    {3, "dnp3.bad_link_length", "Link length field below 5; the frame cannot be framed.", 2},
    {4, "dnp3.transport_sequence",
     "Transport segment out of sequence, or a new fragment began before the previous one finished.", 3},
    {5, "dnp3.reassembly_overflow",
     "Application fragment grew past 2048 bytes during transport reassembly; it was dropped.", 2},
    {6, "dnp3.unknown_function", "Application function code not defined by IEEE 1815-2012.", 2},
    {7, "dnp3.unknown_object", "Object group/variation not in the object library.", 2},
    {8, "dnp3.malformed_object_header",
     "Object header with a reserved qualifier, prefix or range, or a stop index below the start.", 2},
    {9, "dnp3.truncated_fragment",
     "Application fragment ends inside its header, an object header or the objects it announced.", 2},
    {10, "dnp3.response_without_request", "Response whose sequence number matches no outstanding request.",
     3},
    {11, "dnp3.too_many_outstanding", "Too many unanswered requests; the oldest was reported unanswered.", 2},
    {12, "dnp3.truncated_frame", "The flow or datagram ended inside a link frame.", 2},
    {13, "dnp3.unknown_link_function", "Link control carries a reserved function code.", 2},
    {14, "dnp3.bad_start_bytes",
     "Bytes between link frames do not start with 0x05 0x64; skipped to the next valid header.", 2},
    {15, "dnp3.too_many_channels",
     "More address pairs were reassembling fragments than tracked; the oldest partial fragment was dropped.",
     3},
}};

constexpr const dissect::AnomalyInfo& info(Anomaly a) noexcept
{
    return anomaly_table[static_cast<size_t>(a) - 1];
}

constexpr uint32_t anomaly_bit(Anomaly a) noexcept
{
    return 1u << static_cast<unsigned>(a);
}

// Table order is code order, so info() is an index.
static_assert([] {
    for (size_t i = 0; i < anomaly_table.size(); ++i)
        if (anomaly_table[i].code != i + 1) return false;
    return true;
}());

}  // namespace otsentry::dnp3
