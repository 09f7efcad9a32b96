// The typed form of one S7comm-plus PDU (S7-1200/1500 PLCs and TIA Portal), carried in COTP DT
// user data on TCP 102. Only the framing and the fixed header are decoded (README.md):
//
//     0x72 | version (1, 2, 3, 0xFE) | data length (2) | [version 3: digest length 0x20 | digest (32)]
//     | opcode (1) | reserved (2) | function (2) | reserved (2) | sequence (2)
//     | [requests: session id (4)] | transport flags (1) | objects ...   | trailer 0x72 version 00 00
//
// Version 2 and 3 payloads are integrity-protected (and on current firmware partly encrypted):
// we mark them instead of guessing into them. A PDU larger than one COTP DT is split in
// fragments, each with its own header; only the last carries the trailer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace otsentry::s7commplus {

constexpr uint8_t protocol_id = 0x72;
constexpr size_t header_len = 4;
constexpr size_t trailer_len = 4;
constexpr size_t digest_len = 32;

enum class Opcode : uint8_t { Response2 = 0x02, Request = 0x31, Response = 0x32, Notification = 0x33 };

constexpr bool known_opcode(uint8_t o) noexcept
{
    return o == 0x02 || o == 0x31 || o == 0x32 || o == 0x33;
}
constexpr bool known_version(uint8_t v) noexcept
{
    return v == 1 || v == 2 || v == 3 || v == 0xFE;
}

std::string_view opcode_name(uint8_t o) noexcept;
std::string_view function_name(uint16_t f) noexcept;

enum class Has : uint16_t {
    Opcode = 1,
    Function = 2,
    Sequence = 4,
    Session = 8,
    TransportFlags = 16,
    Digest = 32,
};

struct Pdu {
    uint8_t version = 0;
    uint16_t data_length = 0;
    uint8_t opcode = 0;
    uint16_t function = 0;
    uint16_t sequence = 0;
    uint32_t session_id = 0;
    uint8_t transport_flags = 0;
    bool fragment = false;  // no trailer: the PDU continues in the next DT
    uint16_t has_mask = 0;
    uint32_t anomalies = 0;
    uint64_t pcap_cnt = 0;

    [[nodiscard]] bool has(Has h) const noexcept { return (has_mask & static_cast<uint16_t>(h)) != 0; }
    void set(Has h) noexcept { has_mask |= static_cast<uint16_t>(h); }
    [[nodiscard]] bool is_request() const noexcept { return opcode == static_cast<uint8_t>(Opcode::Request); }
    [[nodiscard]] bool is_response() const noexcept
    {
        return opcode == static_cast<uint8_t>(Opcode::Response) ||
               opcode == static_cast<uint8_t>(Opcode::Response2);
    }
    // Version 3 carries a digest in the header; versions 2 and 3 protect the payload.
    [[nodiscard]] bool integrity() const noexcept { return has(Has::Digest); }
    [[nodiscard]] bool is_protected() const noexcept { return version == 2 || version == 3; }
};

}  // namespace otsentry::s7commplus
