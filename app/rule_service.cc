#include "app/rule_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "alerts/rule_catalog.h"
#include "dissectors/common/types.h"

namespace otsentry::app {

namespace {

void print_problems(const rules::LoadResult& r)
{
    for (const auto& f : r.fatal)
        fmt::print(stderr, "otsentry: error: rules: {}\n", f);
    for (const auto& e : r.report.rejected)
        fmt::print(stderr, "otsentry: warning: {}:{}: {}{}\n", e.file, e.line,
                   e.sid ? fmt::format("sid {}: ", *e.sid) : std::string{}, e.reason);
    for (const auto& e : r.compile_errors)
        fmt::print(stderr, "otsentry: warning: {}:{}: sid {}: {}\n", e.file, e.line, e.sid, e.reason);
}

std::string_view action_name(rules::Action a)
{
    switch (a) {
        case rules::Action::Alert:
            return "alert";
        case rules::Action::Pass:
            return "pass";
        case rules::Action::Log:
            return "log";
        case rules::Action::Drop:
            return "drop";
        case rules::Action::Reject:
            return "reject";
    }
    return "alert";
}

// The protocol a rule's header names, as written ("alert modbus any ..." -> "modbus"), or from
// what the parser understood when the header has no protocol word (Snort 3's header-less form).
std::string proto_name(const rules::Rule& r)
{
    std::string_view t = r.text;
    const auto word = [&t] {
        t.remove_prefix(std::min(t.find_first_not_of(" \t"), t.size()));
        const auto end = std::min(t.find_first_of(" \t("), t.size());
        const auto w = t.substr(0, end);
        t.remove_prefix(end);
        return w;
    };
    word();  // the action
    const auto p = word();
    const bool plain = !p.empty() && p.size() <= 32 && std::all_of(p.begin(), p.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '-';
    });
    if (plain) {
        std::string out{p};
        std::transform(out.begin(), out.end(), out.begin(),
                       [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; });
        return out;
    }
    if (r.app != Protocol::Unknown) return std::string{protocol_name(r.app)};
    switch (r.proto) {
        case rules::HeaderProto::Ip:
            return "ip";
        case rules::HeaderProto::Tcp:
            return "tcp";
        case rules::HeaderProto::Udp:
            return "udp";
        case rules::HeaderProto::Icmp:
            return "icmp";
        case rules::HeaderProto::App:
            break;
    }
    return {};
}

alerts::CatalogRule catalog_rule(const rules::Rule& r, uint8_t severity, std::string state,
                                 std::string reason)
{
    return alerts::CatalogRule{.gid = r.gid,
                               .sid = r.sid,
                               .rev = r.rev,
                               .action = std::string{action_name(r.action)},
                               .proto = proto_name(r),
                               .msg = r.msg,
                               .classtype = r.classtype,
                               .severity = severity,
                               .source = r.file,
                               .line = r.line,
                               .state = std::move(state),
                               .reason = std::move(reason),
                               .text = r.text};
}

int64_t now_us()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The command line's options plus what the web UI keeps in the database. A database that cannot
// be read adds nothing (and says so): the engine's own rules still load.
rules::LoadOptions with_store(const rules::LoadOptions& base, const std::string& db_path)
{
    rules::LoadOptions opts = base;
    // No database yet: nothing was uploaded or disabled, and the load must not create one (the
    // monitor opens nothing before its capture is open).
    std::error_code ec;
    if (db_path.empty() || !std::filesystem::exists(db_path, ec)) return opts;
    try {
        auto store = alerts::Store::open(db_path);
        for (auto& f : alerts::load_rule_files(store))
            opts.texts.emplace_back("db:" + f.name, std::move(f.text));
        opts.disabled = alerts::disabled_rules(store);
    } catch (const std::exception& e) {
        fmt::print(stderr, "otsentry: warning: rules: cannot read the web UI's rule changes: {}\n", e.what());
    }
    return opts;
}

// Writes the catalogue of a successful load for the web UI's rules page; a failure is a warning
// (detection does not depend on it).
void save_catalog(const rules::LoadResult& r, const rules::LoadOptions& opts, const std::string& db_path)
{
    if (db_path.empty() || !r.set) return;
    std::vector<alerts::CatalogRule> rows;
    rows.reserve(r.set->rules().size() + r.disabled.size() + r.errors.size());
    for (const auto& c : r.set->rules())
        rows.push_back(catalog_rule(c.rule, c.severity, "active", {}));
    for (const auto& d : r.disabled)
        rows.push_back(catalog_rule(d.rule, d.severity, "disabled", {}));
    for (const auto& u : r.unavailable)
        if (std::none_of(r.disabled.begin(), r.disabled.end(), [&](const rules::IdleRule& d) {
                return d.rule.gid == u.rule.gid && d.rule.sid == u.rule.sid;
            }))
            rows.push_back(catalog_rule(u.rule, u.severity, "unavailable", u.rule.unavailable));
    const auto rejected = [&rows](std::optional<uint32_t> sid, const std::string& file, uint32_t line,
                                  const std::string& reason, const std::string& text) {
        alerts::CatalogRule c;
        c.sid = sid;
        c.source = file;
        c.line = line;
        c.state = "rejected";
        c.reason = reason;
        c.text = text;
        rows.push_back(std::move(c));
    };
    for (const auto& e : r.errors)
        if (e.line != 0) rejected(e.sid, e.file, e.line, e.reason, e.text);  // line 0: a file, not a rule
    for (const auto& e : r.compile_errors)
        if (!e.file.empty()) rejected(e.sid, e.file, e.line, e.reason, e.text);
    alerts::RuleLoadInfo info;
    info.ts_us = now_us();
    info.summary = rules::load_summary(r);
    info.sources = r.sources;
    info.vars = opts.vars;
    try {
        auto store = alerts::Store::open(db_path);
        alerts::save_rule_catalog(store, rows, info);
    } catch (const std::exception& e) {
        fmt::print(stderr, "otsentry: warning: rules: cannot record the loaded rules for the web UI: {}\n",
                   e.what());
    }
}

}  // namespace

RuleService::RuleService(rules::LoadOptions opts, rules::LoadResult first, std::string db_path)
    : opts_{std::move(opts)},
      db_path_{std::move(db_path)},
      last_{std::move(first)},
      live_{std::make_unique<rules::LiveRules>(last_.set)}
{
}

std::unique_ptr<RuleService> RuleService::start(rules::LoadOptions opts, bool quiet, std::string db_path)
{
    const rules::LoadOptions full = with_store(opts, db_path);
    rules::LoadResult r = rules::load_rules(full);
    if (!quiet || !r.fatal.empty()) print_problems(r);
    if (!r.set) return nullptr;
    if (!quiet) fmt::print(stderr, "otsentry: rules: {}\n", rules::load_summary(r));
    return std::unique_ptr<RuleService>{new RuleService{std::move(opts), std::move(r), std::move(db_path)}};
}

int RuleService::from_options(const RuleOptions& opts, bool quiet, std::unique_ptr<RuleService>& out,
                              const std::string& db_path)
{
    out.reset();
    if (opts.none) return 0;
    rules::LoadOptions load;
    std::string err;
    if (!opts.to_load_options(load, err)) {
        fmt::print(stderr, "otsentry: error: {}\n", err);
        return 2;
    }
    out = start(std::move(load), quiet, db_path);
    return out ? 0 : 1;
}

void RuleService::record_catalog()
{
    std::lock_guard lock{mu_};
    save_catalog(last_, opts_, db_path_);
}

bool RuleService::reload(std::string& message)
{
    std::lock_guard lock{mu_};
    const rules::LoadOptions full = with_store(opts_, db_path_);
    rules::LoadResult r = rules::load_rules(full);
    if (!r.set) {
        message = "rule reload failed, the previous rules stay active: " +
                  (r.fatal.empty() ? std::string{"no rule set"} : r.fatal.front());
        print_problems(r);
        return false;
    }
    print_problems(r);
    live_->publish(r.set);
    message = "rules reloaded: " + rules::load_summary(r);
    save_catalog(r, full, db_path_);
    last_ = std::move(r);
    return true;
}

std::optional<bool> ReloadSlot::reload(std::string& message)
{
    std::lock_guard lock{mu_};
    if (service_ == nullptr) return std::nullopt;
    return service_->reload(message);
}

void ReloadSlot::attach(RuleService* service)
{
    std::lock_guard lock{mu_};
    service_ = service;
}

}  // namespace otsentry::app
