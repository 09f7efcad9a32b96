// From rule files to a compiled rule set: where rules come from (files given with --rules, rule
// directories from the configuration, or the default set compiled into the binary), variables,
// and the report `otsentry rules check` prints. The engine loads the good rules and lists the
// others; it never drops one silently.
#pragma once

#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cmake/embedded_file.h"
#include "rules/check.h"
#include "rules/ruleset.h"

namespace otsentry::rules {

// The default rule set (rules/default/*.rules), embedded at build time.
std::span<const EmbeddedFile> default_rule_files();

struct LoadOptions {
    // Rule files, and directories whose *.rules files are loaded (sorted by name). Empty: the
    // default set.
    std::vector<std::string> paths;
    bool include_default = false;                           // also load the default set when paths are given
    std::vector<std::pair<std::string, std::string>> vars;  // NAME -> value text, over the defaults
    std::vector<std::string> classification_files;          // extra classification.config files
    // Rule texts that are not files (uploaded in the web UI), loaded after `paths`: the name
    // (reports show it as the file) and the text.
    std::vector<std::pair<std::string, std::string>> texts;
    // Rules (gid, sid) an admin disabled: parsed and listed in LoadResult::disabled, not compiled.
    std::vector<std::pair<uint32_t, uint32_t>> disabled;
};

// A rule that does not run (disabled by an admin, or unavailable: it names a protocol or keyword
// we do not inspect), with the severity its alerts would have had.
struct IdleRule {
    Rule rule;
    uint8_t severity = 3;
};

struct LoadResult {
    std::shared_ptr<const RuleSet> set;  // null when a fatal problem stopped loading
    CheckReport report;                  // every rule rejected or unavailable, with file:line
    std::vector<CompileError> compile_errors;
    std::vector<std::string> fatal;  // unreadable file, bad variable, bad classification file
    std::vector<RuleError> errors;   // the rejected rules, with their text
    std::vector<IdleRule> disabled;
    std::vector<IdleRule> unavailable;  // also counted in the compiled set's stats
    std::vector<std::string>
        sources;  // every rule file read, in order ("default/x.rules" for the built-in set)
};

LoadResult load_rules(const LoadOptions& opts);

// Prints the report as `otsentry rules check` does: one line per rejected or unavailable rule
// (`file:line: sid N: reason`), compile problems, then the summary line. With `stats`, a line
// `compile_ms=N hs_bytes=N rules=N` for benchmarks.
void print_load_report(std::FILE* out, const LoadResult& r, bool stats);

// A one-line summary for logs: "412 rules loaded (12 unavailable), 3 rejected".
std::string load_summary(const LoadResult& r);

}  // namespace otsentry::rules
