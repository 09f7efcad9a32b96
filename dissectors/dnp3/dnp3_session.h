// DNP3 per-flow state. Frames link frames across any TCP segmentation (one partial frame buffered
// per direction) or within each UDP datagram, reassembles transport segments into application
// fragments per (source, destination) address pair, and pairs responses with requests by
// application sequence number. One event per application fragment (a request with its response;
// an unsolicited response with the master's confirm) and per link service exchange (reset link
// states, request link status... with the secondary's answer).
//
// Caps, all constexpr: a partial link frame is at most max_link_frame_len bytes; a fragment at
// most max_fragment_len; at most max_channels address pairs reassemble at once (one more drops
// the least recently used partial fragment); at most max_outstanding requests, unsolicited
// responses and link requests wait for their answer (one more evicts the oldest, reported
// unanswered). Buffers are allocated once per flow as needed and reused.
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
#include "dissectors/common/json_writer.h"
#include "dissectors/dnp3/dnp3_anomalies.h"
#include "dissectors/dnp3/dnp3_parser.h"
#include "dissectors/dnp3/dnp3_types.h"

namespace otsentry::dnp3 {

constexpr Protocol protocol = Protocol::Dnp3;
constexpr uint16_t dnp3_port = 20000;
constexpr size_t max_outstanding = 16;
constexpr size_t max_channels = 8;
// Before the first valid link frame, this many bytes without a valid header end the session.
constexpr size_t max_unsynced_bytes = 4 * max_link_frame_len;
// Points written to EVE per object and per PDU (an object list stops at max_objects headers).
constexpr size_t max_eve_points_per_object = 64;
constexpr size_t max_eve_points = 256;

// The fields the rules may use; also the scalar keys of each EVE PDU object (dnp3_fields.cc).
std::span<const dissect::FieldSpec<Pdu>> fields() noexcept;
// The same fields for the rule engine, type-erased (dissectors/common/field_catalog.h).
const dissect::ProtocolFields& protocol_fields();

// One transaction. Valid only during the sink call it is passed to.
class Transaction final : public dissect::EventBody {
public:
    Transaction(const Pdu* request, const Pdu* response) noexcept : request_{request}, response_{response} {}
    // {"request":{...},"response":{...}}; see README.md for the PDU object.
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

void write_pdu_json(dissect::JsonWriter& w, const Pdu& pdu);

class Dnp3Session final : public dissect::Session {
public:
    // `datagrams`: each on_data() is one UDP datagram holding whole link frames.
    Dnp3Session(dissect::EventSink& sink, bool datagrams) noexcept : sink_{sink}, datagrams_{datagrams} {}

    void on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx) override;
    void on_gap(Direction dir, uint64_t bytes, const PacketCtx& ctx) override;
    void on_end(const PacketCtx& ctx) override;
    [[nodiscard]] bool active() const override { return active_; }

    [[nodiscard]] size_t outstanding() const noexcept { return used_; }
    [[nodiscard]] size_t channels() const noexcept { return channels_.size(); }

private:
    struct DirState {
        std::array<uint8_t, max_link_frame_len> buf{};
        size_t len = 0;
        bool resync = true;  // skip to the next valid link header
    };

    // Transport reassembly for one (source, destination) pair (1815 §8.2).
    struct Channel {
        enum class State : uint8_t { Idle, Assembling, Discarding };
        std::array<uint8_t, max_fragment_len> buf{};
        size_t len = 0;
        uint16_t src = 0;
        uint16_t dst = 0;
        Direction dir = Direction::ToServer;
        State state = State::Idle;
        uint8_t last_seq = 0;
        uint8_t frames = 0;
        bool synced = false;  // a FIR was seen since the start or the last gap
        bool bad_crc = false;
        uint64_t last_use = 0;
    };

    enum class WaitKind : uint8_t { Request, Unsolicited, LinkRequest };
    // Something waiting for its answer, with a copy of its fragment for the Pdu's spans.
    struct Pending {
        WaitKind kind = WaitKind::Request;
        Pdu pdu;
        std::array<uint8_t, max_fragment_len> bytes{};
        uint64_t seq = 0;
        bool used = false;
    };

    size_t consume(Direction dir, std::span<const uint8_t> in, const PacketCtx& ctx);
    void on_datagram(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx);
    void skip_unsynced(size_t n) noexcept;
    void on_frame(Direction dir, const LinkFrame& f, const PacketCtx& ctx);
    void on_link_only(const LinkFrame& f, const PacketCtx& ctx);
    void on_segment(Direction dir, const LinkFrame& f, const PacketCtx& ctx);
    void on_fragment(Pdu& pdu, const PacketCtx& ctx);
    Channel* find_channel(uint16_t src, uint16_t dst) noexcept;
    Channel& new_channel(uint16_t src, uint16_t dst, Direction dir, const PacketCtx& ctx);

    Pending* find_pending(WaitKind kind, uint16_t src, uint16_t dst, int app_seq) noexcept;
    void wait(WaitKind kind, const Pdu& pdu, const PacketCtx& ctx);
    Pending& free_slot(const PacketCtx& ctx);
    void release(Pending& slot) noexcept;
    void emit(const Pdu* request, const Pdu* response, const PacketCtx& ctx);
    void emit_waiting(Pending& slot, const PacketCtx& ctx);
    void raise(Anomaly a, const PacketCtx& ctx, const dissect::EventBody* context);
    void raise_all(uint32_t anomalies, const PacketCtx& ctx, const dissect::EventBody& context);

    dissect::EventSink& sink_;
    bool datagrams_;
    std::array<DirState, 2> dirs_{};
    std::vector<std::unique_ptr<Channel>> channels_;  // grows to max_channels, reused
    std::vector<std::unique_ptr<Pending>> pending_;   // grows to max_outstanding, reused
    size_t used_ = 0;
    uint64_t next_seq_ = 0;
    uint64_t clock_ = 0;  // orders channel use
    size_t unsynced_bytes_ = 0;
    bool active_ = true;
    bool seen_dnp3_ = false;
    bool requests_lost_ = false;  // a gap: the next orphan response is expected
};

extern const dissect::DissectorInfo dissector_info;      // TCP port 20000
extern const dissect::DissectorInfo udp_dissector_info;  // UDP port 20000

}  // namespace otsentry::dnp3
