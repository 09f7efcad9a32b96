// Vocabulary shared by capture/, dissectors/, rules/ and alerts/: which way bytes travel and
// which packet carried them. Kept tiny and header-only so every layer can include it.
#pragma once

#include <cstdint>
#include <string_view>

namespace otsentry {

// Direction relative to the flow's orientation (client = the side that opened the connection,
// or the side not on the service port when the opening was not seen).
enum class Direction : uint8_t { ToServer = 0, ToClient = 1 };

constexpr Direction opposite(Direction d) noexcept
{
    return d == Direction::ToServer ? Direction::ToClient : Direction::ToServer;
}

constexpr unsigned index_of(Direction d) noexcept
{
    return static_cast<unsigned>(d);
}

// The packet that is being processed when a dissector is called. `pcap_cnt` is the 1-based
// number of the packet in its input file (the frame number Wireshark shows).
struct PacketCtx {
    uint64_t pcap_cnt = 0;
    int64_t ts_us = 0;  // capture time, microseconds since the Unix epoch (UTC)
};

// Application protocols we dissect. The numeric values are stable: they are stored in the
// database and form the built-in anomaly signature ids.
enum class Protocol : uint8_t {
    Unknown = 0,
    Modbus = 1,
    Dnp3 = 2,
    Iec104 = 3,
    S7comm = 4,
    S7commPlus = 5,
    Enip = 6,
    Opcua = 7,
    Bacnet = 8,
    Goose = 9,
    Mms = 10,
};

// The EVE `event_type` / `app_proto` name of a protocol ("modbus", "dnp3", ...).
constexpr std::string_view protocol_name(Protocol p) noexcept
{
    switch (p) {
        case Protocol::Modbus:
            return "modbus";
        case Protocol::Dnp3:
            return "dnp3";
        case Protocol::Iec104:
            return "iec104";
        case Protocol::S7comm:
            return "s7comm";
        case Protocol::S7commPlus:
            return "s7commplus";
        case Protocol::Enip:
            return "enip";
        case Protocol::Opcua:
            return "opcua";
        case Protocol::Bacnet:
            return "bacnet";
        case Protocol::Goose:
            return "goose";
        case Protocol::Mms:
            return "mms";
        case Protocol::Unknown:
            break;
    }
    return "unknown";
}

constexpr unsigned protocol_count = 11;

}  // namespace otsentry
