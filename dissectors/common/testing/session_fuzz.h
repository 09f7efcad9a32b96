// The libFuzzer input format shared by every dissector's session fuzz target: a list of chunks,
// each a header byte (bit 7 = direction ToClient, bits 0-6 = length; 127 means a gap of 16 bytes
// instead of data) followed by that many bytes. Each chunk is copied into an exactly sized heap
// buffer so ASan sees any read past it; the flow ends with on_end(). Every event and anomaly
// context is rendered, and unbalanced JSON traps.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "dissectors/common/dissector.h"
#include "dissectors/common/json_writer.h"

namespace otsentry::dissect::testing {

class RenderSink final : public EventSink {
public:
    void on_event(Protocol /*proto*/, const PacketCtx& /*ctx*/, const EventBody& event) override
    {
        render(event);
    }
    void on_anomaly(Protocol /*proto*/, const PacketCtx& /*ctx*/, const AnomalyInfo& anomaly,
                    const EventBody* context) override
    {
        if (anomaly.name.empty()) __builtin_trap();
        if (context != nullptr) render(*context);
    }

private:
    void render(const EventBody& event)
    {
        out_.clear();
        JsonWriter w{out_};
        event.write_json(w);
        if (w.depth() != 0) __builtin_trap();
        (void)event.pcap_cnt();
    }
    std::string out_;
};

// Runs one fuzz input through `session`; `check` is called after every chunk (invariants).
template <typename Check>
void run_session_chunks(Session& session, const uint8_t* data, size_t size, Check&& check)
{
    constexpr uint8_t gap_marker = 0x7F;
    uint64_t pkt = 0;
    size_t pos = 0;
    while (pos < size && session.active()) {
        const uint8_t hdr = data[pos++];
        const Direction dir = (hdr & 0x80) != 0 ? Direction::ToClient : Direction::ToServer;
        const PacketCtx ctx{++pkt, 0};
        const size_t len = hdr & 0x7F;
        if (len == gap_marker) {
            session.on_gap(dir, 16, ctx);
            continue;
        }
        const size_t n = std::min(len, size - pos);
        auto buf = std::make_unique<uint8_t[]>(n);
        std::copy_n(data + pos, n, buf.get());
        session.on_data(dir, std::span<const uint8_t>{buf.get(), n}, ctx);
        pos += n;
        check();
    }
    session.on_end(PacketCtx{++pkt, 0});
}

}  // namespace otsentry::dissect::testing
