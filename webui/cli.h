// The web UI's commands: `otsentry serve` and `otsentry user add|passwd`, and the pieces
// `replay --serve` / `monitor --serve` use to run the server next to a capture.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace otsentry::webui {

class Server;

struct WebCli {
    std::string action;  // "serve", "user add", "user passwd"; empty: none of these ran
    std::string db_path = "otsentry.db";
    std::string listen = "127.0.0.1:8080";
    std::string tls_cert, tls_key, tls_self_signed;
    std::string user_name;
    std::string role = "viewer";
    // `monitor --serve`: the engine's rule reload (ApiConfig::reload_rules); empty otherwise.
    std::function<std::optional<bool>(std::string& message)> reload_rules;
};

// Adds `serve` and `user` (with `add`, `passwd`) to `app`; the parsed values land in `state`.
void add_web_commands(CLI::App& app, WebCli& state);
// Adds --serve (a flag), --listen and the TLS options to an existing command (replay, monitor).
// `serve` is set when --serve is given; `state.db_path` is left to the command's own --db.
void add_serve_options(CLI::App& command, WebCli& state, bool& serve);

// Runs what `state` asks for: 0 done, 1 failure (store, TLS, address in use), 2 bad arguments.
int run_web_cli(const WebCli& state);
int run_web_cli(const WebCli& state, std::ostream& out, std::ostream& err);

// Starts a server for `state` (creating the first admin if there are no users, and printing the
// URL and that one-time password to `out`). Throws std::exception with a message for the operator.
std::unique_ptr<Server> start_web_server(const WebCli& state, std::ostream& out);
// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and so in the threads it starts later).
// `monitor --serve` calls it before start_web_server, so that no server thread can take a signal
// meant for the monitor's signal thread.
void block_stop_signals();
// Blocks SIGINT and SIGTERM in the calling thread and waits for one (call it before the server's
// threads exist when possible, or with the signals already blocked, as monitor does).
void wait_for_stop_signal();

}  // namespace otsentry::webui
