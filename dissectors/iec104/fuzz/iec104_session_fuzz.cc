// libFuzzer target for the IEC 104 session (input format: dissectors/common/testing/session_fuzz.h).
// The parser is reached through the session. Invariants: the pending cap holds after every chunk,
// and nothing waits after on_end (every command is reported exactly once).
#include <cstddef>
#include <cstdint>

#include "dissectors/common/testing/session_fuzz.h"
#include "dissectors/iec104/iec104_session.h"

using namespace otsentry;  // NOLINT(google-build-using-namespace)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    dissect::testing::RenderSink sink;
    iec104::Iec104Session session{sink};
    dissect::testing::run_session_chunks(session, data, size, [&] {
        if (session.outstanding() > iec104::max_pending + 6) __builtin_trap();
    });
    if (session.outstanding() != 0) __builtin_trap();
    return 0;
}
