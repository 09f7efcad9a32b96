// What the web UI's rules and status pages read and change in the store (schema v3): the rule
// set an engine loaded (the catalogue, rewritten at every load), rule states an admin set
// (rules_state), rule files uploaded in the UI (rule_files, which the engine loads after its own),
// and the live capture's periodic statistics (capture_stats, written by the store writer).
// Plain rows: the store knows nothing of the rule parser; app/ and webui/ fill and read them.
// SQL on a Store's connection, every value a bound parameter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerts/store.h"

namespace otsentry::alerts {

// One rule of a loaded set, as the rules page shows it.
struct CatalogRule {
    uint32_t gid = 1;
    std::optional<uint32_t> sid;  // a rejected rule may have none
    uint32_t rev = 0;
    std::string action, proto, msg, classtype;
    uint8_t severity = 0;  // 0: unknown (a rejected rule)
    std::string source;    // "default/modbus.rules", "/etc/otsentry/local.rules", "db:site.rules"
    uint32_t line = 0;
    std::string state;   // "active", "unavailable", "disabled", "rejected"
    std::string reason;  // why unavailable or rejected
    std::string text;    // the rule as written
};

// When and from what an engine last loaded its rules.
struct RuleLoadInfo {
    int64_t ts_us = 0;
    std::string summary;                                    // "62 rules loaded (5 unavailable), 0 rejected"
    std::vector<std::string> sources;                       // the rule files read
    std::vector<std::pair<std::string, std::string>> vars;  // the --var / config variables used
    int64_t changed_us = 0;                                 // last change of rule states or files
    [[nodiscard]] bool pending() const noexcept { return changed_us > ts_us; }
};

// Replaces the catalogue with `rules` and records the load (one transaction).
void save_rule_catalog(Store& store, const std::vector<CatalogRule>& rules, const RuleLoadInfo& info);
// The last load; nullopt when no engine has loaded rules into this store.
std::optional<RuleLoadInfo> rule_load_info(const Store& store);

struct CatalogFilter {
    std::string text;                 // substring of msg or text, ASCII case-insensitive
    std::vector<std::string> states;  // any of these; empty: all
    std::string proto;                // exact; empty: all
    std::optional<uint32_t> sid;
    int limit = 100, offset = 0;
};

struct CatalogEntry {
    CatalogRule rule;
    bool enabled = true;  // rules_state, or enabled when it has no row
    int64_t alerts = 0;   // stored alerts (aggregated) with this gid and sid
};

struct CatalogPage {
    std::vector<CatalogEntry> rules;  // by source, then line
    int64_t total = 0;                // matching the filter, all pages
};

CatalogPage list_rule_catalog(const Store& store, const CatalogFilter& f);
std::optional<CatalogEntry> find_catalog_rule(const Store& store, uint32_t gid, uint32_t sid);

// The (gid, sid) pairs an admin disabled.
std::vector<std::pair<uint32_t, uint32_t>> disabled_rules(const Store& store);
// Records the state in rules_state and marks the rule set changed.
void set_rule_enabled(Store& store, uint32_t gid, uint32_t sid, bool enabled, std::string_view actor,
                      int64_t now_us);

struct RuleFile {
    std::string name;
    std::string text;  // empty in list_rule_files
    int64_t bytes = 0;
    int64_t rules = 0;
    std::string uploaded_by;
    int64_t uploaded_us = 0;
};

// A rule file name: 1..64 bytes of [A-Za-z0-9._-], starting with a letter or digit, ending in
// ".rules".
bool valid_rule_file_name(std::string_view name);

std::vector<RuleFile> list_rule_files(const Store& store);                          // by name
std::optional<RuleFile> find_rule_file(const Store& store, std::string_view name);  // with text
// Every uploaded file with its text, by name: what the engine loads.
std::vector<RuleFile> load_rule_files(const Store& store);
// Adds or replaces the file and marks the rule set changed.
void save_rule_file(Store& store, const RuleFile& file, int64_t now_us);
// False when there is no such file.
bool delete_rule_file(Store& store, std::string_view name, int64_t now_us);

// The newest `limit` capture statistics records (the EVE `stats` lines), oldest first.
std::vector<std::pair<int64_t, std::string>> capture_stats(const Store& store, int limit);

// The newest `limit` runs, newest first (finished_us 0: still running, or killed).
std::vector<RunRecord> recent_runs(const Store& store, int limit);

}  // namespace otsentry::alerts
