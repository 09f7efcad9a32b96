// `otsentry alerts ...`: the alert store for operators without a browser. list, show, counts,
// the triage commands (ack, resolve, false-positive, reopen, assign, comment, suppress,
// unsuppress, suppressions), pcap (the evidence of an alert), and prune/vacuum (retention by
// hand). Every command takes --db (default "otsentry.db", as on `replay`).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace otsentry::app {

// What the command line asked for; filled by the options add_alerts_commands registers.
struct AlertsCli {
    std::string action;  // the subcommand given: "list", "show", "ack", ...; empty: none
    std::string db_path = "otsentry.db";
    std::vector<int64_t> ids;
    // list and counts
    std::vector<int> severities;
    std::vector<std::string> statuses;
    std::string proto, host, text, since, until, before;
    std::optional<uint32_t> sid;
    int limit = 50;
    std::string facet = "sid";
    bool json = false;
    // triage
    std::string by;  // actor; default: the Unix user
    std::string comment, reason, assignee;
    std::string comment_text;
    // prune
    std::optional<int64_t> max_age_days, max_rows, max_size_mb;
};

// Adds the `alerts` command and its subcommands to `app`; the parsed values land in `state`.
// Returns the `alerts` command.
CLI::App* add_alerts_commands(CLI::App& app, AlertsCli& state);

// Runs what `state` asks for. Exit status: 0 done, 1 the store could not be used or an alert
// id does not exist (or has no evidence), 2 a bad value (--since, --status...).
int run_alerts_cli(const AlertsCli& state);
// The same, with the streams, "is standard output a terminal" and the clock given (tests).
int run_alerts_cli(const AlertsCli& state, std::ostream& out, std::ostream& err, bool out_is_tty,
                   int64_t now_us);

}  // namespace otsentry::app
