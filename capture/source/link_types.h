// Internal to capture/source: libpcap's data link types (DLT_*) mapped onto our LinkType, shared
// by the file and the live source. Takes the DLT as a plain int so that this header does not
// include <pcap.h>.
#pragma once

#include <optional>
#include <string>

#include "capture/source/raw_packet.h"

namespace otsentry::capture::detail {

// The LinkType for a DLT value, or nullopt when we do not decode it.
std::optional<LinkType> link_type_from_dlt(int dlt) noexcept;

// "unsupported link type IEEE802_11 (105)"
std::string unsupported_link_reason(int dlt);

}  // namespace otsentry::capture::detail
