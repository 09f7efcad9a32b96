#include "webui/cli.h"

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "alerts/users.h"
#include "webui/auth.h"
#include "webui/server.h"
#include "webui/tls.h"

namespace otsentry::webui {

namespace {

void add_listen_options(CLI::App& cmd, WebCli& state)
{
    cmd.add_option("--listen", state.listen, "Address and port to serve on (ADDR:PORT)")
        ->capture_default_str();
    auto* cert = cmd.add_option("--tls-cert", state.tls_cert, "HTTPS: certificate chain (PEM)");
    auto* key = cmd.add_option("--tls-key", state.tls_key, "HTTPS: private key (PEM)");
    auto* self = cmd.add_option("--tls-self-signed", state.tls_self_signed,
                                "HTTPS with a self-signed certificate kept in DIR (made on first start)");
    cert->needs(key);
    key->needs(cert);
    self->excludes(cert)->excludes(key);
}

sigset_t stop_signals()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

}  // namespace

void add_web_commands(CLI::App& app, WebCli& state)
{
    auto* serve = app.add_subcommand("serve", "Serve the web UI for the alert store");
    serve->add_option("--db", state.db_path, "SQLite alert store")->capture_default_str();
    add_listen_options(*serve, state);
    serve->callback([&state] { state.action = "serve"; });

    auto* user = app.add_subcommand("user", "Manage web UI accounts");
    user->require_subcommand(1);
    auto* add = user->add_subcommand("add", "Create an account and print its one-time password");
    add->add_option("name", state.user_name, "User name")->required();
    add->add_option("--role", state.role, "admin, analyst or viewer")
        ->check(CLI::IsMember({"admin", "analyst", "viewer"}))
        ->capture_default_str();
    add->add_option("--db", state.db_path, "SQLite alert store")->capture_default_str();
    add->callback([&state] { state.action = "user add"; });
    auto* passwd = user->add_subcommand("passwd", "Set a new generated password (ends the user's sessions)");
    passwd->add_option("name", state.user_name, "User name")->required();
    passwd->add_option("--db", state.db_path, "SQLite alert store")->capture_default_str();
    passwd->callback([&state] { state.action = "user passwd"; });
}

void add_serve_options(CLI::App& command, WebCli& state, bool& serve)
{
    command.add_flag("--serve", serve, "Serve the web UI on the alert store (after a replay: until Ctrl-C)");
    add_listen_options(command, state);
}

std::unique_ptr<Server> start_web_server(const WebCli& state, std::ostream& out)
{
    ServerConfig cfg;
    cfg.listen = state.listen;
    cfg.db_path = state.db_path;
    cfg.tls_cert = state.tls_cert;
    cfg.tls_key = state.tls_key;
    cfg.tls_self_signed_dir = state.tls_self_signed;
    cfg.api.reload_rules = state.reload_rules;
    auto server = std::make_unique<Server>(cfg);
    {
        auto store = alerts::Store::open(state.db_path);
        if (const auto password = ensure_first_admin(store, wall_clock_us()))
            out << "Created web UI user 'admin' with one-time password: " << *password
                << "\n(shown only now; change it with `otsentry user passwd admin`)\n";
    }
    server->start();
    out << "Web UI: " << server->url() << "\n";
    if (server->tls())
        out << "TLS certificate SHA-256 fingerprint: "
            << certificate_fingerprint(
                   cfg.tls_self_signed_dir.empty() ? cfg.tls_cert : cfg.tls_self_signed_dir + "/cert.pem")
            << "\n";
    out << std::flush;
    return server;
}

void block_stop_signals()
{
    sigset_t set = stop_signals();
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void wait_for_stop_signal()
{
    const sigset_t set = stop_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    int sig = 0;
    sigwait(&set, &sig);
}

int run_web_cli(const WebCli& state)
{
    return run_web_cli(state, std::cout, std::cerr);
}

int run_web_cli(const WebCli& state, std::ostream& out, std::ostream& err)
{
    try {
        if (state.action == "serve") {
            // Blocked before the server's threads start, so that they inherit the mask and the
            // signal is taken here by sigwait.
            const sigset_t set = stop_signals();
            pthread_sigmask(SIG_BLOCK, &set, nullptr);
            auto server = start_web_server(state, out);
            out << "Ctrl-C stops the server.\n" << std::flush;
            wait_for_stop_signal();
            server->stop();
            return 0;
        }
        if (state.action == "user add" || state.action == "user passwd") {
            if (!alerts::valid_user_name(state.user_name)) {
                err << "otsentry: user name must be 1-64 of A-Z a-z 0-9 . _ - starting with a letter or "
                       "digit\n";
                return 2;
            }
            auto store = alerts::Store::open(state.db_path);
            const auto password = generate_password();
            const alerts::Actor actor{"otsentry-cli", wall_clock_us()};
            if (state.action == "user add") {
                const auto role = alerts::parse_role(state.role);
                if (!role) {
                    err << "otsentry: --role must be admin, analyst or viewer\n";
                    return 2;
                }
                if (alerts::find_user(store, state.user_name)) {
                    err << "otsentry: user '" << state.user_name << "' exists (use `otsentry user passwd`)\n";
                    return 1;
                }
                alerts::create_user(store, state.user_name, *role, hash_password(password), actor.now_us);
                store.record_audit(
                    actor, "user.add", "user/" + state.user_name,
                    std::string(R"({"role":")") + std::string(alerts::to_string(*role)) + "\"}", true);
            } else {
                if (!alerts::set_password(store, state.user_name, hash_password(password))) {
                    err << "otsentry: no user '" << state.user_name << "'\n";
                    return 1;
                }
                store.record_audit(actor, "user.passwd", "user/" + state.user_name, "{}", true);
            }
            out << "One-time password for '" << state.user_name << "': " << password << "\n";
            return 0;
        }
        err << "otsentry: nothing to do\n";
        return 2;
    } catch (const std::exception& e) {
        err << "otsentry: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace otsentry::webui
