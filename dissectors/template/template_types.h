// TEMPLATE: the typed form of one protocol data unit. Copy this folder to start a dissector
// (README.md says how); everything named "template"/"tpl" is renamed, the toy protocol below is
// replaced by the real one, and the shape stays.
//
// The toy protocol ("TPL", invented for the template) has what real ICS protocols have: a magic
// value to recognise it by content, a length field to frame it, a function code, requests paired
// with responses by an id, and a body whose layout depends on the function:
//
//     'T' 'P' | version (1) = 1 | function (1) | request id (2, BE) | body length (2, BE) | body
//
// Function bit 0x80 marks a response, 0x40 an error response (body: one error code byte).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace otsentry::tpl {

constexpr size_t header_len = 8;
constexpr size_t max_body_len = 1024;  // the spec's maximum; a longer length cannot be framed
constexpr size_t max_frame_len = header_len + max_body_len;
constexpr uint8_t version_1 = 1;
constexpr uint8_t response_bit = 0x80;
constexpr uint8_t error_bit = 0x40;
constexpr uint8_t function_mask = 0x3F;

enum class Function : uint8_t { Read = 1, Write = 2, Ping = 3 };

constexpr bool known_function(uint8_t f) noexcept
{
    return f >= 1 && f <= 3;
}

constexpr std::string_view function_name(uint8_t f) noexcept
{
    switch (f) {
        case 1:
            return "read";
        case 2:
            return "write";
        case 3:
            return "ping";
        default:
            return "unknown";
    }
}

// Which optional fields a Pdu carries (bit set), so absent and zero are told apart.
enum class Has : uint16_t { Address = 1, Count = 2, Data = 4, ErrorCode = 8 };

struct Pdu {
    uint8_t version = 0;
    uint8_t function_byte = 0;  // as on the wire, with the response/error bits
    uint16_t request_id = 0;
    uint16_t length = 0;  // body length
    uint16_t has_mask = 0;
    uint16_t address = 0;
    uint16_t count = 0;
    uint8_t error_code = 0;
    std::span<const uint8_t> data;  // points into the frame (or the session's copy of it)
    uint32_t anomalies = 0;         // bit (code - 1) per Anomaly found inside a framed PDU
    uint64_t pcap_cnt = 0;

    [[nodiscard]] uint8_t function() const noexcept { return function_byte & function_mask; }
    [[nodiscard]] bool is_response() const noexcept { return (function_byte & response_bit) != 0; }
    [[nodiscard]] bool is_error() const noexcept { return (function_byte & error_bit) != 0; }
    [[nodiscard]] bool has(Has h) const noexcept { return (has_mask & static_cast<uint16_t>(h)) != 0; }
    void set(Has h) noexcept { has_mask |= static_cast<uint16_t>(h); }
};

}  // namespace otsentry::tpl
