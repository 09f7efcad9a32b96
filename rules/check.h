// `otsentry rules check FILE...`: parses rule files as one set and reports, per rule, whether it
// was accepted, accepted but unavailable (a protocol or keyword we do not dissect yet), or
// rejected, with file:line, sid and reason.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "rules/parser.h"

namespace otsentry::rules {

struct CheckEntry {
    std::string file;
    uint32_t line = 0;
    std::optional<uint32_t> sid;
    std::string reason;  // empty for a fully accepted rule
};

struct CheckReport {
    std::vector<CheckEntry> accepted;     // every accepted rule, the unavailable ones included
    std::vector<CheckEntry> unavailable;  // the accepted rules that never match here
    std::vector<CheckEntry> rejected;     // rejected rules and unreadable files (line 0)

    [[nodiscard]] size_t total() const noexcept { return accepted.size() + rejected.size(); }
};

CheckReport make_report(const std::vector<Rule>& rules, const std::vector<RuleError>& errors);
CheckReport make_report(const RuleFileSet& set);

// Parses `paths` (files) as one rule set.
CheckReport check_files(const std::vector<std::string>& paths, const ParseContext& ctx = {});

// One line per rejected or unavailable rule, `file:line: sid N: reason` (sorted by file and
// line), then `N rules: A accepted (U unavailable), R rejected`.
void print_report(std::FILE* out, const CheckReport& report);

// The summary line alone, without a newline.
std::string summary_line(const CheckReport& report);

}  // namespace otsentry::rules
