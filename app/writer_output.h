// The RecordOutput that hands records to the store writer (replay and monitor).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "alerts/writer.h"
#include "app/engine.h"

namespace otsentry::app {

class WriterOutput final : public RecordOutput {
public:
    explicit WriterOutput(alerts::Writer& w) : writer_{w} {}
    void submit(alerts::Record&& r) override { writer_.submit(std::move(r)); }
    void take_line_buffers(std::vector<std::string>& out) override { writer_.take_line_buffers(out); }

private:
    alerts::Writer& writer_;
};

}  // namespace otsentry::app
