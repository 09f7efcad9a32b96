// IEC 104 per-connection state: frames APDUs across any TCP segmentation (one partial APDU
// buffered per direction), tracks the send/receive sequence numbers of each direction, pairs
// commands with their confirmation and termination and U-format activations with their
// confirmation, and reports events:
//
// - monitor-direction (and any other unpaired) ASDU: one event, the APDU as `request` when the
//   controlling station (client) sent it and as `response` when the controlled station did;
// - command (COT 6 activation or 8 deactivation): one event per command with the activation as
//   `request`, its confirmation (COT 7/9, or 44-47 "unknown ...") as `response` and, for an
//   executed command that reports completion, its termination (COT 10) as `termination`. It is
//   emitted at the termination; at the confirmation when none can follow (negative, select,
//   deactivation, types without termination); max_wait_us of capture time after its last APDU;
//   or at the end of the flow. Answers are matched by (common address, type id, IOA of object 1),
//   the oldest waiting activation first. Every command is in exactly one event;
// - U-format: one event per STARTDT/STOPDT/TESTFR activation with its confirmation;
// - S-format: no event (they only acknowledge); counted per direction and checked.
//
// Caps, all constexpr: a partial APDU is at most max_frame_len (255) bytes; at most max_pending
// commands wait (one more reports the oldest as it is, with iec104.too_many_pending); one U-format
// activation per function and direction; before the first valid APDU, max_unsynced_bytes without
// a plausible header end the session. Command slots are allocated once and reused.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "dissectors/common/dissector.h"
#include "dissectors/common/field.h"
#include "dissectors/common/field_catalog.h"
#include "dissectors/common/frame_buffer.h"
#include "dissectors/common/json_writer.h"
#include "dissectors/iec104/iec104_anomalies.h"
#include "dissectors/iec104/iec104_parser.h"
#include "dissectors/iec104/iec104_types.h"

namespace otsentry::iec104 {

constexpr Protocol protocol = Protocol::Iec104;
constexpr size_t max_pending = 64;
constexpr size_t max_unsynced_bytes = 4 * max_frame_len;
// Objects written in full per PDU; `ioas` always lists every object's address.
constexpr size_t max_eve_objects = 64;
// A command waits this long (capture time) for its confirmation or termination before it is
// reported as it is; a U-format activation for its confirmation. IEC 104's t1 defaults to 15 s.
constexpr int64_t max_wait_us = 60'000'000;

// The fields the rules may use; also the scalar keys of each EVE PDU object (iec104_fields.cc).
std::span<const dissect::FieldSpec<Pdu>> fields() noexcept;
// The same fields for the rule engine, type-erased (dissectors/common/field_catalog.h).
const dissect::ProtocolFields& protocol_fields();

// Writes one PDU object: the field table's keys, `sq`/`negative`/`test` (booleans), `ioas`,
// `objects` (at most max_eve_objects, then `objects_truncated`), `pcap_cnt`.
void write_pdu_json(dissect::JsonWriter& w, const Pdu& pdu);

// One transaction. Valid only during the sink call it is passed to.
class Transaction final : public dissect::EventBody {
public:
    Transaction(const Pdu* request, const Pdu* response, const Pdu* termination = nullptr) noexcept
        : request_{request}, response_{response}, termination_{termination}
    {
    }
    // {"request":{...},"response":{...},"termination":{...}}, each when present.
    void write_json(dissect::JsonWriter& w) const override;
    [[nodiscard]] uint64_t pcap_cnt() const override;
    size_t pdus(std::span<dissect::PduRef, dissect::max_pdus> out) const override
    {
        return dissect::collect_pdus(out, request_, response_, termination_);
    }

    [[nodiscard]] const Pdu* request() const noexcept { return request_; }
    [[nodiscard]] const Pdu* response() const noexcept { return response_; }
    [[nodiscard]] const Pdu* termination() const noexcept { return termination_; }

private:
    const Pdu* request_;
    const Pdu* response_;
    const Pdu* termination_;
};

class Iec104Session final : public dissect::Session {
public:
    explicit Iec104Session(dissect::EventSink& sink, const AsduConfig& cfg = {}) noexcept
        : sink_{sink}, cfg_{cfg}
    {
    }

    void on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx) override;
    void on_gap(Direction dir, uint64_t bytes, const PacketCtx& ctx) override;
    void on_end(const PacketCtx& ctx) override;
    [[nodiscard]] bool active() const override { return active_; }

    // Commands and U-format activations waiting for their answer.
    [[nodiscard]] size_t outstanding() const noexcept;
    [[nodiscard]] uint64_t s_frames(Direction dir) const noexcept { return dirs_[index_of(dir)].s_frames; }

private:
    struct DirState : dissect::FrameBuffer<max_frame_len> {
        // N(S) of the next I-format APDU this direction sends, once known.
        bool ns_known = false;
        uint16_t next_ns = 0;
        // After a repeat: the sender may really have gone back, to continue from here.
        bool alt_known = false;
        uint16_t alt_ns = 0;
        bool gapped = false;  // bytes of this direction were lost since the last pairing
        uint64_t s_frames = 0;
    };
    // An APDU kept beyond the call that parsed it, with a copy of its bytes for the spans.
    struct Stored {
        Pdu pdu;
        std::array<uint8_t, max_frame_len> bytes{};
        void store(const Pdu& p, std::span<const uint8_t> frame) noexcept;
    };
    struct Pending {
        Stored act, con, term;
        bool has_con = false;
        bool has_term = false;
        Direction dir = Direction::ToServer;  // of the activation
        uint64_t seq = 0;
        int64_t deadline = 0;
        bool used = false;
    };
    struct UPending {
        Pdu pdu;
        uint64_t seq = 0;
        int64_t deadline = 0;
        bool used = false;
    };
    enum class Origin : uint8_t { Unknown, FromStart, MidStream };

    size_t consume(Direction dir, std::span<const uint8_t> in, const PacketCtx& ctx);
    void skip_unsynced(size_t& pos) noexcept;
    void on_apdu(Direction dir, Pdu& pdu, std::span<const uint8_t> frame, const PacketCtx& ctx);
    void decide_origin(const Pdu& pdu) noexcept;
    void check_send_seq(Direction dir, Pdu& pdu) noexcept;
    void check_ack(Direction dir, Pdu& pdu) const noexcept;
    void on_u(Direction dir, Pdu& pdu, const PacketCtx& ctx);
    void on_asdu(Direction dir, Pdu& pdu, std::span<const uint8_t> frame, const PacketCtx& ctx);
    void on_activation(Direction dir, Pdu& pdu, std::span<const uint8_t> frame, const PacketCtx& ctx);
    void on_reply(Direction dir, Pdu& pdu, std::span<const uint8_t> frame, const PacketCtx& ctx);
    void emit_alone(Direction dir, const Pdu& pdu, const PacketCtx& ctx);
    Pending* find_for_reply(Direction act_dir, const Pdu& reply) noexcept;
    Pending& free_slot(const PacketCtx& ctx);
    void emit_pending(Pending& p, const PacketCtx& ctx);
    void emit_u_pending(UPending& u, const PacketCtx& ctx);
    // Reports what waited past its deadline (at `now`, capture time) in the order it came.
    void expire(const PacketCtx& ctx, int64_t now);
    void raise(Anomaly a, const PacketCtx& ctx, const dissect::EventBody* context);
    void raise_all(uint32_t anomalies, const PacketCtx& ctx, const dissect::EventBody& context);

    dissect::EventSink& sink_;
    AsduConfig cfg_;
    std::array<DirState, 2> dirs_{};
    std::vector<std::unique_ptr<Pending>> pending_;  // grows to max_pending, slots reused
    size_t pending_used_ = 0;
    std::array<UPending, 6> u_pending_{};  // (STARTDT, STOPDT, TESTFR) x direction of the act
    uint64_t next_seq_ = 0;
    int64_t next_deadline_ = INT64_MAX;  // earliest deadline of anything waiting
    size_t unsynced_bytes_ = 0;
    Origin origin_ = Origin::Unknown;
    bool active_ = true;
    bool seen_apdu_ = false;
    bool gap_seen_ = false;
    bool startdt_confirmed_ = false;
    bool reported_before_startdt_ = false;
};

extern const dissect::DissectorInfo dissector_info;

}  // namespace otsentry::iec104
