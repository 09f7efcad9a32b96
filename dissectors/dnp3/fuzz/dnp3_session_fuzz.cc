// libFuzzer target for the DNP3 session (input format: dissectors/common/testing/session_fuzz.h).
// The first input byte picks the transport: even = TCP byte streams, odd = UDP datagrams (each
// chunk one datagram).
#include <cstddef>
#include <cstdint>

#include "dissectors/common/testing/session_fuzz.h"
#include "dissectors/dnp3/dnp3_session.h"

using namespace otsentry;  // NOLINT(google-build-using-namespace)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0) return 0;
    dissect::testing::RenderSink sink;
    dnp3::Dnp3Session session{sink, (data[0] & 1u) != 0};
    dissect::testing::run_session_chunks(session, data + 1, size - 1, [&] {
        if (session.outstanding() > dnp3::max_outstanding) __builtin_trap();
        if (session.channels() > dnp3::max_channels) __builtin_trap();
    });
    if (session.outstanding() != 0) __builtin_trap();
    return 0;
}
