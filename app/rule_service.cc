#include "app/rule_service.h"

#include <fmt/format.h>

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

}  // namespace

RuleService::RuleService(rules::LoadOptions opts, rules::LoadResult first)
    : opts_{std::move(opts)}, last_{std::move(first)}, live_{std::make_unique<rules::LiveRules>(last_.set)}
{
}

std::unique_ptr<RuleService> RuleService::start(rules::LoadOptions opts, bool quiet)
{
    rules::LoadResult r = rules::load_rules(opts);
    if (!quiet || !r.fatal.empty()) print_problems(r);
    if (!r.set) return nullptr;
    if (!quiet) fmt::print(stderr, "otsentry: rules: {}\n", rules::load_summary(r));
    return std::unique_ptr<RuleService>{new RuleService{std::move(opts), std::move(r)}};
}

int RuleService::from_options(const RuleOptions& opts, bool quiet, std::unique_ptr<RuleService>& out)
{
    out.reset();
    if (opts.none) return 0;
    rules::LoadOptions load;
    std::string err;
    if (!opts.to_load_options(load, err)) {
        fmt::print(stderr, "otsentry: error: {}\n", err);
        return 2;
    }
    out = start(std::move(load), quiet);
    return out ? 0 : 1;
}

bool RuleService::reload(std::string& message)
{
    std::lock_guard lock{mu_};
    rules::LoadResult r = rules::load_rules(opts_);
    if (!r.set) {
        message = "rule reload failed, the previous rules stay active: " +
                  (r.fatal.empty() ? std::string{"no rule set"} : r.fatal.front());
        print_problems(r);
        return false;
    }
    print_problems(r);
    live_->publish(r.set);
    message = "rules reloaded: " + rules::load_summary(r);
    last_ = std::move(r);
    return true;
}

}  // namespace otsentry::app
