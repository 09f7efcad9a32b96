// The configuration file (`--config FILE`, YAML): what an appliance sets once instead of on every
// command line. Today: where rules come from and the rule variables.
//
//   rules:
//     paths: [/etc/otsentry/rules.d, /etc/otsentry/local.rules]   # files or directories
//     default: true                  # also load the built-in set (default: only when no paths)
//     classification: [/etc/otsentry/classification.config]
//   vars:
//     HOME_NET: "[10.0.0.0/8]"
//     ICS_ENGINEERING: "[10.1.1.10,10.1.1.11]"
//
// Command-line options add to it: --rules appends paths, --var overrides a variable.
#pragma once

#include <optional>
#include <string>

#include "app/rule_options.h"

namespace otsentry::app {

// Reads `path` into `out` (file values first, so `out`'s own --rules/--var come after and win).
// False with `error` ("FILE: line N: what") when the file cannot be read or has an unknown key or
// a value of the wrong kind.
bool apply_config_file(const std::string& path, RuleOptions& out, std::string& error);

}  // namespace otsentry::app
