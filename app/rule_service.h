// The rules of a running engine: loaded at start from --rules/--var (or the default set),
// reloaded on SIGHUP or from the web UI. A reload compiles on the caller's thread while the
// workers go on with the old set, and swaps only when the new set loaded without fatal errors.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "app/rule_options.h"
#include "rules/live_rules.h"
#include "rules/loader.h"

namespace otsentry::app {

class RuleService {
public:
    // Loads the rules; prints what was rejected (as warnings) to stderr unless `quiet`. Returns
    // nullopt (after printing why) when a fatal problem leaves nothing to run.
    static std::unique_ptr<RuleService> start(rules::LoadOptions opts, bool quiet);

    // The rules `opts` ask for (none with --no-rules). Returns 0, or the exit status to stop with
    // after printing why (2: a bad --var, 1: the rules cannot load).
    static int from_options(const RuleOptions& opts, bool quiet, std::unique_ptr<RuleService>& out);

    [[nodiscard]] rules::LiveRules& live() noexcept { return *live_; }
    [[nodiscard]] const rules::LoadResult& last() const noexcept { return last_; }

    // Re-reads the same paths and swaps the new set in. On failure the old set stays and
    // `message` says why; on success it summarises the new set.
    bool reload(std::string& message);

private:
    RuleService(rules::LoadOptions opts, rules::LoadResult first);

    std::mutex mu_;
    rules::LoadOptions opts_;
    rules::LoadResult last_;
    std::unique_ptr<rules::LiveRules> live_;
};

}  // namespace otsentry::app
