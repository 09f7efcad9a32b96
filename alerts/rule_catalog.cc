#include "alerts/rule_catalog.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "alerts/sqlite_util.h"

namespace otsentry::alerts {

using namespace detail;

namespace {

// Marks the rule set changed (rule_load's single row, created if no engine loaded rules yet).
void mark_changed(sqlite3* db, const std::string& path, int64_t now_us)
{
    auto s = prepare(db, path,
                     "INSERT INTO rule_load (id, changed_us) VALUES (1, ?1)"
                     " ON CONFLICT (id) DO UPDATE SET changed_us = max(changed_us, ?1)");
    sqlite3_bind_int64(s.get(), 1, now_us);
    step_done(db, path, s.get(), "mark the rule set changed");
}

std::string ascii_lower(std::string_view s)
{
    std::string out{s};
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    return out;
}

constexpr const char* catalog_columns =
    "c.gid, c.sid, c.rev, c.action, c.proto, c.msg, c.classtype, c.severity, c.source, c.line, c.state,"
    " c.reason, c.text, coalesce(rs.enabled, 1),"
    " (SELECT coalesce(sum(a.count), 0) FROM alerts a WHERE a.sid = c.sid AND a.gid = c.gid)";
constexpr const char* catalog_from =
    " FROM rule_catalog c LEFT JOIN rules_state rs ON rs.gid = c.gid AND rs.sid = c.sid";

CatalogEntry read_entry(sqlite3_stmt* s)
{
    CatalogEntry e;
    CatalogRule& r = e.rule;
    r.gid = static_cast<uint32_t>(sqlite3_column_int64(s, 0));
    if (sqlite3_column_type(s, 1) != SQLITE_NULL) r.sid = static_cast<uint32_t>(sqlite3_column_int64(s, 1));
    r.rev = static_cast<uint32_t>(sqlite3_column_int64(s, 2));
    r.action = column_text(s, 3);
    r.proto = column_text(s, 4);
    r.msg = column_text(s, 5);
    r.classtype = column_text(s, 6);
    r.severity = static_cast<uint8_t>(sqlite3_column_int(s, 7));
    r.source = column_text(s, 8);
    r.line = static_cast<uint32_t>(sqlite3_column_int64(s, 9));
    r.state = column_text(s, 10);
    r.reason = column_text(s, 11);
    r.text = column_text(s, 12);
    e.enabled = sqlite3_column_int(s, 13) != 0;
    e.alerts = sqlite3_column_int64(s, 14);
    return e;
}

RuleFile read_file(sqlite3_stmt* s, bool with_text)
{
    RuleFile f;
    f.name = column_text(s, 0);
    if (with_text) f.text = column_text(s, 1);
    f.bytes = sqlite3_column_int64(s, 2);
    f.rules = sqlite3_column_int64(s, 3);
    f.uploaded_by = column_text(s, 4);
    f.uploaded_us = sqlite3_column_int64(s, 5);
    return f;
}

constexpr const char* file_columns =
    "SELECT name, text, length(CAST(text AS BLOB)), rules, uploaded_by, uploaded_us FROM rule_files";

// Every stored rule file by name; with_text also reads the texts.
std::vector<RuleFile> rule_files(const Store& store, bool with_text)
{
    sqlite3* db = require(store.handle(), store.path());
    auto s = prepare(db, store.path(), std::string{file_columns} + " ORDER BY name");
    std::vector<RuleFile> out;
    int rc = 0;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
        out.push_back(read_file(s.get(), with_text));
    if (rc != SQLITE_DONE) fail(db, store.path(), with_text ? "read the rule files" : "list the rule files");
    return out;
}

}  // namespace

void save_rule_catalog(Store& store, const std::vector<CatalogRule>& rules, const RuleLoadInfo& info)
{
    sqlite3* db = require(store.handle(), store.path());
    const std::string& path = store.path();
    WriteTransaction tx(db, path, "save the rule catalogue");
    exec(db, path, "DELETE FROM rule_catalog", "clear the rule catalogue");
    auto ins = prepare(
        db, path,
        "INSERT INTO rule_catalog (gid, sid, rev, action, proto, msg, classtype, severity, source,"
        " line, state, reason, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    for (const CatalogRule& r : rules) {
        sqlite3_reset(ins.get());
        sqlite3_clear_bindings(ins.get());
        sqlite3_bind_int64(ins.get(), 1, r.gid);
        if (r.sid)
            sqlite3_bind_int64(ins.get(), 2, *r.sid);
        else
            sqlite3_bind_null(ins.get(), 2);
        sqlite3_bind_int64(ins.get(), 3, r.rev);
        bind_text(ins.get(), 4, r.action);
        bind_text(ins.get(), 5, r.proto);
        bind_text(ins.get(), 6, r.msg);
        bind_text(ins.get(), 7, r.classtype);
        if (r.severity != 0)
            sqlite3_bind_int(ins.get(), 8, r.severity);
        else
            sqlite3_bind_null(ins.get(), 8);
        bind_text_not_null(ins.get(), 9, r.source);
        sqlite3_bind_int64(ins.get(), 10, r.line);
        bind_text_not_null(ins.get(), 11, r.state);
        bind_text(ins.get(), 12, r.reason);
        bind_text_not_null(ins.get(), 13, r.text);
        step_done(db, path, ins.get(), "save the rule catalogue");
    }
    nlohmann::json vars = nlohmann::json::object();
    for (const auto& [k, v] : info.vars)
        vars[k] = v;
    const std::string sources = nlohmann::json(info.sources).dump();
    const std::string vars_text = vars.dump();
    auto load = prepare(db, path,
                        "INSERT INTO rule_load (id, ts_us, summary, sources, vars) VALUES (1, ?1, ?2, ?3, ?4)"
                        " ON CONFLICT (id) DO UPDATE SET ts_us = ?1, summary = ?2, sources = ?3, vars = ?4");
    sqlite3_bind_int64(load.get(), 1, info.ts_us);
    bind_text_not_null(load.get(), 2, info.summary);
    bind_text_not_null(load.get(), 3, sources);
    bind_text_not_null(load.get(), 4, vars_text);
    step_done(db, path, load.get(), "record the rule load");
    tx.commit();
}

std::optional<RuleLoadInfo> rule_load_info(const Store& store)
{
    sqlite3* db = require(store.handle(), store.path());
    auto s = prepare(
        db, store.path(),
        "SELECT ts_us, summary, sources, vars, changed_us FROM rule_load WHERE id = 1 AND ts_us IS NOT NULL");
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) fail(db, store.path(), "read the rule load");
    RuleLoadInfo info;
    info.ts_us = sqlite3_column_int64(s.get(), 0);
    info.summary = column_text(s.get(), 1);
    const auto sources = nlohmann::json::parse(column_text(s.get(), 2), nullptr, false);
    if (sources.is_array())
        for (const auto& x : sources)
            if (x.is_string()) info.sources.push_back(x.get<std::string>());
    const auto vars = nlohmann::json::parse(column_text(s.get(), 3), nullptr, false);
    if (vars.is_object())
        for (const auto& [k, v] : vars.items())
            if (v.is_string()) info.vars.emplace_back(k, v.get<std::string>());
    info.changed_us = sqlite3_column_int64(s.get(), 4);
    return info;
}

CatalogPage list_rule_catalog(const Store& store, const CatalogFilter& f)
{
    sqlite3* db = require(store.handle(), store.path());
    std::string where = " WHERE 1";
    if (!f.text.empty()) where += " AND (instr(lower(c.msg), ?1) > 0 OR instr(lower(c.text), ?1) > 0)";
    if (!f.proto.empty()) where += " AND c.proto = ?2";
    if (f.sid) where += " AND c.sid = ?3";
    if (!f.states.empty()) {
        where += " AND c.state IN (";
        for (size_t i = 0; i < f.states.size(); ++i)
            where += (i ? ", ?" : "?") + std::to_string(10 + i);
        where += ")";
    }
    const std::string needle = ascii_lower(f.text);
    const auto bind = [&](sqlite3_stmt* s) {
        if (!f.text.empty()) bind_text(s, 1, needle);
        if (!f.proto.empty()) bind_text(s, 2, f.proto);
        if (f.sid) sqlite3_bind_int64(s, 3, *f.sid);
        for (size_t i = 0; i < f.states.size(); ++i)
            bind_text(s, static_cast<int>(10 + i), f.states[i]);
    };
    CatalogPage page;
    {
        auto s = prepare(db, store.path(), std::string{"SELECT count(*)"} + catalog_from + where);
        bind(s.get());
        if (sqlite3_step(s.get()) != SQLITE_ROW) fail(db, store.path(), "count the rule catalogue");
        page.total = sqlite3_column_int64(s.get(), 0);
    }
    auto s = prepare(db, store.path(),
                     std::string{"SELECT "} + catalog_columns + catalog_from + where +
                         " ORDER BY c.source, c.line, c.id LIMIT ?4 OFFSET ?5");
    bind(s.get());
    sqlite3_bind_int(s.get(), 4, f.limit);
    sqlite3_bind_int(s.get(), 5, f.offset);
    int rc = 0;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
        page.rules.push_back(read_entry(s.get()));
    if (rc != SQLITE_DONE) fail(db, store.path(), "list the rule catalogue");
    return page;
}

std::optional<CatalogEntry> find_catalog_rule(const Store& store, uint32_t gid, uint32_t sid)
{
    sqlite3* db = require(store.handle(), store.path());
    auto s = prepare(db, store.path(),
                     std::string{"SELECT "} + catalog_columns + catalog_from +
                         " WHERE c.gid = ?1 AND c.sid = ?2 ORDER BY c.state = 'rejected', c.id LIMIT 1");
    sqlite3_bind_int64(s.get(), 1, gid);
    sqlite3_bind_int64(s.get(), 2, sid);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) fail(db, store.path(), "find a rule");
    return read_entry(s.get());
}

std::vector<std::pair<uint32_t, uint32_t>> disabled_rules(const Store& store)
{
    sqlite3* db = require(store.handle(), store.path());
    auto s =
        prepare(db, store.path(), "SELECT gid, sid FROM rules_state WHERE enabled = 0 ORDER BY gid, sid");
    std::vector<std::pair<uint32_t, uint32_t>> out;
    int rc = 0;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
        out.emplace_back(static_cast<uint32_t>(sqlite3_column_int64(s.get(), 0)),
                         static_cast<uint32_t>(sqlite3_column_int64(s.get(), 1)));
    if (rc != SQLITE_DONE) fail(db, store.path(), "read the disabled rules");
    return out;
}

void set_rule_enabled(Store& store, uint32_t gid, uint32_t sid, bool enabled, std::string_view actor,
                      int64_t now_us)
{
    sqlite3* db = require(store.handle(), store.path());
    WriteTransaction tx(db, store.path(), "set a rule's state");
    auto s = prepare(
        db, store.path(),
        "INSERT INTO rules_state (gid, sid, enabled, updated_by, updated_us) VALUES (?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT (gid, sid) DO UPDATE SET enabled = ?3, updated_by = ?4, updated_us = ?5");
    sqlite3_bind_int64(s.get(), 1, gid);
    sqlite3_bind_int64(s.get(), 2, sid);
    sqlite3_bind_int(s.get(), 3, enabled ? 1 : 0);
    bind_text(s.get(), 4, actor);
    sqlite3_bind_int64(s.get(), 5, now_us);
    step_done(db, store.path(), s.get(), "set a rule's state");
    mark_changed(db, store.path(), now_us);
    tx.commit();
}

bool valid_rule_file_name(std::string_view name)
{
    constexpr std::string_view ext = ".rules";
    if (name.size() <= ext.size() || name.size() > 64 || !name.ends_with(ext)) return false;
    const auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (!alnum(name.front())) return false;
    return std::all_of(name.begin(), name.end(),
                       [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

std::vector<RuleFile> list_rule_files(const Store& store)
{
    return rule_files(store, false);
}

std::vector<RuleFile> load_rule_files(const Store& store)
{
    return rule_files(store, true);
}

std::optional<RuleFile> find_rule_file(const Store& store, std::string_view name)
{
    sqlite3* db = require(store.handle(), store.path());
    auto s = prepare(db, store.path(), std::string{file_columns} + " WHERE name = ?1");
    bind_text_not_null(s.get(), 1, name);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return std::nullopt;
    if (rc != SQLITE_ROW) fail(db, store.path(), "read a rule file");
    return read_file(s.get(), true);
}

void save_rule_file(Store& store, const RuleFile& file, int64_t now_us)
{
    if (!valid_rule_file_name(file.name)) throw InvalidRequest("bad rule file name");
    sqlite3* db = require(store.handle(), store.path());
    WriteTransaction tx(db, store.path(), "save a rule file");
    auto s = prepare(db, store.path(),
                     "INSERT OR REPLACE INTO rule_files (name, text, rules, uploaded_by, uploaded_us)"
                     " VALUES (?1, ?2, ?3, ?4, ?5)");
    bind_text_not_null(s.get(), 1, file.name);
    bind_text_not_null(s.get(), 2, file.text);
    sqlite3_bind_int64(s.get(), 3, file.rules);
    bind_text_not_null(s.get(), 4, file.uploaded_by);
    sqlite3_bind_int64(s.get(), 5, now_us);
    step_done(db, store.path(), s.get(), "save a rule file");
    mark_changed(db, store.path(), now_us);
    tx.commit();
}

bool delete_rule_file(Store& store, std::string_view name, int64_t now_us)
{
    sqlite3* db = require(store.handle(), store.path());
    WriteTransaction tx(db, store.path(), "delete a rule file");
    auto s = prepare(db, store.path(), "DELETE FROM rule_files WHERE name = ?1");
    bind_text_not_null(s.get(), 1, name);
    step_done(db, store.path(), s.get(), "delete a rule file");
    if (sqlite3_changes(db) == 0) return false;
    mark_changed(db, store.path(), now_us);
    tx.commit();
    return true;
}

std::vector<std::pair<int64_t, std::string>> capture_stats(const Store& store, int limit)
{
    sqlite3* db = require(store.handle(), store.path());
    auto s = prepare(
        db, store.path(),
        "SELECT ts_us, stats FROM (SELECT ts_us, stats FROM capture_stats ORDER BY ts_us DESC LIMIT ?1)"
        " ORDER BY ts_us");
    sqlite3_bind_int(s.get(), 1, limit);
    std::vector<std::pair<int64_t, std::string>> out;
    int rc = 0;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
        out.emplace_back(sqlite3_column_int64(s.get(), 0), column_text(s.get(), 1));
    if (rc != SQLITE_DONE) fail(db, store.path(), "read the capture statistics");
    return out;
}

std::vector<RunRecord> recent_runs(const Store& store, int limit)
{
    sqlite3* db = require(store.handle(), store.path());
    auto s =
        prepare(db, store.path(),
                "SELECT started_us, coalesce(finished_us, 0), command, inputs, packets, bytes, events, alerts"
                " FROM runs ORDER BY id DESC LIMIT ?1");
    sqlite3_bind_int(s.get(), 1, limit);
    std::vector<RunRecord> out;
    int rc = 0;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
        RunRecord r;
        r.started_us = sqlite3_column_int64(s.get(), 0);
        r.finished_us = sqlite3_column_int64(s.get(), 1);
        r.command = column_text(s.get(), 2);
        const auto inputs = nlohmann::json::parse(column_text(s.get(), 3), nullptr, false);
        if (inputs.is_array())
            for (const auto& i : inputs)
                if (i.is_string()) r.inputs.push_back(i.get<std::string>());
        r.packets = static_cast<uint64_t>(sqlite3_column_int64(s.get(), 4));
        r.bytes = static_cast<uint64_t>(sqlite3_column_int64(s.get(), 5));
        r.events = static_cast<uint64_t>(sqlite3_column_int64(s.get(), 6));
        r.alerts = static_cast<uint64_t>(sqlite3_column_int64(s.get(), 7));
        out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) fail(db, store.path(), "read the runs");
    return out;
}

}  // namespace otsentry::alerts
