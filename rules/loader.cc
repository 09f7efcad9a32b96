#include "rules/loader.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "rules/parser.h"

namespace otsentry::rules {

namespace {

namespace fs = std::filesystem;

// A directory contributes its *.rules files in name order (not recursive: a rule directory is
// flat, and a stray sub-folder of drafts should not load).
std::vector<std::string> expand(const std::string& path, std::vector<std::string>& fatal)
{
    std::error_code ec;
    if (!fs::is_directory(path, ec)) return {path};
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator{path, ec})
        if (e.path().extension() == ".rules" && e.is_regular_file(ec)) files.push_back(e.path().string());
    if (ec) fatal.push_back(fmt::format("{}: cannot list the directory: {}", path, ec.message()));
    std::sort(files.begin(), files.end());
    if (files.empty() && !ec) fatal.push_back(fmt::format("{}: no *.rules files in this directory", path));
    return files;
}

}  // namespace

LoadResult load_rules(const LoadOptions& opts)
{
    LoadResult out;
    Variables vars;
    for (const auto& [name, value] : opts.vars) {
        std::string error;
        if (!vars.set(name, value, error)) out.fatal.push_back(error);
    }
    Classifications classes;
    for (const auto& f : opts.classification_files) {
        std::string error;
        if (!classes.load_file(f, error)) out.fatal.push_back(error);
    }
    if (!out.fatal.empty()) return out;

    RuleFileSet set{ParseContext{&vars, &classes}};
    if (opts.paths.empty() || opts.include_default) {
        for (const EmbeddedFile& f : default_rule_files()) {
            out.sources.push_back("default/" + std::string{f.name});
            set.add_text(f.data, out.sources.back());
        }
    }
    for (const auto& p : opts.paths) {
        for (const auto& file : expand(p, out.fatal)) {
            // An unreadable file is fatal: running without rules the operator asked for would
            // be a silent loss of detection.
            out.sources.push_back(file);
            if (!set.add_file(file)) out.fatal.push_back(fmt::format("{}: cannot read the rule file", file));
        }
    }
    for (const auto& [name, text] : opts.texts) {
        out.sources.push_back(name);
        set.add_text(text, name);
    }
    out.report = make_report(set);
    out.errors = set.errors();
    if (!out.fatal.empty()) return out;
    std::vector<Rule> rules = std::move(set.rules());
    const auto severity = [&classes](const Rule& r) {
        const ClassType* ct = classes.find(r.classtype);
        return severity_of(r, ct != nullptr ? ct->priority : 0);
    };
    for (const Rule& r : rules)
        if (!r.unavailable.empty()) out.unavailable.push_back(IdleRule{r, severity(r)});
    if (!opts.disabled.empty()) {
        const std::set<std::pair<uint32_t, uint32_t>> off(opts.disabled.begin(), opts.disabled.end());
        const auto is_off = [&](const Rule& r) { return off.contains({r.gid, r.sid}); };
        for (Rule& r : rules)
            if (is_off(r)) {
                const uint8_t sev = severity(r);  // before the move
                out.disabled.push_back(IdleRule{std::move(r), sev});
            }
        std::erase_if(rules, is_off);
    }
    out.set = RuleSet::compile(std::move(rules), classes, out.compile_errors);
    return out;
}

void print_load_report(std::FILE* out, const LoadResult& r, bool stats)
{
    for (const auto& f : r.fatal)
        fmt::print(out, "error: {}\n", f);
    print_report(out, r.report);
    for (const auto& e : r.compile_errors) {
        if (e.file.empty()) {
            fmt::print(out, "compile: {}\n", e.reason);
        } else {
            fmt::print(out, "{}:{}: sid {}: {}\n", e.file, e.line, e.sid, e.reason);
        }
    }
    if (r.set) {
        const CompileStats& s = r.set->stats();
        fmt::print(out,
                   "compiled: {} packet rules, {} transaction rules, {} app-layer-event rules; {} prefilter "
                   "patterns in {} Hyperscan databases; {} pcre on PCRE2 (Hyperscan cannot compile them)\n",
                   s.packet_rules, s.transaction_rules, s.event_rules, s.prefilter_patterns, s.databases,
                   s.pcre2_fallbacks);
        if (stats)
            fmt::print(out, "compile_ms={:.1f} hs_bytes={} rules={}\n", s.compile_ms, s.hs_bytes,
                       s.rules - s.unavailable);
    }
}

std::string load_summary(const LoadResult& r)
{
    const size_t failed = r.compile_errors.size();
    return fmt::format("{} rules loaded ({} unavailable), {} rejected{}", r.report.accepted.size() - failed,
                       r.report.unavailable.size(), r.report.rejected.size() + failed,
                       r.set != nullptr && r.set->stats().pcre2_fallbacks != 0
                           ? fmt::format(", {} pcre on PCRE2", r.set->stats().pcre2_fallbacks)
                           : std::string{});
}

}  // namespace otsentry::rules
