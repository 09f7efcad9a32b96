// TEMPLATE: per-flow state. Frames PDUs across any TCP segmentation (one partial frame buffered
// per direction, in a fixed array), pairs responses with requests by request id, and reports one
// event per transaction (request and response together; either alone when the other is missing).
//
// Caps, all constexpr: a partial frame is at most max_frame_len bytes; at most max_outstanding
// requests wait for an answer (one more evicts the oldest, reported unanswered); before the first
// valid frame, max_unsynced_bytes without a plausible header end the session. Request slots are
// fixed, so steady-state traffic allocates nothing.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dissectors/common/dissector.h"
#include "dissectors/common/field.h"
#include "dissectors/common/field_catalog.h"
#include "dissectors/common/frame_buffer.h"
#include "dissectors/common/json_writer.h"
#include "dissectors/template/template_anomalies.h"
#include "dissectors/template/template_parser.h"
#include "dissectors/template/template_types.h"

namespace otsentry::tpl {

// TEMPLATE: the real dissector uses its own Protocol value (dissectors/common/types.h).
constexpr Protocol protocol = Protocol::Unknown;
constexpr size_t max_outstanding = 16;
constexpr size_t max_unsynced_bytes = 4 * max_frame_len;
constexpr size_t max_eve_data = 256;  // bytes of `data` written to EVE (hex)

// The fields the rules may use; also the scalar keys of each EVE PDU object (template_fields.cc).
std::span<const dissect::FieldSpec<Pdu>> fields() noexcept;
// The same fields for the rule engine, type-erased (dissectors/common/field_catalog.h).
const dissect::ProtocolFields& protocol_fields();

// One transaction. Valid only during the sink call it is passed to.
class Transaction final : public dissect::EventBody {
public:
    Transaction(const Pdu* request, const Pdu* response) noexcept : request_{request}, response_{response} {}
    void write_json(dissect::JsonWriter& w) const override;
    [[nodiscard]] uint64_t pcap_cnt() const override;
    size_t pdus(std::span<dissect::PduRef, dissect::max_pdus> out) const override
    {
        return dissect::collect_pdus(out, request_, response_);
    }

    [[nodiscard]] const Pdu* request() const noexcept { return request_; }
    [[nodiscard]] const Pdu* response() const noexcept { return response_; }

private:
    const Pdu* request_;
    const Pdu* response_;
};

class TemplateSession final : public dissect::Session {
public:
    explicit TemplateSession(dissect::EventSink& sink) noexcept : sink_{sink} {}

    void on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx) override;
    void on_gap(Direction dir, uint64_t bytes, const PacketCtx& ctx) override;
    void on_end(const PacketCtx& ctx) override;
    [[nodiscard]] bool active() const override { return active_; }

    [[nodiscard]] size_t outstanding() const noexcept;

private:
    using DirState = dissect::FrameBuffer<max_frame_len>;
    struct Pending {
        Pdu pdu;
        std::array<uint8_t, max_frame_len> bytes{};
        uint64_t seq = 0;
        bool used = false;
    };

    size_t consume(Direction dir, std::span<const uint8_t> in, const PacketCtx& ctx);
    void on_frame(Direction dir, Pdu& pdu, std::span<const uint8_t> frame, const PacketCtx& ctx);
    void emit(const Pdu* request, const Pdu* response, const PacketCtx& ctx);
    void raise(Anomaly a, const PacketCtx& ctx, const dissect::EventBody* context);

    dissect::EventSink& sink_;
    std::array<DirState, 2> dirs_{};
    std::array<Pending, max_outstanding> pending_{};
    uint64_t next_seq_ = 0;
    size_t unsynced_bytes_ = 0;
    bool synced_once_ = false;
    bool active_ = true;
};

extern const dissect::DissectorInfo dissector_info;

}  // namespace otsentry::tpl
