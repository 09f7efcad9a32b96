// The RecordOutput that hands records to the store writer (replay and monitor).
#pragma once

#include <utility>

#include "alerts/writer.h"
#include "app/engine.h"

namespace otsentry::app {

class WriterOutput final : public RecordOutput {
public:
    explicit WriterOutput(alerts::Writer& w) : writer_{w} {}
    void submit(alerts::Record&& r) override { writer_.submit(std::move(r)); }

private:
    alerts::Writer& writer_;
};

}  // namespace otsentry::app
