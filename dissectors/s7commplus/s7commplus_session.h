// S7comm-plus per-flow state. TPKT/COTP framing, resynchronisation and DT reassembly are the
// shared cotp::CotpStream; this session pairs each request (opcode 0x31) with the response
// (0x32, or 0x02) that carries its sequence number, and reports notifications (0x33) and
// keep-alives alone. Continuation fragments of a PDU produce no event of their own.
//
// Caps, all constexpr: at most max_outstanding requests wait (one more evicts the oldest,
// reported unanswered). A Pdu holds no spans, so pending requests are plain copies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dissectors/common/dissector.h"
#include "dissectors/common/field.h"
#include "dissectors/common/field_catalog.h"
#include "dissectors/common/json_writer.h"
#include "dissectors/cotp/cotp.h"
#include "dissectors/s7commplus/s7commplus_anomalies.h"
#include "dissectors/s7commplus/s7commplus_parser.h"
#include "dissectors/s7commplus/s7commplus_types.h"

namespace otsentry::s7commplus {

constexpr Protocol protocol = Protocol::S7commPlus;
constexpr size_t max_outstanding = 16;

// The fields the rules may use; also the keys of each EVE PDU object (s7commplus_fields.cc).
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

private:
    const Pdu* request_;
    const Pdu* response_;
};

class S7commPlusSession final : public dissect::Session, private cotp::CotpHandler {
public:
    explicit S7commPlusSession(dissect::EventSink& sink) noexcept : sink_{sink} {}

    void on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx) override;
    void on_gap(Direction dir, uint64_t bytes, const PacketCtx& ctx) override;
    void on_end(const PacketCtx& ctx) override;
    [[nodiscard]] bool active() const override { return active_; }

    [[nodiscard]] size_t outstanding() const noexcept;

private:
    struct Pending {
        Pdu pdu;
        Direction dir = Direction::ToServer;
        uint64_t seq = 0;
        bool used = false;
    };

    void on_tpdu(Direction dir, const cotp::Tpdu& tpdu, const PacketCtx& ctx) override;
    void on_user_pdu(Direction dir, std::span<const uint8_t> pdu, const PacketCtx& ctx) override;
    void on_frame_error(Direction dir, cotp::FrameError e, const PacketCtx& ctx) override;
    void on_reassembly_overflow(Direction dir, const PacketCtx& ctx) override;
    void on_not_tpkt() override;

    void raise_flags(const Pdu& pdu, const dissect::EventBody& context, const PacketCtx& ctx);
    void raise(Anomaly a, const PacketCtx& ctx, const dissect::EventBody* context);

    dissect::EventSink& sink_;
    cotp::CotpStream stream_{*this, protocol_id};
    std::array<Pending, max_outstanding> pending_{};
    std::array<bool, 2> in_fragment_{};
    uint64_t next_seq_ = 0;
    bool seen_ = false;
    bool active_ = true;
};

extern const dissect::DissectorInfo dissector_info;

}  // namespace otsentry::s7commplus
