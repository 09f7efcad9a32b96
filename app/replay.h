// `otsentry replay`: read capture files as fast as possible through the engine, write events and
// alerts to the store and the EVE file, and print a summary.
#pragma once

#include <string>
#include <vector>

#include "app/output_options.h"
#include "app/rule_options.h"

namespace otsentry::app {

struct ReplayOptions {
    std::vector<std::string> inputs;  // files in order; "-" is standard input
    std::string eve_path;             // empty: no EVE file
    std::string db_path;              // empty: no database
    enum class Progress { Auto, Always, Never } progress = Progress::Auto;
    bool quiet = false;    // no summary
    unsigned workers = 1;  // engine threads (1: the reader runs the engine itself)
    RuleOptions rules;
    OutputOptions output;
};

// Returns the process exit code: 0 when every input was read, 1 when an input could not be
// read or an output could not be opened.
int run_replay(const ReplayOptions& opts);

}  // namespace otsentry::app
