// Modbus/TCP per-flow state: frames ADUs across any TCP segmentation (one partial ADU buffered
// per direction), pairs responses with requests by transaction id and unit id, and reports one
// event per transaction (request and response together; either alone when the other is missing).
//
// Caps: a partial ADU is at most max_adu_len bytes by construction (a longer length field cannot
// be framed: anomaly and resync), and at most max_outstanding requests wait for an answer; one more evicts
// the oldest, which is reported unanswered. Slots are allocated once and reused, so steady-state traffic
// allocates nothing.
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
#include "dissectors/modbus/modbus_anomalies.h"
#include "dissectors/modbus/modbus_parser.h"
#include "dissectors/modbus/modbus_types.h"

namespace otsentry::modbus {

constexpr size_t max_outstanding = 64;
// Before the first valid ADU, this many bytes without a plausible header end the session.
constexpr size_t max_unsynced_bytes = 4 * max_adu_len;
// Values written to EVE per PDU; both are the protocol maxima, so nothing real is cut.
constexpr size_t max_eve_registers = 125;
constexpr size_t max_eve_bits = 2000;

// The fields the rules may use, also the scalar keys of each EVE PDU object (modbus_fields.cc).
std::span<const dissect::FieldSpec<Pdu>> fields() noexcept;
// Writes the PDU's fields that have an EVE key, in table order (write_fields over fields()).
void write_eve_fields(dissect::JsonWriter& w, const Pdu& pdu);
// The same fields for the rule engine, type-erased (dissectors/common/field_catalog.h).
const dissect::ProtocolFields& protocol_fields();

// One transaction: a request and/or its response. Valid only during the sink call it is passed to.
class Transaction final : public dissect::EventBody {
public:
    Transaction(const Pdu* request, const Pdu* response) noexcept : request_{request}, response_{response} {}

    // {"request":{...},"response":{...}}: the field table's keys, then `values`, `records` or
    // `objects`, then `pcap_cnt`.
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

// Writes one PDU object. `bit_limit` caps the number of coil values (a read response carries
// whole bytes; its request's quantity says how many bits are real).
void write_pdu_json(dissect::JsonWriter& w, const Pdu& pdu, size_t bit_limit = max_eve_bits);

class ModbusSession final : public dissect::Session {
public:
    explicit ModbusSession(dissect::EventSink& sink) noexcept : sink_{sink} {}

    void on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx) override;
    void on_gap(Direction dir, uint64_t bytes, const PacketCtx& ctx) override;
    void on_end(const PacketCtx& ctx) override;
    [[nodiscard]] bool active() const override { return active_; }

    [[nodiscard]] size_t outstanding() const noexcept { return used_; }

private:
    using DirState = dissect::FrameBuffer<max_adu_len>;
    // A request waiting for its response, with a copy of its bytes for the Pdu's spans.
    struct Pending {
        Pdu pdu;
        std::array<uint8_t, max_adu_len> bytes{};
        uint64_t seq = 0;
        bool used = false;
    };

    // A request the spec says is never answered (force listen only) is reported at once; some
    // devices answer it anyway, and that answer must not look like a response without request.
    struct Unanswerable {
        uint16_t transaction_id = 0;
        uint8_t unit_id = 0;
        bool used = false;
    };
    static constexpr size_t max_unanswerable = 4;
    bool take_unanswerable(const Pdu& response) noexcept;

    size_t consume(Direction dir, std::span<const uint8_t> in, const PacketCtx& ctx);
    void skip_unsynced(size_t& pos) noexcept;
    void on_request(Pdu& pdu, std::span<const uint8_t> adu, const PacketCtx& ctx);
    void on_response(Pdu& pdu, const PacketCtx& ctx);
    Pending& free_slot(const PacketCtx& ctx);
    Pending* find_request(const Pdu& response, bool& unit_mismatch) noexcept;
    void emit_unanswered(Pending& slot, const PacketCtx& ctx);
    void raise(Anomaly a, const PacketCtx& ctx, const dissect::EventBody* context);
    void raise_all(uint32_t anomalies, const PacketCtx& ctx, const dissect::EventBody& context);

    dissect::EventSink& sink_;
    std::array<DirState, 2> dirs_{};
    std::array<Unanswerable, max_unanswerable> unanswerable_{};
    size_t unanswerable_next_ = 0;
    std::vector<std::unique_ptr<Pending>> pending_;  // grows to max_outstanding, slots reused
    size_t used_ = 0;
    uint64_t next_seq_ = 0;
    size_t unsynced_bytes_ = 0;
    bool active_ = true;
    bool seen_modbus_ = false;
    bool requests_lost_ = false;  // a ToServer gap: the next orphan response is expected
};

extern const dissect::DissectorInfo dissector_info;

}  // namespace otsentry::modbus
