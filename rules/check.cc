#include "rules/check.h"

#include <algorithm>

namespace otsentry::rules {

CheckReport make_report(const std::vector<Rule>& rules, const std::vector<RuleError>& errors)
{
    CheckReport r;
    for (const Rule& rule : rules) {
        CheckEntry e{rule.file, rule.line, rule.sid, rule.unavailable};
        if (!rule.unavailable.empty()) r.unavailable.push_back(e);
        r.accepted.push_back(std::move(e));
    }
    for (const RuleError& err : errors)
        r.rejected.push_back(CheckEntry{err.file, err.line, err.sid, err.reason});
    return r;
}

CheckReport make_report(const RuleFileSet& set)
{
    return make_report(set.rules(), set.errors());
}

CheckReport check_files(const std::vector<std::string>& paths, const ParseContext& ctx)
{
    RuleFileSet set{ctx};
    for (const auto& p : paths)
        set.add_file(p);
    return make_report(set);
}

std::string summary_line(const CheckReport& report)
{
    return std::to_string(report.total()) + " rules: " + std::to_string(report.accepted.size()) +
           " accepted (" + std::to_string(report.unavailable.size()) + " unavailable), " +
           std::to_string(report.rejected.size()) + " rejected";
}

void print_report(std::FILE* out, const CheckReport& report)
{
    std::vector<const CheckEntry*> lines;
    for (const auto& e : report.rejected)
        lines.push_back(&e);
    for (const auto& e : report.unavailable)
        lines.push_back(&e);
    std::stable_sort(lines.begin(), lines.end(), [](const CheckEntry* a, const CheckEntry* b) {
        return a->file != b->file ? a->file < b->file : a->line < b->line;
    });
    for (const CheckEntry* e : lines) {
        const std::string sid = e->sid ? "sid " + std::to_string(*e->sid) : std::string{"sid ?"};
        std::fprintf(out, "%s:%u: %s: %s\n", e->file.c_str(), e->line, sid.c_str(), e->reason.c_str());
    }
    std::fprintf(out, "%s\n", summary_line(report).c_str());
}

}  // namespace otsentry::rules
