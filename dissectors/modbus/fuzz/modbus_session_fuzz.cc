// libFuzzer target for ModbusSession (input format: dissectors/common/testing/session_fuzz.h).
#include <cstddef>
#include <cstdint>

#include "dissectors/common/testing/session_fuzz.h"
#include "dissectors/modbus/modbus_session.h"

using namespace otsentry;  // NOLINT(google-build-using-namespace)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    dissect::testing::RenderSink sink;
    modbus::ModbusSession session{sink};
    dissect::testing::run_session_chunks(session, data, size, [&] {
        if (session.outstanding() > modbus::max_outstanding) __builtin_trap();
    });
    if (session.outstanding() != 0) __builtin_trap();
    return 0;
}
