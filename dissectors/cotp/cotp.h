// ISO transport over TCP, shared by every protocol on TCP 102 (S7comm, S7comm-plus, later MMS):
// TPKT framing (RFC 1006 §6) and the ISO 8073 (X.224) class 0 TPDUs that carry them (CR, CC, DR,
// DC, DT, ER). `parse_tpkt` reads one TPKT frame; `CotpStream` does the per-direction work a
// session needs on top of it: framing across TCP segments, resynchronisation after a gap, and
// reassembly of a user PDU from DT TPDUs (EOT bit, ISO 8073 §13.7). The owning session sees
// whole TPDUs and whole user PDUs through `CotpHandler`, and never frames bytes itself.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dissectors/common/dissector.h"
#include "dissectors/common/types.h"

namespace otsentry::cotp {

constexpr size_t tpkt_header_len = 4;
constexpr uint8_t tpkt_version = 3;
// RFC 1006 allows TPKT lengths up to 65535, but the largest TPDU size ISO 8073 class 0 can
// negotiate is 8192 octets (§13.3.4 b, code 0x0D); S7 stations use 1024 or less.
constexpr size_t max_tpdu_len = 8192;
constexpr size_t max_frame_len = tpkt_header_len + max_tpdu_len;
constexpr size_t min_frame_len = tpkt_header_len + 3;  // LI, DT code, TPDU-NR/EOT
// A user PDU reassembled from DT TPDUs; S7 PDU sizes are negotiated at 960 or less, S7comm-plus
// fragments larger objects over several of its own PDUs.
constexpr size_t max_user_pdu_len = 8192;
constexpr size_t max_tsap_len = 32;

// TPDU codes (ISO 8073 §13.1, table 8; the low nibble of CR/CC carries the credit in classes 2-4).
enum class TpduType : uint8_t {
    ExpeditedData = 0x10,
    ExpeditedAck = 0x20,
    Reject = 0x50,
    DataAck = 0x60,
    Error = 0x70,
    DisconnectRequest = 0x80,
    DisconnectConfirm = 0xC0,
    ConnectConfirm = 0xD0,
    ConnectRequest = 0xE0,
    Data = 0xF0,
};

constexpr bool known_tpdu(uint8_t code) noexcept
{
    switch (code & 0xF0) {
        case 0x10:
        case 0x20:
        case 0x50:
        case 0x60:
        case 0x70:
        case 0x80:
        case 0xC0:
        case 0xD0:
        case 0xE0:
        case 0xF0:
            return true;
        default:
            return false;
    }
}

std::string_view tpdu_name(TpduType t) noexcept;

// One TPDU. Spans point into the frame it was parsed from.
struct Tpdu {
    TpduType type = TpduType::Data;
    uint16_t dst_ref = 0;  // not in DT (class 0)
    uint16_t src_ref = 0;
    uint8_t class_option = 0;            // CR/CC
    uint8_t reason = 0;                  // DR: disconnect reason; ER: reject cause
    uint8_t tpdu_size_code = 0;          // CR/CC parameter 0xC0, 0 when absent
    std::span<const uint8_t> src_tsap;   // CR/CC parameter 0xC1
    std::span<const uint8_t> dst_tsap;   // CR/CC parameter 0xC2
    bool eot = true;                     // DT: last TPDU of the user PDU
    uint8_t tpdu_nr = 0;                 // DT
    std::span<const uint8_t> user_data;  // DT (and CR/CC/DR user data, ignored)
};

// A TSAP of two octets read as a number (0x0102); 0 when it is not two octets.
uint16_t tsap_value(std::span<const uint8_t> tsap) noexcept;

enum class FrameError : uint8_t {
    None,
    BadTpkt,  // version is not 3, reserved not 0 or length below 7 / above max_frame_len
    BadCotp,  // the length indicator does not fit, or an unknown TPDU code
};

struct FrameResult {
    enum class Kind : uint8_t { Ok, NeedMore, NotTpkt, Error };
    Kind kind = Kind::NeedMore;
    size_t size = 0;  // Ok/Error: bytes of the frame (Error: 0 when the frame cannot be skipped)
    FrameError error = FrameError::None;
};

// Parses one TPKT frame and its TPDU at the start of `in`.
FrameResult parse_tpkt(std::span<const uint8_t> in, Tpdu& out) noexcept;

// True when `in` starts with a TPKT header and a DT TPDU header (03 00 len 02 F0 nr|EOT), the
// strict form resynchronisation and mid-stream probing accept. Needs 7 bytes.
bool plausible_dt(std::span<const uint8_t> in) noexcept;

// True when `in` starts with a TPKT frame holding a CR/CC/DR/DC TPDU with a sane length
// indicator. Needs 6 bytes.
bool plausible_control(std::span<const uint8_t> in) noexcept;

// For probes: walks the TPKT frames at the start of a direction, skipping the connection
// TPDUs, and reports the first octet of the first DT user data. NeedMore while the first DT's
// first octet has not arrived; NoMatch when the bytes are not TPKT/COTP. When the bytes do not
// start with a TPKT header (a flow picked up mid-stream), the first plausible DT header in them
// is used instead.
struct FirstOctet {
    dissect::ProbeResult result = dissect::ProbeResult::NeedMore;
    uint8_t octet = 0;
};
FirstOctet first_dt_octet(std::span<const uint8_t> data) noexcept;

// What a CotpStream reports to the session that owns it.
class CotpHandler {
public:
    virtual ~CotpHandler() = default;
    // A TPDU other than DT (CR, CC, DR, DC, ER, ...).
    virtual void on_tpdu(Direction dir, const Tpdu& tpdu, const PacketCtx& ctx) = 0;
    // A whole user PDU (the DT user data up to and including the one with EOT set).
    virtual void on_user_pdu(Direction dir, std::span<const uint8_t> pdu, const PacketCtx& ctx) = 0;
    // A frame that cannot be parsed; the stream resynchronises after it.
    virtual void on_frame_error(Direction dir, FrameError e, const PacketCtx& ctx) = 0;
    // The user PDU being reassembled grew past max_user_pdu_len; it was dropped.
    virtual void on_reassembly_overflow(Direction dir, const PacketCtx& ctx) = 0;
    // Bytes at the start of the flow are not TPKT: the flow is not ours.
    virtual void on_not_tpkt() = 0;
};

// Per-flow framing for both directions. `protocol_id` is the first octet of the user PDUs of the
// owning protocol (0x32, 0x72): after a gap, DT user data that does not start with it is a
// continuation of a PDU whose start was lost and is dropped up to its EOT.
class CotpStream {
public:
    CotpStream(CotpHandler& handler, uint8_t protocol_id) noexcept
        : handler_{handler}, protocol_id_{protocol_id}
    {
    }

    void on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx);
    void on_gap(Direction dir);
    // True when `dir` ends inside a TPKT frame or inside a segmented user PDU.
    [[nodiscard]] bool partial(Direction dir) const noexcept;
    // Stops all processing (the owner decided the flow is not its protocol).
    void stop() noexcept { stopped_ = true; }

private:
    struct DirState {
        std::array<uint8_t, max_frame_len> buf{};
        size_t len = 0;
        std::array<uint8_t, max_user_pdu_len> pdu{};
        size_t pdu_len = 0;
        bool pdu_dropping = false;  // skipping DTs up to the next EOT
        bool resync = false;
        bool after_gap = false;  // the next DT must start a user PDU
    };

    size_t consume(Direction dir, std::span<const uint8_t> in, const PacketCtx& ctx);
    void on_dt(Direction dir, const Tpdu& t, const PacketCtx& ctx);

    CotpHandler& handler_;
    uint8_t protocol_id_;
    std::array<DirState, 2> dirs_{};
    size_t unsynced_bytes_ = 0;
    bool synced_once_ = false;
    bool stopped_ = false;
};

}  // namespace otsentry::cotp
