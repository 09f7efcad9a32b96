// Framing across TCP segments, shared by the stream dissectors: at most one partial frame per
// direction is held, in a fixed array the size of the protocol's largest frame; whole frames are
// parsed in place in the segment, without a copy. Any segmentation gives the same frames.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace otsentry::dissect {

template <size_t MaxFrame>
struct FrameBuffer {
    std::array<uint8_t, MaxFrame> buf{};
    size_t len = 0;
    bool resync = false;  // skip to the next plausible header (after a gap or a bad header)
};

// Feeds `data` to `consume(std::span<const uint8_t>) -> size_t`, which parses whole frames from
// the start of what it is given and returns how many bytes it used: it stops only before a
// partial frame or a partial header (or consumes everything once the flow is judged not to be
// its protocol). First the held partial frame is completed from `data`, then the rest is parsed
// in place and its tail held. `active()` says whether the session still wants bytes.
template <size_t MaxFrame, typename Consume, typename Active>
void feed_frames(FrameBuffer<MaxFrame>& d, std::span<const uint8_t> data, Consume&& consume, Active&& active)
{
    while (active() && d.len > 0 && !data.empty()) {
        const size_t old_len = d.len;
        const size_t take = std::min(data.size(), d.buf.size() - old_len);
        std::copy_n(data.begin(), take, d.buf.begin() + static_cast<std::ptrdiff_t>(old_len));
        d.len += take;
        const size_t used = consume(std::span<const uint8_t>{d.buf.data(), d.len});
        if (used >= old_len) {
            d.len = 0;
            data = data.subspan(used - old_len);
            break;
        }
        std::memmove(d.buf.data(), d.buf.data() + used, d.len - used);
        d.len -= used;
        data = data.subspan(take);
        if (used == 0 && take == 0) {
            // Unreachable: a full buffer always holds a whole frame or a header to judge.
            d.len = 0;
            d.resync = true;
        }
    }
    if (!active()) {
        d.len = 0;
        return;
    }
    if (d.len > 0) return;
    const size_t used = consume(data);
    if (!active()) return;
    const auto rest = data.subspan(used);
    if (rest.size() > d.buf.size()) {
        // Unreachable: consume() stops only before a partial frame or a partial header.
        d.resync = true;
        return;
    }
    std::copy(rest.begin(), rest.end(), d.buf.begin());
    d.len = rest.size();
}

}  // namespace otsentry::dissect
