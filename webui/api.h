// The web UI's request handling without any networking: a request (method, path, query, the
// headers that matter, body, peer address) becomes a response. server.cc parses HTTP with
// Boost.Beast and calls Api::handle; tests may call it directly. Routes, roles and errors are
// documented in docs/api.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "alerts/store.h"
#include "alerts/users.h"

namespace otsentry::webui {

struct ApiConfig {
    std::string db_path = "otsentry.db";
    std::string version;                                    // empty: this build's version
    bool tls = false;                                       // cookies get `Secure`
    int64_t session_idle_us = 30LL * 60 * 1'000'000;        // 30 min without a request
    int64_t session_absolute_us = 12LL * 3600 * 1'000'000;  // 12 h after login
    alerts::LockoutPolicy lockout;                          // 5 failures: locked 15 min
    int login_attempts_per_ip = 10;                         // per login_window_us
    int64_t login_window_us = 60LL * 1'000'000;
    std::function<int64_t()> clock;  // wall clock in µs; empty: system clock
    // `monitor --serve`: reloads the engine's rules (POST /rules/reload). Answers true and a
    // summary, false and why the old rules stay, or nullopt when no engine has rules to reload.
    // Empty under `otsentry serve` (no engine in the process).
    std::function<std::optional<bool>(std::string& message)> reload_rules;
};

struct Request {
    std::string method;  // "GET", "POST", ...
    std::string target;  // path and query, as received
    std::string cookie;  // the Cookie header
    std::string csrf;    // the X-CSRF-Token header
    std::string content_type;
    std::string body;
    std::string peer;           // the client's IP address
    std::string last_event_id;  // the Last-Event-ID header (an EventSource reconnecting)
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra: Set-Cookie, Content-Disposition
    // GET /api/v1/stream by a logged-in user: the server keeps the connection and sends
    // Api::stream_events every second from this alert id on.
    bool event_stream = false;
    int64_t stream_after_id = 0;
};

// The static files of webui/frontend, compiled in (webui_assets.cc, generated).
struct Asset {
    std::string_view data;
    std::string_view content_type;
};
std::optional<Asset> find_asset(std::string_view path);
std::string_view content_type_for(std::string_view file_name);

class Api {
public:
    explicit Api(ApiConfig config);
    ~Api();
    Api(const Api&) = delete;
    Api& operator=(const Api&) = delete;

    // Any method and path; never throws (a failure inside becomes a 500 JSON error).
    Response handle(const Request& request);
    // The SSE frames (`event: alert`) for alert rows after `after_id`; advances it.
    std::string stream_events(int64_t& after_id);
    // Whether the session in this Cookie header is still valid (not logged out, not expired):
    // an event stream ends when it is not.
    bool session_alive(const std::string& cookie);
    // The security headers every response carries (the server adds them).
    static const std::vector<std::pair<std::string, std::string>>& security_headers();

private:
    struct Pool;
    class Lease;
    int64_t now() const;
    Response route(const Request& request, alerts::Store& store);
    Response login(const Request& request, alerts::Store& store);
    // api_engine.cc: /rules... and /status.
    Response route_rules(const Request& request, std::string_view query,
                         std::span<const std::string_view> rest, alerts::Store& store,
                         const alerts::User& user);
    Response route_status(const Request& request, std::string_view query, alerts::Store& store);
    bool rate_limited(const std::string& peer);

    ApiConfig config_;
    std::unique_ptr<Pool> pool_;
    std::mutex rate_mutex_;
    std::map<std::string, std::vector<int64_t>> login_attempts_;  // peer -> attempt times
};

// Creates user `admin` with a generated password when the users table is empty; returns that
// password (to print once), or nothing if there were users already.
std::optional<std::string> ensure_first_admin(alerts::Store& store, int64_t now_us);

int64_t wall_clock_us();

}  // namespace otsentry::webui
