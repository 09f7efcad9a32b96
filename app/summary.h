// The end-of-run summary a user reads after `otsentry replay` and at `otsentry monitor` shutdown.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "alerts/writer.h"
#include "app/engine.h"
#include "app/pipeline.h"

namespace otsentry::app {

struct RunInfo {
    size_t files = 0;
    double elapsed_s = 0;
    std::string db_path, eve_path;
};

// What `otsentry monitor` adds: the interfaces it captured on (the first line names them
// instead of counting files) and what the kernel counted, summed over the interfaces.
struct LiveRunInfo {
    std::vector<std::string> interfaces;
    uint64_t received = 0, kernel_dropped = 0, if_dropped = 0;
};

// `workers`: per-worker progress, printed when there is more than one worker.
void print_summary(std::FILE* out, const RunInfo& run, const EngineTotals& totals,
                   const alerts::WriterStats& written, const LiveRunInfo* live = nullptr,
                   const std::vector<WorkerSnapshot>& workers = {});

// "1,234,567"
std::string with_commas(uint64_t v);
// "12.3 MB" (decimal units, as network tools count)
std::string human_bytes(uint64_t v);

}  // namespace otsentry::app
