#include "dissectors/modbus/modbus_session.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "dissectors/common/byte_reader.h"

namespace otsentry::modbus {

namespace {

using dissect::ByteReader;
using dissect::JsonWriter;

// Moves a span that pointed into `from` to the same place in `to`.
void rebase(std::span<const uint8_t>& s, const uint8_t* from, const uint8_t* to) noexcept
{
    if (s.empty()) {
        s = {};
        return;
    }
    s = {to + (s.data() - from), s.size()};
}

// App §6.8.1: Force Listen Only Mode is never answered.
bool expects_response(const Pdu& p) noexcept
{
    return !(p.function_code == to_underlying(FunctionCode::Diagnostics) && p.has(Has::SubFunction) &&
             p.subfunction == to_underlying(DiagSubFunction::ForceListenOnlyMode));
}

// The byte count a read response must carry for its request's quantity (0 when not checkable).
size_t expected_response_bytes(const Pdu& req) noexcept
{
    if (!req.has(Has::Quantity) || (req.anomalies & anomaly_bit(Anomaly::InvalidQuantity)) != 0) return 0;
    switch (req.function_code) {
        case to_underlying(FunctionCode::ReadCoils):
        case to_underlying(FunctionCode::ReadDiscreteInputs):
            return (req.quantity + 7u) / 8u;
        case to_underlying(FunctionCode::ReadHoldingRegisters):
        case to_underlying(FunctionCode::ReadInputRegisters):
        case to_underlying(FunctionCode::ReadWriteMultipleRegisters):
            return req.quantity * 2u;
        default:
            return 0;
    }
}

// The eight coils of a byte as '0'/'1', least significant bit (first coil) first.
constexpr std::array<std::array<char, 8>, 256> coil_chars = [] {
    std::array<std::array<char, 8>, 256> t{};
    for (unsigned b = 0; b < 256; ++b)
        for (unsigned i = 0; i < 8; ++i)
            t[b][i] = ((b >> i) & 1u) != 0 ? '1' : '0';
    return t;
}();

void write_values(JsonWriter& w, const Pdu& p, size_t bit_limit)
{
    if (p.value_kind == ValueKind::Bits) {
        // Coils as a string of '0'/'1', first coil first: as readable as a list, and a fraction
        // of its size and rendering cost at up to 2000 coils.
        // A byte at a time from a table of its eight characters; the buffer has room for the
        // last byte's eight even when only some of them are kept.
        std::array<char, max_eve_bits + 8> bits;  // only the first n are written and read
        const size_t n = std::min({size_t{p.value_count}, bit_limit, max_eve_bits, p.values.size() * 8});
        for (size_t i = 0; i < n; i += 8)
            std::memcpy(bits.data() + i, coil_chars[p.values[i / 8]].data(), 8);
        w.key("coils").name(std::string_view{bits.data(), n});  // only '0' and '1'

        return;
    }
    const size_t n = std::min({size_t{p.value_count}, max_eve_registers, p.values.size() / 2});
    w.key("values").be16_array(p.values.first(2 * n));
}

void write_string(JsonWriter& w, std::span<const uint8_t> bytes)
{
    // Device id strings are at most 255 bytes; copy them to chars rather than cast packet bytes.
    std::array<char, 256> text{};
    const size_t n = std::min(bytes.size(), text.size());
    std::copy_n(bytes.begin(), n, text.begin());
    w.value(std::string_view{text.data(), n});
}

// The parser kept only complete items, so these walks never run short.
void write_items(JsonWriter& w, const Pdu& p)
{
    ByteReader r{p.items};
    switch (p.item_kind) {
        case ItemKind::None:
            return;
        case ItemKind::FileReadRequest:
            w.key("records").begin_array();
            for (size_t i = 0; i < p.item_count; ++i) {
                r.skip(1);  // reference type
                w.begin_object();
                w.field("file_number", r.read_be<uint16_t>());
                w.field("record_number", r.read_be<uint16_t>());
                w.field("record_length", r.read_be<uint16_t>());
                w.end_object();
            }
            break;
        case ItemKind::FileReadResponse:
            w.key("records").begin_array();
            for (size_t i = 0; i < p.item_count; ++i) {
                const auto len = r.read_u8();
                r.skip(1);  // reference type
                const auto data = r.read_bytes(len > 0 ? len - 1u : 0u);
                w.begin_object();
                w.field("record_length", static_cast<uint64_t>(data.size() / 2));
                w.key("data").hex(data);
                w.end_object();
            }
            break;
        case ItemKind::FileWrite:
            w.key("records").begin_array();
            for (size_t i = 0; i < p.item_count; ++i) {
                r.skip(1);  // reference type
                w.begin_object();
                w.field("file_number", r.read_be<uint16_t>());
                w.field("record_number", r.read_be<uint16_t>());
                const auto len = r.read_be<uint16_t>();
                w.field("record_length", len);
                w.key("data").hex(r.read_bytes(size_t{len} * 2));
                w.end_object();
            }
            break;
        case ItemKind::DeviceObjects:
            w.key("objects").begin_array();
            for (size_t i = 0; i < p.item_count; ++i) {
                const auto id = r.read_u8();
                const auto len = r.read_u8();
                w.begin_object();
                w.field("id", id);
                w.field("name", device_object_name(id));
                w.key("value");
                write_string(w, r.read_bytes(len));
                w.end_object();
            }
            break;
    }
    w.end_array();
}

}  // namespace

void write_pdu_json(JsonWriter& w, const Pdu& pdu, size_t bit_limit)
{
    w.begin_object();
    write_eve_fields(w, pdu);
    if (pdu.value_kind != ValueKind::None) write_values(w, pdu, bit_limit);
    write_items(w, pdu);
    w.field("pcap_cnt", pdu.pcap_cnt);
    w.end_object();
}

void Transaction::write_json(JsonWriter& w) const
{
    w.begin_object();
    if (request_ != nullptr) {
        w.key("request");
        write_pdu_json(w, *request_);
    }
    if (response_ != nullptr) {
        size_t bit_limit = max_eve_bits;
        if (request_ != nullptr && request_->has(Has::Quantity) &&
            request_->function_code == response_->function_code)
            bit_limit = request_->quantity;
        w.key("response");
        write_pdu_json(w, *response_, bit_limit);
    }
    w.end_object();
}

uint64_t Transaction::pcap_cnt() const
{
    if (response_ != nullptr) return response_->pcap_cnt;
    return request_ != nullptr ? request_->pcap_cnt : 0;
}

void ModbusSession::raise(Anomaly a, const PacketCtx& ctx, const dissect::EventBody* context)
{
    sink_.on_anomaly(Protocol::Modbus, ctx, info(a), context);
}

void ModbusSession::raise_all(uint32_t anomalies, const PacketCtx& ctx, const dissect::EventBody& context)
{
    for (const auto& a : anomaly_table)
        if ((anomalies & (1u << a.code)) != 0) sink_.on_anomaly(Protocol::Modbus, ctx, a, &context);
}

void ModbusSession::emit_unanswered(Pending& slot, const PacketCtx& ctx)
{
    const Transaction t{&slot.pdu, nullptr};
    sink_.on_event(Protocol::Modbus, ctx, t);
    slot.used = false;
    --used_;
}

ModbusSession::Pending& ModbusSession::free_slot(const PacketCtx& ctx)
{
    for (auto& p : pending_)
        if (!p->used) return *p;
    if (pending_.size() < max_outstanding) return *pending_.emplace_back(std::make_unique<Pending>());
    // Cap reached: the oldest request is given up as unanswered.
    auto& oldest = **std::min_element(pending_.begin(), pending_.end(),
                                      [](const auto& a, const auto& b) { return a->seq < b->seq; });
    const Transaction t{&oldest.pdu, nullptr};
    raise(Anomaly::TooManyOutstanding, ctx, &t);
    emit_unanswered(oldest, ctx);
    return oldest;
}

bool ModbusSession::take_unanswerable(const Pdu& response) noexcept
{
    for (auto& u : unanswerable_) {
        if (u.used && u.transaction_id == response.transaction_id && u.unit_id == response.unit_id) {
            u.used = false;
            return true;
        }
    }
    return false;
}

ModbusSession::Pending* ModbusSession::find_request(const Pdu& response, bool& unit_mismatch) noexcept
{
    Pending* by_id = nullptr;
    for (auto& p : pending_) {
        if (!p->used || p->pdu.transaction_id != response.transaction_id) continue;
        if (p->pdu.unit_id == response.unit_id) {
            unit_mismatch = false;
            return p.get();
        }
        if (by_id == nullptr || p->seq < by_id->seq) by_id = p.get();
    }
    unit_mismatch = by_id != nullptr;
    return by_id;
}

void ModbusSession::on_request(Pdu& pdu, std::span<const uint8_t> adu, const PacketCtx& ctx)
{
    {
        const Transaction t{&pdu, nullptr};
        raise_all(pdu.anomalies, ctx, t);
        if (!expects_response(pdu)) {
            sink_.on_event(Protocol::Modbus, ctx, t);
            unanswerable_[unanswerable_next_] = {pdu.transaction_id, pdu.unit_id, true};
            unanswerable_next_ = (unanswerable_next_ + 1) % max_unanswerable;
            return;
        }
    }
    bool unit_mismatch = false;
    if (Pending* dup = find_request(pdu, unit_mismatch); dup != nullptr && !unit_mismatch) {
        const Transaction t{&dup->pdu, nullptr};
        raise(Anomaly::DuplicateTransactionId, ctx, &t);
        emit_unanswered(*dup, ctx);
    }
    Pending& slot = free_slot(ctx);
    std::copy(adu.begin(), adu.end(), slot.bytes.begin());
    slot.pdu = pdu;
    rebase(slot.pdu.body, adu.data(), slot.bytes.data());
    rebase(slot.pdu.data, adu.data(), slot.bytes.data());
    rebase(slot.pdu.values, adu.data(), slot.bytes.data());
    rebase(slot.pdu.items, adu.data(), slot.bytes.data());
    slot.seq = next_seq_++;
    slot.used = true;
    ++used_;
}

void ModbusSession::on_response(Pdu& pdu, const PacketCtx& ctx)
{
    bool unit_mismatch = false;
    Pending* slot = find_request(pdu, unit_mismatch);
    if (slot == nullptr) {
        if (!requests_lost_ && !take_unanswerable(pdu))
            pdu.anomalies |= anomaly_bit(Anomaly::ResponseWithoutRequest);
        const Transaction t{nullptr, &pdu};
        raise_all(pdu.anomalies, ctx, t);
        sink_.on_event(Protocol::Modbus, ctx, t);
        return;
    }
    requests_lost_ = false;
    const Pdu& req = slot->pdu;
    if (unit_mismatch) pdu.anomalies |= anomaly_bit(Anomaly::UnitIdMismatch);
    if (pdu.function() != req.function_code) {
        pdu.anomalies |= anomaly_bit(Anomaly::FunctionMismatch);
    } else if (const size_t expected = expected_response_bytes(req);
               expected != 0 && pdu.has(Has::ByteCount) && pdu.byte_count != expected) {
        pdu.anomalies |= anomaly_bit(Anomaly::ByteCountMismatch);
    }
    const Transaction t{&req, &pdu};
    raise_all(pdu.anomalies, ctx, t);
    sink_.on_event(Protocol::Modbus, ctx, t);
    slot->used = false;
    --used_;
}

void ModbusSession::skip_unsynced(size_t& pos) noexcept
{
    ++pos;
    if (!seen_modbus_ && ++unsynced_bytes_ > max_unsynced_bytes) active_ = false;
}

size_t ModbusSession::consume(Direction dir, std::span<const uint8_t> in, const PacketCtx& ctx)
{
    auto& d = dirs_[index_of(dir)];
    size_t pos = 0;
    while (active_ && pos < in.size()) {
        const auto rest = in.subspan(pos);
        const bool candidate = d.resync;
        if (candidate) {
            if (rest.size() < min_probe_len) break;
            if (!plausible_header(rest, dir)) {
                skip_unsynced(pos);
                continue;
            }
        }
        Pdu pdu;
        const auto res = parse_pdu(rest, dir, pdu);
        if (candidate && res.kind == ParseResult::Kind::Ok) {
            // Before the first valid ADU a run of zeros in someone else's protocol looks like a
            // header; only a PDU without anomalies is evidence of Modbus.
            if (!seen_modbus_ && (pdu.anomalies & ~anomaly_bit(Anomaly::Exception)) != 0) {
                skip_unsynced(pos);
                continue;
            }
            d.resync = false;
        }
        switch (res.kind) {
            case ParseResult::Kind::NeedMore:
                return pos;
            case ParseResult::Kind::Ok:
                seen_modbus_ = true;
                pdu.pcap_cnt = ctx.pcap_cnt;
                if (dir == Direction::ToServer)
                    on_request(pdu, rest.first(res.size), ctx);
                else
                    on_response(pdu, ctx);
                pos += res.size;
                break;
            case ParseResult::Kind::NotThisProtocol:
            case ParseResult::Kind::Anomaly:
                // Before any valid ADU this is probably not Modbus at all: look for a header quietly
                // (a mid-stream start) and give up after max_unsynced_bytes.
                if (seen_modbus_)
                    raise(res.kind == ParseResult::Kind::Anomaly ? res.reason : Anomaly::BadProtocolId, ctx,
                          nullptr);
                d.resync = true;
                break;
        }
    }
    return pos;
}

void ModbusSession::on_data(Direction dir, std::span<const uint8_t> data, const PacketCtx& ctx)
{
    dissect::feed_frames(
        dirs_[index_of(dir)], data, [&](std::span<const uint8_t> in) { return consume(dir, in, ctx); },
        [this] { return active_; });
}

void ModbusSession::on_gap(Direction dir, uint64_t /*bytes*/, const PacketCtx& /*ctx*/)
{
    auto& d = dirs_[index_of(dir)];
    d.len = 0;
    d.resync = true;
    if (dir == Direction::ToServer) requests_lost_ = true;
}

void ModbusSession::on_end(const PacketCtx& ctx)
{
    std::array<Pending*, max_outstanding> waiting{};
    size_t n = 0;
    for (auto& p : pending_)
        if (p->used) waiting[n++] = p.get();
    std::sort(waiting.begin(), waiting.begin() + static_cast<std::ptrdiff_t>(n),
              [](const Pending* a, const Pending* b) { return a->seq < b->seq; });
    for (size_t i = 0; i < n; ++i)
        emit_unanswered(*waiting[i], ctx);
    // A synchronised direction holding part of an ADU: a header promised bytes that never came
    // (a stalled or cut-off sender, or a length field lying about the size).
    for (auto& d : dirs_) {
        if (active_ && seen_modbus_ && !d.resync && d.len > 0) raise(Anomaly::TruncatedAdu, ctx, nullptr);
        d.len = 0;
    }
}

namespace {
constexpr uint16_t modbus_ports[] = {502};

std::unique_ptr<dissect::Session> make_session(dissect::EventSink& sink)
{
    return std::make_unique<ModbusSession>(sink);
}
}  // namespace

const dissect::DissectorInfo dissector_info{
    Protocol::Modbus, dissect::Transport::Tcp, modbus_ports, &probe, &make_session, anomaly_table,
};

}  // namespace otsentry::modbus
