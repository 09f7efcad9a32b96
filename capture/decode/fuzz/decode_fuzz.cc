// Decodes arbitrary frames: the first byte picks the link type, the rest is the frame, copied to
// an exactly sized heap buffer so ASan catches any read past its end. Checks that every span the
// decoder returns lies inside the frame.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "capture/decode/decoder.h"

namespace {

using namespace otsentry::capture;

constexpr unsigned link_type_count = static_cast<unsigned>(LinkType::Loop) + 1;

bool inside(std::span<const uint8_t> part, const std::vector<uint8_t>& frame)
{
    if (part.empty()) return true;
    return part.data() >= frame.data() && part.data() + part.size() <= frame.data() + frame.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0) return 0;
    const auto link = static_cast<LinkType>(data[0] % link_type_count);
    const std::vector<uint8_t> frame(data + 1, data + size);
    Decoded d;
    DecodeStats stats;
    const DecodeError e = decode(link, frame, d, stats);
    if (!inside(d.l3, frame) || !inside(d.payload, frame)) std::abort();
    if (e != DecodeError::None && stats.total_errors() != 1) std::abort();
    if (d.l4 != L4::None && d.fragment) std::abort();
    if (decode_error_name(e).empty()) std::abort();
    return 0;
}
