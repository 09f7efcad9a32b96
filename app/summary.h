// The end-of-run summary a user reads after `otsentry replay` (and, later, at monitor shutdown).
#pragma once

#include <cstdio>
#include <string>

#include "alerts/writer.h"
#include "app/engine.h"

namespace otsentry::app {

struct RunInfo {
    size_t files = 0;
    double elapsed_s = 0;
    std::string db_path, eve_path;
};

void print_summary(std::FILE* out, const RunInfo& run, const Engine& engine,
                   const alerts::WriterStats& written);

// "1,234,567"
std::string with_commas(uint64_t v);
// "12.3 MB" (decimal units, as network tools count)
std::string human_bytes(uint64_t v);

}  // namespace otsentry::app
