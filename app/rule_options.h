// The rule options `replay`, `monitor` and `rules check` share: --rules, --var, --no-rules.
#pragma once

#include <string>
#include <vector>

#include "rules/loader.h"

namespace otsentry::app {

struct RuleOptions {
    std::vector<std::string> paths;  // --rules FILE|DIR, repeatable; none: the default set
    std::vector<std::string> vars;   // --var NAME=VALUE, repeatable
    std::vector<std::string> classification_files;
    bool with_default = false;  // --default-rules: the default set as well as --rules
    bool none = false;          // --no-rules: protocol events and anomaly alerts only
    std::string config_file;    // --config FILE: rule paths and variables (app/config_file.h)

    // Fills `out` (the configuration file first, then the command line); false (with `error`
    // set) when the configuration file is unusable or a --var is not NAME=VALUE.
    bool to_load_options(rules::LoadOptions& out, std::string& error) const;
};

}  // namespace otsentry::app
