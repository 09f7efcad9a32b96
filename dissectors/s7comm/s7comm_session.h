// S7comm per-flow state. TPKT/COTP framing, resynchronisation and DT reassembly are the shared
// cotp::CotpStream; this session turns its TPDUs and user PDUs into events:
//
// - COTP CR and the CC that answers it form one "connect" transaction (TSAPs, rack/slot),
//   reported once the first S7 PDU shows the connection is S7comm (MMS and S7comm-plus use the
//   same TPDUs); DR, DC and ER are events of their own.
// - A job (ROSCTR 1) is paired with the ack or ack-data (2, 3) that carries its PDU reference,
//   travelling the other way (jobs may come from either side: during a program download the
//   PLC sends the download-block jobs). A userdata request (type 4) is paired with the userdata
//   response (type 8) with its PDU reference; push userdata (type 0) stands alone.
// - A program download (request download, download blocks, download ended) shares one
//   `download_id`; the download-ended transaction carries a `download` summary.
//
// Caps, all constexpr: max_outstanding requests wait for an answer (one more evicts the oldest,
// reported unanswered); each keeps at most max_request_copy octets of its PDU, re-parsed when
// the response arrives (so no span outlives its frame).
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
#include "dissectors/s7comm/s7comm_anomalies.h"
#include "dissectors/s7comm/s7comm_parser.h"
#include "dissectors/s7comm/s7comm_types.h"

namespace otsentry::s7comm {

constexpr Protocol protocol = Protocol::S7comm;
constexpr size_t max_outstanding = 16;
constexpr size_t max_request_copy = 1024;
constexpr size_t max_eve_items = 32;  // items written to EVE per PDU
constexpr size_t max_eve_data = 64;   // octets of one item's data (hex) written to EVE

// The fields the rules may use; also the scalar keys of each EVE PDU object (s7comm_fields.cc).
std::span<const dissect::FieldSpec<Pdu>> fields() noexcept;
// The same fields for the rule engine, type-erased (dissectors/common/field_catalog.h).
const dissect::ProtocolFields& protocol_fields();

// What a finished program download amounted to (on the download-ended transaction).
struct DownloadSummary {
    uint32_t id = 0;
    uint32_t blocks = 0;  // download-block responses seen
    uint64_t octets = 0;  // block data octets they carried
    std::array<uint8_t, 16> filename{};
    uint8_t filename_len = 0;
};

// One transaction. Valid only during the sink call it is passed to.
class Transaction final : public dissect::EventBody {
public:
    Transaction(const Pdu* request, const Pdu* response, const DownloadSummary* download = nullptr) noexcept
        : request_{request}, response_{response}, download_{download}
    {
    }
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
    const DownloadSummary* download_;
};

class S7commSession final : public dissect::Session, private cotp::CotpHandler {
public:
    explicit S7commSession(dissect::EventSink& sink) noexcept : sink_{sink} {}

    void on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx) override;
    void on_gap(Direction dir, uint64_t bytes, const PacketCtx& ctx) override;
    void on_end(const PacketCtx& ctx) override;
    [[nodiscard]] bool active() const override { return active_; }

    [[nodiscard]] size_t outstanding() const noexcept;

private:
    struct Pending {
        std::array<uint8_t, max_request_copy> bytes{};
        size_t len = 0;
        Direction dir = Direction::ToServer;
        uint16_t pdu_ref = 0;
        bool userdata = false;
        uint32_t download_id = 0;
        uint64_t pcap_cnt = 0;
        uint64_t seq = 0;
        bool used = false;
    };

    void on_tpdu(Direction dir, const cotp::Tpdu& tpdu, const PacketCtx& ctx) override;
    void on_user_pdu(Direction dir, std::span<const uint8_t> pdu, const PacketCtx& ctx) override;
    void on_frame_error(Direction dir, cotp::FrameError e, const PacketCtx& ctx) override;
    void on_reassembly_overflow(Direction dir, const PacketCtx& ctx) override;
    void on_not_tpkt() override;

    void on_request(Direction dir, Pdu& pdu, std::span<const uint8_t> bytes, bool userdata,
                    const PacketCtx& ctx);
    void on_response(Direction dir, Pdu& pdu, bool userdata, const PacketCtx& ctx);
    void restore(const Pending& p, Pdu& out) const noexcept;
    void emit_unanswered(Pending& p, const PacketCtx& ctx);
    void flush_connect(const PacketCtx& ctx);
    void raise_flags(const Pdu& pdu, const dissect::EventBody& context, const PacketCtx& ctx);
    void raise(Anomaly a, const PacketCtx& ctx, const dissect::EventBody* context);

    dissect::EventSink& sink_;
    cotp::CotpStream stream_{*this, protocol_id};
    std::array<Pending, max_outstanding> pending_{};
    Pdu connect_request_{};
    Pdu connect_confirm_{};
    bool connect_pending_ = false;
    bool connect_confirmed_ = false;
    DownloadSummary download_{};
    uint32_t downloads_ = 0;
    uint64_t next_seq_ = 0;
    bool s7_seen_ = false;
    bool active_ = true;
};

extern const dissect::DissectorInfo dissector_info;

}  // namespace otsentry::s7comm
