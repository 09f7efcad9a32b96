// libFuzzer target for the pure DNP3 parsers: the input is parsed as an application fragment
// (objects, rendered to JSON as the EVE writer does) and as a link frame, and probed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "dissectors/common/json_writer.h"
#include "dissectors/dnp3/dnp3_parser.h"
#include "dissectors/dnp3/dnp3_session.h"

using namespace otsentry;  // NOLINT(google-build-using-namespace)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    // An exactly sized heap copy, so ASan sees any read past the end.
    auto buf = std::make_unique<uint8_t[]>(size);
    std::copy_n(data, size, buf.get());
    const std::span<const uint8_t> in{buf.get(), size};

    dnp3::Pdu pdu;
    dnp3::parse_application(in, pdu);
    if (pdu.object_count > dnp3::max_objects || pdu.object_count > pdu.objects_total) __builtin_trap();
    for (size_t i = 0; i < pdu.object_count; ++i) {
        const auto& h = pdu.objects[i];
        if (size_t{h.data_offset} + h.data_len > pdu.fragment.size()) __builtin_trap();
    }
    std::string out;
    dissect::JsonWriter w{out};
    dnp3::write_pdu_json(w, pdu);
    if (w.depth() != 0) __builtin_trap();

    dnp3::LinkFrame frame;
    const auto r = dnp3::parse_link_frame(in, frame);
    if (r.kind == dnp3::ParseResult::Kind::Ok && (r.size > size || r.size > dnp3::max_link_frame_len))
        __builtin_trap();
    (void)dnp3::probe(in, Direction::ToServer);
    return 0;
}
