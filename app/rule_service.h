// The rules of a running engine: loaded at start from --rules/--var (or the default set),
// reloaded on SIGHUP or from the web UI. A reload compiles on the caller's thread while the
// workers go on with the old set, and swaps only when the new set loaded without fatal errors.
// With a database, every load also reads what the web UI changed there (rule files uploaded,
// rules disabled) and writes back the catalogue of what it loaded (alerts/rule_catalog.h).
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
    static std::unique_ptr<RuleService> start(rules::LoadOptions opts, bool quiet, std::string db_path = {});

    // The rules `opts` ask for (none with --no-rules). Returns 0, or the exit status to stop with
    // after printing why (2: a bad --var, 1: the rules cannot load).
    // `db_path` (may be empty): the store whose uploaded rule files and rule states the loads use.
    static int from_options(const RuleOptions& opts, bool quiet, std::unique_ptr<RuleService>& out,
                            const std::string& db_path = {});

    [[nodiscard]] rules::LiveRules& live() noexcept { return *live_; }
    [[nodiscard]] const rules::LoadResult& last() const noexcept { return last_; }

    // Writes the catalogue of the loaded set to the database (for the web UI), once the caller
    // has opened its outputs; a reload writes its own.
    void record_catalog();

    // Re-reads the same paths and swaps the new set in. On failure the old set stays and
    // `message` says why; on success it summarises the new set.
    bool reload(std::string& message);

private:
    RuleService(rules::LoadOptions opts, rules::LoadResult first, std::string db_path);

    std::mutex mu_;
    rules::LoadOptions opts_;  // the command line's; a load adds the database's files and states
    std::string db_path_;
    rules::LoadResult last_;
    std::unique_ptr<rules::LiveRules> live_;
};

// Lets the web UI in the same process (`monitor --serve`) reload the monitor's rules. The monitor
// attaches its RuleService while it runs; a reload and the detach at the end exclude each other.
class ReloadSlot {
public:
    // nullopt: no engine with rules is attached (not started, stopped, or --no-rules).
    std::optional<bool> reload(std::string& message);
    void attach(RuleService* service);
    void detach() { attach(nullptr); }

private:
    std::mutex mu_;
    RuleService* service_ = nullptr;
};

}  // namespace otsentry::app
