// otsentry: passive security monitor for industrial networks. One binary, several commands.
#include <iostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "app/alerts_cli.h"
#include "app/monitor.h"
#include "app/output_options.h"
#include "app/pipeline.h"
#include "app/replay.h"
#include "app/rule_options.h"
#include "rules/loader.h"
#ifdef OTSENTRY_WITH_WEBUI
#include "webui/cli.h"
#include "webui/server.h"
#endif

namespace {

constexpr const char* version = "0.1.0";

constexpr const char* replay_footer = R"(
Examples:
  otsentry replay pcaps/demo/demo.pcap --eve out/eve.json --db out/otsentry.db
  otsentry replay day1.pcapng day2.pcapng --eve - --db ''     (EVE to stdout, no database)
  tcpdump -i eth1 -w - | otsentry replay -                     (read a capture from stdin)

Each transaction of a dissected protocol becomes one EVE line ("event_type":"modbus", ...) and
one row in the database; malformed or suspicious traffic and every rule that matches become
alerts ("event_type":"alert"). Without --rules, the built-in ICS rule set runs. The summary
at the end counts packets, flows, events per protocol, anomalies and decode errors.
Exit status: 0 when every input was read, 1 when an input or output could not be used,
2 for a command-line error.)";

constexpr const char* monitor_footer = R"(
Examples:
  otsentry monitor -i eth1 --eve /var/log/otsentry/eve.json --db /var/lib/otsentry/otsentry.db
  otsentry monitor -i eth1 -i eth2 --bpf 'not port 22' --user otsentry --stats-interval 10

The interfaces are put in promiscuous mode (a SPAN/mirror port carries frames for other hosts).
Capturing needs root or CAP_NET_RAW; with --user, root is given up once the interfaces and the
output files are open. Every --stats-interval seconds a statistics line goes to stderr and a
"stats" record to the EVE file (received, dropped by the kernel and by the interface, packets
processed, events/s, alerts, active flows); kernel drops mean the host cannot keep up.
SIGTERM or SIGINT (Ctrl-C) stops the capture, flushes every event and prints the summary; a
second SIGINT exits at once (status 130). SIGHUP reloads the rule files.
Exit status: 0 after a clean stop, 1 when an interface, the filter, an output or the user could
not be used, 2 for a command-line error.)";

constexpr const char* rules_check_footer = R"(
Examples:
  otsentry rules check rules/default/*.rules
  otsentry rules check --var MODBUS_SERVER=10.1.2.0/24 site.rules ../shared/rules/quickdraw/snort/*.rules

Prints one line per rule it rejects or cannot run here (file:line: sid N: reason), then how many
rules were accepted. A rule is "unavailable" when it is valid but names a protocol or keyword
otsentry does not dissect yet (it is loaded and never matches). Without FILE, the default rule
set compiled into otsentry is checked.
Exit status: 0 when the files were read (even with rejected rules), 1 when a file, a variable or
a classification file could not be used, 2 for a command-line error.)";

// --rules, --var, --default-rules, --no-rules on `replay` and `monitor`.
void add_rule_options(CLI::App* cmd, otsentry::app::RuleOptions& r)
{
    cmd->add_option("--rules", r.paths,
                    "Rule file, or a directory of *.rules files; repeat for several (default: the built-in "
                    "set, rules/default)")
        ->allow_extra_args(false);
    cmd->add_option(
        "--var", r.vars,
        "Rule variable, e.g. --var HOME_NET=10.0.0.0/8 --var 'MODBUS_SERVER=[10.1.1.5,10.1.1.6]'");
    cmd->add_option("--config", r.config_file,
                    "Configuration file (YAML): rule paths and variables, see docs/rules.md");
    cmd->add_flag("--default-rules", r.with_default, "Load the built-in rule set as well as --rules");
    cmd->add_flag("--no-rules", r.none, "Match no rules: protocol events and anomaly alerts only");
    cmd->add_option("--classification", r.classification_files,
                    "Extra classification.config file (classtype definitions)")
        ->allow_extra_args(false);
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{
        "otsentry: passive security monitor for industrial (OT/ICS) networks.\n"
        "It reads traffic, understands industrial protocols field by field, and records\n"
        "every transaction and anomaly in a SQLite store and an EVE JSON log.",
        "otsentry"};
    app.set_version_flag("--version", version);
    app.require_subcommand(1);
    app.footer("Run 'otsentry COMMAND --help' for the options of a command.");

    otsentry::app::ReplayOptions replay;
    replay.db_path = "otsentry.db";
    auto* cmd = app.add_subcommand("replay",
                                   "Read pcap/pcapng files as fast as possible and report what they contain");
    cmd->add_option("files", replay.inputs,
                    "Capture files, read in order as one stream ('-' for standard input)")
        ->required();
    cmd->add_option("--eve", replay.eve_path, "Append EVE JSON lines to this file ('-' for standard output)");
    cmd->add_option("--db", replay.db_path,
                    "SQLite store to add events and alerts to, created if missing ('' for none)")
        ->capture_default_str();
    std::string progress = "auto";
    cmd->add_option("--progress", progress, "Progress line on stderr: auto (when a terminal), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
    cmd->add_flag("-q,--quiet", replay.quiet, "Do not print the summary");
    replay.workers = otsentry::app::default_workers();
    cmd->add_option("--workers", replay.workers,
                    "Engine threads; each flow is processed by one of them (1: no threads)")
        ->check(CLI::Range(1u, 256u))
        ->capture_default_str();
    add_rule_options(cmd, replay.rules);
#ifdef OTSENTRY_WITH_WEBUI
    otsentry::webui::WebCli web;
    bool replay_serve = false;
    otsentry::webui::add_serve_options(*cmd, web, replay_serve);
#endif
    otsentry::app::add_output_options(cmd, replay.output, false);
    cmd->footer(replay_footer);

    otsentry::app::MonitorOptions monitor;
    monitor.db_path = "otsentry.db";
    auto* mon = app.add_subcommand("monitor",
                                   "Capture live on one or more interfaces (a mirrored switch port) "
                                   "until SIGTERM or SIGINT");
    mon->add_option("-i,--interface", monitor.interfaces, "Interface to capture on; repeat for several")
        ->required();
    mon->add_option("--bpf", monitor.bpf, "Capture filter in pcap-filter(7) syntax, e.g. 'tcp port 502'");
    mon->add_option("--snaplen", monitor.snaplen, "Bytes kept of each frame")
        ->check(CLI::Range(64, 262144))
        ->capture_default_str();
    mon->add_option("--buffer-mb", monitor.buffer_mb, "Kernel capture buffer per interface, in MiB")
        ->check(CLI::Range(1, 2047))
        ->capture_default_str();
    mon->add_option("--eve", monitor.eve_path,
                    "Append EVE JSON lines to this file ('-' for standard output)");
    mon->add_option("--db", monitor.db_path,
                    "SQLite store to add events and alerts to, created if missing ('' for none)")
        ->capture_default_str();
    mon->add_option("--stats-interval", monitor.stats_interval_s,
                    "Seconds between statistics lines and EVE stats records (0: none but the last)")
        ->check(CLI::Range(0, 86400))
        ->capture_default_str();
    mon->add_option("--user", monitor.user,
                    "Drop root privileges to this user once capture and outputs are open");
    mon->add_option("--workers", monitor.workers, "Worker threads")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    mon->add_flag("-q,--quiet", monitor.quiet, "Do not print the summary or the statistics lines");
    add_rule_options(mon, monitor.rules);
#ifdef OTSENTRY_WITH_WEBUI
    bool monitor_serve = false;
    otsentry::webui::add_serve_options(*mon, web, monitor_serve);
#endif
    otsentry::app::add_output_options(mon, monitor.output, true);
    mon->footer(monitor_footer);

    auto* rules_cmd = app.add_subcommand("rules", "Work with rule files");
    rules_cmd->require_subcommand(1);
    otsentry::app::RuleOptions check;
    bool check_stats = false;
    auto* check_cmd =
        rules_cmd->add_subcommand("check", "Parse and compile rule files and report every problem");
    check_cmd->add_option("files", check.paths, "Rule files or directories (default: the built-in set)");
    check_cmd->add_option("--config", check.config_file,
                          "Configuration file (YAML): rule paths and variables");
    check_cmd->add_option("--var", check.vars, "Rule variable NAME=VALUE (repeatable)")
        ->allow_extra_args(false);
    check_cmd->add_option("--classification", check.classification_files, "Extra classification.config file")
        ->allow_extra_args(false);
    check_cmd->add_flag("--stats", check_stats,
                        "Also print compile time and compiled size: compile_ms=N hs_bytes=N rules=N");
    check_cmd->footer(rules_check_footer);

    otsentry::app::AlertsCli alerts_cli;
    otsentry::app::add_alerts_commands(app, alerts_cli);
#ifdef OTSENTRY_WITH_WEBUI
    otsentry::webui::add_web_commands(app, web);
#endif

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    }

    if (!alerts_cli.action.empty()) return otsentry::app::run_alerts_cli(alerts_cli);
    if (cmd->parsed()) {
        if (replay.eve_path == "-" && !replay.quiet) replay.quiet = true;  // keep stdout pure JSON
        replay.progress = progress == "always"  ? otsentry::app::ReplayOptions::Progress::Always
                          : progress == "never" ? otsentry::app::ReplayOptions::Progress::Never
                                                : otsentry::app::ReplayOptions::Progress::Auto;
#ifndef OTSENTRY_WITH_WEBUI
        return otsentry::app::run_replay(replay);
#else
        if (replay_serve && replay.db_path.empty()) {
            fmt::print(stderr,
                       "otsentry: error: --serve needs a database (--db PATH): the UI reads the store\n");
            return 2;
        }
        const int rc = otsentry::app::run_replay(replay);
        if (!replay_serve || rc != 0) return rc;
        web.db_path = replay.db_path;
        web.action = "serve";
        return otsentry::webui::run_web_cli(web);
#endif
    }
#ifdef OTSENTRY_WITH_WEBUI
    if (!web.action.empty()) return otsentry::webui::run_web_cli(web);
#endif
    if (mon->parsed()) {
#ifndef OTSENTRY_WITH_WEBUI
        return otsentry::app::run_monitor(monitor);
#else
        if (!monitor_serve) return otsentry::app::run_monitor(monitor);
        if (monitor.db_path.empty()) {
            fmt::print(stderr,
                       "otsentry: error: --serve needs a database (--db PATH): the UI reads the store\n");
            return 2;
        }
        // The server's threads must not take the stop signals meant for the monitor's own
        // signal thread: block them before any server thread exists.
        otsentry::webui::block_stop_signals();
        web.db_path = monitor.db_path;
        // The UI's "Reload rules" reaches the monitor's rules through this slot while it runs.
        otsentry::app::ReloadSlot reload_slot;
        monitor.reload_slot = &reload_slot;
        web.reload_rules = [&reload_slot](std::string& message) {
            const auto ok = reload_slot.reload(message);
            if (ok) fmt::print(stderr, "otsentry: web UI: {}\n", message);
            return ok;
        };
        std::unique_ptr<otsentry::webui::Server> server;
        try {
            server = otsentry::webui::start_web_server(web, std::cout);
        } catch (const std::exception& e) {
            fmt::print(stderr, "otsentry: error: web UI: {}\n", e.what());
            return 1;
        }
        const int rc = otsentry::app::run_monitor(monitor);
        server->stop();
        return rc;
#endif
    }
    if (check_cmd->parsed()) {
        otsentry::rules::LoadOptions load;
        std::string err;
        if (!check.to_load_options(load, err)) {
            fmt::print(stderr, "otsentry: error: {}\n", err);
            return 2;
        }
        const auto result = otsentry::rules::load_rules(load);
        otsentry::rules::print_load_report(stdout, result, check_stats);
        return result.set ? 0 : 1;
    }
    return 2;
}
