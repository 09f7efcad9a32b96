// The embedded web server: HTTP/1.1 (Boost.Beast over Asio) or HTTPS (OpenSSL), keep-alive,
// header/body limits, read timeout, connection cap, graceful stop. Requests go to Api (api.h);
// /api/v1/stream stays open as Server-Sent Events. Beast and Asio stay inside server.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "webui/api.h"

namespace otsentry::webui {

struct ServerConfig {
    std::string listen = "127.0.0.1:8080";  // ADDR:PORT, [v6]:PORT; port 0 picks a free one
    std::string db_path = "otsentry.db";
    std::string tls_cert, tls_key;    // PEM files: HTTPS with these
    std::string tls_self_signed_dir;  // or: HTTPS with DIR/cert.pem, DIR/key.pem, made on first start
    int max_connections = 64;         // more are closed at once
    uint32_t header_limit = 8 * 1024;
    uint64_t body_limit = 1024 * 1024;
    std::chrono::milliseconds read_timeout{30'000};  // per request (and per TLS handshake)
    int threads = 2;
    std::chrono::milliseconds stream_poll{1000};
    std::chrono::milliseconds stream_keepalive{15'000};
    std::chrono::milliseconds stop_grace{5000};  // stop() waits this long for requests in flight
    ApiConfig api;                               // its db_path and tls are set from the fields above
};

// "127.0.0.1:8080" -> {"127.0.0.1", 8080}; "[::1]:443" -> {"::1", 443}. Throws std::invalid_argument.
std::pair<std::string, uint16_t> parse_listen(std::string_view text);

class Server {
public:
    // Opens the store, loads (or makes) the TLS certificate and binds; throws std::exception with a
    // message fit for the operator. Serves nothing until start().
    explicit Server(ServerConfig config);
    ~Server();  // stop()
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    void start();  // config.threads threads run the server
    // Stops accepting, lets requests in flight finish (event streams end at their next poll), then
    // closes the rest; waits at most stop_grace. Idempotent.
    void stop();

    [[nodiscard]] uint16_t port() const;
    [[nodiscard]] bool tls() const;
    [[nodiscard]] std::string url() const;  // http(s)://host:port/
    [[nodiscard]] Api& api();

    struct Impl;  // server.cc

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace otsentry::webui
