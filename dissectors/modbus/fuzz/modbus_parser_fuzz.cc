// libFuzzer target for parse_pdu. The first byte picks the direction (bit 0); the rest is one
// buffer handed to the parser, then to the EVE renderer and the field table when it parses.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "dissectors/common/json_writer.h"
#include "dissectors/modbus/modbus_parser.h"
#include "dissectors/modbus/modbus_session.h"

using namespace otsentry;  // NOLINT(google-build-using-namespace)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0) return 0;
    const Direction dir = (data[0] & 1) != 0 ? Direction::ToClient : Direction::ToServer;
    // An exactly sized heap copy, so ASan flags any read past the end.
    const size_t n = size - 1;
    auto buf = std::make_unique<uint8_t[]>(n);
    std::copy_n(data + 1, n, buf.get());
    const std::span<const uint8_t> in{buf.get(), n};

    (void)modbus::probe(in, dir);
    modbus::Pdu pdu;
    const auto r = modbus::parse_pdu(in, dir, pdu);
    switch (r.kind) {
        case modbus::ParseResult::Kind::Ok: {
            if (r.size > n || r.size > modbus::max_adu_len) __builtin_trap();
            std::string out;
            dissect::JsonWriter w{out};
            modbus::write_pdu_json(w, pdu);
            if (w.depth() != 0) __builtin_trap();
            for (const auto& f : modbus::fields())
                (void)f.get(pdu);
            break;
        }
        case modbus::ParseResult::Kind::NeedMore:
            if (r.size == 0 || r.size > modbus::max_adu_len) __builtin_trap();
            break;
        case modbus::ParseResult::Kind::NotThisProtocol:
        case modbus::ParseResult::Kind::Anomaly:
            break;
    }
    return 0;
}
