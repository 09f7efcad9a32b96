// libFuzzer target for ModbusSession. The input is a list of chunks: a header byte (bit 7 =
// direction, bits 0-6 = length; length 127 means a gap instead of data) and then the chunk's
// bytes. Each chunk is copied to an exactly sized heap buffer; on_end() closes the flow.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "dissectors/common/json_writer.h"
#include "dissectors/modbus/modbus_session.h"

using namespace otsentry;  // NOLINT(google-build-using-namespace)

namespace {

class RenderSink final : public dissect::EventSink {
public:
    void on_event(Protocol /*proto*/, const PacketCtx& /*ctx*/, const dissect::EventBody& event) override
    {
        out_.clear();
        dissect::JsonWriter w{out_};
        event.write_json(w);
        if (w.depth() != 0) __builtin_trap();
        (void)event.pcap_cnt();
    }
    void on_anomaly(Protocol /*proto*/, const PacketCtx& /*ctx*/, const dissect::AnomalyInfo& anomaly,
                    const dissect::EventBody* context) override
    {
        if (anomaly.name.empty()) __builtin_trap();
        if (context != nullptr) on_event(Protocol::Modbus, PacketCtx{}, *context);
    }

private:
    std::string out_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    constexpr uint8_t gap_marker = 0x7F;
    RenderSink sink;
    modbus::ModbusSession session{sink};
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
        if (session.outstanding() > modbus::max_outstanding) __builtin_trap();
    }
    session.on_end(PacketCtx{++pkt, 0});
    if (session.outstanding() != 0) __builtin_trap();
    return 0;
}
