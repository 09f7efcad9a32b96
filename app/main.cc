// otsentry: passive security monitor for industrial networks. One binary, several commands.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "app/replay.h"

namespace {

constexpr const char* version = "0.1.0";

constexpr const char* replay_footer = R"(
Examples:
  otsentry replay pcaps/demo/demo.pcap --eve out/eve.json --db out/otsentry.db
  otsentry replay day1.pcapng day2.pcapng --eve - --db ''     (EVE to stdout, no database)
  tcpdump -i eth1 -w - | otsentry replay -                     (read a capture from stdin)

Each Modbus/TCP transaction becomes one EVE line ("event_type":"modbus") and one row in the
database; malformed or suspicious traffic becomes an alert ("event_type":"alert"). The summary
at the end counts packets, flows, events per protocol, anomalies and decode errors.
Exit status: 0 when every input was read, 1 when an input or output could not be used,
2 for a command-line error.)";

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
    cmd->footer(replay_footer);

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

    if (cmd->parsed()) {
        if (replay.eve_path == "-" && !replay.quiet) replay.quiet = true;  // keep stdout pure JSON
        replay.progress = progress == "always"  ? otsentry::app::ReplayOptions::Progress::Always
                          : progress == "never" ? otsentry::app::ReplayOptions::Progress::Never
                                                : otsentry::app::ReplayOptions::Progress::Auto;
        return otsentry::app::run_replay(replay);
    }
    return 2;
}
