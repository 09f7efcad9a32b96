// libFuzzer target for the S7comm-plus session (input format: dissectors/common/testing/session_fuzz.h).
// The parser is reached through the session; a protocol with a parser others call directly
// (e.g. from the rule engine) gets its own parser target too.
#include <cstddef>
#include <cstdint>

#include "dissectors/common/testing/session_fuzz.h"
#include "dissectors/s7commplus/s7commplus_session.h"

using namespace otsentry;  // NOLINT(google-build-using-namespace)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    dissect::testing::RenderSink sink;
    s7commplus::S7commPlusSession session{sink};
    dissect::testing::run_session_chunks(session, data, size, [&] {
        if (session.outstanding() > s7commplus::max_outstanding) __builtin_trap();
    });
    if (session.outstanding() != 0) __builtin_trap();
    return 0;
}
